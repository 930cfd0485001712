"""The plugin at run time: event loops, a failing registry, options, contract
files, real servers and pytest-xdist."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, Project, scratch_database

GOOD = {"project": "sign-up", "requirements": [{"id": "REQ-1", "text": "Users sign up"}]}

REGISTRY_CALLS = """
import pytest

SCHEMA = {"type": "object", "required": ["id"]}


def test_sync(contract_manager, state_manager):
    c = contract_manager.create_contract("t", "SyncAPI", "v1", "REST_API", SCHEMA).result()
    contract_manager.activate_contract(c["id"], "sync").result()
    assert contract_manager.get_active_contract("t", "SyncAPI").result().version == "v1"
    assert state_manager.health_check().result()["status"] == "ok"
    assert state_manager.backend == "sqlite"
"""


def test_sync_tests_reach_the_registry_without_any_async_plugin(project: Project) -> None:
    project.pytester.makepyfile(REGISTRY_CALLS)
    result = project.run("-p", "no:asyncio", "-p", "no:anyio")
    result.assert_outcomes(passed=1)


def test_async_tests_on_pytest_asyncio_loops_reach_the_registry(project: Project) -> None:
    project.pytester.makepyfile(
        REGISTRY_CALLS
        + """
import asyncio

@pytest.mark.asyncio
async def test_async_first(contract_manager):
    c = await contract_manager.create_contract("t", "AsyncAPI", "v1", "EVENT", SCHEMA)
    ticks = []

    async def ticker():
        for _ in range(3):
            ticks.append(1)
            await asyncio.sleep(0)

    # The test's own loop keeps running while the registry works on its loop.
    await asyncio.gather(contract_manager.activate_contract(c.id, "a"), ticker())
    assert ticks == [1, 1, 1]
    assert (await contract_manager.get_active_contract("t", "AsyncAPI")).version == "v1"


@pytest.mark.asyncio
async def test_async_second_on_a_new_loop(contract_manager, state_manager):
    first = asyncio.get_running_loop()
    assert (await contract_manager.get_active_contract("t", "AsyncAPI")).version == "v1"
    assert (await state_manager.health_check())["status"] == "ok"
    assert asyncio.get_running_loop() is first
"""
    )
    project.run("-p", "no:anyio").assert_outcomes(passed=3)


def test_async_tests_under_anyio_reach_the_registry(project: Project) -> None:
    project.pytester.makepyfile(
        REGISTRY_CALLS
        + """
@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_anyio(contract_manager):
    c = await contract_manager.create_contract("t", "AnyioAPI", "v1", "EVENT", SCHEMA)
    await contract_manager.activate_contract(c.id, "anyio")
    assert (await contract_manager.get_active_contract("t", "AnyioAPI")).version == "v1"
