"""The Redis cache in front of "which version is active".

The cache is only a cache: every failure to reach Redis is absorbed here, the
caller falls back to the database, and one warning is logged per outage.

Coherence without a read-modify-write race: every (team, contract) has a
generation counter in Redis and the whole cache has an epoch counter. A cached
entry records the epoch and generation it was filled under, and one ``MGET``
returns the entry together with the current counters, so a lookup is still a
single round trip. A write bumps the generation after its transaction commits,
which turns every older entry into a miss, including one that a slow reader
fills afterwards with what it read before the write. A process that saw Redis
fail bumps the epoch when it comes back, which turns every entry into a miss,
so a write whose invalidation could not be delivered leaves nothing stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from redis.asyncio import Redis
from redis.exceptions import RedisError

from .epoch import SharedCounter

logger = logging.getLogger("pytest_contracts")

#: What a failing Redis call can raise: redis-py's own errors, socket errors
#: that escape them, and timeouts.
CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)


#: What an entry was filled under: the epoch and generation read from Redis,
#: and the machine-wide counter when the cache is the in-process fake.
Token = tuple[str | None, str | None, int | None]


@dataclass(frozen=True, slots=True)
class Lookup:
    """The answer of :meth:`ActiveCache.lookup`.

    ``hit`` says whether ``payload`` (a record as a dict, or None for "no
    active version") can be used; ``token`` is what :meth:`ActiveCache.store`
    needs to fill the entry after a miss, or None when the cache is down.
    """

    hit: bool
    payload: dict[str, Any] | None = None
    token: Token | None = None


_DOWN = Lookup(hit=False)

#: Bumped whenever the shape of a cached entry changes, so that a newer release
#: sharing a Redis with an older one never reads the other's entries.
ENTRY_FORMAT = 1


def _part(text: str) -> str:
    # Percent-encoding keeps ':' inside a name from colliding with the separator.
    return quote(text, safe="")


class ActiveCache:
    """Cache-aside for active-version lookups; safe to share within one loop."""

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str,
        namespace: str,
        ttl: float,
        retry_interval: float,
        label: str,
        shared_counter: SharedCounter | None = None,
    ) -> None:
        self.client = client
        self._counter = shared_counter
        self.label = label
        self._base = f"{prefix}{namespace}:f{ENTRY_FORMAT}:"
        self._epoch_key = self._base + "epoch"
        self._ttl_ms = max(1, int(ttl * 1000))
        self._retry_interval = retry_interval
        self._failed_at: float | None = None
        self.last_error: str | None = None
        self._recovery: asyncio.Task[None] | None = None
        self._closed = False

    # -- keys ---------------------------------------------------------------
    def _keys(self, team_id: str, contract_name: str) -> tuple[str, str]:
        suffix = f"{_part(team_id)}:{_part(contract_name)}"
        return self._base + "gen:" + suffix, self._base + "active:" + suffix

    @property
    def degraded(self) -> bool:
        return self._failed_at is not None

    # -- failure handling ---------------------------------------------------
    def _fail(self, exc: BaseException, *, undelivered_invalidation: bool = False) -> None:
        first = self._failed_at is None
        self._failed_at = time.monotonic()
        self.last_error = f"{type(exc).__name__}: {exc}"
        if first:
            logger.warning(
                "pytest-contracts: the Redis cache at %s is unreachable (%s); "
                "registry calls are served from the database until it answers again",
                self.label,
                self.last_error,
            )
        if undelivered_invalidation:
            self._schedule_recovery()

    def _schedule_recovery(self) -> None:
        # Another process may still hold the entry this write could not
        # invalidate: come back on our own to bump the epoch as soon as Redis
        # answers, rather than at our next call, which may never come.
        if not self._closed and self._recovery is None:
            self._recovery = asyncio.get_running_loop().create_task(self._recover_soon())

    async def _recover_soon(self) -> None:
        try:
            while not self._closed and self.degraded:
                await asyncio.sleep(self._retry_interval)
                await self._usable()
        finally:
            self._recovery = None

    async def _usable(self) -> bool:
        """True when Redis may be used now; after an outage, the first call that
        gets through bumps the epoch before anything is read."""
        if self._failed_at is None:
            return True
        if time.monotonic() - self._failed_at < self._retry_interval:
            return False
        try:
            await self.client.incr(self._epoch_key)
        except CACHE_ERRORS as exc:
            self._fail(exc)
            return False
        self._failed_at = None
        self.last_error = None
        logger.warning("pytest-contracts: the Redis cache at %s answers again", self.label)
        return True

    # -- operations ---------------------------------------------------------
    async def lookup(self, team_id: str, contract_name: str) -> Lookup:
        if not await self._usable():
            return _DOWN
        gen_key, active_key = self._keys(team_id, contract_name)
        # Read the local counter first: a write committed after this point
        # bumps it, and the entry filled under the old value is then refused.
        local = None if self._counter is None else self._counter.read()
        try:
            epoch, gen, raw = await self.client.mget(self._epoch_key, gen_key, active_key)
        except CACHE_ERRORS as exc:
            self._fail(exc)
            return _DOWN
        token: Token = (_text(epoch), _text(gen), local)
        if raw is not None:
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None  # not ours, or damaged: a miss, refilled from the database
            if isinstance(entry, list) and len(entry) == 4 and tuple(entry[:3]) == token:
                return Lookup(hit=True, payload=entry[3], token=token)
        return Lookup(hit=False, token=token)

    async def store(
        self,
        team_id: str,
        contract_name: str,
        token: Token | None,
        payload: dict[str, Any] | None,
    ) -> None:
        if token is None or self.degraded:
            return
        _, active_key = self._keys(team_id, contract_name)
        entry = json.dumps([*token, payload], separators=(",", ":"))
        try:
            await self.client.set(active_key, entry, px=self._ttl_ms)
        except CACHE_ERRORS as exc:
            self._fail(exc)

    async def invalidate(self, team_id: str, contract_name: str) -> None:
        """Called after a commit that changed what is active for this name."""
        if self._counter is not None:
            self._counter.bump()
        if not await self._usable():
            # The epoch bump on recovery covers this name too.
            self._schedule_recovery()
            return
        gen_key, _ = self._keys(team_id, contract_name)
        try:
            await self.client.incr(gen_key)
        except CACHE_ERRORS as exc:
            self._fail(exc, undelivered_invalidation=True)

    async def ping(self) -> float:
        """Round-trip latency in milliseconds; raises on failure (and records it)."""
        started = time.perf_counter()
        try:
            await self.client.ping()
        except CACHE_ERRORS as exc:
            self._fail(exc)
            raise
        latency = (time.perf_counter() - started) * 1000
        if self.degraded:
            self._failed_at = 0.0  # let the next call recover at once
            await self._usable()
        return latency

    async def close(self) -> None:
        self._closed = True
        task = self._recovery
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
