"""A test's outputs checked against the registry's contracts, through real
pytest runs: verdicts, versions, teams, and what reaches the registry and JUnit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from .conftest import REQUIREMENTS_SCHEMA, Project
from .plugin_cases import BAD, BOUNDARY_TEST, GOOD, registry_rows


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


def test_pinned_version_is_used_instead_of_the_active_one(project: Project) -> None:
    project.contract("API", {"required": ["old"]}, "v1.0", kind="REST_API")
    project.contract("API", {"required": ["new"]}, "v2.0", kind="REST_API", breaking_change=True)
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
    result = project.run("-v", "-W", "ignore::pytest_contracts.ContractWarning")
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
    result = project.run("-W", "ignore::pytest_contracts.ContractWarning", "-v")
    result.assert_outcomes(passed=2)


def test_a_declared_boundary_that_may_record_nothing_still_needs_a_contract(
    project: Project,
) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("design", "implementation", required=False)
        def test_records_nothing():
            pass
        """
    )
    loose = project.run()
    loose.assert_outcomes(passed=1, warnings=1)
    loose.stdout.fnmatch_lines(["*ContractWarning*phase_boundary_design_to_implementation*"])
    gated = project.run("--contracts-gate")
    gated.assert_outcomes(failed=1)
    gated.stdout.fnmatch_lines(
        ["contracts gate: FAILED: 1 declared contract(s) had no active version"]
    )
    # With the contract defined, a test that may record nothing has nothing to fail on.
    project.boundary("design", "implementation", {"type": "object"})
    project.run("--contracts-gate").assert_outcomes(passed=1)


def test_validators_are_compiled_once_per_version(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(
        """
        def pytest_sessionfinish(session):
            from pytest_contracts.plugin import SESSION
            contracts = session.config.stash[SESSION]
            print(f"\\ncompiled={contracts.checker.validators.compiled}")
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


RESOLVE_COUNT_CONFTEST = """
import pytest
from pytest_contracts.registry.manager import ContractManager

CALLS = []
_original = ContractManager.get_active_contract


async def counting(self, team_id, contract_name):
    CALLS.append(contract_name)
    return await _original(self, team_id, contract_name)


ContractManager.get_active_contract = counting


def pytest_sessionfinish(session):
    with open("lookups.txt", "w") as out:
        out.write("\\n".join(CALLS))


def pytest_unconfigure(config):
    # The class outlives this run (the outer suite's process): inherit again.
    del ContractManager.get_active_contract
"""


RESOLVE_COUNT_TESTS = """
import pytest

DOCUMENT = {"field_one": 1, "field_two": 2}


@pytest.mark.contract("Orders")
@pytest.mark.parametrize("n", range(5))
def test_a_before(phase_output, n):
    phase_output.record(DOCUMENT)


def test_b_activate_v2(contract_manager):
    schema = {"required": ["field_three"]}
    v2 = contract_manager.create_contract("default", "Orders", "v2.0", "EVENT", schema).result()
    contract_manager.activate_contract(v2.id).result()


@pytest.mark.contract("Orders")
@pytest.mark.parametrize("n", range(3))
def test_c_after(phase_output, n):
    phase_output.record(DOCUMENT)
"""


def test_the_active_version_is_resolved_once_until_something_changes(project: Project) -> None:
    project.contract("Orders", {"required": ["field_one"]}, "v1.0", kind="EVENT")
    project.pytester.makeconftest(RESOLVE_COUNT_CONFTEST)
    project.pytester.makepyfile(RESOLVE_COUNT_TESTS)
    result = project.run("-p", "no:randomly", "--contracts-report", "r.json")
    # The three tests after the activation are checked against v2 at once.
    result.assert_outcomes(passed=6, failed=3)
    report = json.loads((project.path / "r.json").read_text())
    versions = [check["version"] for check in report["checks"]]
    assert versions == ["v1.0"] * 5 + ["v2.0"] * 3
    # Asked of the registry once before the activation and once after it,
    # not once per check (the activation itself asks once more).
    lookups = (project.path / "lookups.txt").read_text().split()
    assert len(lookups) <= 3, lookups


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
