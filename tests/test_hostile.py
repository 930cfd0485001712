"""Hostile input: remote references, backtracking patterns, huge and deep
outputs, awkward names, credentials in URLs, and random schemas and documents.
Each ends in a clear error or a verdict: never a traceback, a hang, a fetch or
a lost record."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pytest_contracts import ContractManager
from pytest_contracts.errors import ContractError, InvalidArgument, InvalidSchema
from pytest_contracts.jsondata import (
    MAX_OUTPUT_BYTES,
    NotJSONData,
    OutputTooLarge,
    check_output,
    check_output_size,
    dumps,
    ensure_json,
    json_size,
)
from pytest_contracts.models import Contract
from pytest_contracts.schemas import backtracking_risk, check_specification
from pytest_contracts.validation import ValidatorCache, Verdict

from .conftest import PROJECT_INI, Project, contract_record, run_command


def contract(specification: Any, contract_id: str = "hostile") -> Contract:
    return contract_record(specification, contract_id)


# -- 1. remote references: never fetched ----------------------------------------------
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records, and refuses, every attempt to reach anything but this machine
    (the registry's own Redis and PostgreSQL may be local servers)."""
    attempts: list[str] = []

    def local(address: Any) -> bool:
        return isinstance(address, str | bytes) or str(address[0]) in _LOCAL_HOSTS

    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if not local(address):
            attempts.append(f"connect {address!r}")
            raise OSError("hostile test: no network")
        real_connect(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(f"create_connection {address!r}")
        raise OSError("hostile test: no network")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not local((host,)):
            attempts.append(f"getaddrinfo {host!r}")
            raise OSError("hostile test: no network")
        return real_getaddrinfo(host, *args, **kwargs)

    def urlopen(url: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(f"urlopen {url!r}")
        raise OSError("hostile test: no network")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return attempts


# (specification, pointer to the reference, a document that reaches it)
REMOTE_REFERENCES = [
    pytest.param({"$ref": "http://example.com/schema.json"}, "/$ref", 1, id="http"),
    pytest.param(
        {"properties": {"a": {"$ref": "https://example.com/s.json#/$defs/x"}}},
        "/properties/a/$ref",
        {"a": 1},
        id="https-nested",
    ),
    pytest.param({"items": {"$ref": "file:///etc/passwd"}}, "/items/$ref", [1], id="file"),
    pytest.param({"$ref": "other.json"}, "/$ref", 1, id="relative-without-base"),
    pytest.param(
        {"$id": "https://example.com/root.json", "$ref": "other.json"},
        "/$ref",
        1,
        id="relative-to-own-id",
    ),
    pytest.param({"$dynamicRef": "https://example.com/x"}, "/$dynamicRef", 1, id="dynamicRef"),
    pytest.param(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {"a": {"$ref": "https://example.com/a.json"}},
            "items": {"$ref": "#/definitions/a"},
        },
        "/definitions/a/$ref",
        [1],
        id="draft7",
    ),
]


@pytest.mark.parametrize(("specification", "where", "document"), REMOTE_REFERENCES)
def test_remote_reference_is_refused_with_its_pointer_and_never_fetched(
    specification: Any, where: str, document: Any, no_network: list[str]
) -> None:
    with pytest.raises(InvalidSchema, match="never fetches schemas") as caught:
        check_specification(specification, self_contained=True)
    assert caught.value.path == where
    assert where in str(caught.value)
    assert no_network == []


@pytest.mark.parametrize(("specification", "where", "document"), REMOTE_REFERENCES)
def test_remote_reference_in_a_stored_schema_is_an_error_verdict_without_a_fetch(
    specification: Any, where: str, document: Any, no_network: list[str]
) -> None:
    # A schema stored before registration refused these: validation still
    # ends in a verdict that says why, and nothing is fetched.
    verdict = ValidatorCache().validate(contract(specification), document)
    assert verdict.error is not None
    assert verdict.error.startswith("the schema cannot be applied")
    assert not verdict.passed
    assert no_network == []


@pytest.mark.parametrize(
    ("specification", "message"),
    [
        ({"$ref": "#/$defs/missing"}, "does not resolve within the specification"),
        ({"properties": {"a": {"$ref": "#nowhere"}}}, "does not resolve"),
        ({"prefixItems": [{}], "$ref": "#/prefixItems/x"}, "does not point to a schema"),
        ({"const": "abc", "$ref": "#/const/0"}, "points to a str, not to a schema"),
        ({"$defs": {"a": {"type": "string"}}, "$ref": "#/$defs/a/type"}, "points to a str"),
    ],
)
def test_dangling_or_non_schema_local_reference_is_refused(
    specification: Any, message: str
) -> None:
    with pytest.raises(InvalidSchema, match=message):
        check_specification(specification, self_contained=True)


LOCAL_REFERENCES = [
    pytest.param(
        {
            "$defs": {"id": {"type": "string", "pattern": "^REQ-[0-9]+$"}},
            "type": "object",
            "properties": {"id": {"$ref": "#/$defs/id"}},
        },
        {"id": "REQ-1"},
        {"id": "nope"},
        id="defs",
    ),
    pytest.param(
        {
            "$defs": {"node": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            "$ref": "#/$defs/node",
        },
        [[[]]],
        [[1]],
        id="recursive",
    ),
    pytest.param(
        {"$defs": {"n": {"$anchor": "num", "type": "number"}}, "items": {"$ref": "#num"}},
        [1, 2.5],
        [1, "2"],
        id="anchor",
    ),
    pytest.param(
        {
            "$id": "https://example.com/root.json",
            "$defs": {"s": {"$id": "string.json", "type": "string"}},
            "items": {"$ref": "string.json"},
        },
        ["a"],
        [1],
        id="embedded-id",
    ),
    pytest.param(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {"n": {"type": "integer"}},
            "items": {"$ref": "#/definitions/n"},
        },
        [1],
        ["x"],
        id="draft7-definitions",
    ),
    # A field that holds a JSON Schema: the meta-schema is bundled with
    # jsonschema and resolved offline, so it may be referred to anywhere.
    pytest.param(
        {"properties": {"schema": {"$ref": "https://json-schema.org/draft/2020-12/schema"}}},
        {"schema": {"type": "string"}},
        {"schema": {"type": 12}},
        id="bundled-meta-schema",
    ),
]


@pytest.mark.parametrize(("specification", "good", "bad"), LOCAL_REFERENCES)
def test_local_references_register_and_validate_offline(
    specification: Any, good: Any, bad: Any, no_network: list[str]
) -> None:
    check_specification(specification, self_contained=True)
    cache = ValidatorCache()
    assert cache.validate(contract(specification), good).passed
    verdict = cache.validate(contract(specification), bad)
    assert verdict.error is None
    assert verdict.violations
    assert no_network == []


def test_reference_text_outside_schema_positions_is_not_a_reference() -> None:
    # "const" holds data and "properties" names a property "$ref": neither
    # is a reference, and no validator would follow one.
    specification = {
        "const": {"$ref": "https://example.com/x"},
        "properties": {"$ref": {"type": "string"}},
    }
    check_specification(specification, self_contained=True)


def test_references_are_checked_only_when_asked() -> None:
    # The compatibility engine compares schemas that may hold references it
    # cannot follow; only what the registry stores must be self-contained.
    check_specification({"$ref": "https://example.com/x"})


async def test_create_contract_refuses_a_remote_reference(cm: ContractManager) -> None:
    with pytest.raises(InvalidSchema, match="never fetches schemas") as caught:
        await cm.create_contract(
            "t", "Remote", "v1", "DATA_FORMAT", {"$ref": "https://example.com/s.json"}
        )
    assert caught.value.path == "/$ref"
    assert await cm.list_contracts("t") == []


# -- 2. catastrophic backtracking -------------------------------------------------------
EVIL_PATTERNS = [
    r"^(a+)+$",
    r"(a*)*b",
    r"^(a|aa)+$",
    r"(.*a){12}",
    r"^(\w+\s?)+$",
    r"^([a-zA-Z]+)*$",
    r"(x+x+)+y",
    r"^(a?){25}a{25}$",
    r"^((a|aa)b?)+$",
    r"^(a(a|aa))+$",
]

SAFE_PATTERNS = [
    r"^[a-z]+$",
    r"^REQ-[0-9]+$",
    r"^(foo|bar)$",
    r"^\d{4}-\d{2}$",
    r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    r"^[a-z0-9._%+-]+@([a-z0-9-]+\.)+[a-z]{2,}$",
    r"^(\d{1,3}\.){3}\d{1,3}$",
    r"^([01]?\d|2[0-4]\d|25[0-5])(\.([01]?\d|2[0-4]\d|25[0-5])){3}$",
    r"^[a-z]+(-[a-z]+)*$",
    r"^(GET|POST)(,(GET|POST))*$",
    r"^https?://[^\s/$.?#].[^\s]*$",
    r'^("[^"]*",)*"[^"]*"$',
    r"^v\d+(\.\d+)*$",
    r"(\w|\d)+",  # Python's parser turns it into one character class
    # semver.org's own pattern
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
]


@pytest.mark.parametrize("pattern", EVIL_PATTERNS)
def test_detector_finds_catastrophic_backtracking(pattern: str) -> None:
    reason = backtracking_risk(pattern)
    assert reason is not None
    assert "catastrophic backtracking" in reason


@pytest.mark.parametrize("pattern", SAFE_PATTERNS)
def test_detector_accepts_common_safe_patterns(pattern: str) -> None:
    assert backtracking_risk(pattern) is None
    check_specification({"type": "string", "pattern": pattern})
    check_specification({"patternProperties": {pattern: {}}})


@pytest.mark.parametrize(
    ("specification", "where"),
    [
        ({"type": "string", "pattern": "^(a+)+$"}, "/pattern"),
        ({"properties": {"id": {"pattern": "^(a+)+$"}}}, "/properties/id/pattern"),
        ({"patternProperties": {"^(a+)+$": {}}}, "/patternProperties/^(a+)+$"),
        ({"$defs": {"k": {"propertyNames": {"pattern": "^(a+)+$"}}}}, None),
    ],
)
def test_backtracking_pattern_is_refused_with_its_pointer_and_reason(
    specification: Any, where: str | None
) -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidSchema, match="catastrophic backtracking") as caught:
        check_specification(specification)
    assert time.perf_counter() - started < 1.0
    expected = where or "/$defs/k/propertyNames/pattern"
    assert caught.value.path == expected
    assert repr(expected) in str(caught.value)


