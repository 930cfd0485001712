"""No validation record is lost: real sessions killed, interrupted, or cut off
from their registry, and what the next session or command does with what they
left in their journal."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_contracts.config import resolve_database_url, sqlite_url

from .conftest import REQUIREMENTS_SCHEMA, Project, _admin, run_command
from .plugin_cases import GOOD

pytestmark = pytest.mark.slow

#: More than two batches and a part: the part is what a batch-only writer loses.
CHECKS = 450

#: No background write: records wait for a full batch or the end of the
#: session, so whatever the journal does not keep is certainly lost.
NO_TIMER = """
import pytest_contracts.writer as writer

writer.WRITE_DELAY = 3600.0
"""

CHECKING_TESTS = f"""
import pytest

@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("n", range(COUNT))
def test_check(phase_output, n):
    phase_output.record({GOOD!r})
"""

WAITING_TEST = """
import os, pathlib, time

def test_zz_wait_to_be_stopped():
    ready = pathlib.Path("ready")
    if ready.exists():  # run again by the worker that replaced a killed one
        return
    ready.write_text(str(os.getpid()))
    time.sleep(600)
"""


def checking_project(project: Project, **modules: int) -> None:
    """Modules of ``count`` checks each; the first also holds a test that
    waits to be stopped, after its checks."""
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(NO_TIMER)
    first = True
    for name, count in modules.items():
        source = CHECKING_TESTS.replace("COUNT", str(count)) + (WAITING_TEST if first else "")
        (project.path / f"{name}.py").write_text(source)
        first = False


def start(project: Project, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    command += ["-p", "no:hypothesispytest", "-p", "no:anyio"]  # unused: a faster start
    command += ["--contracts-dir", "contracts", "--contracts-report", "r.json", *args]
    return subprocess.Popen(
        command,
        cwd=project.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its xdist workers can be ended with it
    )


def finish(process: subprocess.Popen[str], timeout: float) -> str:
    """What the process printed, once it ended; it and its workers are
    killed when it runs past ``timeout``."""
    try:
        return process.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output = process.communicate()[0]
        raise AssertionError(f"the session did not end:\n{output}") from None


def wait_ready(project: Project, process: subprocess.Popen[str]) -> int:
    """The pid of the process that runs the waiting test, once it waits."""
    ready = project.path / "ready"
    deadline = time.monotonic() + 240
    while not ready.exists() or not ready.read_text():
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "the waiting test never started"
        time.sleep(0.02)
    return int(ready.read_text())


def stored(project: Project) -> int:
    with sqlite3.connect(project.registry) as db:
        return int(db.execute("SELECT count(*) FROM contract_validations").fetchone()[0])


def journal_files(project: Project) -> list[Path]:
    folder = project.registry.with_name("registry.db-contracts-journal")
    return sorted(folder.glob("*.journal")) if folder.is_dir() else []


def test_a_session_killed_with_sigkill_loses_no_record(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    checking_project(project, test_checks=CHECKS)
    process = start(project)
    os.kill(wait_ready(project, process), signal.SIGKILL)
    finish(process, 60)
    # Whole batches reached the registry; the rest waits in the journal.
    assert stored(project) < CHECKS
    assert len(journal_files(project)) == 1
    # The next command on the registry stores them, says so, and cleans up.
    result = run_command(capsys, "--db", sqlite_url(project.registry), "list")
    assert result.returncode == 0, result.stderr
    missing = CHECKS - (CHECKS // 200) * 200
    assert f"stored {missing} validation record(s) left in 1 journal file(s)" in result.stderr
    assert stored(project) == CHECKS
    assert journal_files(project) == []
    # A second command finds nothing more to do, and stores nothing twice.
    again = run_command(capsys, "--db", sqlite_url(project.registry), "list")
    assert "journal" not in again.stderr
    assert stored(project) == CHECKS


def test_the_next_session_stores_what_a_killed_one_left(project: Project) -> None:
    checking_project(project, test_checks=CHECKS)
    process = start(project)
    os.kill(wait_ready(project, process), signal.SIGKILL)
    finish(process, 60)
    (project.path / "test_checks.py").write_text(CHECKING_TESTS.replace("COUNT", "3"))
    result = project.subprocess("--contracts-report", "r.json")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["journal: stored * validation record(s) left in 1 journal*"])
    assert stored(project) == CHECKS + 3
    report = json.loads((project.path / "r.json").read_text())
    assert report["registry"]["replayed_validations"] == CHECKS - (CHECKS // 200) * 200
    assert report["registry"]["unstored_validations"] == 0


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_end_the_session_with_a_report_and_every_record(
    project: Project, signal_name: str
) -> None:
    checking_project(project, test_checks=CHECKS)
    process = start(project)
    os.kill(wait_ready(project, process), getattr(signal, signal_name))
    output = finish(process, 120)
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output
    report = json.loads((project.path / "r.json").read_text())
    assert report["session"]["interrupted"] is True
    assert report["registry"]["unstored_validations"] == 0
    assert len(report["checks"]) == CHECKS
    assert stored(project) == CHECKS
    assert journal_files(project) == []


def test_a_killed_xdist_worker_loses_no_record_and_the_count_stays_true(
    project: Project,
) -> None:
    pytest.importorskip("xdist")
    checking_project(project, test_a=CHECKS, test_b=50)
    process = start(project, "-n", "2", "--dist", "loadfile")
    os.kill(wait_ready(project, process), signal.SIGKILL)
    output = finish(process, 240)
    assert "crashed" in output, output
    report = json.loads((project.path / "r.json").read_text())
    # The controller stored what the killed worker left in its journal.
    assert stored(project) == len(report["checks"]) == CHECKS + 50, output
    assert report["registry"]["unstored_validations"] == 0
    assert report["registry"]["replayed_validations"] == CHECKS - (CHECKS // 200) * 200
    assert journal_files(project) == []


HIDE = """
import sqlite3

