"""The registry's two databases, SQLite and PostgreSQL, as one strategy.

Everything the registry does differently on them is here, one small class per
back end behind :class:`Backend`: how the engine connects, how a contract is
locked, how the schema is prepared, how an upsert and a batch of validation
records are written, and which errors mean "unavailable". :func:`backend_for`
picks one from the database URL, once, when a
:class:`~pytest_contracts.registry.connections.StateManager` is created; the
rest of the registry asks that object and never compares names.
"""

from __future__ import annotations

import abc
import asyncio
import hashlib
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .. import jsondata
from ..config import backend_of, mask_url, sqlite_url
from ..errors import ConfigurationError
from ..journal import server_journal_folder
from . import tables
from .counter import default_directory

logger = logging.getLogger("pytest_contracts")

#: Errors that mean "the database cannot be reached or used right now".
_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    OSError,
    TimeoutError,
)


#: PostgreSQL's SQLSTATEs for corrupt data and indexes.
_DAMAGED_STATES = frozenset({"XX001", "XX002"})
#: SQLite's primary result codes for a damaged file: SQLITE_CORRUPT, SQLITE_NOTADB.
_SQLITE_DAMAGED = frozenset({11, 26})


def advisory_key(*parts: str) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock`` from text parts."""
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Backend(abc.ABC):
    """What differs between the registry's databases. Stateless: each back end
    has one instance, shared by every StateManager on it."""

    #: The dialect's name, as ``StateManager.backend`` and the health check show it.
    name: ClassVar[str]
    #: Whether :meth:`lock_contract` takes a lock of its own; without one,
    #: every write transaction already holds the database's only write lock.
    locks_contracts: ClassVar[bool]
    #: SQLSTATEs that mean "try again later".
    unavailable_states: ClassVar[frozenset[str]] = frozenset()

    @abc.abstractmethod
    def make_engine(self, url: str, *, connect_timeout: float, busy_timeout: float) -> AsyncEngine:
        """The engine for ``url``; a write transaction waits for a lock at
        most ``busy_timeout`` seconds."""

    def reader(self, engine: AsyncEngine) -> AsyncEngine:
        """The engine for reads of several statements (history, summary),
        which must see one snapshot."""
        return engine

    @abc.abstractmethod
    def counter_path(self, url: str, instance_id: str) -> Path:
        """Where the shared cache counter of this database lives."""

    @abc.abstractmethod
    def journal_path(self, url: str, instance_id: str, project: Path | None) -> Path | None:
        """Where the validation-record journals of this database live (see
        :mod:`pytest_contracts.journal`); None when nothing outlives a process."""

    @abc.abstractmethod
    async def lock_schema(self, conn: AsyncConnection) -> None:
        """Serialise creating and migrating the tables until commit."""

    async def lock_contract(self, conn: AsyncConnection, team_id: str, contract_name: str) -> bool:
        """Serialise read-modify-writes of one (team, contract) until commit;
        True when a lock was waited for, so that what was read before must be
        read again."""
        return False

    def upsert(
        self,
        table: sa.Table,
        values: dict[str, Any],
        *,
        key: list[str],
        update: dict[str, Any] | None,
    ) -> sqlite.Insert | postgresql.Insert:
        """Insert ``values``; on a conflict over the ``key`` columns, set
        ``update`` instead (or do nothing when it is None)."""
        statement = self._insert(table).values(**values)
        if update is None:
            return statement.on_conflict_do_nothing(index_elements=key)
        return statement.on_conflict_do_update(index_elements=key, set_=update)

    @abc.abstractmethod
    def _insert(self, table: sa.Table) -> sqlite.Insert | postgresql.Insert:
        """An INSERT of this dialect, the one that has ON CONFLICT clauses."""

    async def insert_validations(
        self, conn: AsyncConnection, statement: sa.Executable, rows: list[dict[str, Any]]
    ) -> None:
        """Store a batch of validation records; ``statement`` stores one, from
        the bound values of one row."""
        # One statement, every record: executemany, one round trip per batch
        # where the driver allows, and one commit.
        await conn.execute(statement, rows)

    @abc.abstractmethod
    def metadata_equals(self, column: Any, key: str, value: Any) -> Any:
        """A condition: the JSON object in ``column`` has ``key`` set to the
        scalar ``value`` (a string, number, boolean or None)."""

    def is_unavailable(self, exc: sqlalchemy.exc.DBAPIError) -> bool:
        """Whether a database error means "cannot be used right now" rather
        than a mistake of the caller's."""
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return (
            isinstance(exc, _UNAVAILABLE_ERRORS)
            or exc.connection_invalidated
            or code in self.unavailable_states
        )

    def is_damaged(self, exc: BaseException) -> bool:
        """Whether a database error means the stored data itself is damaged
        (corrupt pages): no retry helps, the database must be restored."""
        orig = getattr(exc, "orig", exc)
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        return code in _DAMAGED_STATES

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class SQLiteBackend(Backend):
    """A file beside the project: WAL, a busy timeout, and ``BEGIN IMMEDIATE``
    for every write, which is the only lock there is."""

    name = "sqlite"
    locks_contracts = False

    def is_damaged(self, exc: BaseException) -> bool:
        # SQLITE_CORRUPT ("database disk image is malformed") and
        # SQLITE_NOTADB ("file is not a database"), primary codes of any
        # extended code the driver reports.
        orig = getattr(exc, "orig", exc)
        code = getattr(orig, "sqlite_errorcode", None)
        return isinstance(code, int) and code & 0xFF in _SQLITE_DAMAGED

    def make_engine(self, url: str, *, connect_timeout: float, busy_timeout: float) -> AsyncEngine:
        database = make_url(url).database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            raise ConfigurationError(
                f"an in-memory SQLite database ({url!r}) cannot be shared by the "
                "registry's connections; give a file, e.g. " + repr(sqlite_url("registry.db"))
            )
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the folder of the SQLite registry {database!r}: {exc}; "
                "give a database URL in a folder you can write"
            ) from None
        engine = create_async_engine(url, connect_args={"timeout": busy_timeout})
        busy_ms = int(busy_timeout * 1000)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take transaction control from the driver so that BEGIN is ours.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            _use_wal(dbapi_connection, database, busy_timeout)

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            # A deferred transaction that later writes cannot wait for the
            # lock: it fails at once with "database is locked". Writers take
            # the write lock up front, where the busy timeout applies.
            write = connection.get_execution_options().get("contracts_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def counter_path(self, url: str, instance_id: str) -> Path:
        # Beside the file: the counter goes where the database goes.
        database = make_url(url).database or ""
        return Path(database).expanduser().with_name(Path(database).name + "-contracts-epoch")

    def journal_path(self, url: str, instance_id: str, project: Path | None) -> Path | None:
        # Beside the file too; a database in memory keeps nothing.
        database = make_url(url).database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            return None
        path = Path(database).expanduser()
        return path.with_name(path.name + "-contracts-journal")

    async def lock_schema(self, conn: AsyncConnection) -> None:
        """Nothing to take: the write transaction's ``BEGIN IMMEDIATE`` holds
        the only write lock."""

    def _insert(self, table: sa.Table) -> sqlite.Insert:
        return sqlite.insert(table)

    def metadata_equals(self, column: Any, key: str, value: Any) -> Any:
        path = '$."' + key + '"'
        if value is None:
            return sa.func.json_type(column, path) == "null"
        found = sa.func.json_extract(column, path)
        if isinstance(value, bool):
            # json_extract gives true and false as 1 and 0: the type tells them apart.
            return sa.func.json_type(column, path) == ("true" if value else "false")
        if isinstance(value, str):
            return sa.and_(sa.func.json_type(column, path) == "text", found == value)
        return sa.and_(sa.func.json_type(column, path).in_(("integer", "real")), found == value)

    async def insert_validations(
        self, conn: AsyncConnection, statement: sa.Executable, rows: list[dict[str, Any]]
    ) -> None:
        if not _SQLITE_HAS_JSON:
            await super().insert_validations(conn, statement, rows)
            return
        await conn.execute(_INSERT_VALIDATIONS_JSON, {"rows": _json_rows(rows, conn)})


class PostgreSQLBackend(Backend):
    """A server shared by many machines: advisory locks per contract, READ
    COMMITTED writes, snapshot reads, and a lock timeout instead of a hang."""

    name = "postgresql"
    locks_contracts = True
    #: Lock timeout, query cancelled, server shutting down, too many connections.
    unavailable_states = frozenset({"55P03", "57014", "57P01", "57P02", "57P03", "53300"})

    #: "pytestco": serialises table creation.
    _SCHEMA_LOCK_KEY = 0x70797465_7374636F

    def make_engine(self, url: str, *, connect_timeout: float, busy_timeout: float) -> AsyncEngine:
        return create_async_engine(
            url,
            pool_pre_ping=True,
            # Explicit, whatever the server's default: the advisory lock makes
            # read-modify-writes safe only if each statement sees fresh data.
            isolation_level="READ COMMITTED",
            connect_args={
                "timeout": connect_timeout,
                "server_settings": {
                    "application_name": "pytest-contracts",
                    # A stuck lock holder becomes RegistryUnavailable, not a hang.
                    "lock_timeout": str(int(busy_timeout * 1000)),
                },
            },
        )

    def reader(self, engine: AsyncEngine) -> AsyncEngine:
        return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)

    def counter_path(self, url: str, instance_id: str) -> Path:
        # Named by the database's instance id, in the machine's shared folder.
        return default_directory() / f"{instance_id}.epoch"

    def journal_path(self, url: str, instance_id: str, project: Path | None) -> Path | None:
        # Under the project, named by the database's instance id.
        return server_journal_folder(instance_id, project)

    async def lock_schema(self, conn: AsyncConnection) -> None:
        await _advisory_lock(conn, self._SCHEMA_LOCK_KEY)

    async def lock_contract(self, conn: AsyncConnection, team_id: str, contract_name: str) -> bool:
        # Transaction-scoped, so it also covers a name's first version, when
        # no row exists yet to lock.
        await _advisory_lock(conn, advisory_key("contract", team_id, contract_name))
        return True

    def _insert(self, table: sa.Table) -> postgresql.Insert:
        return postgresql.insert(table)

    def metadata_equals(self, column: Any, key: str, value: Any) -> Any:
        document = sa.cast(column, postgresql.JSONB)
        return document[key] == sa.cast(sa.literal(jsondata.dumps(value)), postgresql.JSONB)