async def test_create_contract_refuses_a_backtracking_pattern(cm: ContractManager) -> None:
    specification = {"type": "object", "properties": {"id": {"pattern": "^(a+)+$"}}}
    with pytest.raises(InvalidSchema, match="catastrophic backtracking") as caught:
        await cm.create_contract("t", "Evil", "v1", "DATA_FORMAT", specification)
    assert caught.value.path == "/properties/id/pattern"
    assert await cm.list_contracts("t") == []


# -- 3. huge and deep outputs -----------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -17,
        10**4000,
        1.5,
        -1e300,
        float(2**60),
        "",
        'quote " backslash \\ newline \n bell \x07 delete \x7f',
        "unicode: é 名前 😀 and a lone surrogate \ud800",
        [],
        {},
        {"": [None, {"a": [1, 2.0, "x"]}], "名": {"k": True}},
    ],
)
def test_json_size_is_the_size_of_the_json_text(value: Any) -> None:
    assert json_size(value) == len(dumps(value).encode("utf-8", "surrogatepass"))


def test_output_over_the_limit_is_refused_early_naming_size_limit_and_remedy() -> None:
    item = {"id": "REQ-000001", "text": "x" * 80, "tags": ["a", "b"], "n": 1}
    output = [item] * (50 * 1024 * 1024 // len(dumps(item)))  # about 50 MB
    started = time.perf_counter()
    with pytest.raises(OutputTooLarge) as caught:
        check_output_size(output, what="the phase output for 'requirements -> design'")
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0  # measuring stops at the limit
    error = caught.value
    assert isinstance(error, ContractError)
    assert error.limit == MAX_OUTPUT_BYTES == 16 * 1024 * 1024
    assert MAX_OUTPUT_BYTES < error.size < MAX_OUTPUT_BYTES + 1024
    message = str(error)
    assert "the phase output for 'requirements -> design'" in message
    assert "16,777,216 bytes (16.0 MiB)" in message
    assert "contracts_max_output_bytes" in message


def test_one_huge_string_is_refused_without_being_scanned() -> None:
    output = {"blob": "é" * (50 * 1024 * 1024)}
    started = time.perf_counter()
    with pytest.raises(OutputTooLarge):
        check_output_size(output)
    assert time.perf_counter() - started < 0.1


def test_output_at_the_limit_passes_and_one_byte_over_does_not() -> None:
    output = {"items": ["é\n" * 10, 1.25, None]}
    size = json_size(output)
    assert check_output_size(output, limit=size) == size
    with pytest.raises(OutputTooLarge):
        check_output_size(output, limit=size - 1)


@pytest.mark.parametrize("limit", [None, 0])
def test_no_limit_measures_everything(limit: int | None) -> None:
    output = ["x" * 1000] * 20_000  # 20 MB: over the default
    assert check_output_size(output, limit=limit) == len(dumps(output))


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"child": [value]}
    return value


