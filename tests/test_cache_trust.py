"""The cache trusts nothing it reads: an entry that names another contract or
another database is a miss, and a counter file others may write is refused."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest
from fakeredis import FakeServer

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.config import sqlite_url
from pytest_contracts.registry.counter import SharedCounter

from .conftest import SCHEMA


async def _state(path: Path, server: FakeServer) -> StateManager:
    return await StateManager.create(sqlite_url(path), fake_server=server)


async def forge(state: StateManager, source: tuple[str, str], target: tuple[str, str]) -> None:
    """Copy the cache entry of ``source`` over that of ``target``, with the
    tokens that make it current for ``target``: what anyone who may write to
    Redis can do."""
    cache = state.cache
    entry = json.loads(await state.redis.get(cache._keys(*source)[1]))
    lookup = await cache.lookup(*target)
    assert lookup.token is not None
    entry[:3] = lookup.token
    await state.redis.set(cache._keys(*target)[1], json.dumps(entry))
    cache._near.clear()  # this process's own copy is not what is attacked


async def copy_entry(source: StateManager, target: StateManager, team: str, name: str) -> None:
    """Put ``source``'s entry for this contract under ``target``'s key, made current there."""
    entry = json.loads(await source.redis.get(source.cache._keys(team, name)[1]))
    lookup = await target.cache.lookup(team, name)
    assert lookup.token is not None
    entry[:3] = lookup.token
    await target.redis.set(target.cache._keys(team, name)[1], json.dumps(entry))
    target.cache._near.clear()


async def test_an_entry_naming_another_contract_is_not_served(tmp_path: Path) -> None:
    async with await _state(tmp_path / "r.db", FakeServer()) as state:
        cm = ContractManager(state)
        mine = await cm.create_contract("team", "C", "v1", "REST_API", SCHEMA)
        other = await cm.create_contract("team", "Other", "v9", "REST_API", {"type": "object"})
        await cm.activate_contract(mine.id)
        await cm.activate_contract(other.id)
        assert (await cm.get_active_contract("team", "Other")).version == "v9"  # type: ignore[union-attr]
        await forge(state, ("team", "Other"), ("team", "C"))
        served = await cm.get_active_contract("team", "C")
        assert served is not None
        assert (served.contract_name, served.version) == ("C", "v1")


async def test_a_forged_no_active_version_is_not_served(tmp_path: Path) -> None:
    async with await _state(tmp_path / "r.db", FakeServer()) as state:
        cm = ContractManager(state)
        mine = await cm.create_contract("team", "C", "v1", "REST_API", SCHEMA)
        await cm.activate_contract(mine.id)
        assert await cm.get_active_contract("team", "Ghost") is None  # an entry saying "none"
        await forge(state, ("team", "Ghost"), ("team", "C"))
        served = await cm.get_active_contract("team", "C")
        assert served is not None
        assert served.id == mine.id


async def test_an_entry_of_another_database_is_not_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = FakeServer()  # one Redis for two registries
    async with (
        await _state(tmp_path / "a.db", server) as a,
        await _state(tmp_path / "b.db", server) as b,
    ):
        ours, theirs = ContractManager(a), ContractManager(b)
        mine = await ours.create_contract("team", "C", "v1", "REST_API", SCHEMA)
        await ours.activate_contract(mine.id)
        forged = await theirs.create_contract("team", "C", "v1", "REST_API", {})
        await theirs.activate_contract(forged.id)
        assert (await theirs.get_active_contract("team", "C")).id == forged.id  # type: ignore[union-attr]
        await copy_entry(b, a, "team", "C")
        with caplog.at_level(logging.WARNING, logger="pytest_contracts"):
            served = await ours.get_active_contract("team", "C")
        assert served is not None
        assert served.id == mine.id
        assert "does not describe that contract of this registry" in caplog.text


# -- the counter --------------------------------------------------------------------
def test_a_new_counter_file_is_writable_by_its_owner_only_whatever_the_umask(
    tmp_path: Path,
) -> None:
    old = os.umask(0)
    try:
        counter = SharedCounter(tmp_path / "c")
    finally:
        os.umask(old)
    counter.close()
    assert stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_counter_file_others_may_write_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "c"
    SharedCounter(path).close()
    path.chmod(mode)
    with pytest.raises(PermissionError, match=r"may be written by others .*chmod 600"):
        SharedCounter(path)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown")
def test_a_counter_file_of_another_user_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c"
    SharedCounter(path).close()
    os.chown(path, 4242, -1)
    with pytest.raises(PermissionError, match="belongs to another user"):
        SharedCounter(path)


async def test_with_an_untrusted_counter_the_fake_cache_keeps_nothing_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "r.db"
    counter = tmp_path / "r.db-contracts-epoch"
    SharedCounter(counter).close()
    counter.chmod(0o666)
    with caplog.at_level(logging.WARNING, logger="pytest_contracts"):
        state = await _state(database, FakeServer())
    async with state:
        assert not state.cache.enabled
        cm = ContractManager(state)
        mine = await cm.create_contract("team", "C", "v1", "REST_API", SCHEMA)
        await cm.activate_contract(mine.id)
        await cm.get_active_contract("team", "C")
        assert not (await state.cache.lookup("team", "C")).hit
    assert "may be written by others" in caplog.text
    assert "the fake cache will not keep active versions" in caplog.text
