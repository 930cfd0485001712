"""The pytest plugin, through real pytest runs (pytester)."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.config import sqlite_url
from pytest_contracts.reporting import report_schema

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, Project

GOOD = {"project": "sign-up", "requirements": [{"id": "REQ-1", "text": "Users sign up"}]}
BAD = {
    "project": "",
    "contact": "not-an-address",
    "requirements": [{"id": "R1"}],
}

# Two parametrized outputs for the requirements -> design boundary: one valid, one not.
TWO_DOCS_TEST = f"""
import pytest

@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("doc", [{GOOD!r}, {BAD!r}])
def test_docs(phase_output, doc):
    phase_output.record(doc)
"""

BOUNDARY_TEST = """
import pytest

@pytest.mark.phase_boundary("requirements", "design")
def test_requirements(phase_output):
    phase_output.record({output!r})
"""


def registry_rows(project: Project, **filters: Any) -> list[Any]:
    async def read() -> list[Any]:
        async with await StateManager.create(sqlite_url(project.registry)) as state:
            return await ContractManager(state).get_validations(**filters, limit=1000)

    return asyncio.run(read())


# -- markers and validation ------------------------------------------------------
def test_markers_are_registered_for_strict_markers(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        @pytest.mark.contract("APIContract")
        def test_declared():
            pass
        """
    )
    project.run("--strict-markers").assert_outcomes(passed=1)
    markers = project.run("--markers").stdout.str()
    assert "@pytest.mark.phase_boundary(source, destination" in markers
    assert "@pytest.mark.contract(name, team=None, version=None)" in markers


def test_valid_output_passes_and_is_recorded_with_the_node_id(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(BOUNDARY_TEST.format(output=GOOD))
    result = project.run()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*= contracts =*", "1 check against 1 contract: 1 passed"])
    (row,) = registry_rows(
        project,
        subject="test_valid_output_passes_and_is_recorded_with_the_node_id.py::test_requirements",
    )
    assert row.passed is True
    assert row.contract_name == "phase_boundary_requirements_to_design"
    assert row.version == "v1.0"


def test_violation_fails_the_test_with_every_error_readable(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(BOUNDARY_TEST.format(output=BAD))
    result = project.run()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "contract check failed (4 problems):" in out
    assert (
        "phase boundary requirements -> design: contract "
        "'phase_boundary_requirements_to_design' version 'v1.0' (id " in out
    )
    for line in [
        "at /project: '' should be non-empty "
        "[keyword 'minLength', schema /properties/project/minLength]",
        "at /contact: 'not-an-address' is not a 'email' "
        "[keyword 'format', schema /properties/contact/format]",
        "at /requirements/0: 'text' is a required property "
        "[keyword 'required', schema /properties/requirements/items/required]",
        "at /requirements/0/id: 'R1' does not match '^REQ-[0-9]+$' "
        "[keyword 'pattern', schema /properties/requirements/items/properties/id/pattern]",
    ]:
        assert line in out
    (row,) = registry_rows(project)
    assert row.passed is False
    assert {e["keyword"] for e in row.errors} == {"minLength", "format", "required", "pattern"}


def test_the_schema_dialect_comes_from_dollar_schema(project: Project) -> None:
    # Draft 7's array form of "items" validates positions; 2020-12 has no such form.
    project.contract(
        "Pair",
        {"$schema": "http://json-schema.org/draft-07/schema#", "items": [{"type": "string"}]},
        kind="DATA_FORMAT",
    )
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("Pair")
        def test_pair(phase_output):
            phase_output.record([1, "x"])
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*at /0: 1 is not of type 'string' [keyword 'type'*"])


def test_markers_work_on_classes_modules_and_with_parametrize(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.contract("Events", {"type": "object", "required": ["event"]}, kind="EVENT")
    project.pytester.makepyfile(
        f"""
        import pytest

        pytestmark = pytest.mark.contract("Events")

        def test_module_level(phase_output):
            phase_output.record({{"event": "signed_up"}})

        @pytest.mark.phase_boundary("requirements", "design")
        class TestRequirements:
            @pytest.mark.parametrize("name", ["a", ""])
            def test_param(self, phase_output, name):
                doc = {{**{GOOD!r}, "project": name}}
                phase_output.record(doc, boundary="requirements -> design")
                phase_output.record({{"event": name}}, contract="Events")
        """
    )
    result = project.run("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "PASSED*test_module_level  Events (Events v1.0)",
            "PASSED*test_param?a?  requirements -> design*",
            "FAILED*test_param??  requirements -> design*",
            "5 checks against 2 contracts: 4 passed, 1 failed",
        ]
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            'phase_boundary("requirements", "desing")',
            "unknown phase 'desing'; the phases are requirements, design",
        ),
        (
            'phase_boundary("design", "requirements")',
            "the boundary goes backwards: 'design' comes after 'requirements'",
        ),
        ('phase_boundary("design", "design")', "'design' is the same phase as 'design'"),
        ('phase_boundary("requirements")', "takes two phase names"),
        (
            'phase_boundary("requirements", "design", contrac="x")',
            "unknown keyword argument(s) contrac",
        ),
        ("contract()", "takes one contract name"),
        ("contract(42)", "takes one contract name"),
        ('contract("X", version=2)', "version= must be a non-empty string"),
    ],
)
def test_malformed_markers_are_collection_errors_naming_the_test(
    project: Project, marker: str, message: str
) -> None:
    project.pytester.makepyfile(
        f"""
        import pytest

        def test_fine():
            pass

        @pytest.mark.{marker}
        def test_declared():
            pass
        """
    )
    result = project.run()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "invalid contract marker:" in out
    assert f"::test_declared: @pytest.mark.{marker.split('(')[0]}(" in out
    assert message in out


def test_phases_come_from_the_ini_option(project: Project) -> None:
    project.pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "contracts_phases =\n    discovery\n    build\n    release\n"
    )
    project.boundary("discovery", "release", {"type": "object"})
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("discovery", "release")
        def test_custom(phase_output):
            phase_output.record({})

        @pytest.mark.phase_boundary("requirements", "design")
        def test_default_phase_is_unknown_now():
            pass
        """
    )
    result = project.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*unknown phase 'requirements'; the phases are discovery, build, release*"]
    )


def test_too_few_phases_is_a_usage_error(project: Project) -> None:
    project.pytester.makeini(PROJECT_INI + "contracts_phases = only\n")
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*contracts_phases needs at least two phases*"])


def test_recording_without_a_declared_contract_says_so(project: Project) -> None:
    project.pytester.makepyfile(
        """
        def test_undeclared(phase_output):
            phase_output.record({"a": 1})
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*test_undeclared records a phase output but declares no contract: mark the test with*"]
    )


