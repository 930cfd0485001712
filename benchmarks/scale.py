"""Section 5: the registry's hot paths with a big registry against a small one,
and the history of a contract with 1,000 versions."""

from __future__ import annotations

import inspect
import json
import sqlite3
import time
import tracemalloc
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from . import _data
from ._backends import Backend, Servers, registry
from ._report import Figure
from ._timing import pair_async

SPEC = _data.schema(("requirements", "design"))
VERSIONS_PER_NAME = 10
HISTORY_VERSIONS = 1_000
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's SQLite DateTime stores it


def _contract_rows(count: int, now: datetime) -> list[dict[str, Any]]:
    """``count`` versions of ``count / 10`` contracts, the last of each active."""
    spec_text = json.dumps(SPEC, separators=(",", ":"))
    rows = []
    for index in range(count):
        name_index, revision = divmod(index, VERSIONS_PER_NAME)
        active = revision == VERSIONS_PER_NAME - 1
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "team_id": f"team-{name_index % 100}",
                "contract_name": f"contract-{name_index}",
                "version": f"v1.{revision}",
                "revision": revision + 1,
                "contract_type": "PHASE_TRANSITION",
                "status": "active" if active else "deprecated",
                "specification": spec_text,
                "spec_hash": "0" * 64,
                "created_at": now,
                "activated_at": now,
                "deprecated_at": None if active else now,
            }
        )
    return rows


def _validation_rows(count: int, contracts: list[dict[str, Any]], now: datetime) -> list[tuple]:
    return [
        (
            contracts[index % len(contracts)]["id"],
            contracts[index % len(contracts)]["team_id"],
            contracts[index % len(contracts)]["contract_name"],
            contracts[index % len(contracts)]["version"],
            f"tests/test_{index % 1000}.py::test_{index}",
            index % 10 != 0,
            "[]",
            0.2,
            now,
        )
        for index in range(count)
    ]


_CONTRACT_COLUMNS = [
    "id",
    "team_id",
    "contract_name",
    "version",
    "revision",
    "contract_type",
    "status",
    "specification",
    "spec_hash",
    "created_at",
    "activated_at",
    "deprecated_at",
]
_VALIDATION_COLUMNS = [
    "contract_id",
    "team_id",
    "contract_name",
    "version",
    "subject",
    "passed",
    "errors",
    "duration_ms",
    "validated_at",
]


