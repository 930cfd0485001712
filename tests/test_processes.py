"""Several real processes on one registry: concurrency and cache coherence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fakeredis import FakeServer

from pytest_contracts import ContractManager
from pytest_contracts.registry import tables

from .conftest import SCHEMA, Backend

WORKER = Path(__file__).with_name("activation_worker.py")
ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.slow


def start_workers(
    backend: Backend,
    ids: list[str],
    processes: int,
    count: int,
    read_after: list[str] | None = None,
) -> list[Any]:
    workers = []
    for offset in range(processes):
        options = {
            "database_url": backend.database_url,
            "redis_url": backend.redis_url,
            "key_prefix": backend.key_prefix,
            "ids": ids,
            "count": count,
            "offset": offset,
            "read_after": read_after,
        }
        workers.append(
            subprocess.Popen(
                # Warnings are errors: an unclosed connection or a destroyed
                # task at exit would show on stderr, which must stay empty.
                [sys.executable, "-W", "error", str(WORKER), json.dumps(options)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        )
    return workers


def run_together(workers: list[Any]) -> list[dict[str, Any]]:
    for worker in workers:
        line = worker.stdout.readline()
        assert line.strip() == "ready", worker.stderr.read()
    for worker in workers:  # release them all at once
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        assert err == ""
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


async def test_processes_activating_concurrently_leave_one_active_and_full_history(
    backend: Backend,
) -> None:
    processes, count = 4, 25
    state = await backend.state()
    cm = ContractManager(state)
    versions = [
        await cm.create_contract("team", "Shared", f"v{n}", "PHASE_TRANSITION", SCHEMA)
        for n in range(1, 5)
    ]
    assert (await cm.get_active_contract("team", "Shared")) is None  # cached: none active
    results = run_together(start_workers(backend, [v.id for v in versions], processes, count))

    assert [r["failures"] for r in results] == [[]] * processes
    assert sum(r["done"] for r in results) == processes * count
    async with state.read() as conn:
        active_rows = (
            await conn.execute(
                sa.select(tables.contracts.c.id).where(tables.contracts.c.status == "active")
            )
        ).all()
    assert len(active_rows) == 1
    history = await cm.get_contract_history("team", "Shared")
    activations = [e for h in history for e in h.events if e.event == "activated"]
    assert len(activations) == processes * count
    active = await cm.get_active_contract("team", "Shared")
    assert active is not None
    assert active.id == active_rows[0].id


async def test_activation_in_another_process_is_seen_through_the_shared_cache(
    backend: Backend,
) -> None:
    # With the default fake cache each process has its own fakeredis; the
    # machine-wide counter is what keeps them coherent.
    cm = ContractManager(await backend.state())
    v1 = await cm.create_contract("team", "Shared", "v1", "EVENT", SCHEMA)
    v2 = await cm.create_contract("team", "Shared", "v2", "EVENT", SCHEMA)
    await cm.activate_contract(v1.id)
    assert (await cm.get_active_contract("team", "Shared")).version == "v1"  # type: ignore[union-attr]
    (result,) = run_together(start_workers(backend, [v2.id], 1, 1))
    assert result == {"done": 1, "failures": []}
    active = await cm.get_active_contract("team", "Shared")
    assert active is not None
    assert active.version == "v2"


@pytest.fixture
async def repeatable_read_url(pg_url: str) -> str:
    """A database whose sessions default to REPEATABLE READ, as some servers are set."""
    import asyncpg

    from pytest_contracts.config import resolve_database_url

    from .conftest import drop_registry_tables

    plain = resolve_database_url(pg_url).replace("+asyncpg", "")
    admin = await asyncpg.connect(plain)
    try:
        exists = await admin.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = 'pytest_contracts_rr'"
        )
        if not exists:
            await admin.execute("CREATE DATABASE pytest_contracts_rr")
        await admin.execute(
            "ALTER DATABASE pytest_contracts_rr SET default_transaction_isolation = "
            "'repeatable read'"
        )
    finally:
        await admin.close()
    url = pg_url.rsplit("/", 1)[0] + "/pytest_contracts_rr"
    await drop_registry_tables(url)
    return url


async def test_concurrent_activations_hold_whatever_the_server_isolation_default(
    repeatable_read_url: str, tmp_path: Path
) -> None:
    backend = Backend(
        name="postgresql-rr",
        database_url=repeatable_read_url,
        redis_url=None,
        key_prefix="unused:",
        fake_server=None,
    )
    try:
        state = await backend.state(fake_server=FakeServer())
        cm = ContractManager(state)
        versions = [
            await cm.create_contract("team", "Shared", f"v{n}", "EVENT", SCHEMA) for n in range(4)
        ]
        results = run_together(start_workers(backend, [v.id for v in versions], 4, 25))
        assert [r["failures"] for r in results] == [[]] * 4
        history = await cm.get_contract_history("team", "Shared")
        assert sum(e.event == "activated" for h in history for e in h.events) == 100
        assert sum(h.status == "active" for h in history) == 1
    finally:
        await backend.cleanup()
