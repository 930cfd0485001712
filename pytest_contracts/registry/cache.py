"""The Redis cache in front of "which version is active".

The cache is only a cache: every failure to reach Redis is absorbed here, the
caller falls back to the database, and one warning is logged per outage.

Coherence without a read-modify-write race: every (team, contract) has a
*generation* in Redis and the whole cache has an *epoch*; both are random
tokens, replaced (never incremented) whenever they change. A cached entry
records the epoch and generation it was filled under, and one ``MGET`` returns
the entry together with the current tokens, so a lookup is still a single
round trip.

- A write replaces the generation after its transaction commits. Every older
  entry then misses, including one that a slow reader fills afterwards with
  what it read before the write.
- A missing generation or epoch (never written, evicted, lost in a restart)
  is created afresh before anything is filled under it. Because tokens are
  random, a token that comes back can never match an entry filled under an
  earlier one, as an incremented counter that went back to an old value would.
- A process that saw Redis fail replaces the epoch when Redis answers again,
  which turns every entry into a miss; a process whose invalidation could not
  be delivered keeps trying on its own until it can.
- The in-process fake cannot be reached by other processes, so with it a third
  token, a counter shared by the processes of the machine through a
  memory-mapped file (:mod:`pytest_contracts.registry.counter`), plays the part of the
  generation.
- Since that counter alone decides whether a fake-cache entry may be served,
  the fake mode keeps its entries in a plain dict of this object as well (the
  *near* entries, at most :data:`NEAR_ENTRIES`, with the same time to live):
  a warm lookup then costs one memory read of the counter and a dict lookup,
  not a fakeredis command, and gives the same answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from redis.asyncio import Redis
from redis.exceptions import RedisError

from .counter import SharedCounter

logger = logging.getLogger("pytest_contracts")

#: What a failing Redis call can raise: redis-py's own errors, socket errors
#: that escape them, and timeouts.
CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)

#: The longest a failing Redis is left alone between two probes.
MAX_RETRY_INTERVAL = 30.0

#: What an entry was filled under: the epoch and generation read from Redis,
#: and the machine-wide counter when the cache is the in-process fake.
Token = tuple[str, str, int | None]


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

#: How many near entries (fake mode) one cache keeps; the oldest go first.
NEAR_ENTRIES = 1024

#: Bumped whenever the shape of a cached entry changes. Only the entries carry
#: it: the generation and epoch keys are shared by every format, so a newer
#: release's writes still invalidate an older release's entries.
#: Format 2: ``[epoch, generation, counter, database, team, name, version id,
#: record]``; an entry is served only when all of these match what it is read
#: for (see :func:`_served`).
ENTRY_FORMAT = 2


def _part(text: str) -> str:
    # Percent-encoding keeps ':' inside a name from colliding with the separator.
    return quote(text, safe="")


def _text(value: bytes | str | None) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return value


def _new_token() -> str:
    return uuid.uuid4().hex


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
        use_shared_counter: bool = False,
        enabled: bool = True,
    ) -> None:
        self.client = client
        self.label = label
        self._counter = shared_counter
        # Readers consult the machine-wide counter only with the fake; every
        # writer bumps it, so that fakes on the same database hear of writes
        # made through a real Redis too.
        self._read_counter = use_shared_counter and shared_counter is not None
        #: The database's identity (its instance id), which every entry names.
        self._identity = namespace
        self._base = f"{prefix}{namespace}:"
        self._epoch_key = self._base + "epoch"
        self._ttl_ms = max(1, int(ttl * 1000))
        self._base_interval = retry_interval
        self._interval = retry_interval
        self._failed_at: float | None = None
        self._failures = 0  # failures ever seen: a probe only clears what it saw
        self.last_error: str | None = None
        self.probes = 0
        self._undelivered = False
        self._recovery: asyncio.Task[None] | None = None
        self._closed = False
        self.enabled = enabled
        self._near: dict[tuple[str, str], tuple[int, float, dict[str, Any] | None]] = {}

    # -- keys ---------------------------------------------------------------
    def _keys(self, team_id: str, contract_name: str) -> tuple[str, str]:
        suffix = f"{_part(team_id)}:{_part(contract_name)}"
        return (
            self._base + "gen:" + suffix,
            self._base + f"active:f{ENTRY_FORMAT}:" + suffix,
        )

    @property
    def ttl(self) -> float:
        """How long an entry may be served, in seconds."""
        return self._ttl_ms / 1000

    def stamp(self) -> int | None:
        """A number that changes whenever what is active may have changed, when
        this cache has one (the fake mode's machine-wide counter); else None.

        Cheap and safe from any thread: a caller may keep what it reads after
        taking a stamp for as long as the stamp stays the same (and at most
        :attr:`ttl`). With a real Redis there is none, since writers on other
        machines reach this process only through Redis."""
        if self._read_counter and self.enabled and not self._closed and self._counter:
            return self._counter.read()
        return None

    def expires_at(self, team_id: str, contract_name: str, stamp: int) -> float | None:
        """When the near entry for this contract, filled under ``stamp``, stops
        being served (``time.monotonic()``); None without such an entry. A
        caller that keeps what a lookup returned keeps it no longer than this,
        so that nothing is served for longer than ``ttl`` after it was read
        from the database."""
        near = self._near.get((team_id, contract_name))
        if near is None or near[0] != stamp:
            return None
        return near[1]

    @property
    def degraded(self) -> bool:
        return self._failed_at is not None

    # -- failure handling ---------------------------------------------------
    def _fail(self, exc: BaseException, *, undelivered_invalidation: bool = False) -> None:
        first = self._failed_at is None
        self._failed_at = time.monotonic()
        self._failures += 1
        self.last_error = f"{type(exc).__name__}: {exc}"
        if first:
            logger.warning(
                "pytest-contracts: the Redis cache at %s is unreachable (%s); "
                "registry calls are served from the database until it answers again",
                self.label,
                self.last_error,
            )
        if undelivered_invalidation:
            self._undelivered = True
            self._schedule_recovery()

    def _schedule_recovery(self) -> None:
        # Another process may still hold the entry this write could not
        # invalidate: come back on our own to replace the epoch as soon as Redis
        # answers, rather than at our next call, which may never come.
        if not self._closed and self._recovery is None:
            self._recovery = asyncio.get_running_loop().create_task(self._recover_soon())

    async def _recover_soon(self) -> None:
        try:
            while not self._closed and self.degraded:
                await asyncio.sleep(self._interval)
                await self._usable()
        finally:
            self._recovery = None

    async def _usable(self) -> bool:
        """True when Redis may be used now. While it fails, it is probed at most
        once per interval, the interval doubling up to MAX_RETRY_INTERVAL, so a
        Redis that accepts but never answers costs one timeout per interval, not
        one per call. The first probe that gets through replaces the epoch
        before anything is read."""
        if self._failed_at is None:
            return True
        if time.monotonic() - self._failed_at < self._interval:
            return False
        seen = self._failures
        self.probes += 1
        try:
            await self.client.set(self._epoch_key, _new_token())
        except CACHE_ERRORS as exc:
            self._interval = min(self._interval * 2, MAX_RETRY_INTERVAL)
            self._fail(exc)
            return False
        if self._failures != seen:
            return False  # another call failed meanwhile: not back yet
        self._failed_at = None
        self._interval = self._base_interval
        self._undelivered = False
        self.last_error = None
        logger.warning("pytest-contracts: the Redis cache at %s answers again", self.label)
        return True

    # -- operations ---------------------------------------------------------
    async def lookup(self, team_id: str, contract_name: str) -> Lookup:
        if not self.enabled or not await self._usable():
            return _DOWN
        gen_key, active_key = self._keys(team_id, contract_name)
        # Read the local counter first: a write committed after this point
        # bumps it, and the entry filled under the old value is then refused.
        local = self._counter.read() if self._read_counter and self._counter else None
        if local is not None:
            near = self._near.get((team_id, contract_name))
            if near is not None and near[0] == local and near[1] > time.monotonic():
                return Lookup(hit=True, payload=near[2], token=None)
        try:
            epoch_raw, gen_raw, raw = await self.client.mget(self._epoch_key, gen_key, active_key)
            epoch, gen = _text(epoch_raw), _text(gen_raw)
            if epoch is None:
                epoch = await self._create(self._epoch_key)
            if gen is None:
                gen = await self._create(gen_key)
        except CACHE_ERRORS as exc:
            self._fail(exc)
            return _DOWN
        token: Token = (epoch, gen, local)
        entry = _parse(raw)
        if entry is not None and tuple(entry[:3]) == token:
            served = _served(entry, self._identity, team_id, contract_name)
            if served is not _MISS:
                return Lookup(hit=True, payload=served, token=token)
            logger.warning(
                "pytest-contracts: the cache entry for %s/%s in %s does not describe that "
                "contract of this registry; it is ignored and filled again from the database",
                team_id,
                contract_name,
                self.label,
            )
        return Lookup(hit=False, token=token)

    async def _create(self, key: str) -> str:
        """Set a missing token, or read the one another process set first."""
        candidate = _new_token()
        if await self.client.set(key, candidate, nx=True):
            return candidate
        current = _text(await self.client.get(key))
        if current is None:  # removed again at once; use ours, it never matches
            return candidate
        return current

    async def store(
        self,
        team_id: str,
        contract_name: str,
        token: Token | None,
        payload: dict[str, Any] | None,
    ) -> None:
        if token is None or self.degraded:
            return
        if token[2] is not None:  # fake mode: the counter decides, so keep it near too
            near = self._near
            near.pop((team_id, contract_name), None)
            if len(near) >= NEAR_ENTRIES:
                del near[next(iter(near))]
            near[(team_id, contract_name)] = (token[2], time.monotonic() + self.ttl, payload)
        _, active_key = self._keys(team_id, contract_name)
        version_id = payload.get("id") if payload is not None else None
        header = [self._identity, team_id, contract_name, version_id]
        entry = json.dumps([*token, *header, payload], separators=(",", ":"))
        try:
            await self.client.set(active_key, entry, px=self._ttl_ms)
        except CACHE_ERRORS as exc:
            self._fail(exc)

    async def invalidate(self, team_id: str, contract_name: str) -> None:
        """Called after a commit that changed what is active for this name.

        If it cannot finish (Redis down, or the caller cancelled after the
        commit), the invalidation is remembered and delivered as an epoch
        change as soon as Redis answers."""
        if self._counter is not None:
            self._counter.bump()
        self._near.pop((team_id, contract_name), None)
        gen_key, _ = self._keys(team_id, contract_name)
        try:
            if not await self._usable():
                self._undelivered = True
                self._schedule_recovery()
                return
            await self.client.set(gen_key, _new_token())
        except CACHE_ERRORS as exc:
            self._fail(exc, undelivered_invalidation=True)
        except BaseException as exc:  # cancelled between commit and delivery
            self._fail(exc, undelivered_invalidation=True)
            raise

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
        """Stop retrying; a last attempt first delivers an undelivered invalidation."""
        if self._undelivered and not self._closed:
            self._failed_at = 0.0 if self._failed_at is not None else None
            await self._usable()
        self._closed = True
        task = self._recovery
        if task is not None:
            task.cancel()
            # wait() does not raise the task's CancelledError, so a cancellation
            # aimed at close() itself still propagates.
            await asyncio.wait([task])


def _parse(raw: bytes | str | None) -> list[Any] | None:
    """A cached entry, or None when it is absent, not ours or damaged."""
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if isinstance(entry, list) and len(entry) == 8:
        return entry
    return None


#: What :func:`_served` returns for an entry that must not be served.
_MISS: Any = object()


def _served(entry: list[Any], identity: str, team_id: str, contract_name: str) -> Any:
    """The record (or None: no active version) an entry read under this
    contract's key may serve; :data:`_MISS` unless the entry names this
    database, this team and this contract, and its record is the active
    version it names, of that same contract."""
    database, team, name, version_id, payload = entry[3:]
    if (database, team, name) != (identity, team_id, contract_name):
        return _MISS
    if payload is None:
        return None if version_id is None else _MISS
    if not isinstance(payload, dict) or not isinstance(version_id, str):
        return _MISS
    if (
        payload.get("id") != version_id
        or payload.get("team_id") != team_id
        or payload.get("contract_name") != contract_name
        or payload.get("status") != "active"
    ):
        return _MISS
    return payload
