"""SQLite and PostgreSQL (registry/backends.py): what each back end does its
own way, and that each URL gets its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pytest_contracts import ContractManager, RegistryUnavailable, StateManager
from pytest_contracts.config import resolve_database_url, sqlite_url
from pytest_contracts.registry.backends import advisory_key
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
