"""The contracts section of the terminal summary, at each verbosity."""

from __future__ import annotations

from .conftest import REQUIREMENTS_SCHEMA, Project
from .plugin_cases import TWO_DOCS_TEST, unrecorded_project


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


def test_summary_names_each_test_that_recorded_nothing_for_a_declared_contract(
    project: Project,
) -> None:
    unrecorded_project(project)
    out = project.run("-W", "ignore::pytest_contracts.ContractWarning").stdout.str()
    summary = out[out.index("= contracts =") :]
    module = "test_summary_names_each_test_that_recorded_nothing_for_a_declared_contract.py"
    for line in [
        f"NOT RECORDED {module}::test_never_records  Events (Events v1.0)",
        "    no output was recorded for contract 'Events' v1.0 (team 'default'), so nothing "
        "was checked; record one with phase_output.record(...) in the test, or, if "
        "recording nothing is legitimate, mark it @pytest.mark.contract('Events', "
        "required=False)",
        "  Events [team default, v1.0]: 1 not recorded",
        "2 checks against 2 contracts: 0 passed, 2 not recorded",
    ]:
        assert line in summary.splitlines(), line


OWN_SECTION_CONFTEST = """
def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_sep("=", "my own section")
"""


def test_the_contracts_section_comes_after_the_sections_of_conftests(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(OWN_SECTION_CONFTEST)
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_ok(phase_output):
            phase_output.record({"project": "p", "requirements": [{"id": "REQ-1", "text": "t"}]})
        """
    )
    result = project.run("--contracts-gate")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*= my own section =*", "*= contracts =*"])