def test_output_nested_ten_thousand_deep_is_json_data_and_sized() -> None:
    output = nested(10_000, 1)
    ensure_json(output)
    assert check_output_size(output) == len('{"child":[]}') * 10_000 + 1


def test_non_json_value_ten_thousand_deep_is_named_by_its_pointer() -> None:
    with pytest.raises(NotJSONData, match="use a list") as caught:
        ensure_json(nested(10_000, (1, 2)))
    assert caught.value.pointer == "/child/0" * 10_000


def test_output_nested_ten_thousand_deep_is_validated_to_a_verdict() -> None:
    output = nested(10_000, 1)
    cache = ValidatorCache()
    assert cache.validate(contract({"type": "object"}, "flat"), output).passed
    recursive = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"child": {"items": {"$ref": "#/$defs/node"}}},
            }
        },
        "$ref": "#/$defs/node",
    }
    verdict = cache.validate(contract(recursive, "recursive"), output)
    assert verdict.violations == ()
    assert verdict.error.startswith("the output is nested too deeply to validate")


# -- 4. awkward names -------------------------------------------------------------------
AWKWARD_NAMES = [
    "a:b",
    "a",
    "b:",
    ":",
    "a%3Ab",
    "\"quote'",
    "名前 with spaces",
    "emoji 😀🚀",
    "tab-less but  double  spaced",
    "slash/and\\backslash",
    "*?[glob]",
    "x" * 200,
]


