"""Faults on real servers: a Redis server stopped and started again, a
PostgreSQL connection killed, many processes activating one contract."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.registry import tables

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, SCHEMA, Backend, Project, scratch_database
from .test_processes import start_workers

pytestmark = pytest.mark.slow

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own on a free port, with an RDB snapshot,
    so that stopping it and starting it again brings back what it held."""

    def __init__(self, folder: Path) -> None:
        assert REDIS_SERVER is not None
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            str(REDIS_SERVER),
            "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.folder), "--dbfilename", "cache.rdb",
            "--save", "", "--appendonly", "no",
        ]  # fmt: skip

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        """SAVE, then stop: the entries come back with the next start."""
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "save"],
            capture_output=True,
            timeout=10,
            check=False,
        )
        if self.process is not None:
            self.process.wait(timeout=10)
            self.process = None

    def keys(self) -> int:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "dbsize"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return int(result.stdout)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if REDIS_SERVER is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server and redis-cli are not installed: install Redis to run this")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


async def test_redis_stopped_and_started_again_serves_nothing_stale(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    from pytest_contracts.config import sqlite_url

    database = sqlite_url(tmp_path / "registry.db")
    options: dict[str, Any] = {
        "redis_url": redis_server.url,
        "cache_retry_interval": 0.05,
        "redis_timeout": 0.5,
    }
    writer = await StateManager.create(database, **options)
    reader = await StateManager.create(database, **options)
    try:
        cm_w, cm_r = ContractManager(writer), ContractManager(reader)
        v1 = await cm_w.create_contract("team", "Live", "v1.0", "EVENT", SCHEMA)
        v2 = await cm_w.create_contract("team", "Live", "v2.0", "EVENT", SCHEMA)
        await cm_w.activate_contract(v1.id)
        assert (await cm_r.get_active_contract("team", "Live")).version == "v1.0"  # type: ignore[union-attr]
        redis_server.stop()  # the snapshot still says v1.0 is active
        # Every call keeps working from the database while Redis is down.
        await cm_w.activate_contract(v2.id)
        assert (await cm_r.get_active_contract("team", "Live")).version == "v2.0"  # type: ignore[union-attr]
        assert (await reader.health_check())["cache"]["status"] == "degraded"
        redis_server.start()  # comes back holding the v1.0 entry
        assert redis_server.keys() > 0  # the old entries are really back
        await asyncio.sleep(0.1)
        for _ in range(5):  # no read, before or after the cache is trusted again, is stale
            for manager in (cm_r, cm_w):
                active = await manager.get_active_contract("team", "Live")
                assert active is not None
                assert active.version == "v2.0"
            await asyncio.sleep(0.05)
        fresh = ContractManager(await StateManager.create(database, **options))
        try:
            assert (await fresh.get_active_contract("team", "Live")).version == "v2.0"  # type: ignore[union-attr]
        finally:
            await fresh.state.close()
    finally:
        await writer.close()
        await reader.close()


STOP_AND_START = """
import subprocess
import time

import pytest

GOOD = {good!r}
COMMAND = {command!r}
PORT = {port}


def wait_for_redis():
    for _ in range(200):
        result = subprocess.run(["redis-cli", "-p", str(PORT), "ping"], capture_output=True)
        if result.stdout.strip() == b"PONG":
            return
        time.sleep(0.05)
    raise RuntimeError("redis did not come back")


@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("n", range(3))
def test_a_before(phase_output, n):
    phase_output.record(GOOD)


def test_b_redis_stops():
    subprocess.run(["redis-cli", "-p", str(PORT), "shutdown", "save"], capture_output=True)


@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("n", range(3))
def test_c_while_down(phase_output, n):
    phase_output.record(GOOD)


def test_d_redis_starts_again():
    subprocess.Popen(COMMAND + ["--daemonize", "yes"]).wait()
    wait_for_redis()


@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("n", range(3))
def test_e_after(phase_output, n):
    phase_output.record(GOOD)
"""


def test_a_gated_session_survives_redis_stopping_and_starting(
    project: Project, redis_server: RedisServer
) -> None:
    good = {"project": "p", "requirements": [{"id": "REQ-1", "text": "t"}]}
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        STOP_AND_START.format(good=good, command=redis_server.command(), port=redis_server.port)
    )
    project.pytester.makeini(PROJECT_INI)
    try:
        result = project.run(
            "--contracts-redis",
            "--contracts-redis-url",
            redis_server.url,
            "--contracts-gate",
            "--contracts-report",
            "r.json",
            "-p",
            "no:randomly",
        )
    finally:
        subprocess.run(
            ["redis-cli", "-p", str(redis_server.port), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
    result.assert_outcomes(passed=11)
    result.stdout.fnmatch_lines(["contracts gate: passed"])
    report = json.loads((project.path / "r.json").read_text())
    assert report["totals"]["checks"] == 9
    assert report["totals"]["passed"] == 9
    assert report["registry"]["unstored_validations"] == 0
    assert [c["outcome"] for c in report["checks"]] == ["passed"] * 9


# -- PostgreSQL: a killed connection --------------------------------------------
@pytest.fixture
async def scratch_pg(pg_url: str) -> AsyncIterator[tuple[str, str]]:
    """A database of this test's own: terminating its connections touches no
    other test's."""
    async with scratch_database(pg_url, "pytest_contracts_faults") as urls:
        yield urls


async def test_a_killed_postgresql_connection_is_replaced_on_the_next_call(
    scratch_pg: tuple[str, str],
) -> None:
    import asyncpg

    url, admin_url = scratch_pg
    state = await StateManager.create(url)
    try:
        cm = ContractManager(state)
        v1 = await cm.create_contract("team", "Kill", "v1.0", "EVENT", SCHEMA)
        async with state.read() as conn:
            pid = await conn.scalar(sa.text("SELECT pg_backend_pid()"))
        admin = await asyncpg.connect(admin_url)
        try:
            killed = await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = 'pytest_contracts_faults' AND pid <> pg_backend_pid()"
            )
        finally:
            await admin.close()
        assert len(killed) >= 1
        # Reads and writes after the kill succeed on a new connection.
        assert (await cm.get_contract(v1.id)).version == "v1.0"
        await cm.activate_contract(v1.id)
        async with state.read() as conn:
            assert await conn.scalar(sa.text("SELECT pg_backend_pid()")) != pid
        assert (await cm.get_active_contract("team", "Kill")).id == v1.id  # type: ignore[union-attr]
    finally:
        await state.close()


# -- many processes, one contract, the cache on ------------------------------------
def release(workers: list[Any]) -> None:
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()


async def test_eight_processes_times_fifty_activations(backend: Backend) -> None:
    # With the real Redis cache (the "-redis" back ends), and with each process's
    # own fake cache, kept coherent by the machine-wide counter alone.
    processes, count = 8, 50
    state = await backend.state()
    cm = ContractManager(state)
    versions = [
        await cm.create_contract("team", "Busy", f"v{n}.0", "EVENT", SCHEMA) for n in range(1, 6)
    ]
    await cm.activate_contract(versions[0].id)
    assert (await cm.get_active_contract("team", "Busy")) is not None  # cached now
    workers = start_workers(
        backend, [v.id for v in versions], processes, count, read_after=["team", "Busy"]
    )
    for worker in workers:
        line = worker.stdout.readline()
        assert line.strip() == "ready", worker.stderr.read()
    release(workers)
    results = [json.loads(worker.stdout.readline()) for worker in workers]
    assert [r["failures"] for r in results] == [[]] * processes
    assert sum(r["done"] for r in results) == processes * count
    release(workers)  # every worker now reads the active version through its cache
    seen = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        assert err == ""
        seen.append(json.loads(out.strip().splitlines()[-1])["active"])
    async with state.read() as conn:
        active_rows = (
            await conn.execute(
                sa.select(tables.contracts.c.id).where(
                    tables.contracts.c.contract_name == "Busy",
                    tables.contracts.c.status == "active",
                )
            )
        ).all()
    assert len(active_rows) == 1
    final = active_rows[0].id
    assert seen == [final] * processes
    assert (await cm.get_active_contract("team", "Busy")).id == final  # type: ignore[union-attr]
    history = await cm.get_contract_history("team", "Busy")
    activations = [e for h in history for e in h.events if e.event == "activated"]
    assert len(activations) == 1 + processes * count