def test_several_declared_contracts_need_a_choice(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("A")
        @pytest.mark.contract("B")
        def test_ambiguous(phase_output):
            phase_output.record({})

        @pytest.mark.contract("A")
        def test_wrong_choice(phase_output):
            phase_output.record({}, contract="C")
        """
    )
    result = project.run()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*declares several contracts ('A', 'B'); say which this output is for*",
            "*records an output for 'C', which none of its markers declares; declared: 'A'*",
        ]
    )


@pytest.mark.parametrize(
    ("value", "where", "type_name"),
    [
        ('{"tags": {"a", "b"}}', "at '/tags'", "set"),
        ('{"payload": [1, b"raw"]}', "at '/payload/1'", "bytes"),
        ('{"when": datetime.datetime(2026, 1, 1)}', "at '/when'", "datetime"),
        ('{"agent": object()}', "at '/agent'", "object"),
        ('{"ratio": float("nan")}', "at '/ratio'", "not a JSON number"),
    ],
)
def test_non_json_output_names_where_and_what_and_records_nothing(
    project: Project, value: str, where: str, type_name: str
) -> None:
    project.boundary("requirements", "design", {"type": "object"})
    project.pytester.makepyfile(
        f"""
        import datetime
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_output(phase_output):
            try:
                phase_output.record({value})
            finally:
                assert len(phase_output) == 0  # nothing half-recorded
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "NotJSONData: the phase output for requirements -> design is not JSON data" in out
    assert where in out
    assert type_name in out
    assert "checks against" not in out  # no check was made


def test_pinned_version_is_used_instead_of_the_active_one(project: Project) -> None:
    project.contract("API", {"required": ["old"]}, "v1.0", kind="REST_API")
    project.contract("API", {"required": ["new"]}, "v2.0", kind="REST_API")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("API", version="v1.0")
        def test_pinned(phase_output):
            phase_output.record({"old": 1})

        @pytest.mark.contract("API")
        def test_active(phase_output):
            phase_output.record({"new": 1})

        @pytest.mark.contract("API", version="v9.9")
        def test_missing_version(phase_output):
            phase_output.record({})
        """
    )
    result = project.run("-v", "-W", "ignore::pytest_contracts.session.ContractWarning")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "PASSED*test_pinned  API (API v1.0)",
            "PASSED*test_active  API (API v2.0)",
            "MISSING*test_missing_version  API (API v9.9)",
            "*version 'v9.9' of contract 'API' (team 'default') does not exist*",
        ]
    )


def test_team_comes_from_marker_then_option_then_default(project: Project) -> None:
    project.contract("Shared", {"const": "alpha"}, team="alpha", kind="EVENT")
    project.contract("Shared", {"const": "beta"}, team="beta", kind="EVENT")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("Shared", team="alpha")
        def test_alpha(phase_output):
            phase_output.record("alpha")

        @pytest.mark.contract("Shared")
        def test_option(phase_output):
            phase_output.record("beta")
        """
    )
    project.run("--contracts-team", "beta").assert_outcomes(passed=2)
    project.pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\ncontracts_team = beta\n"
    )
    project.run().assert_outcomes(passed=2)
    result = project.run("-W", "ignore::pytest_contracts.session.ContractWarning", "-v")
    result.assert_outcomes(passed=2)