async def test_awkward_names_are_stored_and_found_exactly(cm: ContractManager) -> None:
    for index, name in enumerate(AWKWARD_NAMES):
        team = AWKWARD_NAMES[-1 - index]
        schema = {"const": index}
        created = await cm.create_contract(team, name, "v1", "DATA_FORMAT", schema)
        await cm.activate_contract(created.id, name)
    for index, name in enumerate(AWKWARD_NAMES):
        team = AWKWARD_NAMES[-1 - index]
        for _ in range(2):  # the second lookup is served from the cache
            active = await cm.get_active_contract(team, name)
            assert active is not None
            assert (active.team_id, active.contract_name) == (team, name)
            assert active.specification == {"const": index}
        assert [c.contract_name for c in await cm.list_contracts(team)] == [name]


@pytest.mark.parametrize(
    "pairs",
    [
        [("a:b", "c"), ("a", "b:c")],
        [("a:b", "c"), ("a%3Ab", "c")],
        [("a", "gen:b"), ("a:gen", "b")],
        [("a b", "c"), ("a", "b c")],
        [("t", "x%"), ("t", "x%25")],
    ],
)
async def test_names_that_join_to_the_same_text_do_not_collide(
    cm: ContractManager, pairs: list[tuple[str, str]]
) -> None:
    for index, (team, name) in enumerate(pairs):
        created = await cm.create_contract(team, name, "v1", "DATA_FORMAT", {"const": index})
        await cm.activate_contract(created.id)
    for _ in range(2):
        for index, (team, name) in enumerate(pairs):
            active = await cm.get_active_contract(team, name)
            assert active is not None
            assert active.specification == {"const": index}
    # A new version of one is not served for the other.
    team, name = pairs[0]
    newer = await cm.create_contract(team, name, "v2", "DATA_FORMAT", {"const": "new"})
    await cm.activate_contract(newer.id)
    other = await cm.get_active_contract(*pairs[1])
    assert other is not None
    assert other.specification == {"const": 1}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 201, "201 characters long; the limit is 200"),
        ("名" * 10_000, "10000 characters long; the limit is 200"),
        ("nul\x00byte", "contains a control character"),
        ("new\nline", "contains a control character"),
        ("del\x7f", "contains a control character"),
        ("lone \ud800 surrogate", "lone surrogate"),
        ("   ", "must not be empty"),
    ],
)
@pytest.mark.parametrize("field", ["team_id", "contract_name"])
async def test_unusable_names_are_refused_with_the_limit(
    cm: ContractManager, name: str, message: str, field: str
) -> None:
    arguments = {"team_id": "t", "contract_name": "c", field: name}
    with pytest.raises(InvalidArgument, match=message):
        await cm.create_contract(
            version="v1", contract_type="DATA_FORMAT", specification={}, **arguments
        )
    with pytest.raises(InvalidArgument, match=message):
        await cm.get_active_contract(arguments["team_id"], arguments["contract_name"])
    assert await cm.list_contracts("t") == []


