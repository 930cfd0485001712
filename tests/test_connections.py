"""StateManager (registry/connections.py): start-up, schema version, health and shutdown."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pytest_contracts import (
    ConfigurationError,
    ContractManager,
    RegistryUnavailable,
    StateManager,
    cleanup_state_manager,
    init_state_manager_for_production,
    init_state_manager_for_testing,
)
from pytest_contracts.config import sqlite_url
from pytest_contracts.registry import tables

from .conftest import SCHEMA, Backend


def closed_port() -> int:
    """A loopback port on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_tables_are_created_and_schema_version_recorded(state: StateManager) -> None:
    async with state.read() as conn:
        names = await conn.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))
        meta = dict((await conn.execute(sa.select(tables.meta))).all())
    assert {"contracts", "contract_events", "contract_consumers", "contract_validations"} <= names
    assert meta["schema_version"] == str(tables.SCHEMA_VERSION)
    assert len(meta["instance_id"]) == 32


async def test_reopening_keeps_the_database_and_its_identity(backend: Backend) -> None:
    first = await backend.state()
    contract = await ContractManager(first).create_contract("t", "c", "v1", "EVENT", SCHEMA)
    second = await backend.state()
    assert second.instance_id == first.instance_id
    assert (await ContractManager(second).get_contract(contract.id)).version == "v1"


async def test_database_from_a_newer_release_is_refused(backend: Backend) -> None:
    state = await backend.state()
    async with state.write() as conn:
        await conn.execute(
            sa.update(tables.meta).where(tables.meta.c.key == "schema_version").values(value="99")
        )
    with pytest.raises(ConfigurationError, match=r"schema version 99.*upgrade pytest-contracts"):
        await backend.state()


