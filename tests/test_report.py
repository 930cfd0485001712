"""The JSON report: its schema and counts, and that it is written whenever a
session ran tests, in one piece, even when the session stops early."""

from __future__ import annotations

import pytest

from pytest_contracts.checker import Tally

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, Project
from .plugin_cases import (
    GOOD,
    MISSING_TEST,
    TWO_DOCS_TEST,
    UNRECORDED_CONTRACT,
    check_result,
    load_report,
    summary_of,
    unrecorded_project,
)


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
        "not_recorded": 0,
        "would_fail": 0,
    }  # fmt: skip
    assert data["registry"] == {
        "database": "sqlite",
        "database_url": f"sqlite+aiosqlite:///{project.registry}",
        "cache": "fakeredis",
        "redis_url": None,
        "unstored_validations": 0,
        "replayed_validations": 0,
        "journal": f"{project.registry}-contracts-journal",
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


def test_the_report_counts_each_declared_contract_whose_test_recorded_nothing(
    project: Project,
) -> None:
    unrecorded_project(project)
    project.run("--contracts-gate", "--contracts-report", "r.json")
    data = load_report(project.path / "r.json")  # valid under the schema of format 2
    assert (data["format"], data["version"]) == ("pytest-contracts-report", 3)
    assert data["totals"] == {
        "checks": 2, "passed": 0, "failed": 0, "missing": 0, "unavailable": 0, "error": 0,
        "not_recorded": 2,
        "would_fail": 0,
    }  # fmt: skip
    events = next(c for c in data["checks"] if c["kind"] == "contract")
    assert events["contract_id"]
    assert {k: v for k, v in events.items() if k != "contract_id"} == {
        "test": "test_the_report_counts_each_declared_contract_whose_test_recorded_nothing.py"
        "::test_never_records",
        "kind": "contract",
        "boundary": None,
        "team": "default",
        "contract": "Events",
        "version": "v1.0",
        "outcome": "not_recorded",
        "violations": [],
        "message": UNRECORDED_CONTRACT.removeprefix("Events: "),
        "duration_ms": 0.0,
        "output_index": 0,
    }
    assert data["gate"] == {
        "enabled": True,
        "passed": False,
        "reason": "2 declared contract(s) had no output recorded by their test",
    }


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
    result = project.subprocess("--contracts-report", "r.json", "--contracts-html", "r.html")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    data = load_report(project.path / "r.json")
    assert data["session"]["interrupted"] is True
    assert data["totals"]["passed"] == 1
    # The HTML report too, from the same data.
    page = (project.path / "r.html").read_text(encoding="utf-8")
    assert " - interrupted</p>" in page
    assert page.count('<tr data-outcome="passed"') == 1


def test_json_report_is_written_when_the_start_fails(project: Project) -> None:
    project.contract("Broken", {"type": "nonsense"})
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run("--contracts-report", "r.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    data = load_report(project.path / "r.json")
    assert data["session"]["interrupted"] is True
    assert data["checks"] == []


def test_stopping_early_with_x_is_not_an_interruption(project: Project) -> None:
    project.pytester.makepyfile("def test_a():\n    assert False\n\ndef test_b():\n    pass\n")
    project.run("-x", "--contracts-report", "r.json")
    data = load_report(project.path / "r.json")
    assert data["session"]["interrupted"] is False


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


# -- the report's sections, without a test run ------------------------------------------
def test_the_registry_section_counts_unstored_records_of_every_process() -> None:
    summary = summary_of([], local=Tally(unstored=1))
    summary.merge_worker({"unstored": 2, "unstored_error": "OSError: gone"})
    summary.merge_worker({"unstored": 3, "unstored_error": None})
    assert summary.registry_info() == {
        "unstored_validations": 6,
        "replayed_validations": 0,
        "journal": None,
        "database": "sqlite",
        "database_url": "sqlite+aiosqlite:///registry.db",
        "cache": "fakeredis",
        "redis_url": None,
    }
    assert summary.tally().unstored_error == "OSError: gone"  # the last one a worker named


def test_the_registry_section_masks_passwords() -> None:
    summary = summary_of(
        [],
        database_url="postgresql+asyncpg://app:secret@db/registry",
        use_real_redis=True,
        redis_url="redis://:hidden@cache:6379/0",
    )
    info = summary.registry_info()
    assert info["database_url"] == "postgresql+asyncpg://app:***@db/registry"
    assert (info["cache"], info["redis_url"]) == ("redis", "redis://:***@cache:6379/0")


def test_the_circuit_section_says_why_checks_were_skipped() -> None:
    skipped = (
        "not checked: the registry failed 3 times in a row and the circuit breaker stopped "
        "calling it (refused)"
    )
    summary = summary_of(
        [check_result("unavailable", "the registry is unavailable: refused")]
        + [check_result("unavailable", skipped)] * 2,
        local=Tally(breaker_failures=3, breaker_opened=True, breaker_error="refused"),
    )
    assert summary.circuit_info() == {
        "opened": True,
        "failures": 3,
        "skipped_calls": 2,
        "reason": skipped,
    }


def test_the_circuit_section_takes_the_workers_breakers_into_account() -> None:
    summary = summary_of([], local=Tally(breaker_failures=1, breaker_error="slow"))
    summary.merge_worker({"breaker_failures": 4, "breaker_opened": True})
    assert summary.circuit_info() == {
        "opened": True,
        "failures": 4,
        "skipped_calls": 0,
        "reason": "slow",  # the workers do not send theirs
    }
    assert summary_of([]).circuit_info() == {
        "opened": False,
        "failures": 0,
        "skipped_calls": 0,
        "reason": None,
    }