# -- 5. credentials never shown ---------------------------------------------------------
SECRET = "s3cret"

CREDENTIAL_TESTS = """
import logging

import pytest


@pytest.mark.phase_boundary("requirements", "design")
def test_output(phase_output):
    logging.getLogger("user").debug("recording")
    phase_output.record({"project": "x"})


def test_registry(contract_manager):
    contract_manager.list_contracts("t").result()
"""


def _credential_run(project: Project, *args: str) -> list[tuple[str, str]]:
    project.pytester.makepyfile(CREDENTIAL_TESTS)
    project.boundary("requirements", "design", {"type": "object"})
    result = project.subprocess(
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "--log-level=DEBUG",
        "--log-file=run.log",
        "--log-file-level=DEBUG",
        "-rA",
        "-W",
        "always",
        "--contracts-report",
        "report.json",
        *args,
        timeout=120,
    )
    places = [("stdout", result.stdout.str()), ("stderr", result.stderr.str())]
    for name in ("report.json", "run.log"):
        path = project.path / name
        places.append((name, path.read_text(encoding="utf-8") if path.exists() else ""))
    # The run did reach the registry code: it reports where the registry is.
    assert "127.0.0.1" in "".join(text for _, text in places) or "sqlite" in places[0][1]
    return places


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--contracts-db", f"postgresql://user:{SECRET}@127.0.0.1:1/db"], id="pg"),
        pytest.param(
            ["--contracts-redis", "--contracts-redis-url", f"redis://:{SECRET}@127.0.0.1:1/0"],
            id="redis",
        ),
        pytest.param(
            ["--contracts-db", f"postgresql://user:{SECRET}@127.0.0.1:1/db", "--contracts-gate"],
            id="pg-gate",
        ),
        pytest.param(
            ["--contracts-db", f"postgresql://user@127.0.0.1:1/db?password={SECRET}"],
            id="pg-password-in-query",
        ),
        pytest.param(
            ["--contracts-db", f"sqlite:///registry.db?password={SECRET}"],
            id="sqlite-password-in-query",
        ),
    ],
)
def test_credentials_in_urls_never_appear_in_output_report_or_logs(
    project: Project, args: list[str]
) -> None:
    for place, text in _credential_run(project, *args):
        assert SECRET not in text, f"the password appears in {place}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["list", "--db", f"postgresql://user:{SECRET}@127.0.0.1:1/db"],
        ["list", "--db", f"postgresql://user:{SECRET}@127.0.0.1:1/db", "--json"],
        ["--redis", "--redis-url", f"redis://:{SECRET}@127.0.0.1:1/0", "list"],
    ],
)
def test_credentials_in_urls_never_appear_in_the_command_output(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    clean_env.chdir(tmp_path)
    done = run_command(capsys, *args)
    assert done.returncode != 0
    assert "127.0.0.1" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stdout
    assert SECRET not in done.stderr


# -- 6. random schemas and documents ------------------------------------------------------
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)

