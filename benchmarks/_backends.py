"""The databases and caches the registry benchmarks run on.

SQLite files live in a temporary folder of the run. A PostgreSQL URL is only
used to reach the server: every benchmark database is one this module creates
(``bench_contracts_*``) and drops again, never the database the URL names, whose
tables the test suite drops. Real Redis keys carry their own prefix and are
deleted at the end.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEY_PREFIX = "pytest_contracts_bench:"


@dataclass(frozen=True)
class Backend:
    """A database kind and a cache kind; ``label`` names them in the table."""

    database: str  # "sqlite" or "postgresql"
    cache: str  # "fakeredis" or "redis"
    redis_url: str | None = None

    @property
    def label(self) -> str:
        return f"{'sqlite' if self.database == 'sqlite' else 'pg'}+{self.cache}"


@dataclass
class Servers:
    """Where the benchmarks may create databases, and the real Redis if any."""

    folder: Path
    database_url: str | None  # a PostgreSQL server, or None
    redis_url: str | None
    created: list[str]

    def backends(self) -> list[Backend]:
        found = [Backend("sqlite", "fakeredis")]
        if self.redis_url:
            found.append(Backend("sqlite", "redis", self.redis_url))
        if self.database_url:
            found.append(Backend("postgresql", "fakeredis"))
            if self.redis_url:
                found.append(Backend("postgresql", "redis", self.redis_url))
        return found

    async def database(self, backend: str, name: str) -> str:
        """A fresh, empty database called ``name`` on the backend; its URL."""
        if backend == "sqlite":
            path = self.folder / f"{name}.db"
            for suffix in ("", "-wal", "-shm", "-contracts-epoch"):
                Path(str(path) + suffix).unlink(missing_ok=True)  # noqa: ASYNC240 (setup)
            return f"sqlite+aiosqlite:///{path}"
        assert self.database_url is not None
        import asyncpg

        dsn = plain_postgres_url(self.database_url)
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        self.created.append(name)
        return _with_database(self.database_url, name)

    async def cleanup(self) -> None:
        if self.database_url and self.created:
            import asyncpg

            connection = await asyncpg.connect(plain_postgres_url(self.database_url))
            try:
                for name in dict.fromkeys(self.created):
                    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await connection.close()
        if self.redis_url:
            from redis.asyncio import Redis

            client = Redis.from_url(self.redis_url)
            try:
                keys = [key async for key in client.scan_iter(match=KEY_PREFIX + "*")]
                for start in range(0, len(keys), 500):
                    await client.delete(*keys[start : start + 500])
            finally:
                await client.aclose()


def plain_postgres_url(url: str) -> str:
    """The URL as libpq/asyncpg spell it (no SQLAlchemy driver suffix)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(database=name, drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def registry(url: str, backend: Backend) -> AsyncIterator[tuple[Any, Any]]:
    """A StateManager and ContractManager on ``url`` with the backend's cache."""
    from fakeredis import FakeServer

    from pytest_contracts import ContractManager, StateManager

    if backend.cache == "redis":
        state = await StateManager.create(url, redis_url=backend.redis_url, key_prefix=KEY_PREFIX)
    else:
        state = await StateManager.create(url, fake_server=FakeServer(), key_prefix=KEY_PREFIX)
    try:
        yield state, ContractManager(state)
    finally:
        await state.close()
