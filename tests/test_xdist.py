"""pytest-xdist: the workers share the registry, and only the controller
gathers the checks and writes the summary, the gate verdict and the report."""

from __future__ import annotations

import json

import pytest

from .conftest import REQUIREMENTS_SCHEMA, Project
from .plugin_cases import GOOD, unrecorded_project

XDIST_FIRST = """
import pathlib
import time
import pytest

SIGNAL = pathlib.Path("v2-activated")
READER_CACHED = pathlib.Path("reader-cached-v1")


@pytest.mark.contract("Orders")
def test_a1_writer_checks_v1(phase_output):
    phase_output.record({"v1_field": 1})


def test_a2_writer_activates_v2(contract_manager):
    # Only once the other worker has v1 in its cache, to prove it is not served.
    deadline = time.monotonic() + 60
    while not READER_CACHED.exists():
        assert time.monotonic() < deadline, "the other worker never checked v1"
        time.sleep(0.05)
    v2 = contract_manager.get_contract_version("default", "Orders", "v2.0").result()
    contract_manager.activate_contract(v2.id, "worker").result()
    SIGNAL.write_text("done")


@pytest.mark.contract("Orders")
def test_a3_violation(phase_output):
    phase_output.record({})
"""


XDIST_SECOND = """
import pathlib
import time
import pytest

SIGNAL = pathlib.Path("v2-activated")


@pytest.fixture
def signal_when_done():
    yield
    pathlib.Path("reader-cached-v1").write_text("done")


@pytest.mark.contract("Orders")
def test_b1_reader_caches_v1(phase_output, signal_when_done):
    phase_output.record({"v1_field": 1})


@pytest.mark.contract("Orders")
def test_b2_reader_sees_v2(phase_output):
    deadline = time.monotonic() + 60
    while not SIGNAL.exists():
        assert time.monotonic() < deadline, "the other worker never activated v2"
        time.sleep(0.05)
    phase_output.record({"v2_field": 1})
"""


def _xdist_project(project: Project) -> None:
    pytest.importorskip("xdist")
    project.contract("Orders", {"required": ["v1_field"]}, "v1.0", kind="EVENT")
    project.pytester.makepyfile(test_first=XDIST_FIRST, test_second=XDIST_SECOND)


def _run_xdist(project: Project, *args: str) -> tuple[pytest.RunResult, dict]:
    # v2 is registered by a second contract file after v1 is active, so the
    # loader does not activate it: a worker does, mid-session.
    project.pytester.makepyfile(
        conftest="""
        import asyncio
        import pytest


        @pytest.hookimpl(optionalhook=True)
        def pytest_contracts_validation_result(result, config):
            with open("hook-results.txt", "a") as out:
                out.write(f"{result.test} {result.outcome}\\n")

        def pytest_sessionstart(session):
            if hasattr(session.config, "workerinput"):
                return
            from pytest_contracts.plugin import SESSION
            contracts = session.config.stash[SESSION]
            loop, manager = contracts.registry()
            async def add_v2():
                history = await manager.get_contract_history("default", "Orders")
                if "v2.0" not in [v.version for v in history]:
                    schema = {"required": ["v2_field"]}
                    await manager.create_contract("default", "Orders", "v2.0", "EVENT", schema)
            loop.run(add_v2())
        """
    )
    result = project.subprocess(
        "-n", "2", "--dist", "loadfile", "-p", "no:randomly", "--contracts-report", "r.json",
        "--contracts-gate", *args,
    )  # fmt: skip
    return result, json.loads((project.path / "r.json").read_text())