async def test_older_database_is_migrated_on_connect(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = await backend.state()  # written at the current schema version
    steps: list[int] = []

    async def step(conn: Any) -> None:
        steps.append(await conn.scalar(sa.select(sa.func.count()).select_from(tables.contracts)))

    monkeypatch.setattr(tables, "SCHEMA_VERSION", tables.SCHEMA_VERSION + 1)
    monkeypatch.setattr(tables, "migrations", lambda: {tables.SCHEMA_VERSION - 1: step})
    upgraded = await backend.state()
    assert steps == [0]  # the step ran once, inside the connection
    async with upgraded.read() as conn:
        version = await conn.scalar(
            sa.select(tables.meta.c.value).where(tables.meta.c.key == "schema_version")
        )
    assert version == str(tables.SCHEMA_VERSION)
    await backend.state()  # already migrated: nothing runs again
    assert steps == [0]
    assert state.instance_id == upgraded.instance_id


async def test_health_check_reports_both_back_ends(state: StateManager, backend: Backend) -> None:
    health = await state.health_check()
    assert health["status"] == "ok"
    assert health["database"]["status"] == "ok"
    assert health["database"]["backend"] == (
        "postgresql" if backend.name.startswith("postgresql") else "sqlite"
    )
    assert health["database"]["latency_ms"] >= 0
    assert health["cache"]["status"] == "ok"
    assert health["cache"]["backend"] == ("redis" if backend.redis_url else "fakeredis")
    assert health["cache"]["latency_ms"] >= 0


async def test_health_check_reports_a_closed_manager_as_down(state: StateManager) -> None:
    await state.close()
    health = await state.health_check()
    assert health["status"] == "down"
    assert "closed" in health["database"]["error"]


async def test_unreachable_real_redis_fails_at_start_naming_the_url(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    url = f"redis://:hunter2@127.0.0.1:{closed_port()}/0"
    with pytest.raises(RegistryUnavailable) as caught:
        await StateManager.create(sqlite_url(tmp_path / "r.db"), redis_url=url)
    message = str(caught.value)
    assert f"redis://:***@127.0.0.1:{url.rsplit(':', 1)[1]}" in message
    assert "redis-server" in message
    assert "hunter2" not in message


async def test_use_real_redis_takes_the_url_from_the_environment(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    clean_env.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    # Without the request, the environment URL is not used: the fake is.
    async with await StateManager.create(sqlite_url(tmp_path / "r.db")) as state:
        assert state.cache_backend == "fakeredis"
    with pytest.raises(RegistryUnavailable, match=f"127.0.0.1:{port}"):
        await StateManager.create(sqlite_url(tmp_path / "r.db"), use_real_redis=True)


async def test_unreachable_postgresql_fails_at_start_without_the_password(
    clean_env: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("asyncpg")
    url = f"postgresql://postgres:hunter2@127.0.0.1:{closed_port()}/test"
    with pytest.raises(RegistryUnavailable) as caught:
        await StateManager.create(url)
    assert "postgresql+asyncpg://postgres:***@127.0.0.1" in str(caught.value)
    assert "hunter2" not in str(caught.value)


async def test_default_database_is_a_sqlite_file_under_the_working_directory(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.chdir(tmp_path)
    async with await StateManager.create() as state:
        assert state.backend == "sqlite"
        assert state.cache_backend == "fakeredis"
    assert (tmp_path / ".pytest_contracts" / "registry.db").is_file()


async def test_database_url_from_the_environment(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    async with await StateManager.create():
        pass
    assert (tmp_path / "env.db").is_file()


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"])
async def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="give a file"):
        await StateManager.create(url)


async def test_fake_server_and_real_redis_exclude_each_other(tmp_path: Path) -> None:
    from fakeredis import FakeServer

    with pytest.raises(ConfigurationError, match="exclude each other"):
        await StateManager.create(
            sqlite_url(tmp_path / "r.db"), use_real_redis=True, fake_server=FakeServer()
        )


@pytest.mark.parametrize("option", ["cache_ttl", "redis_timeout", "busy_timeout"])
async def test_non_positive_timeouts_are_refused(tmp_path: Path, option: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{option} must be a positive number"):
        await StateManager.create(sqlite_url(tmp_path / "r.db"), **{option: 0})


async def test_close_is_idempotent_and_a_closed_manager_says_so(tmp_path: Path) -> None:
    state = await StateManager.create(sqlite_url(tmp_path / "r.db"))
    await state.close()
    await state.close()
    for call in (
        ContractManager(state).list_contracts("t"),
        ContractManager(state).get_active_contract("t", "c"),
        ContractManager(state).get_contract_history("t", "c"),
    ):
        with pytest.raises(RegistryUnavailable, match="closed"):
            await call
    assert "closed" in repr(state)


async def test_context_manager_closes(tmp_path: Path) -> None:
    async with await StateManager.create(sqlite_url(tmp_path / "r.db")) as state:
        pass
    with pytest.raises(RegistryUnavailable, match="closed"):
        await ContractManager(state).list_contracts("t")


def test_statemanager_is_made_by_its_factory() -> None:
    with pytest.raises(TypeError, match=r"StateManager\.create"):
        StateManager()


async def test_testing_helper_uses_sqlite_and_the_fake(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    state = await init_state_manager_for_testing(db_path=tmp_path / "t.db", use_mock_redis=True)
    try:
        assert (state.backend, state.cache_backend) == ("sqlite", "fakeredis")
        assert (tmp_path / "t.db").is_file()
    finally:
        await cleanup_state_manager(state)
    with pytest.raises(RegistryUnavailable, match="closed"):
        await ContractManager(state).list_contracts("t")


async def test_testing_helper_with_real_redis(
    tmp_path: Path, redis_url: str, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("REDIS_URL", redis_url)
    state = await init_state_manager_for_testing(db_path=tmp_path / "t.db", use_mock_redis=False)
    try:
        assert state.cache_backend == "redis"
    finally:
        await cleanup_state_manager(state)


async def test_production_helper_needs_postgresql(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match="needs PostgreSQL"):
        await init_state_manager_for_production(postgres_url=sqlite_url(tmp_path / "x.db"))


async def test_production_helper_on_postgresql_and_redis(
    pg_url: str, redis_url: str, clean_env: pytest.MonkeyPatch
) -> None:
    host, port = redis_url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    state = await init_state_manager_for_production(
        postgres_url=pg_url, redis_host=host, redis_port=int(port)
    )
    try:
        health: dict[str, Any] = await state.health_check()
        assert (health["database"]["backend"], health["cache"]["backend"]) == (
            "postgresql",
            "redis",
        )
    finally:
        await cleanup_state_manager(state)


async def test_a_sqlite_file_that_cannot_be_made_is_a_configuration_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ConfigurationError, match="cannot create the folder of the SQLite"):
        await StateManager.create(sqlite_url(blocker / "sub" / "registry.db"))


async def test_a_redis_url_that_cannot_be_parsed_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot be used"):
        await StateManager.create(
            sqlite_url(tmp_path / "r.db"), redis_url="redis://localhost:abc/0"
        )


def _hold_a_write_in_the_old_journal_mode(path: Path, seconds: float) -> threading.Thread:
    """Another process's connection writing to a fresh registry before it is
    in WAL mode: SQLite refuses to switch modes at once, without waiting."""
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE someone_elses (id INTEGER)")

    def finish() -> None:
        time.sleep(seconds)
        writer.execute("COMMIT")
        writer.close()

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


async def test_a_fresh_sqlite_registry_another_connection_writes_to_is_waited_for(
    tmp_path: Path,
) -> None:
    path = tmp_path / "registry.db"
    writer = _hold_a_write_in_the_old_journal_mode(path, 0.5)
    try:
        state = await StateManager.create(sqlite_url(path), busy_timeout=10)
    finally:
        writer.join()
    try:
        await ContractManager(state).create_contract("t", "Order", "v1.0", "EVENT", SCHEMA)
    finally:
        await state.close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_sqlite_registry_kept_out_of_wal_mode_still_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "registry.db"
    writer = _hold_a_write_in_the_old_journal_mode(path, 0.6)
    try:
        # Shorter than the other writer's transaction: the switch gives up,
        # and the write transaction waits for the lock as any other does.
        state = await StateManager.create(sqlite_url(path), busy_timeout=0.3)
        await state.close()
    except RegistryUnavailable:
        pass  # the first write gave up waiting too: said plainly, as any busy registry
    finally:
        writer.join()
    assert "stays out of WAL mode" in caplog.text
    state = await StateManager.create(sqlite_url(path))
    try:
        await ContractManager(state).create_contract("t", "Order", "v1.0", "EVENT", SCHEMA)
    finally:
        await state.close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
