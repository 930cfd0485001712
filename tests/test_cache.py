"""The Redis cache in front of get_active_contract: coherence and outages."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakeredis import FakeServer

from pytest_contracts import Contract, ContractManager, StateManager
from pytest_contracts.config import sqlite_url

from .conftest import SCHEMA, Backend
from .netproxy import Proxy
from .registry_cases import counting_sql, make


async def two_versions(cm: ContractManager) -> tuple[Contract, Contract]:
    v1 = await cm.create_contract("team", "Orders", "v1", "REST_API", SCHEMA)
    v2 = await cm.create_contract("team", "Orders", "v2", "REST_API", {"type": "object"})
    await cm.activate_contract(v1.id)
    return v1, v2


async def active_version(cm: ContractManager) -> str | None:
    active = await cm.get_active_contract("team", "Orders")
    return None if active is None else active.version


async def test_warm_lookup_does_not_touch_the_database(cm: ContractManager) -> None:
    await two_versions(cm)
    assert await active_version(cm) == "v1"  # fills the cache
    with counting_sql(cm.state) as statements:
        assert await active_version(cm) == "v1"
    assert statements == []


async def test_missing_active_version_is_cached_too(cm: ContractManager) -> None:
    await cm.create_contract("team", "Orders", "v1", "REST_API", SCHEMA)
    assert await active_version(cm) is None
    with counting_sql(cm.state) as statements:
        assert await active_version(cm) is None
    assert statements == []


async def test_names_with_separators_do_not_collide(cm: ContractManager) -> None:
    # "a:b" + "c" and "a" + "b:c" would share a naive "team:name" cache key.
    left = await make(cm, team_id="a:b", contract_name="c", specification={"title": "left"})
    right = await make(cm, team_id="a", contract_name="b:c", specification={"title": "right"})
    await cm.activate_contract(left.id)
    await cm.activate_contract(right.id)
    for _ in range(2):
        got_left = await cm.get_active_contract("a:b", "c")
        got_right = await cm.get_active_contract("a", "b:c")
        assert got_left is not None
        assert got_right is not None
        assert (got_left.id, got_right.id) == (left.id, right.id)


async def test_activation_by_another_manager_is_seen_at_once(backend: Backend) -> None:
    reader = ContractManager(await backend.state())
    writer = ContractManager(await backend.state())
    _, v2 = await two_versions(writer)
    assert await active_version(reader) == "v1"
    await writer.activate_contract(v2.id)
    assert await active_version(reader) == "v2"
    await writer.deprecate_contract(v2.id)
    assert await active_version(reader) is None
    v3 = await writer.evolve_contract("team", "Orders", "v3", SCHEMA, "dev", activate=True)
    assert await active_version(reader) == v3.version


async def test_managers_on_one_database_share_the_default_fake_cache(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "r.db")
    async with await StateManager.create(url) as a, await StateManager.create(url) as b:
        assert a.fake_server is b.fake_server
        reader, writer = ContractManager(a), ContractManager(b)
        _, v2 = await two_versions(writer)
        assert await active_version(reader) == "v1"
        await writer.activate_contract(v2.id)
        assert await active_version(reader) == "v2"


async def test_a_fill_that_raced_with_a_write_is_never_served(cm: ContractManager) -> None:
    _, v2 = await two_versions(cm)
    cache = cm.state.cache
    # A slow reader looks up, misses, and reads v1 from the database...
    lookup = await cache.lookup("team", "Orders")
    assert not lookup.hit
    stale = await cm.get_contract((await cm.list_contracts("team", status="active"))[0].id)
    # ...meanwhile a writer activates v2 and invalidates...
    await cm.activate_contract(v2.id)
    # ...then the slow reader fills the cache with what it read before the write.
    await cache.store("team", "Orders", lookup.token, {"version": stale.version})
    assert not (await cache.lookup("team", "Orders")).hit
    assert await active_version(cm) == "v2"


async def test_recreated_database_never_meets_old_cache_entries(tmp_path: Path) -> None:
    server = FakeServer()
    path = tmp_path / "r.db"
    async with await StateManager.create(sqlite_url(path), fake_server=server) as first:
        await two_versions(ContractManager(first))
        assert await active_version(ContractManager(first)) == "v1"
        old_namespace = first.instance_id
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    async with await StateManager.create(sqlite_url(path), fake_server=server) as second:
        assert second.instance_id != old_namespace
        assert await active_version(ContractManager(second)) is None


# -- outages, simulated with fakeredis --------------------------------------
@pytest.fixture
async def fake_pair(tmp_path: Path) -> AsyncIterator[tuple[FakeServer, StateManager, StateManager]]:
    server = FakeServer()
    url = sqlite_url(tmp_path / "r.db")
    a = await StateManager.create(url, fake_server=server, cache_retry_interval=0.05)
    b = await StateManager.create(url, fake_server=server, cache_retry_interval=0.05)
    yield server, a, b
    await a.close()
    await b.close()


async def wait_until(predicate: Any, limit: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_registry_keeps_working_from_the_database_while_redis_is_down(
    fake_pair: tuple[FakeServer, StateManager, StateManager], caplog: pytest.LogCaptureFixture
) -> None:
    server, state, _ = fake_pair
    cm = ContractManager(state)
    _, v2 = await two_versions(cm)
    assert await active_version(cm) == "v1"
    server.connected = False
    with caplog.at_level(logging.WARNING, logger="pytest_contracts"):
        assert await active_version(cm) == "v1"
        await cm.activate_contract(v2.id)
        assert await active_version(cm) == "v2"
        v3 = await cm.create_contract("team", "Orders", "v3", "REST_API", SCHEMA)
        await cm.activate_contract(v3.id)
        assert await active_version(cm) == "v3"
        health = await state.health_check()
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(unreachable) == 1
    assert health["status"] == "degraded"
    assert health["cache"]["status"] == "degraded"
    assert "ConnectionError" in health["cache"]["error"]
    server.connected = True
    assert await active_version(cm) == "v3"  # nothing stale after the return
    assert (await state.health_check())["status"] == "ok"


async def test_writes_during_an_outage_leave_nothing_stale_for_other_managers(
    fake_pair: tuple[FakeServer, StateManager, StateManager],
) -> None:
    server, writer_state, reader_state = fake_pair
    writer, reader = ContractManager(writer_state), ContractManager(reader_state)
    _, v2 = await two_versions(writer)
    assert await active_version(reader) == "v1"  # the reader holds v1 in the cache
    server.connected = False
    await writer.activate_contract(v2.id)  # its invalidation cannot be delivered
    server.connected = True
    # The writer comes back on its own, without another call, and bumps the epoch.
    await wait_until(lambda: not writer_state.cache.degraded)
    assert await active_version(reader) == "v2"


async def test_a_manager_that_saw_the_outage_distrusts_the_cache_after_it(
    fake_pair: tuple[FakeServer, StateManager, StateManager],
) -> None:
    server, writer_state, reader_state = fake_pair
    writer, reader = ContractManager(writer_state), ContractManager(reader_state)
    _, v2 = await two_versions(writer)
    assert await active_version(reader) == "v1"
    server.connected = False
    await writer.activate_contract(v2.id)
    await writer_state.close()  # the writer never gets to deliver anything
    assert await active_version(reader) == "v2"  # the reader sees the outage
    server.connected = True
    await asyncio.sleep(0.06)  # past the retry interval
    assert await active_version(reader) == "v2"
    assert not reader_state.cache.degraded


# -- real Redis behind a port that closes ------------------------------------
@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    host_port = redis_url.split("//", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, port = host_port.rsplit(":", 1)
    proxied = Proxy(host, int(port))
    await proxied.start()
    yield proxied
    await proxied.close()


async def test_real_redis_port_closing_mid_run(
    tmp_path: Path, proxy: Proxy, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = sqlite_url(tmp_path / "r.db")
    prefix = f"pytest_contracts_test:{tmp_path.name}:"
    async with (
        await StateManager.create(
            url, redis_url=proxy.url, key_prefix=prefix, cache_retry_interval=0.05
        ) as via_proxy,
        await StateManager.create(url, redis_url=redis_url, key_prefix=prefix) as direct,
    ):
        cut_off, watcher = ContractManager(via_proxy), ContractManager(direct)
        _, v2 = await two_versions(cut_off)
        assert await active_version(cut_off) == "v1"
        assert await active_version(watcher) == "v1"
        await proxy.cut()
        with caplog.at_level(logging.WARNING, logger="pytest_contracts"):
            await cut_off.activate_contract(v2.id)
            assert await active_version(cut_off) == "v2"
            assert (await via_proxy.health_check())["cache"]["status"] == "degraded"
        assert any("unreachable" in r.getMessage() for r in caplog.records)
        await proxy.restore()
        await wait_until(lambda: not via_proxy.cache.degraded)
        assert await active_version(cut_off) == "v2"
        assert await active_version(watcher) == "v2"


async def test_redis_that_accepts_but_never_answers_does_not_stall_calls(
    tmp_path: Path, proxy: Proxy
) -> None:
    async with await StateManager.create(
        sqlite_url(tmp_path / "r.db"), redis_url=proxy.url, redis_timeout=0.3,
        key_prefix=f"pytest_contracts_test:{tmp_path.name}:",
    ) as state:  # fmt: skip
        cm = ContractManager(state)
        await two_versions(cm)
        proxy.mode = "blackhole"
        await proxy.cut()
        await proxy.restore()
        proxy.mode = "blackhole"
        # With redis-py's default timeouts this would hang; the guard makes the
        # test fail instead of stalling the suite.
        assert await asyncio.wait_for(active_version(cm), timeout=20) == "v1"
        assert state.cache.degraded


async def test_managers_with_separate_fakes_stay_coherent_through_the_counter(
    tmp_path: Path,
) -> None:
    # Two fakes that cannot see each other stand for two processes.
    url = sqlite_url(tmp_path / "r.db")
    async with (
        await StateManager.create(url, fake_server=FakeServer()) as a,
        await StateManager.create(url, fake_server=FakeServer()) as b,
    ):
        reader, writer = ContractManager(a), ContractManager(b)
        _, v2 = await two_versions(writer)
        assert await active_version(reader) == "v1"
        assert await active_version(reader) == "v1"  # now from the reader's near entry
        stamp = a.cache.stamp()
        await writer.activate_contract(v2.id)
        assert a.cache.stamp() != stamp
        assert await active_version(reader) == "v2"
        assert await active_version(reader) == "v2"
    assert (tmp_path / "r.db-contracts-epoch").stat().st_size == 8


def test_shared_counter_is_seen_by_every_mapping_of_the_file(tmp_path: Path) -> None:
    from pytest_contracts.registry.counter import SharedCounter

    one, two = SharedCounter(tmp_path / "c"), SharedCounter(tmp_path / "c")
    try:
        assert one.read() == two.read() == 0
        assert one.bump() == 1
        assert two.read() == 1
        assert two.bump() == 2
        assert one.read() == 2
    finally:
        one.close()
        two.close()
        one.close()  # closing twice is harmless


@pytest.mark.parametrize(
    "damage",
    [
        "not json at all",
        '["a", "b"]',
        '"just a string"',
        "TOKEN_WITH_BAD_PAYLOAD",
    ],
)
async def test_damaged_cache_entries_are_misses_not_errors(
    cm: ContractManager, damage: str
) -> None:
    v1, _ = await two_versions(cm)
    lookup = await cm.state.cache.lookup("team", "Orders")
    _, active_key = cm.state.cache._keys("team", "Orders")
    if damage == "TOKEN_WITH_BAD_PAYLOAD":
        # The right token, so the entry is served, but a payload that does not parse.
        damage = json.dumps([*lookup.token, {"id": v1.id}])  # type: ignore[misc]
    await cm.state.redis.set(active_key, damage)
    assert await active_version(cm) == "v1"
    # The next fill repairs the entry.
    assert (await cm.state.cache.lookup("team", "Orders")).hit


# -- invalidations that survive closes, cancels, lost tokens and damaged entries ----
async def test_a_writer_that_closes_right_after_an_outage_delivers_its_invalidation(
    tmp_path: Path, proxy: Proxy, redis_url: str
) -> None:
    url = sqlite_url(tmp_path / "r.db")
    prefix = f"pytest_contracts_test:{tmp_path.name}:"
    # A long retry interval: only close() itself can deliver in time.
    writer_state = await StateManager.create(
        url, redis_url=proxy.url, key_prefix=prefix, cache_retry_interval=60
    )
    async with await StateManager.create(
        url, redis_url=redis_url, key_prefix=prefix
    ) as reader_state:
        writer, reader = ContractManager(writer_state), ContractManager(reader_state)
        _, v2 = await two_versions(writer)
        assert await active_version(reader) == "v1"
        await proxy.cut()
        await writer.activate_contract(v2.id)
        await proxy.restore()
        await writer_state.close()
        assert await active_version(reader) == "v2"


async def test_cancelled_after_commit_the_invalidation_still_arrives(
    fake_pair: tuple[FakeServer, StateManager, StateManager], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, writer_state, reader_state = fake_pair
    writer, reader = ContractManager(writer_state), ContractManager(reader_state)
    _, v2 = await two_versions(writer)
    assert await active_version(reader) == "v1"
    original_set = writer_state.redis.set

    async def slow_set(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(1)
        return await original_set(*args, **kwargs)

    monkeypatch.setattr(writer_state.redis, "set", slow_set)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(writer.activate_contract(v2.id), timeout=0.2)
    assert (await writer.get_contract(v2.id)).status == "active"  # committed
    assert writer_state.cache.degraded
    monkeypatch.setattr(writer_state.redis, "set", original_set)
    await wait_until(lambda: not writer_state.cache.degraded)
    assert await active_version(reader) == "v2"


async def test_writes_of_a_newer_entry_format_invalidate_older_entries(
    cm: ContractManager, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_contracts.registry import cache

    reader = ContractManager(await backend.state())
    _, v2 = await two_versions(cm)
    assert await active_version(reader) == "v1"  # an entry of format 1
    monkeypatch.setattr(cache, "ENTRY_FORMAT", cache.ENTRY_FORMAT + 1)
    await cm.activate_contract(v2.id)  # a newer release writes
    monkeypatch.undo()
    assert await active_version(reader) == "v2"


async def test_a_lost_generation_never_revives_an_old_entry(cm: ContractManager) -> None:
    await cm.create_contract("team", "Orders", "v1", "REST_API", SCHEMA)
    assert await active_version(cm) is None  # "none active" is cached
    v1 = (await cm.list_contracts("team"))[0]
    other = ContractManager(cm.state)
    await other.activate_contract(v1.id)
    gen_key, _ = cm.state.cache._keys("team", "Orders")
    await cm.state.redis.delete(gen_key)  # evicted, or lost in a restart
    assert await active_version(cm) == "v1"


@pytest.mark.parametrize("damage", [b"[" * 100_000, b"\xff\xfe not utf-8"])
async def test_pathological_cache_values_are_misses(cm: ContractManager, damage: bytes) -> None:
    await two_versions(cm)
    gen_key, active_key = cm.state.cache._keys("team", "Orders")
    await cm.state.redis.set(active_key, damage)
    assert await active_version(cm) == "v1"
    await cm.state.redis.set(gen_key, damage)
    assert await active_version(cm) == "v1"


async def test_fake_caches_hear_of_writes_made_through_a_real_redis(
    tmp_path: Path, redis_url: str
) -> None:
    url = sqlite_url(tmp_path / "r.db")
    prefix = f"pytest_contracts_test:{tmp_path.name}:"
    async with (
        await StateManager.create(url, fake_server=FakeServer()) as fake,
        await StateManager.create(url, redis_url=redis_url, key_prefix=prefix) as real,
    ):
        reader, writer = ContractManager(fake), ContractManager(real)
        _, v2 = await two_versions(writer)
        assert await active_version(reader) == "v1"
        await writer.activate_contract(v2.id)
        assert await active_version(reader) == "v2"


async def test_a_redis_that_never_answers_is_probed_less_and_less(
    tmp_path: Path, proxy: Proxy
) -> None:
    async with await StateManager.create(
        sqlite_url(tmp_path / "r.db"), redis_url=proxy.url, redis_timeout=0.2,
        cache_retry_interval=0.05, key_prefix=f"pytest_contracts_test:{tmp_path.name}:",
    ) as state:  # fmt: skip
        cm = ContractManager(state)
        await two_versions(cm)
        await proxy.cut()
        await proxy.restore()
        proxy.mode = "blackhole"
        calls = 0
        while state.cache.probes < 6 and calls < 400:
            assert await asyncio.wait_for(active_version(cm), timeout=20) == "v1"
            calls += 1
            await asyncio.sleep(0.02)
        # Intervals 0.05, 0.1, 0.2, 0.4, 0.8, 1.6 s: six probes cover at least
        # three seconds of calls; a fixed interval would probe on every call.
        assert state.cache.probes == 6
        assert calls > 20


# -- the near entries of the fake mode -------------------------------------------
class CountingClient:
    """Stands in front of a Redis client and counts the commands sent to it."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.commands: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.commands.append(name)
        return getattr(self.client, name)