"""
    )
    project.run("-p", "no:asyncio").assert_outcomes(passed=2)


def test_pending_calls_explain_themselves(project: Project) -> None:
    project.pytester.makepyfile(
        """
        def test_repr(contract_manager):
            call = contract_manager.list_contracts("t")
            assert call.result() == []
            assert "await it or call .result()" in repr(call)
            assert contract_manager.raw.__class__.__name__ == "ContractManager"
        """
    )
    project.run().assert_outcomes(passed=1)


# -- the registry failing mid-session ----------------------------------------------
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


# -- options -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["--contracts-db", "registry.db"], "", "has no scheme"),
        (["--contracts-db", "mysql://u@h/db"], "", "supported are SQLite"),
        ([], "contracts_db = postgresql+psycopg2://h/db", "needs an async driver"),
        (["--contracts-team", " "], "", "must be 1 to 200 characters"),
        (["--contracts-dir", "nowhere"], "", "nowhere is not a directory"),
        ([], "contracts_dir = nowhere", "nowhere is not a directory"),
        ([], "contracts_gate = maybe", "contracts_gate"),
        ([], "contracts_redis = perhaps", "contracts_redis"),
        (["--contracts-report", "."], "", "is a directory"),
        (["--contracts-redis-url", "http://x"], "", "must start with redis://"),
    ],
)
def test_bad_option_values_are_usage_errors(
    project: Project, args: list[str], ini: str, message: str
) -> None:
    project.pytester.makeini(PROJECT_INI + ini + "\n")
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_database_option_its_ini_twin_and_the_environment(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.pytester.makepyfile(
        """
        def test_where(state_manager):
            print("\\nDB", state_manager.database_url)
        """
    )
    cli = project.run("-s", "--contracts-db", "sqlite:///cli.db")
    cli.stdout.fnmatch_lines(["DB sqlite+aiosqlite:///cli.db"])
    assert (project.path / "cli.db").is_file()
    project.pytester.makeini(PROJECT_INI + "contracts_db = sqlite:///ini.db\n")
    project.run("-s").stdout.fnmatch_lines(["DB sqlite+aiosqlite:///ini.db"])
    project.pytester.makeini(PROJECT_INI)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///env.db")
    project.run("-s").stdout.fnmatch_lines(["DB sqlite+aiosqlite:///env.db"])
    monkeypatch.delenv("DATABASE_URL")
    project.run("-s").stdout.fnmatch_lines(
        [f"DB sqlite+aiosqlite:///{project.path}/.pytest_contracts/registry.db"]
    )


def test_a_suite_without_contracts_never_opens_the_registry(project: Project) -> None:
    project.pytester.makepyfile("def test_plain():\n    assert 1 + 1 == 2\n")
    project.run().assert_outcomes(passed=1)
    assert not (project.path / ".pytest_contracts").exists()


def test_disabling_the_plugin_removes_markers_and_fixtures(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_marked():
            pass

        def test_fixture(phase_output):
            pass
        """
    )
    # A subprocess: in-process runs share the parent's loaded plugin modules.
    result = project.pytester.runpytest_subprocess("-p", "no:contracts", "--strict-markers")
    assert result.ret != pytest.ExitCode.OK
    assert "'phase_boundary' not found in `markers` configuration option" in result.stdout.str()
    fixtures = project.pytester.runpytest_subprocess("-p", "no:contracts", "-k", "test_fixture")
    assert "fixture 'phase_output' not found" in fixtures.stdout.str()


def test_unreachable_real_redis_stops_the_session_naming_the_url(project: Project) -> None:
    from .test_state import closed_port

    port = closed_port()
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run(
        "--contracts-redis", "--contracts-redis-url", f"redis://:pw@127.0.0.1:{port}/0"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert f"redis://:***@127.0.0.1:{port}/0 does not answer" in err
    assert ":pw@" not in err


# -- contract files --------------------------------------------------------------------
def test_contract_files_load_once_and_again_change_nothing(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    # Each version requires another property: no compatibility mode is checked.
    none = {"kind": "REST_API", "compatibility": "NONE"}
    project.contract("API", {"required": ["a"]}, "v1.0", **none)
    project.contract("API", {"required": ["b"]}, "v1.10", **none)
    project.contract("API", {"required": ["c"]}, "v1.9", **none)
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("API")
        def test_newest_is_active(phase_output):
            phase_output.record({"b": 1})
        """
    )
    first = project.run()
    first.assert_outcomes(passed=1)
    first.stdout.fnmatch_lines(["loaded 4 contract files: 4 created, 2 activated, 0 unchanged*"])
    again = project.run()
    again.assert_outcomes(passed=1)
    again.stdout.fnmatch_lines(["loaded 4 contract files: 0 created, 0 activated, 4 unchanged*"])


def test_contract_dir_ini_twin(project: Project) -> None:
    project.contract("API", {"required": ["a"]}, folder="defs", kind="REST_API")
    project.pytester.makeini(PROJECT_INI + "contracts_dir = defs\n")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("API")
        def test_api(phase_output):
            phase_output.record({"a": 1})
        """
    )
    result = project.pytester.runpytest()
    result.assert_outcomes(passed=1, warnings=0)
    result.stdout.fnmatch_lines(["loaded 1 contract file: 1 created, 1 activated*"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{not json",
            "not valid JSON: Expecting property name enclosed in double quotes at line 1",
        ),
        ("[1, 2]", "must hold a JSON object, not list"),
        ('{"name": "X", "version": "v1", "type": "EVENT"}', "missing 'schema'"),
        (
            '{"name": "X", "version": "v1", "type": "EVENT", "schema": {}, "owner": "me"}',
            "unknown key(s) 'owner'",
        ),
        (
            '{"name": "X", "version": "v1", "type": "GRPC", "schema": {}}',
            "unknown contract_type 'GRPC'",
        ),
        (
            '{"name": "X", "version": "v1", "type": "EVENT", "schema": {"minimum": "zero"}}',
            "at '/minimum': 'zero' is not of type 'number'",
        ),
    ],
)
def test_broken_contract_files_stop_the_session_naming_the_file(
    project: Project, content: str, message: str
) -> None:
    (project.path / "contracts").mkdir()
    (project.path / "contracts" / "broken.json").write_text(content)
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "contracts/broken.json" in err
    assert message in err
    assert "Traceback" not in err


def test_changing_the_schema_of_a_loaded_version_is_refused(project: Project) -> None:
    path = project.contract("API", {"required": ["a"]}, kind="REST_API")
    project.pytester.makepyfile("def test_x():\n    pass\n")
    project.run().assert_outcomes(passed=1)
    project.contract("API", {"required": ["a", "b"]}, kind="REST_API")
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"*contract file {path}: team 'default', contract 'API', version 'v1.0' is already "
            "registered with a different schema; versions are immutable*"
        ]
    )