# Anything Python might hand over as an output, JSON or not.
any_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=4)
    | st.just(2**14_001)
    | st.builds(datetime.now),
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children)
        | st.frozensets(st.integers(), max_size=2)
        | st.dictionaries(st.text(max_size=4) | st.integers(), children, max_size=3)
    ),
    max_leaves=12,
)

_TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"]
_FORMATS = ["date-time", "date", "email", "uri", "uuid", "ipv4", "hostname", "regex", "duration"]

leaf_schemas = st.one_of(
    st.booleans(),
    st.fixed_dictionaries({"type": st.sampled_from(_TYPES)}),
    st.fixed_dictionaries({"type": st.lists(st.sampled_from(_TYPES), min_size=1, unique=True)}),
    st.fixed_dictionaries({"const": json_values}),
    st.fixed_dictionaries({"enum": st.lists(json_values, min_size=1, max_size=4)}),
    st.fixed_dictionaries(
        {},
        optional={
            "minimum": st.integers(-100, 100) | st.floats(allow_nan=False, allow_infinity=False),
            "exclusiveMaximum": st.integers(-100, 100),
            "multipleOf": st.sampled_from([1, 2, 0.5, 0.1, 1e-300, 1e300, 3]),
        },
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "minLength": st.integers(0, 5),
            "maxLength": st.integers(0, 5),
            "pattern": st.sampled_from([*SAFE_PATTERNS, "^$", "a", "[0-9]"]),
            "format": st.sampled_from(_FORMATS),
        },
    ),
    st.just({"$ref": "#"}),
    st.just({"$ref": "#/$defs/any"}),
)


def _compound(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    names = st.text(max_size=5)
    return st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "properties": st.dictionaries(names, children, max_size=3),
                "required": st.lists(names, max_size=3, unique=True),
                "additionalProperties": children,
                "patternProperties": st.dictionaries(
                    st.sampled_from(SAFE_PATTERNS[:6]), children, max_size=2
                ),
                "propertyNames": children,
                "minProperties": st.integers(0, 3),
                "dependentRequired": st.dictionaries(
                    names, st.lists(names, max_size=2, unique=True), max_size=2
                ),
            },
        ),
        st.fixed_dictionaries(
            {},
            optional={
                "items": children,
                "prefixItems": st.lists(children, min_size=1, max_size=3),
                "contains": children,
                "minContains": st.integers(0, 2),
                "uniqueItems": st.booleans(),
                "maxItems": st.integers(0, 4),
                "unevaluatedItems": children,
            },
        ),
        st.fixed_dictionaries({"allOf": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"anyOf": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"oneOf": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"not": children}),
        st.fixed_dictionaries({"if": children}, optional={"then": children, "else": children}),
    )


