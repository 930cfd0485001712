"""StateManager: the registry's connections to its database and Redis cache, and their health."""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
import sqlalchemy.exc
from fakeredis import FakeAsyncRedis, FakeServer
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..config import mask_url, redact, resolve_database_url, resolve_redis_url, sqlite_url
from ..errors import ConfigurationError, RegistryDamaged, RegistryUnavailable
from . import tables
from .backends import POSTGRESQL, Backend, backend_for
from .cache import CACHE_ERRORS, ActiveCache
from .counter import SharedCounter

logger = logging.getLogger("pytest_contracts")

DEFAULT_KEY_PREFIX = "pytest_contracts:"

# Managers in one process that use the fake cache on the same database share
# one FakeServer, so that they see each other's invalidations exactly as
# managers sharing a real Redis would.
_FAKE_SERVERS: weakref.WeakValueDictionary[str, FakeServer] = weakref.WeakValueDictionary()


class StateManager:
    """Owns the registry's SQLAlchemy ``AsyncEngine`` and redis.asyncio client.

    Create it with :meth:`create` (it connects, creates the tables and checks
    the cache), close it with :meth:`close` or use it as an async context
    manager. All of its connections belong to the event loop it was created on.
    """

    database_url: str
    #: What differs between SQLite and PostgreSQL (see :mod:`.backends`).
    database: Backend
    #: ``"sqlite"`` or ``"postgresql"``.
    backend: str
    #: ``"fakeredis"`` or ``"redis"``.
    cache_backend: str
    redis_url: str | None
    fake_server: FakeServer | None
    instance_id: str
    engine: AsyncEngine
    redis: Redis
    cache: ActiveCache
    _writer: AsyncEngine
    _reader: AsyncEngine
    _counter: SharedCounter | None
    _closed: bool
    _before_close: list[Callable[[], Awaitable[None]]]

    def __init__(self) -> None:  # pragma: no cover - guarded
        raise TypeError("use 'await StateManager.create(...)' to make a StateManager")

    @classmethod
    async def create(
        cls,
        database_url: str | None = None,
        redis_url: str | None = None,
        use_real_redis: bool = False,
        *,
        fake_server: FakeServer | None = None,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        cache_ttl: float = 60.0,
        redis_timeout: float = 2.0,
        cache_retry_interval: float = 1.0,
        connect_timeout: float = 10.0,
        busy_timeout: float = 30.0,
        environ: Mapping[str, str] | None = None,
    ) -> Self:
        """Connect to the registry.

        ``database_url``: an async SQLAlchemy URL; else ``DATABASE_URL``; else
        the SQLite file ``.pytest_contracts/registry.db`` under the current
        directory. ``postgresql://`` and ``sqlite://`` get their async driver.

        Real Redis is used when ``use_real_redis`` is true or ``redis_url`` is
        given; its URL is ``redis_url``, else ``REDIS_URL``, else
        ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB``, else
        ``redis://localhost:6379/0``. Otherwise the cache is fakeredis on
        ``fake_server`` (by default one shared by the managers of this process
        that use the same database). Real Redis that does not answer raises
        :class:`RegistryUnavailable`; it is never swapped for the fake.
        """
        env = os.environ if environ is None else environ
        if fake_server is not None and (use_real_redis or redis_url):
            raise ConfigurationError(
                "fake_server= and real Redis (use_real_redis=True or redis_url=) "
                "exclude each other; pass one or the other"
            )
        for name, value in (
            ("cache_ttl", cache_ttl),
            ("redis_timeout", redis_timeout),
            ("cache_retry_interval", cache_retry_interval),
            ("connect_timeout", connect_timeout),
            ("busy_timeout", busy_timeout),
        ):
            if not value > 0:
                raise ConfigurationError(
                    f"{name} must be a positive number of seconds, not {value!r}"
                )
        url = resolve_database_url(database_url, env)
        real = use_real_redis or bool(redis_url)
        resolved_redis = resolve_redis_url(redis_url, env) if real else None
        if resolved_redis is not None:
            try:
                Redis.from_url(resolved_redis)  # parses only; connects on first use
            except ValueError as exc:
                raise ConfigurationError(
                    f"Redis URL {mask_url(resolved_redis)!r} cannot be used: "
                    f"{redact(str(exc), resolved_redis)}"
                ) from None
        self = object.__new__(cls)
        self.database_url = url
        self.database = backend_for(url)
        self.backend = self.database.name
        self._closed = False
        self._counter = None
        self._before_close = []
        self.engine = self.database.make_engine(
            url, connect_timeout=connect_timeout, busy_timeout=busy_timeout
        )
        self._writer = self.engine.execution_options(contracts_write=True)
        self._reader = self.database.reader(self.engine)
        try:
            self.instance_id = await self._prepare_database()
            self.redis_url = resolved_redis
            if resolved_redis is not None:
                self.fake_server = None
                self.redis = Redis.from_url(
                    resolved_redis,
                    socket_timeout=redis_timeout,
                    socket_connect_timeout=redis_timeout,
                    # No retry: a Redis that accepts but never answers would
                    # cost every call two timeouts instead of one.
                    retry=Retry(NoBackoff(), 0),
                )
                self.cache_backend = "redis"
                label = mask_url(resolved_redis)
            else:
                if fake_server is None:
                    fake_server = _FAKE_SERVERS.get(url)
                    if fake_server is None:
                        fake_server = _FAKE_SERVERS[url] = FakeServer()
                self.fake_server = fake_server
                self.redis = FakeAsyncRedis(server=fake_server)
                self.cache_backend = "fakeredis"
                label = "fakeredis (in-process)"
            # Processes with a fake cache on this database cannot see each
            # other's entries: a machine-wide counter tells them of every write.
            try:
                self._counter = SharedCounter(self.database.counter_path(url, self.instance_id))
            except OSError as exc:
                self._counter = None
                if self.cache_backend == "fakeredis":
                    logger.warning(
                        "pytest-contracts: cannot open the shared cache counter (%s); the "
                        "fake cache will not keep active versions, so that no process "
                        "serves one another process has replaced",
                        exc,
                    )
            self.cache = ActiveCache(
                self.redis,
                prefix=key_prefix,
                namespace=self.instance_id,
                ttl=cache_ttl,
                retry_interval=cache_retry_interval,
                label=label,
                shared_counter=self._counter,
                use_shared_counter=self.cache_backend == "fakeredis",
                enabled=self._counter is not None or self.cache_backend == "redis",
            )
            if resolved_redis is not None:
                await self._require_redis()
        except BaseException:
            await self.close()
            raise
        return self

    # -- construction -------------------------------------------------------
    async def _prepare_database(self) -> str:
        """Create missing tables, record or check the schema version, and return
        this database's instance id (it namespaces the cache keys, so a database
        that is recreated never meets the cache entries of its predecessor)."""
        async with self.write() as conn:
            await self.database.lock_schema(conn)
            await conn.run_sync(tables.metadata.create_all)
            rows: dict[str, str] = dict((await conn.execute(sa.select(tables.meta))).all())
            if "schema_version" not in rows:
                instance_id = uuid.uuid4().hex
                await conn.execute(
                    sa.insert(tables.meta),
                    [
                        {"key": "schema_version", "value": str(tables.SCHEMA_VERSION)},
                        {"key": "instance_id", "value": instance_id},
                    ],
                )
                return instance_id
            found = self._schema_version(rows["schema_version"])
            if "instance_id" not in rows or not rows["instance_id"]:
                raise self._damaged("has no instance_id row in its meta table")
            if found > tables.SCHEMA_VERSION:
                raise ConfigurationError(
                    f"the registry at {mask_url(self.database_url)} has schema version "
                    f"{found}, written by a newer pytest-contracts (this one knows "
                    f"{tables.SCHEMA_VERSION}); upgrade pytest-contracts"
                )
            steps = tables.migrations()
            for version in range(found, tables.SCHEMA_VERSION):
                await steps[version](conn)
            if found != tables.SCHEMA_VERSION:
                await conn.execute(
                    sa.update(tables.meta)
                    .where(tables.meta.c.key == "schema_version")
                    .values(value=str(tables.SCHEMA_VERSION))
                )
            return rows["instance_id"]

    def _schema_version(self, value: object) -> int:
        """The schema version a meta row holds; :class:`RegistryDamaged`
        unless it is a whole number from 1 on."""
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) < 10 and int(text) >= 1):
            raise self._damaged(
                f"has a damaged meta row: schema_version is {text[:40]!r}, not a "
                f"version number (this pytest-contracts writes {tables.SCHEMA_VERSION})"
            )
        return int(text)

    async def _require_redis(self) -> None:
        try:
            await self.redis.ping()
        except CACHE_ERRORS as exc:
            detail = redact(str(exc), self.redis_url)
            raise RegistryUnavailable(
                f"real Redis was requested but {self.cache.label} does not answer "
                f"({type(exc).__name__}: {detail}). Start it (e.g. 'redis-server' or "
                "'docker run -p 6379:6379 redis'), point REDIS_URL at a running one, "
                "or drop the real-Redis request to use the in-process fake cache"
            ) from None

    # -- database access ----------------------------------------------------
    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: ``BEGIN IMMEDIATE`` on SQLite. Committed on exit."""
        async with (
            self._connected(self._writer) as conn,
            self._unavailable_as_error(),
            conn.begin(),
        ):
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction."""
        async with self._connected(self._reader) as conn, self._unavailable_as_error():
            yield conn

    @asynccontextmanager
    async def _connected(self, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        """A pooled connection. Any failure to get one means the database is
        unavailable, whatever the driver calls it (refused, unknown host, "not
        accepting connections", too many clients, authentication)."""
        self.ensure_open()
        try:
            conn = await engine.connect()
        except (sqlalchemy.exc.DBAPIError, OSError, TimeoutError) as exc:
            raise self._unavailable(exc) from exc
        try:
            yield conn
        finally:
            await conn.close()

    async def lock_contract(self, conn: AsyncConnection, team_id: str, contract_name: str) -> bool:
        """Serialise read-modify-writes of one (team, contract) until commit;
        True when this call waited for a lock, so that what was read before it
        must be read again.

        PostgreSQL: a transaction-scoped advisory lock, which also covers a
        name's first version, when no row exists yet to lock. SQLite: the
        ``BEGIN IMMEDIATE`` of :meth:`write` already holds the database's
        single write lock, so nothing is taken and False is returned.
        """
        return await self.database.lock_contract(conn, team_id, contract_name)

    def ensure_open(self) -> None:
        """Raise :class:`RegistryUnavailable` once the manager is closed."""
        if self._closed:
            raise RegistryUnavailable("this StateManager is closed; create a new one")

    @asynccontextmanager
    async def _unavailable_as_error(self) -> AsyncIterator[None]:
        try:
            yield
        except RegistryUnavailable:  # a ConnectionError already worded for the user
            raise
        except sqlalchemy.exc.DBAPIError as exc:
            if self.database.is_damaged(exc) or self.database.is_unavailable(exc):
                raise self._unavailable(exc) from exc
            raise
        except (OSError, TimeoutError) as exc:
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: BaseException) -> RegistryUnavailable:
        """The one-line error for a database that cannot be used: the first
        line of the driver's own message (never SQLAlchemy's statement and
        parameters), and for a damaged one what to do about it."""
        text = str(getattr(exc, "orig", None) or exc).strip()
        detail = redact(text.splitlines()[0], self.database_url) if text else type(exc).__name__
        where = mask_url(self.database_url)
        if self.database.is_damaged(exc):
            return self._damaged(f"is damaged ({detail[:200]})")
        return RegistryUnavailable(f"the registry database at {where} cannot be used: {detail}")

    def _damaged(self, problem: str) -> RegistryDamaged:
        return RegistryDamaged(
            f"the registry database at {mask_url(self.database_url)} {problem}: restore it "
            "from a backup, or move it away to start an empty registry"
        )

    # -- health and lifetime ------------------------------------------------
    async def health_check(self) -> dict[str, Any]:
        """Status and round-trip latency of the database and the cache.

        ``status`` is ``"ok"``, ``"degraded"`` (the cache is down, the registry
        still works from the database) or ``"down"`` (the database is down).
        """
        database: dict[str, Any] = {
            "status": "ok",
            "backend": self.backend,
            "url": mask_url(self.database_url),
            "schema_version": tables.SCHEMA_VERSION,
            "latency_ms": None,
            "error": None,
        }
        started = time.perf_counter()
        try:
            async with self.read() as conn:
                await conn.execute(sa.text("SELECT 1"))
            database["latency_ms"] = (time.perf_counter() - started) * 1000
        except RegistryUnavailable as exc:
            database.update(status="down", error=str(exc))
        cache: dict[str, Any] = {
            "status": "ok",
            "backend": self.cache_backend,
            "url": self.cache.label,
            "latency_ms": None,
            "error": None,
        }
        if self._closed:
            # A closed client would quietly open a new connection to answer.
            cache.update(status="degraded", error="this StateManager is closed")
        else:
            try:
                cache["latency_ms"] = await self.cache.ping()
            except CACHE_ERRORS:
                cache.update(status="degraded", error=self.cache.last_error)
        if database["status"] != "ok":
            status = "down"
        elif cache["status"] != "ok":
            status = "degraded"
        else:
            status = "ok"
        return {"status": status, "database": database, "cache": cache}

    def before_close(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` (a coroutine function) when :meth:`close` starts,
        while the registry can still be used: the run-time checks store their
        queued validation records there."""
        self._before_close.append(callback)

    async def close(self) -> None:
        """Release every connection. Safe to call more than once."""
        if self._closed:
            return
        callbacks, self._before_close = self._before_close, []
        for callback in callbacks:
            try:
                await callback()
            except Exception as exc:  # what it could not store waits in its journal
                logger.warning("pytest-contracts: while closing the registry: %s", exc)
        self._closed = True
        try:
            cache = getattr(self, "cache", None)
            if cache is not None:
                await cache.close()
        finally:
            try:
                client = getattr(self, "redis", None)
                if client is not None:
                    with contextlib.suppress(*CACHE_ERRORS):  # a dead Redis has nothing to free
                        await client.aclose()
            finally:
                if self._counter is not None:
                    self._counter.close()
                await self.engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return (
            f"<StateManager {self.backend} {mask_url(self.database_url)} "
            f"cache={getattr(self, 'cache_backend', '?')}{' (closed)' if self._closed else ''}>"
        )


# -- conveniences kept from the system this project replaces ----------------
async def init_state_manager_for_testing(
    db_path: str | os.PathLike[str] | None = None, use_mock_redis: bool = True
) -> StateManager:
    """A SQLite-backed manager (``db_path``, else the default file) with the
    fake cache, or real Redis from the environment when ``use_mock_redis`` is false."""
    return await StateManager.create(
        database_url=sqlite_url(db_path) if db_path is not None else None,
        use_real_redis=not use_mock_redis,
    )


async def init_state_manager_for_production(
    postgres_url: str | None = None,
    redis_host: str | None = None,
    redis_port: int | None = None,
) -> StateManager:
    """A manager on PostgreSQL (``postgres_url``, else ``DATABASE_URL``) with
    real Redis (``redis_host``/``redis_port``, else the environment)."""
    if backend_for(resolve_database_url(postgres_url)) is not POSTGRESQL:
        raise ConfigurationError(
            "init_state_manager_for_production needs PostgreSQL: pass postgres_url= "
            "or set DATABASE_URL to a postgresql:// URL"
        )
    redis_url = None
    if redis_host is not None or redis_port is not None:
        redis_url = f"redis://{redis_host or 'localhost'}:{redis_port or 6379}/0"
    return await StateManager.create(
        database_url=postgres_url, redis_url=redis_url, use_real_redis=True
    )


async def cleanup_state_manager(state: StateManager) -> None:
    """Close ``state``; kept for code written against the replaced system."""
    await state.close()


__all__ = [
    "StateManager",
    "cleanup_state_manager",
    "init_state_manager_for_production",
    "init_state_manager_for_testing",
]
