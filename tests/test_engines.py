"""The validation engines (``--contracts-engine``), through real pytest runs (pytester)."""

from __future__ import annotations

import contextlib
import http.server
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts.validation import ValidatorCache

from .conftest import PROJECT_INI, Project, contract_record

# Imported once, here: pytester's in-process runs drop the modules a run imported,
# and a native extension is better not initialised twice in one process.
with contextlib.suppress(ImportError):  # without the fast extra, those tests skip
    import jsonschema_rs  # noqa: F401

ENGINES = ["jsonschema", "jsonschema-rs"]
needs_rs = pytest.mark.skipif(
    "jsonschema_rs" not in sys.modules, reason='needs pip install "pytest-contracts[fast]"'
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["project", "owner"],
    "additionalProperties": False,
    "properties": {
        "project": {"type": "string", "minLength": 1},
        "contact": {"type": "string", "format": "email"},
        "count": {"type": "integer"},
        "grid": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "requirements": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "text"],
                "properties": {"id": {"type": "string", "pattern": "^REQ-[0-9]+$"}},
            },
        },
    },
}
DOCUMENT = {
    "project": "",
    "contact": "not-an-address",
    "count": "3",
    "grid": [[1, "x"], [2.5]],
    "requirements": [{"id": "R1"}],
    "extra": True,
}
# pointer, keyword, schema path: the same under both engines. The messages are
# each engine's own words (jsonschema quotes like Python, jsonschema-rs like JSON).
VIOLATIONS = [
    ("", "additionalProperties", "/additionalProperties"),
    ("", "required", "/required"),
    ("/contact", "format", "/properties/contact/format"),
    ("/count", "type", "/properties/count/type"),
    ("/grid/0/1", "type", "/properties/grid/items/items/type"),
    ("/grid/1/0", "type", "/properties/grid/items/items/type"),
    ("/project", "minLength", "/properties/project/minLength"),
    ("/requirements/0", "required", "/properties/requirements/items/required"),
    ("/requirements/0/id", "pattern", "/properties/requirements/items/properties/id/pattern"),
]
MESSAGES = {
    "jsonschema": {
        "/additionalProperties": "Additional properties are not allowed ('extra' was unexpected)",
        "/required": "'owner' is a required property",
        "/properties/contact/format": "'not-an-address' is not a 'email'",
        "/properties/count/type": "'3' is not of type 'integer'",
        "/properties/project/minLength": "'' should be non-empty",
        "/properties/requirements/items/required": "'text' is a required property",
        "/properties/requirements/items/properties/id/pattern": (
            "'R1' does not match '^REQ-[0-9]+$'"
        ),
    },
    "jsonschema-rs": {
        "/additionalProperties": "Additional properties are not allowed ('extra' was unexpected)",
        "/required": '"owner" is a required property',
        "/properties/contact/format": '"not-an-address" is not a "email"',
        "/properties/count/type": '"3" is not of type "integer"',
        "/properties/project/minLength": '"" is shorter than 1 character',
        "/properties/requirements/items/required": '"text" is a required property',
        "/properties/requirements/items/properties/id/pattern": (
            '"R1" does not match "^REQ-[0-9]+$"'
        ),
    },
}

RECORD_TEST = """
import pytest

@pytest.mark.contract("Doc")
def test_doc(phase_output):
    phase_output.record({document!r})
"""


def engine_param(engine: str) -> Any:
    return pytest.param(engine, marks=needs_rs) if engine == "jsonschema-rs" else engine


ALL_ENGINES = [engine_param(engine) for engine in ENGINES]


def report_checks(project: Project, *args: str) -> list[dict[str, Any]]:
    project.run("--contracts-report", "report.json", *args)
    report = json.loads((project.path / "report.json").read_text(encoding="utf-8"))
    return list(report["checks"])


# -- choosing the engine -----------------------------------------------------------------
@needs_rs
def test_option_and_its_ini_twin_select_jsonschema_rs(project: Project) -> None:
    project.contract("Doc", SCHEMA)
    project.pytester.makepyfile(RECORD_TEST.format(document=DOCUMENT))
    rs_line = (
        "at /project: \"\" is shorter than 1 character [keyword 'minLength', "
        "schema /properties/project/minLength]"
    )
    default_line = (
        "at /project: '' should be non-empty [keyword 'minLength', "
        "schema /properties/project/minLength]"
    )

    by_default = project.run()
    by_default.assert_outcomes(failed=1)
    assert default_line in by_default.stdout.str()
    by_option = project.run("--contracts-engine", "jsonschema-rs")
    by_option.assert_outcomes(failed=1)
    assert rs_line in by_option.stdout.str()
    by_option.stdout.fnmatch_lines(["contracts: registry *, engine jsonschema-rs"])
    header = [line for line in by_default.stdout.lines if line.startswith("contracts: registry")]
    assert len(header) == 1
    assert "engine" not in header[0]  # the default is not spelt out
    project.pytester.makeini(PROJECT_INI + "contracts_engine = jsonschema-rs\n")
    by_ini = project.run()
    by_ini.assert_outcomes(failed=1)
    assert rs_line in by_ini.stdout.str()
    # The command line wins over the ini file.
    assert default_line in project.run("--contracts-engine", "jsonschema").stdout.str()