def test_validators_are_compiled_once_per_version(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(
        """
        def pytest_sessionfinish(session):
            from pytest_contracts.plugin import SESSION
            contracts = session.config.stash[SESSION]
            print(f"\\ncompiled={contracts._validators.compiled}")
        """
    )
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        @pytest.mark.parametrize("n", range(5))
        def test_many(phase_output, n):
            phase_output.record({GOOD!r})
            phase_output.record({GOOD!r})
        """
    )
    result = project.run("-s")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*compiled=1*"])


def test_a_failing_test_body_is_not_checked(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_broken(phase_output):
            phase_output.record({BAD!r})
            assert False, "the test's own failure"
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    assert "the test's own failure" in result.stdout.str()
    assert "contract check failed" not in result.stdout.str()


# -- missing contracts, the gate, reports ----------------------------------------
MISSING_TEST = """
import pytest

@pytest.mark.phase_boundary("testing", "deployment")
def test_release(phase_output):
    phase_output.record({"status": "green"})
"""


def test_missing_contract_warns_and_the_test_outcome_stands(project: Project) -> None:
    project.pytester.makepyfile(MISSING_TEST)
    result = project.run()
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*ContractWarning: testing -> deployment: no active version of contract "
            "'phase_boundary_testing_to_deployment' for team 'default'; define one with a "
            "contract file in --contracts-dir*",
            "MISSING*test_release  testing -> deployment",
            "1 check against 1 contract: 0 passed, 1 missing",
        ]
    )
    assert result.ret == pytest.ExitCode.OK


def test_missing_contract_fails_the_test_in_gate_mode(project: Project) -> None:
    project.pytester.makepyfile(MISSING_TEST)
    result = project.run("--contracts-gate")
    result.assert_outcomes(failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*no active version of contract 'phase_boundary_testing_to_deployment' for team "
            "'default'; define one with a contract file in --contracts-dir, or with "
            "contract_manager.create_contract(...) and activate_contract(...)",
            "contracts gate: FAILED: 1 declared contract(s) had no active version",
        ]
    )


def test_gate_passes_when_every_check_passes(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(BOUNDARY_TEST.format(output=GOOD))
    result = project.run("--contracts-gate")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["contracts gate: passed"])


def test_gate_fails_the_session_on_a_violation(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(BOUNDARY_TEST.format(output=BAD))
    result = project.run("--contracts-gate")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["contracts gate: FAILED: 1 check(s) found contract violations"])


def test_gate_ini_twin(project: Project) -> None:
    project.pytester.makeini(PROJECT_INI + "contracts_gate = true\n")
    project.pytester.makepyfile(MISSING_TEST)
    result = project.run()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["contracts gate: FAILED*"])


def load_report(path: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    errors = list(
        Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        ).iter_errors(data)
    )
    assert errors == [], [e.message for e in errors]
    return data


def test_json_report_follows_its_schema_and_counts_every_check(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        TWO_DOCS_TEST
        + """
@pytest.mark.contract("Nowhere")
def test_missing(phase_output):
    phase_output.record({})
"""
    )
    project.run("--contracts-report", "out/report.json")
    data = load_report(project.path / "out" / "report.json")
    assert data["totals"] == {
        "checks": 3, "passed": 1, "failed": 1, "missing": 1, "unavailable": 0, "error": 0,
    }  # fmt: skip
    assert data["registry"] == {
        "database": "sqlite",
        "database_url": f"sqlite+aiosqlite:///{project.registry}",
        "cache": "fakeredis",
        "redis_url": None,
        "unstored_validations": 0,
    }
    failed = next(c for c in data["checks"] if c["outcome"] == "failed")
    assert failed["test"].endswith("test_docs[doc1]")
    assert failed["contract"] == "phase_boundary_requirements_to_design"
    assert failed["version"] == "v1.0"
    assert failed["boundary"] == "requirements -> design"
    assert {v["keyword"] for v in failed["violations"]} == {
        "minLength",
        "format",
        "required",
        "pattern",
    }
    assert data["session"]["exitstatus"] == 1
    assert data["session"]["interrupted"] is False
    assert data["gate"] == {"enabled": False, "passed": True, "reason": None}


def test_json_report_ini_twin_and_gate_verdict(project: Project) -> None:
    project.pytester.makeini(PROJECT_INI + "contracts_report = r.json\ncontracts_gate = 1\n")
    project.pytester.makepyfile(MISSING_TEST)
    project.run()
    data = load_report(project.path / "r.json")
    assert data["gate"]["enabled"] is True
    assert data["gate"]["passed"] is False
    assert "no active version" in data["gate"]["reason"]


def test_json_report_is_written_when_the_session_is_interrupted(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_first(phase_output):
            phase_output.record({GOOD!r})

        def test_interrupt():
            raise KeyboardInterrupt

        def test_never_runs():
            pass
        """
    )
    # A subprocess: an in-process run hands the KeyboardInterrupt to this one.
    result = project.subprocess("--contracts-report", "r.json")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    data = load_report(project.path / "r.json")
    assert data["session"]["interrupted"] is True
    assert data["totals"]["passed"] == 1