async def bulk_load(url: str, database: str, contracts: int, validations: int) -> dict[str, Any]:
    """Raw executemany inserts into the registry's tables (made by a StateManager
    beforehand). Returns a contract that has an active version."""
    now = datetime.now(UTC)
    rows = _contract_rows(contracts, now)
    checks = _validation_rows(validations, rows, now)
    contract_values = [tuple(row[c] for c in _CONTRACT_COLUMNS) for row in rows]
    if database == "sqlite":
        from sqlalchemy.engine import make_url

        stamp = now.strftime(_SQLITE_TIME)
        connection = sqlite3.connect(make_url(url).database)
        try:
            connection.executemany(
                f"INSERT INTO contracts ({', '.join(_CONTRACT_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_CONTRACT_COLUMNS))})",
                [
                    tuple(stamp if isinstance(v, datetime) else v for v in values)
                    for values in contract_values
                ],
            )
            connection.executemany(
                f"INSERT INTO contract_validations ({', '.join(_VALIDATION_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_VALIDATION_COLUMNS))})",
                [(*check[:-1], stamp) for check in checks],
            )
            connection.commit()
        finally:
            connection.close()
    else:
        import asyncpg

        from ._backends import plain_postgres_url

        connection = await asyncpg.connect(plain_postgres_url(url))
        try:
            async with connection.transaction():
                for table, columns, values in (
                    ("contracts", _CONTRACT_COLUMNS, contract_values),
                    ("contract_validations", _VALIDATION_COLUMNS, checks),
                ):
                    marks = ", ".join(f"${i + 1}" for i in range(len(columns)))
                    await connection.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
                    )
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
    return rows[len(rows) // 2 // VERSIONS_PER_NAME * VERSIONS_PER_NAME + VERSIONS_PER_NAME - 1]


async def run(servers: Servers, quick: bool) -> list[Figure]:
    from pytest_contracts.registry.records import ValidationInput

    big_contracts, big_rows = (10_000, 100_000) if quick else (100_000, 1_000_000)
    small_contracts, small_rows = 100, 1_000
    figures: list[Figure] = []
    databases = ["sqlite"] + (["postgresql"] if servers.database_url else [])
    for database in databases:
        backend = Backend(database, "fakeredis")
        small_url = await servers.database(database, f"bench_contracts_small_{database}")
        big_url = await servers.database(database, f"bench_contracts_big_{database}")
        async with registry(small_url, backend), registry(big_url, backend):
            pass  # creates the tables
        started = time.perf_counter()
        small_target = await bulk_load(small_url, database, small_contracts, small_rows)
        big_target = await bulk_load(big_url, database, big_contracts, big_rows)
        load_s = time.perf_counter() - started
        async with (
            registry(small_url, backend) as (small_state, small),
            registry(big_url, backend) as (big_state, big),
        ):
            reps, inner = (5, 10) if quick else (11, 40)

            def lookup(manager: Any, target: dict[str, Any]) -> Any:
                return lambda: manager.get_active_contract(
                    target["team_id"], target["contract_name"]
                )

            def invalidate(state: Any, target: dict[str, Any]) -> Any:
                return lambda: state.cache.invalidate(target["team_id"], target["contract_name"])

            cold = await pair_async(
                lookup(big, big_target),
                lookup(small, small_target),
                reps=reps,
                inner=inner,
                prepare_subject=invalidate(big_state, big_target),
                prepare_baseline=invalidate(small_state, small_target),
            )
            big_contract = await lookup(big, big_target)()
            small_contract = await lookup(small, small_target)()

            def store(manager: Any, contract: Any) -> Any:
                return lambda: manager.record_validations(
                    [
                        ValidationInput(
                            contract=contract, subject="tests/test_x.py::test_y", passed=True
                        )
                    ]
                )

            stored = await pair_async(
                store(big, big_contract), store(small, small_contract), reps=reps, inner=inner
            )
            size = f"{big_contracts // 1000}k/{_count(big_rows)} vs 100"
            note = (
                f"{database}: {big_contracts:,} contracts and {big_rows:,} validation rows vs "
                f"{small_contracts} and {small_rows:,}; bulk-loaded in {load_s:.1f} s"
            )
            figures += [
                Figure(
                    key=f"scale.lookup.{database}",
                    section=5,
                    label=f"lookup cold {size}, {_short(database)}",
                    **cold.as_ms(),
                    max_ratio=1.2,
                    note=note,
                ),
                Figure(
                    key=f"scale.record.{database}",
                    section=5,
                    label=f"store check {size}, {_short(database)}",
                    **stored.as_ms(),
                    max_ratio=1.2,
                ),
            ]
            figures.append(await _history(big_state, big, database, quick))
    if not servers.database_url:
        figures.append(
            Figure(
                key="scale.postgresql",
                section=5,
                label="scale on PostgreSQL",
                skipped="no PostgreSQL: set DATABASE_URL or pass --database-url",
            )
        )
    return figures


async def _history(state: Any, manager: Any, database: str, quick: bool) -> Figure:
    """A contract with 1,000 versions (two events each), loaded raw; then
    get_contract_history against the raw SELECTs of the same rows."""
    from pytest_contracts.registry import tables

    team, name = "history-team", "history-contract"
    now = datetime.now(UTC)
    rows = []
    for revision in range(1, HISTORY_VERSIONS + 1):
        active = revision == HISTORY_VERSIONS
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "team_id": team,
                "contract_name": name,
                "version": f"v1.{revision}",
                "revision": revision,
                "contract_type": "PHASE_TRANSITION",
                "status": "active" if active else "deprecated",
                "specification": json.dumps(SPEC),
                "spec_hash": "0" * 64,
                "created_at": now,
                "activated_at": now,
                "deprecated_at": None if active else now,
            }
        )
    events = [
        {
            "contract_id": row["id"],
            "team_id": team,
            "contract_name": name,
            "version": row["version"],
            "event": event,
            "actor": "bench",
            "at": now,
            "details": "{}",
        }
        for row in rows
        for event in ("created", "activated")
    ]
    async with state.write() as conn:
        await conn.execute(sa.insert(tables.contracts), rows)
        await conn.execute(sa.insert(tables.events), events)

    parameters = inspect.signature(manager.get_contract_history).parameters
    paged = "limit" in parameters
    kwargs = {"limit": 100} if paged else {}

    async def history() -> Any:
        return await manager.get_contract_history(team, name, **kwargs)

    c, e = tables.contracts, tables.events
    limit = kwargs.get("limit")

    async def raw() -> Any:
        # The same statements the history needs, without building any object.
        versions = sa.select(c).where(c.c.team_id == team, c.c.contract_name == name)
        versions = versions.order_by(c.c.revision)
        versions = versions.limit(limit) if limit else versions
        async with state.read() as conn:
            found = (await conn.execute(versions)).all()
            event_query = (
                sa.select(e).where(e.c.team_id == team, e.c.contract_name == name).order_by(e.c.id)
            )
            if limit:
                event_query = event_query.where(e.c.contract_id.in_([r.id for r in found]))
            found_events = (await conn.execute(event_query)).all()
        return found, found_events

    pair = await pair_async(history, raw, reps=3 if quick else 7, inner=2, warmup=1)
    tracemalloc.start()
    entries = await history()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    everything = await manager.get_contract_history(team, name)
    full_ms = (time.perf_counter() - started) * 1000
    _, full_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del everything
    returned = len(entries) if isinstance(entries, list) else len(getattr(entries, "entries", ()))
    return Figure(
        key=f"scale.history.{database}",
        section=5,
        label=f"history page of 1,000 vers., {_short(database)}",
        **pair.as_ms(),
        extra={
            "peak_mb": peak / 2**20,
            "unpaged_ms": full_ms,
            "unpaged_peak_mb": full_peak / 2**20,
            "returned": returned,
            "paged": paged,
            "ok": paged,
            "target": "paged",
        },
        note=f"{database}: history {'paged (limit=100)' if paged else 'NOT paged'}: "
        f"{returned} entries, peak Python memory {peak / 2**20:.1f} MB (tracemalloc); all "
        f"1,000 at once: {full_ms:.0f} ms, {full_peak / 2**20:.1f} MB",
    )


def _short(database: str) -> str:
    return "pg" if database == "postgresql" else database


def _count(number: int) -> str:
    return f"{number // 1_000_000}M" if number >= 1_000_000 else f"{number // 1000}k"
