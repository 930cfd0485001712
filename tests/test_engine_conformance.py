"""Both validation engines give the same verdicts on the official JSON-Schema-Test-Suite.

The suite's cases ship in the jsonschema source distribution (its ``json/`` folder).
It is downloaded with pip once (kept in the user's cache folder, else in the
pytest cache, else in the session's temporary folder), or read from
``JSON_SCHEMA_TEST_SUITE`` (a checkout of the suite, as jsonschema's own tests
use). Every case of draft 2020-12 and draft 7, and their ``optional/format``
cases, runs through :class:`ValidatorCache` with each engine.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pytest_contracts.errors import InvalidSchema
from pytest_contracts.validation import ValidatorCache

from .conftest import contract_record

DIALECTS = {
    "draft2020-12": "https://json-schema.org/draft/2020-12/schema",
    "draft7": "http://json-schema.org/draft-07/schema#",
}
FOLDERS = [f"{draft}{sub}" for draft in DIALECTS for sub in ("", "/optional/format")]
#: Where the suite's remote schemas would be served (its json/remotes folder).
REMOTE = "http://localhost:1234/"

# -- where the engines differ, and why --------------------------------------------
#: jsonschema checks iri/iri-reference only when rfc3987 or rfc3987-syntax is installed
#: (neither is a dependency: see the README); jsonschema-rs always checks them.
JSONSCHEMA_CHECKS_IRI = "iri" in Draft202012Validator.FORMAT_CHECKER.checkers
IRI = "jsonschema checks iri formats only with rfc3987(-syntax) installed; jsonschema-rs always"
IRI_ANNOTATION = (
    "the plugin always checks format: jsonschema-rs checks iri, jsonschema without "
    "rfc3987(-syntax) cannot"
)
LEAP_SECOND = (
    "rfc3339-validator (jsonschema's time check) refuses second 60; "
    "jsonschema-rs accepts a leap second, as RFC 3339 does"
)
EMAIL = (
    "jsonschema's email check only looks for an '@'; jsonschema-rs checks the local part "
    "and the domain (RFC 5321)"
)
#: (file, case description, test description) -> why the verdicts differ. In every
#: entry jsonschema-rs gives the verdict the suite expects.
KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {}


def _differ(file: str, case: str, reason: str, *tests: str) -> None:
    KNOWN_DIFFERENCES.update({(file, case, test): reason for test in tests})


_EMAIL_CASE = "validation of e-mail addresses"
_EMAIL_BOTH = (
    "dot before local part is not valid",
    "dot after local part is not valid",
    "two subsequent dots inside local part are not valid",
)
_differ("draft7/optional/format/email.json", _EMAIL_CASE, EMAIL, *_EMAIL_BOTH)
_differ(
    "draft2020-12/optional/format/email.json",
    _EMAIL_CASE,
    EMAIL,
    *_EMAIL_BOTH,
    "an invalid domain",
    "an invalid IPv4-address-literal",
)
for _draft in DIALECTS:
    _differ(
        f"{_draft}/optional/format/time.json",
        "validation of time strings",
        LEAP_SECOND,
        "a valid time string with leap second, Zulu",
        "valid leap second, zero time-offset",
        "valid leap second, positive time-offset",
        "valid leap second, large positive time-offset",
        "valid leap second, negative time-offset",
        "valid leap second, large negative time-offset",
    )
    _differ(
        f"{_draft}/optional/format/date-time.json",
        "validation of date-time strings",
        LEAP_SECOND,
        "a valid date-time with a leap second, UTC",
        "a valid date-time with a leap second, with minus offset",
    )
    if not JSONSCHEMA_CHECKS_IRI:
        _differ(
            f"{_draft}/optional/format/iri.json",
            "validation of IRIs",
            IRI,
            "an invalid IRI based on IPv6",
            "an invalid relative IRI Reference",
            "an invalid IRI",
            "an invalid IRI though valid IRI reference",
        )
        _differ(
            f"{_draft}/optional/format/iri-reference.json",
            "validation of IRI References",
            IRI,
            "an invalid IRI Reference",
            "an invalid IRI fragment",
        )
if not JSONSCHEMA_CHECKS_IRI:
    for _kind in ("iri", "iri-reference"):
        _differ(
            "draft2020-12/format.json",
            f"{_kind} format",
            IRI_ANNOTATION,
            f"invalid {_kind} string is only an annotation by default",
        )


# -- the suite ----------------------------------------------------------------------
def _download_suite(version: str, into: Path, scratch: Path) -> None:
    """The ``json/`` folder of the jsonschema sdist, put in ``into/json``."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
        "--disable-pip-version-check", "--quiet", f"jsonschema=={version}", "-d", str(scratch),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip(f"pip took over 5 minutes to fetch the jsonschema {version} sdist")
    sdists = list(scratch.glob("jsonschema-*.tar.gz"))
    if done.returncode or not sdists:
        why = (done.stderr.strip().splitlines() or ["no sdist"])[-1]
        pytest.skip(
            f"pip cannot fetch the jsonschema {version} source distribution, which carries "
            f"the JSON-Schema-Test-Suite ({why}); or set JSON_SCHEMA_TEST_SUITE to a checkout"
        )
    with tarfile.open(sdists[0]) as tar:
        members = [m for m in tar.getmembers() if m.name.split("/")[1:2] == ["json"]]
        tar.extractall(scratch, members=members, filter="data")
    (top,) = {m.name.split("/")[0] for m in members}
    try:
        (scratch / top / "json").rename(into / "json")
    except OSError:  # another process (an xdist worker) put it there first
        shutil.rmtree(scratch / top, ignore_errors=True)