@pytest.fixture
async def fake_state(tmp_path: Path) -> AsyncIterator[StateManager]:
    async with await StateManager.create(
        sqlite_url(tmp_path / "r.db"), fake_server=FakeServer()
    ) as state:
        yield state


async def test_a_warm_fake_lookup_sends_no_command_to_the_fake(
    fake_state: StateManager,
) -> None:
    cm = ContractManager(fake_state)
    await two_versions(cm)
    assert await active_version(cm) == "v1"  # fills the entry
    counting = CountingClient(fake_state.cache.client)
    fake_state.cache.client = counting  # type: ignore[assignment]
    with counting_sql(fake_state) as statements:
        for _ in range(3):
            assert await active_version(cm) == "v1"
    assert (counting.commands, statements) == ([], [])


async def test_a_near_entry_lives_no_longer_than_the_cache_ttl(tmp_path: Path) -> None:
    async with await StateManager.create(
        sqlite_url(tmp_path / "r.db"), fake_server=FakeServer(), cache_ttl=0.05
    ) as state:
        cm = ContractManager(state)
        await two_versions(cm)
        assert await active_version(cm) == "v1"
        await asyncio.sleep(0.1)
        with counting_sql(state) as statements:
            assert await active_version(cm) == "v1"
        assert statements, "an expired entry must be read again"