# -- real servers ------------------------------------------------------------------------
def test_real_redis_flag_uses_the_real_redis(project: Project, redis_url: str) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_req(phase_output, state_manager):
            assert state_manager.cache_backend == "redis"
            phase_output.record({GOOD!r})
        """
    )
    result = project.run(
        "--contracts-redis", "--contracts-redis-url", redis_url, "--contracts-report", "r.json"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["contracts: registry sqlite * + redis, team 'default', gate off"])
    assert json.loads((project.path / "r.json").read_text())["registry"]["cache"] == "redis"


def test_real_redis_ini_twins_and_environment(
    project: Project, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.pytester.makeini(
        PROJECT_INI + f"contracts_redis = true\ncontracts_redis_url = {redis_url}\n"
    )
    project.pytester.makepyfile(
        """
        def test_cache(state_manager):
            assert state_manager.cache_backend == "redis"
        """
    )
    project.run().assert_outcomes(passed=1)
    project.pytester.makeini(PROJECT_INI + "contracts_redis = true\n")
    monkeypatch.setenv("REDIS_URL", redis_url)
    project.run().assert_outcomes(passed=1)


def test_postgresql_registry(project: Project, pg_url: str) -> None:
    team = f"pg-{uuid.uuid4().hex[:8]}"
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_req(phase_output, state_manager):
            assert state_manager.backend == "postgresql"
            phase_output.record({GOOD!r})
        """
    )
    result = project.run("--contracts-db", pg_url, "--contracts-team", team)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["1 check against 1 contract: 1 passed"])


# -- pytest-xdist -------------------------------------------------------------------------
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
    assert f"{unstored} validation record(s) could not be stored in the registry" in out