schemas = st.recursive(leaf_schemas, _compound, max_leaves=10).map(
    lambda schema: {"$defs": {"any": {}}, "allOf": [schema]}
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(schema=schemas, document=json_values)
def test_random_valid_schemas_and_documents_give_only_verdicts(schema: Any, document: Any) -> None:
    try:
        check_specification(schema, self_contained=True)
    except InvalidSchema:
        assume(False)
    verdict = ValidatorCache().validate(contract(schema), document)
    assert isinstance(verdict, Verdict)
    for violation in verdict.violations:
        assert all(isinstance(v, str) for v in violation.to_dict().values())
    assert (verdict.error is None) or verdict.error.startswith(
        ("the schema cannot be applied", "the output is nested too deeply")
    )


@settings(max_examples=150, deadline=None)
@given(value=any_values)
def test_random_values_are_json_data_or_a_clear_error(value: Any) -> None:
    try:
        ensure_json(value)
    except NotJSONData as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert "is not JSON data" in message
        return
    assert json_size(value) == len(dumps(value).encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None)
@given(value=json_values)
def test_random_json_round_trips_and_is_sized_exactly(value: Any) -> None:
    ensure_json(value)
    text = dumps(value)
    assert json.loads(text) == value
    assert json_size(value) == len(text.encode("utf-8", "surrogatepass"))


# -- limits wired into the plugin ------------------------------------------------
LARGE_OUTPUT_TEST = """
import pytest

@pytest.mark.contract("Blob")
def test_blob(phase_output):
    phase_output.record({"data": "x" * 500})
"""


def test_the_output_size_limit_and_its_ini_twin(project: Project) -> None:
    project.contract("Blob", {"type": "object"}, kind="DATA_FORMAT")
    project.pytester.makepyfile(LARGE_OUTPUT_TEST)
    project.run().assert_outcomes(passed=1)  # 16 MiB by default
    refused = project.run("--contracts-max-output-bytes", "100")
    refused.assert_outcomes(failed=1)
    refused.stdout.fnmatch_lines(
        ["*OutputTooLarge: the phase output for Blob is over the size limit of 100 bytes*"]
    )
    project.pytester.makeini(PROJECT_INI + "contracts_max_output_bytes = 100\n")
    project.run().assert_outcomes(failed=1)
    project.run("--contracts-max-output-bytes", "0").assert_outcomes(passed=1)  # no limit
    bad = project.run("--contracts-max-output-bytes", "lots")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    assert "'lots' is not a whole number of bytes" in bad.stderr.str()


def test_violations_are_capped_and_the_cap_is_said() -> None:
    from pytest_contracts.validation import MAX_VIOLATIONS

    strings = contract({"type": "array", "items": {"type": "string"}}, "capped")
    verdict = ValidatorCache().validate(strings, list(range(MAX_VIOLATIONS * 5)))
    assert len(verdict.violations) == MAX_VIOLATIONS
    assert verdict.truncated
    exact = ValidatorCache().validate(strings, list(range(MAX_VIOLATIONS)))
    assert (len(exact.violations), exact.truncated) == (MAX_VIOLATIONS, False)


def test_capped_violations_are_said_in_the_report(project: Project) -> None:
    project.contract("Strings", {"type": "array", "items": {"type": "string"}}, kind="DATA_FORMAT")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("Strings")
        def test_numbers(phase_output):
            phase_output.record(list(range(1000)))
        """
    )
    result = project.run("--contracts-report", "r.json")
    result.assert_outcomes(failed=1)
    (check,) = json.loads((project.path / "r.json").read_text())["checks"]
    assert len(check["violations"]) == 100
    assert check["message"] == "more than 100 violations were found; the first 100 are listed"


@pytest.mark.parametrize(
    "specification",
    [
        {"$ref": "#/prefixItems/x", "prefixItems": [{"type": "string"}]},
        {"$ref": "#/const/0", "const": [1]},
        {"allOf": [{"$ref": "#"}]},
    ],
)
def test_a_stored_schema_that_breaks_the_engine_gives_an_error_verdict(
    specification: Any,
) -> None:
    verdict = ValidatorCache().validate(contract(specification, "odd"), {"a": 1})
    assert not verdict.passed
    assert verdict.error is not None
    assert verdict.error.startswith(("the schema cannot be applied", "the output is nested"))
    assert len(verdict.error) <= 500


def test_a_schema_that_passed_loosely_is_still_checked_strictly() -> None:
    remote = {"properties": {"a": {"$ref": "https://example.com/a.json"}}}
    check_specification(remote)  # remembered as passed, for the loose check only
    with pytest.raises(InvalidSchema, match="never fetches schemas"):
        check_specification(remote, self_contained=True)


# -- check_output: the one check phase_output.record makes ---------------------------
def _outcome(check: Any, value: Any) -> tuple[str, Any]:
    try:
        return "size", check(value)
    except NotJSONData as exc:
        return "not json", (str(exc), exc.pointer, exc.type_name)
    except OutputTooLarge as exc:
        return "too large", exc.limit


def _by_walks(value: Any, limit: int | None = MAX_OUTPUT_BYTES) -> int:
    ensure_json(value, what="the output")
    return check_output_size(value, limit=limit, what="the output")


def _by_check_output(value: Any, limit: int | None = MAX_OUTPUT_BYTES) -> int:
    return check_output(value, limit=limit, what="the output")


def _cyclic() -> Any:
    value: dict[str, Any] = {"a": []}
    value["a"].append(value)
    return value


@pytest.mark.parametrize(
    "value",
    [
        {"a": (1, 2)},
        [{"k": {1: "int key"}}],
        {True: 1},
        {None: 1},
        {"1": "a", 1: "b"},
        {"x": float("nan")},
        [float("-inf")],
        {"when": datetime(2026, 1, 1)},
        {"blob": b"bytes"},
        {"set": {1, 2}},
        10**5000,
        2**14_100,  # between the walk's quick bound and Python's limit: writable
        _cyclic(),
        {"deep": nested(10_000, 1)},
        {"deep": nested(10_000, (1,))},
        {"é": ["名前 😀", "\ud800", 'q"\\', 1.5e-300, -0.0, 2**70]},
    ],
    ids=lambda value: type(value).__name__,
)
def test_check_output_agrees_with_the_walks(value: Any) -> None:
    assert _outcome(_by_check_output, value) == _outcome(_by_walks, value)


@settings(max_examples=300, deadline=None)
@given(value=any_values)
def test_check_output_agrees_with_the_walks_on_random_values(value: Any) -> None:
    assert _outcome(_by_check_output, value) == _outcome(_by_walks, value)


@settings(max_examples=100, deadline=None)
@given(value=json_values, slack=st.integers(-3, 3))
def test_check_output_limit_is_exact(value: Any, slack: int) -> None:
    size = json_size(value)
    limit = max(1, size + slack)
    expected = "size" if size <= limit else "too large"
    assert _outcome(lambda v: _by_check_output(v, limit), value)[0] == expected


def test_check_output_refuses_an_output_over_the_limit_before_reading_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pytest_contracts import jsondata

    def no_read_back(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("an output over the limit must not be read back")

    monkeypatch.setattr(jsondata.json, "loads", no_read_back)
    with pytest.raises(OutputTooLarge) as caught:
        check_output({"blob": "é" * 1000}, limit=1500, what="the output")
    assert caught.value.size > 1500
    assert "over the size limit of 1,500 bytes" in str(caught.value)


@pytest.mark.parametrize("process_limit", [0, 640, 4300, 100_000])
def test_integers_are_judged_by_the_default_digit_limit_not_this_process(
    process_limit: int,
) -> None:
    """What one process stores, every process with Python's default limit must
    be able to read: integers of up to 4300 digits, whatever this process allows."""
    largest, too_large = 10**4300 - 1, 10**4300
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(process_limit)
    try:
        for check in (ensure_json, lambda v: check_output(v, limit=None)):
            check([largest, -largest])
            for value in (too_large, -too_large):
                with pytest.raises(NotJSONData, match="too large to write as JSON"):
                    check({"n": value})
        sizes = {json_size(largest), check_output(largest, limit=None)}
    finally:
        sys.set_int_max_str_digits(previous)
    assert sizes == {4300}
    assert json_size(-largest) == 4301
    with pytest.raises(InvalidSchema, match="too large to write as JSON"):
        check_specification({"maximum": too_large})


def test_check_output_under_a_raised_recursion_limit_never_overflows_the_stack() -> None:
    # Some suites raise the limit; the C json code would then recurse past
    # the C stack on deep data. A crash shows as the child's exit status.
    code = """
import sys
from pytest_contracts.jsondata import check_output
sys.setrecursionlimit(10**6)
value = []
for _ in range(200_000):
    value = [value]
print(check_output(value, limit=None))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, str(2 * 200_000 + 2)), result.stderr


@pytest.mark.parametrize("value", [{"items": [("a" * 50, 1)]}, {"blob": "x" * 50, 1: 2}])
def test_an_output_over_the_limit_that_is_not_json_data_is_named_as_not_json(
    value: Any,
) -> None:
    for check in (_by_check_output, _by_walks):
        with pytest.raises(NotJSONData):
            check(value, limit=20)
