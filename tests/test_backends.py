"""SQLite and PostgreSQL (registry/backends.py): what each back end does its
own way, and that each URL gets its own."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.dialects import postgresql, sqlite

from pytest_contracts import ConfigurationError, ContractManager, RegistryUnavailable, StateManager
from pytest_contracts.config import resolve_database_url, sqlite_url
from pytest_contracts.registry import tables
from pytest_contracts.registry.backends import (
    POSTGRESQL,
    SQLITE,
    Backend,
    advisory_key,
    backend_for,
)
from pytest_contracts.registry.records import ValidationInput

from .conftest import SCHEMA, drop_registry_tables
from .registry_cases import counting_sql, make


async def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    state = await StateManager.create(sqlite_url(tmp_path / "r.db"), busy_timeout=12.5)
    async with state, state.read() as conn:
        assert await conn.scalar(sa.text("PRAGMA journal_mode")) == "wal"
        assert await conn.scalar(sa.text("PRAGMA busy_timeout")) == 12500
        assert await conn.scalar(sa.text("PRAGMA foreign_keys")) == 1


async def test_sqlite_write_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    async with await StateManager.create(sqlite_url(path)) as state:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            async with state.write():
                # Nothing written yet: a deferred BEGIN would hold no lock here.
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            async with state.read():
                other.execute("BEGIN IMMEDIATE")  # readers do not block writers
                other.execute("ROLLBACK")
        finally:
            other.close()


async def test_a_batch_of_records_is_one_statement_on_sqlite(tmp_path: Any) -> None:
    if sqlite3.sqlite_version_info < (3, 38):
        pytest.skip(f"SQLite {sqlite3.sqlite_version} has no built-in JSON: executemany is used")
    async with await StateManager.create(sqlite_url(tmp_path / "r.db")) as state:
        cm = ContractManager(state)
        contract = await make(cm)
        batch = [ValidationInput(contract, f"test_{n}", True) for n in range(300)]
        with counting_sql(state) as statements:
            assert await cm.record_validations(batch) == 300
        inserts = [s for s in statements if s.lstrip().startswith("INSERT")]
        assert len(inserts) == 1
        assert "json_each" in inserts[0]
        assert len(await cm.get_validations(limit=1000)) == 300


async def test_a_stuck_lock_holder_makes_postgresql_unavailable_not_hung(pg_url: str) -> None:
    import asyncpg

    await drop_registry_tables(pg_url)
    async with await StateManager.create(pg_url, busy_timeout=0.5) as state:
        cm = ContractManager(state)
        contract = await cm.create_contract("t", "Locked", "v1", "EVENT", SCHEMA)
        holder = await asyncpg.connect(resolve_database_url(pg_url).replace("+asyncpg", ""))
        try:
            async with holder.transaction():
                await holder.execute(
                    "SELECT pg_advisory_xact_lock($1)", advisory_key("contract", "t", "Locked")
                )
                with pytest.raises(RegistryUnavailable, match="lock"):
                    await cm.activate_contract(contract.id)
        finally:
            await holder.close()
        assert (await cm.activate_contract(contract.id)).status == "active"


# -- one strategy object per back end, chosen from the URL ---------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///r.db", SQLITE),
        ("sqlite+aiosqlite:///r.db", SQLITE),
        ("postgres://u@h/db", POSTGRESQL),
        ("postgresql+asyncpg://u@h/db", POSTGRESQL),
    ],
)
def test_each_url_gets_its_back_end(url: str, expected: Backend) -> None:
    assert backend_for(resolve_database_url(url)) is expected


def test_a_url_of_no_known_back_end_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="names no back end"):
        backend_for("mysql+aiomysql://u:secret@h/db")


async def test_a_state_manager_asks_its_back_end(tmp_path: Path) -> None:
    async with await StateManager.create(sqlite_url(tmp_path / "r.db")) as state:
        assert state.database is SQLITE
        assert state.backend == SQLITE.name == "sqlite"
        assert (tmp_path / "r.db-contracts-epoch").is_file()  # the counter beside the file
        async with state.write() as conn:
            with counting_sql(state) as statements:
                assert await state.lock_contract(conn, "t", "c") is False
        assert statements == []  # BEGIN IMMEDIATE is the lock


def test_postgresql_reads_see_one_snapshot_and_lock_each_contract() -> None:
    pytest.importorskip("asyncpg")
    engine = POSTGRESQL.make_engine(
        "postgresql+asyncpg://u@127.0.0.1/db", connect_timeout=1, busy_timeout=2.5
    )
    options = POSTGRESQL.reader(engine).get_execution_options()
    assert options["isolation_level"] == "REPEATABLE READ"
    assert options["postgresql_readonly"] is True
    assert POSTGRESQL.locks_contracts
    assert not SQLITE.locks_contracts
    assert POSTGRESQL.counter_path("ignored", "abc").name == "abc.epoch"
    assert advisory_key("contract", "a:b", "c") != advisory_key("contract", "a", "b:c")


@pytest.mark.parametrize(
    ("strategy", "dialect"), [(SQLITE, sqlite.dialect()), (POSTGRESQL, postgresql.dialect())]
)
def test_an_upsert_updates_or_keeps_the_existing_row(strategy: Backend, dialect: Any) -> None:
    values = {"contract_id": "c", "consumer_agent": "a", "consumer_role": "r"}
    key = ["contract_id", "consumer_agent"]
    keep = str(
        strategy.upsert(tables.consumers, values, key=key, update=None).compile(dialect=dialect)
    )
    assert "ON CONFLICT (contract_id, consumer_agent) DO NOTHING" in keep
    update = str(
        strategy.upsert(tables.consumers, values, key=key, update={"consumer_role": "x"}).compile(
            dialect=dialect
        )
    )
    assert "ON CONFLICT (contract_id, consumer_agent) DO UPDATE SET consumer_role" in update


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__("driver says no")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("strategy", "error", "unavailable"),
    [
        (POSTGRESQL, sqlalchemy.exc.DBAPIError("s", {}, _DriverError("55P03")), True),
        (POSTGRESQL, sqlalchemy.exc.DBAPIError("s", {}, _DriverError("23505")), False),
        (SQLITE, sqlalchemy.exc.DBAPIError("s", {}, _DriverError("55P03")), False),
        (SQLITE, sqlalchemy.exc.OperationalError("s", {}, _DriverError(None)), True),
        (POSTGRESQL, sqlalchemy.exc.InterfaceError("s", {}, _DriverError(None)), True),
        (SQLITE, sqlalchemy.exc.IntegrityError("s", {}, _DriverError(None)), False),
    ],
)
def test_errors_that_mean_try_again_later_are_told_from_mistakes(
    strategy: Backend, error: sqlalchemy.exc.DBAPIError, unavailable: bool
) -> None:
    assert strategy.is_unavailable(error) is unavailable


async def test_sqlite_stores_times_as_utc_wall_clock(tmp_path: Path) -> None:
    async with await StateManager.create(sqlite_url(tmp_path / "r.db")) as state:
        cm = ContractManager(state)
        contract = await make(cm)
        at = datetime(2026, 11, 25, 15, 58, 46, 123456, tzinfo=timezone(timedelta(hours=2)))
        await cm.record_validation(contract, "t", True, validated_at=at)
        async with state.read() as conn:
            stored = await conn.scalar(sa.text("SELECT validated_at FROM contract_validations"))
        assert stored == "2026-11-25 13:58:46.123456"
        (read,) = await cm.get_validations(contract)
        assert read.validated_at == at
        assert read.validated_at.utcoffset() == timedelta(0)
