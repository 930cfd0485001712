"""A registry that cannot be reached, at start or in the middle of a session:
a usage error at start, then warnings (failures in the gate) and the circuit
breaker mid-session; the test outcomes stand."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import REQUIREMENTS_SCHEMA, Project, scratch_database
from .plugin_cases import GOOD


def test_unreachable_real_redis_stops_the_session_naming_the_url(project: Project) -> None:
    from .test_connections import closed_port

    port = closed_port()
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run(
        "--contracts-redis", "--contracts-redis-url", f"redis://:pw@127.0.0.1:{port}/0"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert f"redis://:***@127.0.0.1:{port}/0 does not answer" in err
    assert ":pw@" not in err


REGISTRY_DIES = f"""
import pytest

def test_0_registry_goes_away(state_manager):
    state_manager.close().result()

@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("n", range(5))
def test_after(phase_output, n):
    phase_output.record({GOOD!r})
"""


def test_registry_down_mid_session_warns_and_outcomes_stand(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(REGISTRY_DIES)
    result = project.run("-p", "no:randomly", "--contracts-report", "r.json")
    result.assert_outcomes(passed=6, warnings=5)
    out = result.stdout.str()
    assert out.count("the registry is unavailable: this StateManager is closed") >= 3
    assert "circuit breaker stopped calling it" in out
    assert out.count("circuit breaker: the registry kept failing, so 2 check(s) were not made") == 1
    report = json.loads((project.path / "r.json").read_text())
    assert report["totals"]["unavailable"] == 5
    assert report["circuit_breaker"]["opened"] is True
    assert report["circuit_breaker"]["skipped_calls"] == 2


def test_registry_down_mid_session_fails_the_affected_tests_in_gate_mode(
    project: Project,
) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(REGISTRY_DIES)
    result = project.run("--contracts-gate")
    result.assert_outcomes(passed=1, failed=5)
    result.stdout.fnmatch_lines(
        ["contracts gate: FAILED: the registry was unavailable for 5 check(s)"]
    )


@pytest.fixture
async def scratch_pg_url(pg_url: str) -> Any:
    """A database of its own that a test may make refuse connections."""
    async with scratch_database(pg_url, "pytest_contracts_down") as urls:
        yield urls


def test_postgresql_going_down_mid_session(
    project: Project, scratch_pg_url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, admin_url = scratch_pg_url
    monkeypatch.setenv("ADMIN_URL", admin_url)
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import asyncio
        import os

        import asyncpg
        import pytest


        async def take_down():
            admin = await asyncpg.connect(os.environ["ADMIN_URL"])
            try:
                await admin.execute(
                    "ALTER DATABASE pytest_contracts_down ALLOW_CONNECTIONS false"
                )
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = 'pytest_contracts_down'"
                )
            finally:
                await admin.close()


        @pytest.mark.phase_boundary("requirements", "design")
        def test_0_before(phase_output):
            phase_output.record({GOOD!r})


        def test_1_database_goes_away():
            asyncio.run(take_down())


        @pytest.mark.phase_boundary("requirements", "design")
        def test_2_cached_contract_still_checks(phase_output):
            phase_output.record({GOOD!r})


        @pytest.mark.contract("Events")
        @pytest.mark.parametrize("n", range(4))
        def test_3_uncached_contract(phase_output, n):
            phase_output.record({{"event": "x"}})
        """
    )
    project.contract("Events", {"required": ["event"]}, kind="EVENT")
    result = project.run("--contracts-db", url, "--contracts-report", "r.json")
    result.assert_outcomes(passed=7, warnings=4)
    out = result.stdout.str()
    assert "the registry is unavailable: the registry database at postgresql+asyncpg://" in out
    assert "is not currently accepting connections" in out
    assert out.count("circuit breaker: the registry kept failing, so 1 check(s) were not made") == 1
    report = json.loads((project.path / "r.json").read_text())
    assert report["totals"]["passed"] == 2  # the active version was cached before
    assert report["totals"]["unavailable"] == 4
    # test_2's record cannot be stored; test_0's too when its batch had not
    # been written yet when the database went away (records go in batches).
    unstored = report["registry"]["unstored_validations"]
    assert unstored in (1, 2)
    # They wait in the journal, which the next session or command stores.
    assert (
        f"{unstored} validation record(s) are not in the registry ({unstored} wait in the "
        "journal folder "
    ) in out