def test_json_report_is_written_when_the_start_fails(project: Project) -> None:
    project.contract("Broken", {"type": "nonsense"})
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run("--contracts-report", "r.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    data = load_report(project.path / "r.json")
    assert data["session"]["interrupted"] is True
    assert data["checks"] == []


def test_junit_xml_carries_contract_properties(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(BOUNDARY_TEST.format(output=BAD))
    project.run("--junitxml", "junit.xml")
    tree = ET.parse(project.path / "junit.xml")
    (case,) = tree.iter("testcase")
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties["contract"] == "phase_boundary_requirements_to_design"
    assert properties["contract_version"] == "v1.0"
    assert properties["contract_result"] == "failed"
    assert json.loads(properties["pytest_contracts.check"])["outcome"] == "failed"


def test_terminal_summary_is_quiet_under_q_and_complete_under_v(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(TWO_DOCS_TEST)
    default = project.run().stdout.str()
    assert "FAILED      test_terminal" in default
    assert "PASSED      test_terminal" not in default
    quiet = project.run("-q").stdout.str()
    assert "2 checks against 1 contract: 1 passed, 1 failed" in quiet
    assert "FAILED      test_terminal" not in quiet
    verbose = project.run("-v").stdout.str()
    assert "PASSED      test_terminal" in verbose
    assert "FAILED      test_terminal" in verbose
    silent = project.run("-qq").stdout.str()
    assert "checks against" not in silent


def test_own_hooks_see_every_result_and_violation(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(
        """
        import json

        def pytest_contracts_validation_result(result, config):
            with open("results.ndjson", "a") as out:
                out.write(result.to_json() + "\\n")

        def pytest_contracts_violation(violation, result, config):
            with open("violations.txt", "a") as out:
                out.write(f"{result.contract} {violation['pointer']} {violation['keyword']}\\n")
        """
    )
    project.pytester.makepyfile(TWO_DOCS_TEST)
    project.run()
    results = [
        json.loads(line) for line in (project.path / "results.ndjson").read_text().splitlines()
    ]
    assert sorted(r["outcome"] for r in results) == ["failed", "passed"]
    violations = (project.path / "violations.txt").read_text().splitlines()
    assert sorted(violations) == sorted(
        [
            "phase_boundary_requirements_to_design /project minLength",
            "phase_boundary_requirements_to_design /contact format",
            "phase_boundary_requirements_to_design /requirements/0 required",
            "phase_boundary_requirements_to_design /requirements/0/id pattern",
        ]
    )


# -- review findings -------------------------------------------------------------
def test_recording_after_the_body_returned_is_an_error(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def late(phase_output):
            yield
            phase_output.record({"project": ""})

        @pytest.mark.phase_boundary("requirements", "design")
        def test_records_at_teardown(late):
            pass
        """
    )
    result = project.run("--contracts-gate")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*records a phase output after its test body returned*"])


def test_self_containing_output_is_refused_not_hung(project: Project) -> None:
    project.boundary("requirements", "design", {"type": "object"})
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_cycle(phase_output):
            doc = {"parts": []}
            doc["parts"].append(doc)
            phase_output.record(doc)
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*at '/parts/0' there is a dict that contains itself*"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("phase_output.record({}, boundary=5)", "boundary= must be two phase names"),
        ("phase_output.record({}, boundary=('a',))", "boundary= must be two phase names"),
        ("phase_output.record({}, contract=3)", "contract= must be a contract name"),
    ],
)
def test_bad_selectors_are_clear_errors(project: Project, call: str, message: str) -> None:
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.contract("A")
        def test_selector(phase_output):
            {call}
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    assert message in result.stdout.str()
    assert "TypeError" not in result.stdout.str()


def test_markers_added_after_collection_are_honoured(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(
        """
        import pytest

        def pytest_collection_modifyitems(items):
            for item in items:
                item.add_marker(pytest.mark.phase_boundary("requirements", "design"))
        """
    )
    project.pytester.makepyfile(
        f"""
        def test_marked_by_conftest(phase_output):
            phase_output.record({BAD!r})
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    assert "contract check failed (4 problems)" in result.stdout.str()


def test_contract_warning_made_an_error_fails_cleanly(project: Project) -> None:
    project.pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error::pytest_contracts.ContractWarning\n"
    )
    project.pytester.makepyfile(MISSING_TEST)
    result = project.run()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "ContractWarning: testing -> deployment: no active version" in out
    assert "warn_explicit" not in out  # the plugin's source is not dumped


def test_an_empty_team_is_a_usage_error(project: Project) -> None:
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run("--contracts-team=")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "must be 1 to 200 characters" in result.stderr.str()


@pytest.mark.parametrize("listing", ["--markers", "--fixtures", "--collect-only"])
def test_listing_commands_leave_the_last_report_alone(project: Project, listing: str) -> None:
    project.pytester.makeini(PROJECT_INI + "contracts_report = r.json\n")
    project.pytester.makepyfile(MISSING_TEST)
    project.run()
    before = (project.path / "r.json").read_text()
    project.run(listing)
    assert (project.path / "r.json").read_text() == before


def test_an_unwritable_report_path_is_reported_not_a_crash(project: Project) -> None:
    (project.path / "blocker").write_text("a file, not a folder")
    project.pytester.makepyfile(MISSING_TEST)
    result = project.run("--contracts-report", "blocker/r.json")
    result.assert_outcomes(passed=1, warnings=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["the JSON report could not be written to *blocker/r.json*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_stopping_early_with_x_is_not_an_interruption(project: Project) -> None:
    project.pytester.makepyfile("def test_a():\n    assert False\n\ndef test_b():\n    pass\n")
    project.run("-x", "--contracts-report", "r.json")
    data = load_report(project.path / "r.json")
    assert data["session"]["interrupted"] is False


def test_gate_fails_the_session_even_when_every_test_outcome_is_fine(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.xfail(reason="known bad output")
        @pytest.mark.phase_boundary("requirements", "design")
        def test_known_bad(phase_output):
            phase_output.record({BAD!r})
        """
    )
    assert project.run().ret == pytest.ExitCode.OK
    gated = project.run("--contracts-gate")
    gated.assert_outcomes(xfailed=1)
    assert gated.ret == pytest.ExitCode.TESTS_FAILED
    gated.stdout.fnmatch_lines(["contracts gate: FAILED: 1 check(s) found contract violations"])


def test_summary_lists_every_violation_and_each_contract(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.contract("Events", {"required": ["event"]}, kind="EVENT")
    project.pytester.makepyfile(
        TWO_DOCS_TEST
        + """
@pytest.mark.contract("Events")
def test_event(phase_output):
    phase_output.record({"event": "x"})
"""
    )
    out = project.run().stdout.str()
    summary = out[out.index("= contracts =") :]
    for line in [
        "    at /project: '' should be non-empty",
        "    at /contact: 'not-an-address' is not a 'email'",
        "    at /requirements/0: 'text' is a required property",
        "    at /requirements/0/id: 'R1' does not match '^REQ-[0-9]+$'",
        "  Events [team default, v1.0]: 1 passed",
        "  requirements -> design (phase_boundary_requirements_to_design) "
        "[team default, v1.0]: 1 passed, 1 failed",
        "3 checks against 2 contracts: 2 passed, 1 failed",
    ]:
        assert line in summary, line