async def _advisory_lock(conn: AsyncConnection, key: int) -> None:
    await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


SQLITE = SQLiteBackend()
POSTGRESQL = PostgreSQLBackend()

_BY_NAME: dict[str, Backend] = {backend.name: backend for backend in (SQLITE, POSTGRESQL)}


def backend_for(url: str) -> Backend:
    """The back end of a resolved database URL (see
    :func:`~pytest_contracts.config.resolve_database_url`)."""
    backend = _BY_NAME.get(backend_of(url))
    if backend is None:
        raise ConfigurationError(
            f"database URL {mask_url(url)!r} names no back end of the registry; "
            "supported are SQLite (sqlite+aiosqlite://) and PostgreSQL (postgresql+asyncpg://)"
        )
    return backend


# -- SQLite's batch of validation records ----------------------------------------
#: json_each and json_extract are built into SQLite from 3.38 on.
_SQLITE_HAS_JSON = sqlite3.sqlite_version_info >= (3, 38)

# The whole batch as one JSON parameter, read back with json_each, so that it
# is one statement and one sqlite3_step. An executemany steps once per row and
# releases the GIL around every step: from the registry's thread, while the
# tests keep the main thread busy, each row then waits for the GIL, and a
# batch of 250 took 0.7 s of wall time for 15 ms of work. The team, name and
# version come from the contract row, as in the records' own INSERT ... SELECT.
_INSERT_VALIDATIONS_JSON = sa.text(
    """
    INSERT INTO contract_validations (contract_id, team_id, contract_name, version,
        subject, passed, errors, duration_ms, validated_at, record_key,
        outcome, metadata, enforcement)
    SELECT c.id, c.team_id, c.contract_name, c.version,
        json_extract(r.value, '$[1]'), json_extract(r.value, '$[2]'),
        json_extract(r.value, '$[3]'), json_extract(r.value, '$[4]'),
        json_extract(r.value, '$[5]'), json_extract(r.value, '$[6]'),
        json_extract(r.value, '$[7]'), json_extract(r.value, '$[8]'),
        json_extract(r.value, '$[9]')
    FROM json_each(:rows) AS r JOIN contracts AS c ON c.id = json_extract(r.value, '$[0]')
    WHERE NOT EXISTS (SELECT 1 FROM contract_validations AS stored
        WHERE stored.record_key = json_extract(r.value, '$[6]'))
    ORDER BY r.key
    """
)