def test_async_tests_under_anyio_with_trio_reach_the_registry(project: Project) -> None:
    pytest.importorskip("trio")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "trio"

        @pytest.mark.anyio
        async def test_trio(contract_manager):
            c = await contract_manager.create_contract("t", "TrioAPI", "v1", "EVENT", {})
            await contract_manager.activate_contract(c.id, "trio")
            assert (await contract_manager.get_active_contract("t", "TrioAPI")).version == "v1"
        """
    )
    project.run("-p", "no:asyncio").assert_outcomes(passed=1)


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


# -- settings that belong to the application, and failures at start ------------------
def test_an_unusable_database_url_of_the_application_stops_only_contract_use(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.pytester.makepyfile(
        test_plain="def test_plain():\n    assert True\n",
        test_registry="def test_registry(contract_manager):\n    pass\n",
    )
    monkeypatch.setenv("DATABASE_URL", "mysql://app@db/app")
    monkeypatch.setenv("REDIS_PORT", "not-a-port")
    plain = project.run("test_plain.py")
    plain.assert_outcomes(passed=1)
    used = project.run("test_registry.py")
    used.assert_outcomes(errors=1)
    used.stdout.fnmatch_lines(
        [
            "*pytest-contracts: the registry cannot be used: database URL 'mysql://app@db/app'"
            "*from the DATABASE_URL environment variable; give the registry its own with "
            "--contracts-db*"
        ]
    )
    assert "Traceback" not in used.stdout.str()


def test_an_unreachable_registry_fails_the_fixture_in_one_line(project: Project) -> None:
    project.pytester.makepyfile("def test_registry(contract_manager):\n    pass\n")
    result = project.run("--contracts-db", "postgresql://postgres@127.0.0.1:1/test")
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "pytest-contracts: the registry cannot be used:" in out
    assert "127.0.0.1:1" in out
    assert "Traceback" not in out
    assert "state.py" not in out


def test_a_declared_boundary_that_records_nothing_still_needs_a_contract(
    project: Project,
) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("design", "implementation")
        def test_forgot_to_record():
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
    # With the contract defined, a test that records nothing has nothing to fail on.
    project.boundary("design", "implementation", {"type": "object"})
    project.run("--contracts-gate").assert_outcomes(passed=1)


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


# -- resolving active versions once per session ------------------------------------
RESOLVE_COUNT_CONFTEST = """
import pytest
from pytest_contracts.contracts import ContractManager

CALLS = []
_original = ContractManager.get_active_contract


async def counting(self, team_id, contract_name):
    CALLS.append(contract_name)
    return await _original(self, team_id, contract_name)


ContractManager.get_active_contract = counting


def pytest_sessionfinish(session):
    with open("lookups.txt", "w") as out:
        out.write("\\n".join(CALLS))
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


def test_a_resolved_version_is_kept_no_longer_than_the_cache_entry_it_came_from(
    tmp_path: Any,
) -> None:
    """A write the counter cannot see (another machine on a shared database)
    is seen once the cache entry expires: the session must not keep its copy
    for a further cache_ttl from the moment it asked."""
    import time
    import types

    import sqlalchemy as sa

    from pytest_contracts.bridge import RegistryLoop
    from pytest_contracts.config import sqlite_url
    from pytest_contracts.contracts import ContractManager
    from pytest_contracts.session import ContractsSession
    from pytest_contracts.state import StateManager
    from pytest_contracts.tables import contracts

    ttl = 1.0
    loop = RegistryLoop()
    try:
        state = loop.run(StateManager.create(sqlite_url(tmp_path / "r.db"), cache_ttl=ttl))
        manager = ContractManager(state)
        v1 = loop.run(manager.create_contract("team", "Orders", "v1", "EVENT", {}))
        v2 = loop.run(manager.create_contract("team", "Orders", "v2", "EVENT", {}))
        loop.run(manager.activate_contract(v1.id))
        session = types.SimpleNamespace(registry=lambda: (loop, manager), _active={}, _pinned={})
        target = types.SimpleNamespace(version=None, contract_name="Orders")

        def resolve() -> str:
            return ContractsSession._resolve(session, target, "team").version  # type: ignore[arg-type]

        filled = time.monotonic()
        assert loop.run(manager.get_active_contract("team", "Orders")).version == "v1"
        time.sleep(0.6 * ttl)
        assert resolve() == "v1"  # from the cache entry filled 0.6 ttl ago

        async def switch_behind_the_counter() -> None:
            async with state.write() as conn:
                for version, status in ((v1, "deprecated"), (v2, "active")):
                    await conn.execute(
                        sa.update(contracts)
                        .where(contracts.c.id == version.id)
                        .values(status=status)
                    )

        loop.run(switch_behind_the_counter())
        # The entry expires at about filled + ttl; a copy kept for ttl from the
        # resolve above (at filled + 0.6 ttl or later) would last past 1.6 ttl.
        time.sleep(max(0.0, filled + 1.5 * ttl - time.monotonic()))
        assert resolve() == "v2"
        loop.run(state.close())
    finally:
        loop.close()
