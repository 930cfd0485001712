"""Outside the gate a contract that cannot be checked warns and the test's
outcome stands; with --contracts-gate it fails the test and the session."""

from __future__ import annotations

import json

import pytest

from pytest_contracts.checker import Tally

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, Project
from .plugin_cases import (
    BAD,
    BOUNDARY_TEST,
    GOOD,
    MISSING_TEST,
    UNRECORDED_BOUNDARY,
    UNRECORDED_CONTRACT,
    check_result,
    load_report,
    registry_rows,
    summary_of,
    unrecorded_project,
)


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


def test_gate_ini_twin(project: Project) -> None:
    project.pytester.makeini(PROJECT_INI + "contracts_gate = true\n")
    project.pytester.makepyfile(MISSING_TEST)
    result = project.run()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["contracts gate: FAILED*"])


def test_the_report_of_a_session_stopped_at_start_does_not_pass_the_gate(
    project: Project,
) -> None:
    project.contract("API", {"required": ["a"]}, kind="REST_API")
    project.pytester.makepyfile("def test_x():\n    pass\n")
    project.run().assert_outcomes(passed=1)
    project.contract("API", {"required": ["a", "b"]}, kind="REST_API")  # same version, changed
    result = project.run("--contracts-gate", "--contracts-report", "r.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    gate = json.loads((project.path / "r.json").read_text())["gate"]
    assert gate["enabled"] is True
    assert gate["passed"] is False
    assert gate["reason"].startswith("the session stopped before its contracts were checked: ")
    assert "versions are immutable" in gate["reason"]


# -- a declared contract whose test recorded nothing ----------------------------------
def test_a_declared_contract_whose_test_records_nothing_fails_the_gate_in_one_line(
    project: Project,
) -> None:
    unrecorded_project(project)
    result = project.run("--contracts-gate")
    result.assert_outcomes(failed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # Each test's failure is the one line that says what to do.
    result.stdout.fnmatch_lines(
        [
            "_*_ test_forgets_to_record _*_",
            UNRECORDED_BOUNDARY,
            "_*_ test_never_records _*_",
            UNRECORDED_CONTRACT,
            "=*= contracts =*=",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        ["contracts gate: FAILED: 2 declared contract(s) had no output recorded by their test"]
    )


def test_a_declared_contract_whose_test_records_nothing_warns_outside_the_gate(
    project: Project,
) -> None:
    unrecorded_project(project)
    result = project.run()
    result.assert_outcomes(passed=2, warnings=2)
    assert result.ret == pytest.ExitCode.OK
    stands = " (the test's own outcome stands; --contracts-gate makes this a failure)"
    # Attributed to each test's own file and line, as the other contract warnings are.
    result.stdout.fnmatch_lines(
        [
            "*::test_forgets_to_record",
            f"  */test_a_declared_contract_whose_test_records_nothing_warns_outside_the_gate.py"
            f":3: ContractWarning: {UNRECORDED_BOUNDARY}{stands}",
            "*::test_never_records",
            f"  */test_a_declared_contract_whose_test_records_nothing_warns_outside_the_gate.py"
            f":7: ContractWarning: {UNRECORDED_CONTRACT}{stands}",
        ]
    )


def test_required_false_lets_a_test_record_nothing_without_warning_or_failure(
    project: Project,
) -> None:
    unrecorded_project(project, required=", required=False")
    gated = project.run("--contracts-gate")
    gated.assert_outcomes(passed=2)
    assert gated.ret == pytest.ExitCode.OK
    gated.stdout.fnmatch_lines(["contracts gate: passed"])
    loose = project.run()
    loose.assert_outcomes(passed=2, warnings=0)
    assert "no output was recorded" not in loose.stdout.str()


def test_of_two_declared_contracts_the_one_not_recorded_fails_the_gate(
    project: Project,
) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.contract("Events", {"required": ["event"]}, kind="EVENT")
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        @pytest.mark.contract("Events")
        def test_records_one_of_two(phase_output):
            phase_output.record({GOOD!r}, boundary="requirements -> design")
        """
    )
    result = project.run("--contracts-gate", "--contracts-report", "r.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([UNRECORDED_CONTRACT])
    checks = load_report(project.path / "r.json")["checks"]
    assert sorted((c["contract"], c["outcome"]) for c in checks) == [
        ("Events", "not_recorded"),
        ("phase_boundary_requirements_to_design", "passed"),
    ]
    # Only what was validated is a validation record.
    (row,) = registry_rows(project)
    assert row.passed is True


def test_a_test_that_skips_or_fails_in_its_body_is_not_reported_as_recording_nothing(
    project: Project,
) -> None:
    project.contract("Events", {"required": ["event"]}, kind="EVENT")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("Events")
        def test_skips_in_its_body(phase_output):
            pytest.skip("nothing to produce today")

        @pytest.mark.contract("Events")
        def test_body_fails(phase_output):
            raise RuntimeError("the producer broke")

        @pytest.mark.contract("Events")
        def test_records_nothing():
            pass
        """
    )
    result = project.run("--contracts-gate", "--contracts-report", "r.json")
    result.assert_outcomes(skipped=1, failed=2)
    report = load_report(project.path / "r.json")
    assert [(c["test"].split("::")[1], c["outcome"]) for c in report["checks"]] == [
        ("test_records_nothing", "not_recorded")
    ]
    assert report["gate"]["reason"] == (
        "1 declared contract(s) had no output recorded by their test"
    )


# -- the verdict, without a test run -------------------------------------------------
def test_the_gate_names_every_reason_it_fails() -> None:
    summary = summary_of(
        [
            check_result("passed"),
            check_result("failed"),
            check_result("failed"),
            check_result("error", "the schema cannot be applied: Unresolvable: x"),
            check_result("missing"),
            check_result("unavailable"),
            check_result("not_recorded"),
        ],
        local=Tally(unstored=2),
    )
    assert summary.gate_verdict() == (
        "2 check(s) found contract violations; 1 check(s) could not apply their schema; "
        "1 declared contract(s) had no active version; 1 declared contract(s) had no output "
        "recorded by their test; the registry was unavailable for 1 check(s); 2 validation "
        "record(s) could not be stored in the registry"
    )


def test_the_gate_passes_only_when_every_check_passed_and_every_record_was_stored() -> None:
    assert summary_of([check_result("passed")] * 3).gate_verdict() is None
    assert summary_of([]).gate_verdict() is None
    from_a_worker = summary_of([check_result("passed")])
    from_a_worker.merge_worker({"unstored": 1, "unstored_error": "OSError: gone"})
    assert from_a_worker.gate_verdict() == (
        "1 validation record(s) could not be stored in the registry"
    )