def _user_cache(name: str) -> Path | None:
    """A folder of the user's cache (``XDG_CACHE_HOME``, else ``~/.cache``), kept
    across checkouts: fetching the suite means building the sdist's metadata,
    about 20 seconds. None when it cannot be made."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "pytest-contracts" / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


@pytest.fixture(scope="session")
def suite(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The suite's ``tests`` folder."""
    pytest.importorskip(
        "jsonschema_rs",
        reason='the jsonschema-rs engine is not installed: pip install "pytest-contracts[fast]"',
    )
    if os.environ.get("JSON_SCHEMA_TEST_SUITE"):
        return Path(os.environ["JSON_SCHEMA_TEST_SUITE"]) / "tests"
    version = importlib.metadata.version("jsonschema")
    home = _user_cache(f"jsonschema-{version}-suite")
    if home is None:
        cache = getattr(pytestconfig, "cache", None)  # absent with -p no:cacheprovider
        home = (
            cache.mkdir(f"jsonschema-{version}-suite")
            if cache is not None
            else tmp_path_factory.mktemp("jsonschema-suite")
        )
    if not (home / "json" / "tests").is_dir():
        _download_suite(version, home, tmp_path_factory.mktemp("sdist"))
    return home / "json" / "tests"


@dataclasses.dataclass(frozen=True)
class Outcome:
    folder: str
    file: str  # relative to the suite's tests folder
    case: str
    test: str
    default: str  # valid, invalid, error (the schema cannot be applied), refused
    fast: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.case, self.test)

    @property
    def needs_remote(self) -> bool:
        return self.file.endswith("/refRemote.json") or "remote" in (self.default, self.fast)


def _verdict(cache: ValidatorCache, contract: Any, data: Any) -> str:
    try:
        verdict = cache.validate(contract, data)
    except InvalidSchema as exc:  # an unknown $schema: refused when registered
        return "remote" if REMOTE in str(exc) else "refused"
    if verdict.error:
        return "remote" if REMOTE in verdict.error else "error"
    return "valid" if verdict.passed else "invalid"


@pytest.fixture(scope="session")
def outcomes(suite: Path) -> list[Outcome]:
    default = ValidatorCache(maxsize=100_000)
    fast = ValidatorCache(maxsize=100_000, engine="jsonschema-rs")
    found = []
    for folder in FOLDERS:
        draft = folder.split("/")[0]
        for path in sorted((suite / folder).glob("*.json")):
            file = path.relative_to(suite).as_posix()
            for number, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
                schema = case["schema"]
                if isinstance(schema, dict) and "$schema" not in schema:
                    schema = {"$schema": DIALECTS[draft], **schema}  # the folder's dialect
                contract = contract_record(schema, f"{file}#{number}")
                found += [
                    Outcome(
                        folder,
                        file,
                        case["description"],
                        test["description"],
                        _verdict(default, contract, test["data"]),
                        _verdict(fast, contract, test["data"]),
                    )
                    for test in case["tests"]
                ]
    return found


# -- the tests ---------------------------------------------------------------------------
@pytest.mark.parametrize("folder", FOLDERS)
def test_engines_give_the_same_verdicts_on_the_official_suite(
    outcomes: list[Outcome], folder: str
) -> None:
    judged = [o for o in outcomes if o.folder == folder and not o.needs_remote]
    assert len(judged) > 100, f"too few cases found in {folder}: is the suite complete?"
    unexplained = [
        f"{o.file} | {o.case} | {o.test}: jsonschema {o.default}, jsonschema-rs {o.fast}"
        for o in judged
        if o.default != o.fast and o.key not in KNOWN_DIFFERENCES
    ]
    assert not unexplained, "verdicts differ:\n" + "\n".join(unexplained)


def test_every_known_difference_is_still_a_difference(outcomes: list[Outcome]) -> None:
    differing = {o.key for o in outcomes if o.default != o.fast}
    assert sorted(set(KNOWN_DIFFERENCES) - differing) == []


@pytest.mark.parametrize("draft", DIALECTS)
def test_cases_that_need_the_suite_remote_schemas(outcomes: list[Outcome], draft: str) -> None:
    remote = [o for o in outcomes if o.folder == draft and o.needs_remote]
    # Neither engine fetches anything: such a case can only be refused, never judged.
    assert {o.default for o in remote} | {o.fast for o in remote} <= {"remote", "refused", "error"}
    files = sorted({o.file.rsplit("/", 1)[1] for o in remote})
    pytest.skip(
        f"{len(remote)} tests ({', '.join(files)}) need the suite's remote schemas served at "
        f"{REMOTE}; both engines refuse every remote $ref by design"
    )