@pytest.mark.parametrize(
    "how", [("--contracts-engine", "fastest"), ("-o", "contracts_engine=fastest")]
)
def test_an_unknown_engine_is_a_usage_error_listing_the_engines(
    project: Project, how: tuple[str, str]
) -> None:
    project.pytester.makepyfile("def test_nothing():\n    pass\n")
    result = project.run(*how)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*--contracts-engine / contracts_engine: unknown validation engine 'fastest'; "
            "use one of: jsonschema, jsonschema-rs (default jsonschema)*"
        ]
    )


def test_jsonschema_rs_without_the_package_is_a_usage_error_naming_the_extra(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # as if it were not installed
    project.pytester.makepyfile("def test_nothing():\n    pass\n")
    result = project.run("--contracts-engine", "jsonschema-rs")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        "ERROR: --contracts-engine / contracts_engine: the jsonschema-rs validation engine "
        "needs the jsonschema-rs package, which is not installed: "
        'pip install "pytest-contracts[fast]"'
    ) in result.stderr.str()


# -- what the engines report ---------------------------------------------------------------
@pytest.mark.parametrize("engine", ALL_ENGINES)
def test_violations_carry_the_same_pointer_keyword_and_schema_path(
    project: Project, engine: str
) -> None:
    project.contract("Doc", SCHEMA)
    project.pytester.makepyfile(RECORD_TEST.format(document=DOCUMENT))
    (check,) = report_checks(project, "--contracts-engine", engine)
    assert check["outcome"] == "failed"
    violations = check["violations"]
    assert sorted((v["pointer"], v["keyword"], v["schema_path"]) for v in violations) == VIOLATIONS
    messages = {v["schema_path"]: v["message"] for v in violations}
    assert messages | MESSAGES[engine] == messages  # each expected message is there


@pytest.mark.parametrize("engine", ALL_ENGINES)
def test_local_refs_and_defs_are_followed(project: Project, engine: str) -> None:
    project.contract(
        "Doc",
        {
            "$defs": {"id": {"type": "string", "pattern": "^REQ-"}},
            "properties": {"ids": {"type": "array", "items": {"$ref": "#/$defs/id"}}},
        },
    )
    project.pytester.makepyfile(RECORD_TEST.format(document={"ids": ["REQ-1", "R2"]}))
    (check,) = report_checks(project, "--contracts-engine", engine)
    assert [(v["pointer"], v["keyword"], v["schema_path"]) for v in check["violations"]] == [
        ("/ids/1", "pattern", "/properties/ids/items/pattern")
    ]


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = json.dumps({"type": "string"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/schema+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def schema_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback that serves a schema and records every request:
    the proof holds for jsonschema-rs too, whose connections Python cannot see."""
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("engine", ALL_ENGINES)
def test_a_remote_ref_is_never_fetched_and_makes_the_check_an_error(
    project: Project, engine: str, schema_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, requests = schema_server
    on_disk = tmp_path / "string.json"
    on_disk.write_text(json.dumps({"type": "string"}), encoding="utf-8")
    # The registry refuses such schemas when they are registered; one stored
    # before that rule (or written to the database by hand) reaches the engine.
    web = contract_record({"properties": {"a": {"$ref": f"{url}/string.json"}}}, "web")
    disk = contract_record({"properties": {"a": {"$ref": on_disk.as_uri()}}}, "disk")
    cache = ValidatorCache(engine=engine)
    verdicts = [cache.validate(stored, {"a": 1}) for stored in (web, disk)]
    assert requests == []  # not one request reached the server
    assert [v.error for v in verdicts] == [
        f"the schema cannot be applied: Unresolvable: {url}/string.json",
        f"the schema cannot be applied: Unresolvable: {on_disk.as_uri()}",
    ]
    # And through the plugin, a contract file with one is refused at start.
    project.contract("Web", {"properties": {"a": {"$ref": f"{url}/string.json"}}})
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run("--contracts-engine", engine)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "never fetches schemas" in result.stderr.str()
    assert requests == []


@pytest.mark.parametrize("engine", ALL_ENGINES)
def test_a_validator_is_compiled_once_per_contract_version(
    project: Project, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    caches: list[ValidatorCache] = []
    original = ValidatorCache.__init__

    def record(self: ValidatorCache, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        caches.append(self)

    monkeypatch.setattr(ValidatorCache, "__init__", record)
    project.contract("Doc", {"type": "object"}, "v1.0")
    project.contract("Doc", {"type": "object", "required": ["id"]}, "v2.0")
    project.pytester.makepyfile(
        """
        import pytest

        def pinned(v):
            return pytest.param(v, marks=pytest.mark.contract("Doc", version=v))


        @pytest.mark.parametrize("n", range(5))
        @pytest.mark.parametrize("version", [pinned("v1.0"), pinned("v2.0")])
        def test_doc(phase_output, version, n):
            phase_output.record({"id": n})
            phase_output.record({"id": n, "again": True})
        """
    )
    project.run("--contracts-engine", engine).assert_outcomes(passed=10)
    (cache,) = caches
    assert (cache.engine, cache.compiled, len(cache)) == (engine, 2, 2)