def hide(name):
    with sqlite3.connect(".pytest_contracts/registry.db") as db:
        db.execute(f"ALTER TABLE contract_validations RENAME TO {name}")

def show(name):
    with sqlite3.connect(".pytest_contracts/registry.db") as db:
        db.execute(f"ALTER TABLE {name} RENAME TO contract_validations")
"""


def outage_project(project: Project, *, comes_back: bool) -> None:
    """The registry's records table goes away after a first check, for 30
    checks; it comes back before the session ends, or only after it."""
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(NO_TIMER)
    project.pytester.makepyfile(
        test_outage=HIDE
        + f"""
import pytest

@pytest.mark.phase_boundary("requirements", "design")
def test_0_first(phase_output):
    phase_output.record({GOOD!r})

def test_1_registry_goes_away(contract_manager):
    contract_manager.list_contracts("default").result()
    hide("away")

@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("n", range(30))
def test_2_checked_meanwhile(phase_output, n):
    phase_output.record({GOOD!r})

def test_3_registry_comes_back():
    if {comes_back!r}:
        show("away")
"""
    )


def test_records_checked_while_the_registry_was_away_are_stored_when_it_returns(
    project: Project,
) -> None:
    outage_project(project, comes_back=True)
    result = project.subprocess("--contracts-gate", "--contracts-report", "r.json")
    result.assert_outcomes(passed=33)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    report = json.loads((project.path / "r.json").read_text())
    assert report["registry"]["unstored_validations"] == 0
    assert report["gate"]["passed"] is True
    assert stored(project) == 31
    assert journal_files(project) == []


def test_records_the_registry_never_took_are_counted_exactly_and_wait_in_the_journal(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    outage_project(project, comes_back=False)
    # The first check's batch is written at the end too: all 31 wait.
    result = project.subprocess("--contracts-gate", "--contracts-report", "r.json")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    report = json.loads((project.path / "r.json").read_text())
    with sqlite3.connect(project.registry) as db:
        db.execute("ALTER TABLE away RENAME TO contract_validations")
    in_registry = stored(project)
    assert report["registry"]["unstored_validations"] == 31 - in_registry == 31
    journal = str(project.registry) + "-contracts-journal"
    assert report["registry"]["journal"] == journal
    assert report["gate"]["reason"].startswith("31 validation record(s) could not be stored")
    result.stdout.fnmatch_lines([f"31 validation record(s) are not in the registry (*{journal}*"])
    replayed = run_command(capsys, "--db", sqlite_url(project.registry), "summary")
    assert "stored 31 validation record(s)" in replayed.stderr
    assert stored(project) == 31


async def _count_pg(url: str) -> int:
    import asyncpg

    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return int(await connection.fetchval("SELECT count(*) FROM contract_validations"))
    finally:
        await connection.close()


def test_on_postgresql_a_killed_session_loses_no_record(
    project: Project, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "records_journal_kill"
    admin = resolve_database_url(pg_url).replace("+asyncpg", "")
    drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    asyncio.run(_admin(admin, drop, f"CREATE DATABASE {name}"))
    url = pg_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        project.pytester._monkeypatch.setenv("DATABASE_URL", url)
        checking_project(project, test_checks=CHECKS)
        process = start(project)
        os.kill(wait_ready(project, process), signal.SIGKILL)
        finish(process, 60)
        assert asyncio.run(_count_pg(url)) < CHECKS
        # A server database's journal lies under the project, keyed by its identity.
        waiting = list((project.path / ".pytest_contracts" / "journal").glob("*/*.journal"))
        assert len(waiting) == 1
        result = run_command(capsys, "--db", url, "list")
        assert result.returncode == 0, result.stderr
        assert "validation record(s) left in 1 journal file(s)" in result.stderr
        assert asyncio.run(_count_pg(url)) == CHECKS
        assert not waiting[0].exists()
    finally:
        asyncio.run(_admin(admin, drop))