async def test_near_entries_are_bounded(
    fake_state: StateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_contracts.registry import cache

    monkeypatch.setattr(cache, "NEAR_ENTRIES", 4)
    cm = ContractManager(fake_state)
    for number in range(6):
        await cm.create_contract("team", f"C{number}", "v1", "REST_API", SCHEMA)
        assert await cm.get_active_contract("team", f"C{number}") is None
    assert len(fake_state.cache._near) == 4
    assert sorted(name for _, name in fake_state.cache._near) == ["C2", "C3", "C4", "C5"]


async def test_changing_a_returned_contract_does_not_change_the_next_one(
    fake_state: StateManager,
) -> None:
    cm = ContractManager(fake_state)
    await two_versions(cm)
    first = await cm.get_active_contract("team", "Orders")
    assert first is not None
    first.specification["type"] = "changed by a test"
    second = await cm.get_active_contract("team", "Orders")
    assert second is not None
    assert second.specification == SCHEMA


async def test_only_the_fake_mode_has_a_stamp(backend: Backend) -> None:
    state = await backend.state()
    stamp = state.cache.stamp()
    if state.cache_backend == "redis":
        assert stamp is None  # writers elsewhere reach it only through Redis
    else:
        assert isinstance(stamp, int)
        cm = ContractManager(state)
        await two_versions(cm)
        assert state.cache.stamp() != stamp
        await state.close()
        assert state.cache.stamp() is None
