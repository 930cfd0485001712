"""Where the registry lives: URL resolution, driver normalisation, masking.

Precedence everywhere: an explicit argument, then the environment, then the
default. Nothing here connects to anything.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .defaults import DEFAULT_ENGINE, DEFAULT_REDIS_URL, DEFAULT_SQLITE_PATH, ENGINES
from .errors import ConfigurationError, InvalidArgument

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """The async SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{Path(path)}"


def resolve_database_url(
    explicit: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """Explicit URL, else ``DATABASE_URL``, else the default SQLite file.

    Plain ``sqlite://``, ``postgres://`` and ``postgresql://`` URLs get their
    async driver; a synchronous driver is refused with the URL to use instead.
    """
    env = os.environ if environ is None else environ
    url = explicit or env.get("DATABASE_URL") or sqlite_url(DEFAULT_SQLITE_PATH)
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigurationError(
            f"database URL {mask_url(url)!r} has no scheme; use e.g. "
            "'sqlite+aiosqlite:///path/registry.db' or "
            "'postgresql+asyncpg://user@host:5432/dbname'"
        )
    driver = _DRIVERS.get(scheme.lower())
    if driver is None:
        backend = scheme.split("+", 1)[0].lower()
        hint = {
            "sqlite": "'sqlite+aiosqlite://'",
            "postgresql": "'postgresql+asyncpg://'",
            "postgres": "'postgresql+asyncpg://'",
        }.get(backend)
        advice = (
            f"the registry needs an async driver: use {hint}"
            if hint
            else "supported are SQLite (sqlite+aiosqlite://) and PostgreSQL (postgresql+asyncpg://)"
        )
        raise ConfigurationError(f"database URL {mask_url(url)!r} uses {scheme!r}: {advice}")
    return f"{driver}://{rest}"


def resolve_redis_url(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Explicit URL, else ``REDIS_URL``, else ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB``,
    else ``redis://localhost:6379/0``."""
    env = os.environ if environ is None else environ
    if explicit:
        url = explicit
    elif env.get("REDIS_URL"):
        url = env["REDIS_URL"]
    elif env.get("REDIS_HOST") or env.get("REDIS_PORT") or env.get("REDIS_DB"):
        host = env.get("REDIS_HOST") or "localhost"
        port = env.get("REDIS_PORT") or "6379"
        db = env.get("REDIS_DB") or "0"
        if not port.isdigit() or not db.isdigit():
            raise ConfigurationError(
                f"REDIS_PORT={port!r} / REDIS_DB={db!r}: both must be whole numbers"
            )
        url = f"redis://{host}:{port}/{db}"
    else:
        url = DEFAULT_REDIS_URL
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigurationError(
            f"Redis URL {mask_url(url)!r} must start with redis://, rediss:// or unix://"
        )
    return url


#: Query parameters that carry a secret (asyncpg honours ``?password=``).
_SECRET_PARAMETERS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "sslpassword",
        "secret",
        "token",
        "access_token",
        "api_key",
        "apikey",
    }
)


def _mask_query(query: str) -> str:
    pairs = []
    for pair in query.split("&"):
        name, sep, _value = pair.partition("=")
        if sep and unquote(name).lower() in _SECRET_PARAMETERS:
            pair = f"{name}=***"
        pairs.append(pair)
    return "&".join(pairs)


def mask_url(url: str) -> str:
    """The URL with any password (in the user part or the query) replaced by
    ``***``, safe to print or log."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    query = _mask_query(parts.query)
    if parts.password is None and query == parts.query:
        return url
    netloc = parts.netloc
    if parts.password is not None:
        user = quote(parts.username or "", safe="")
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        try:
            port = parts.port
        except ValueError:
            port = None
        netloc = f"{user}:***@{host}" + (f":{port}" if port is not None else "")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def backend_of(database_url: str) -> str:
    """The dialect a database URL names: ``"sqlite"`` or ``"postgresql"``
    (``postgres://`` included). What each one means for the registry is
    decided in one place, :mod:`pytest_contracts.registry.backends`."""
    scheme = database_url.partition("://")[0].lower()
    return _DRIVERS.get(scheme, scheme).partition("+")[0]


# -- validation engines (here, not in validation.py, so that reading the options
# imports nothing heavy) ---------------------------------------------------------
#: How to get the jsonschema-rs engine.
FAST_INSTALL = 'pip install "pytest-contracts[fast]"'


def check_engine(engine: str) -> str:
    """``engine`` if it names an engine that can run here; otherwise an
    :class:`~pytest_contracts.errors.InvalidArgument` that says what to do.
    Imports nothing."""
    if engine not in ENGINES:
        raise InvalidArgument(
            f"unknown validation engine {engine!r}; use one of: {', '.join(ENGINES)} "
            f"(default {DEFAULT_ENGINE})"
        )
    if engine == "jsonschema-rs" and importlib.util.find_spec("jsonschema_rs") is None:
        raise InvalidArgument(
            f"the jsonschema-rs validation engine needs the jsonschema-rs package, "
            f"which is not installed: {FAST_INSTALL}"
        )
    return engine