@pytest.mark.slow
def test_xdist_workers_share_the_registry_and_the_controller_reports_once(
    project: Project,
) -> None:
    _xdist_project(project)
    result, report = _run_xdist(project)
    result.assert_outcomes(passed=4, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert report["totals"] == {
        "checks": 4, "passed": 3, "failed": 1, "missing": 0, "unavailable": 0, "error": 0,
        "not_recorded": 0,
        "would_fail": 0,
    }  # fmt: skip
    assert report["session"]["workers"] == 2
    versions = {c["test"].split("::")[1]: c["version"] for c in report["checks"]}
    assert versions["test_b1_reader_caches_v1"] == "v1.0"
    assert versions["test_b2_reader_sees_v2"] == "v2.0"
    # The hooks ran in the controller, once per check.
    hook_lines = (project.path / "hook-results.txt").read_text().splitlines()
    assert sorted(line.split("::")[1] for line in hook_lines) == [
        "test_a1_writer_checks_v1 passed",
        "test_a3_violation failed",
        "test_b1_reader_caches_v1 passed",
        "test_b2_reader_sees_v2 passed",
    ]
    out = result.stdout.str()
    assert out.count("= contracts =") == 1
    assert out.count("contracts gate: FAILED: 1 check(s) found contract violations") == 1


@pytest.mark.slow
def test_xdist_with_real_redis(project: Project, redis_url: str) -> None:
    _xdist_project(project)
    result, report = _run_xdist(project, "--contracts-redis", "--contracts-redis-url", redis_url)
    result.assert_outcomes(passed=4, failed=1)
    assert report["registry"]["cache"] == "redis"
    assert report["totals"]["checks"] == 4


@pytest.mark.slow
def test_records_workers_could_not_store_reach_the_controller_and_the_gate(
    project: Project,
) -> None:
    pytest.importorskip("xdist")
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    wait = """
import pathlib, time

def wait_for(name):
    deadline = time.monotonic() + 60
    while not pathlib.Path(name).exists():
        assert time.monotonic() < deadline, name
        time.sleep(0.05)
"""
    project.pytester.makepyfile(
        test_a=wait
        + """
import sqlite3

def test_drop_the_table_once_the_other_worker_is_connected():
    wait_for("connected")
    with sqlite3.connect(".pytest_contracts/registry.db") as db:
        db.execute("DROP TABLE contract_validations")
    pathlib.Path("dropped").write_text("")
""",
        test_b=wait
        + f"""
import pytest

def test_0_connect(contract_manager):
    contract_manager.list_contracts("default").result()
    pathlib.Path("connected").write_text("")

@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("n", range(4))
def test_1_checked(phase_output, n):
    wait_for("dropped")
    phase_output.record({GOOD!r})
""",
    )
    result = project.subprocess(
        "-n", "2", "--dist", "loadfile", "--contracts-gate", "--contracts-report", "r.json"
    )
    result.assert_outcomes(passed=6)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    out = result.stdout.str()
    assert "4 validation record(s) could not be stored in the registry" in out
    assert "contracts gate: FAILED: 4 validation record(s) could not be stored" in out
    report = json.loads((project.path / "r.json").read_text())
    assert report["registry"]["unstored_validations"] == 4


@pytest.mark.slow
def test_xdist_a_declared_contract_recorded_by_no_test_fails_the_gate_once(
    project: Project,
) -> None:
    pytest.importorskip("xdist")
    unrecorded_project(project)  # one test module: two tests that record nothing
    project.pytester.makepyfile(
        test_recorded=f"""
import pytest

@pytest.mark.phase_boundary("requirements", "design")
def test_records(phase_output):
    phase_output.record({GOOD!r})

@pytest.mark.contract("Events", required=False)
def test_may_record_nothing():
    pass
"""
    )
    arguments = ("-n", "2", "--dist", "loadfile", "-p", "no:randomly")
    gated = project.subprocess(*arguments, "--contracts-gate", "--contracts-report", "r.json")
    gated.assert_outcomes(passed=2, failed=2)
    assert gated.ret == pytest.ExitCode.TESTS_FAILED
    report = json.loads((project.path / "r.json").read_text())
    assert report["session"]["workers"] == 2
    assert report["totals"] == {
        "checks": 3, "passed": 1, "failed": 0, "missing": 0, "unavailable": 0, "error": 0,
        "not_recorded": 2,
        "would_fail": 0,
    }  # fmt: skip
    assert sorted(
        c["test"].split("::")[1] for c in report["checks"] if c["outcome"] == "not_recorded"
    ) == [
        "test_forgets_to_record",
        "test_never_records",
    ]
    out = gated.stdout.str()
    assert out.count("= contracts =") == 1
    assert (
        out.count(
            "contracts gate: FAILED: 2 declared contract(s) had no output recorded by their test"
        )
        == 1
    )
    loose = project.subprocess(*arguments)
    loose.assert_outcomes(passed=4, warnings=2)
    assert loose.ret == pytest.ExitCode.OK
    assert loose.stdout.str().count("ContractWarning: ") == 2