def _json_rows(rows: list[dict[str, Any]], conn: AsyncConnection) -> str:
    """The batch for :data:`_INSERT_VALIDATIONS_JSON`, each value as the
    registry's column types would bind it."""
    dialect = conn.dialect
    at = tables.validations.c.validated_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert at is not None
    return jsondata.dumps(
        [
            [
                row["contract_id"],
                row["subject"],
                1 if row["passed"] else 0,
                row["errors"],
                row["duration_ms"],
                at(row["validated_at"]),
                row["record_key"],
                row["outcome"],
                row["metadata"],
                row["enforcement"],
            ]
            for row in rows
        ]
    )


def _use_wal(dbapi_connection: Any, database: str, busy_timeout: float) -> None:
    """Put the database in WAL mode, where readers never wait for a writer.

    The mode is kept in the file, so this mostly finds it set. Switching
    needs the database to itself, and SQLite refuses at once, without its
    busy handler, while another connection writes in the old mode (as when
    two processes create a fresh registry together): try again, pausing
    the event loop's way, until the busy timeout. A database that stays in
    the old mode still works, each write under ``BEGIN IMMEDIATE``; the next
    connection tries again."""
    deadline = time.monotonic() + busy_timeout
    pause = 0.005
    while True:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode")
            if str(cursor.fetchone()[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlalchemy.exc.DBAPIError as exc:  # the adapted driver's errors
            if not _is_locked(exc.orig):
                raise
            error: BaseException = exc
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc):
                raise
            error = exc
        finally:
            cursor.close()
        if time.monotonic() + pause > deadline:
            logger.warning(
                "pytest-contracts: the SQLite registry %s stays out of WAL mode for now "
                "(%s); it works, each write waiting for the last",
                database,
                error,
            )
            return
        dbapi_connection.run_async(lambda _driver, delay=pause: asyncio.sleep(delay))
        pause = min(pause * 2, 0.2)


def _is_locked(exc: BaseException | None) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )
