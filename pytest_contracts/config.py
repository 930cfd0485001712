"""Where the registry lives: URL resolution, driver normalisation, masking.

Precedence everywhere: an explicit argument, then the environment, then the
default. Nothing here connects to anything.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

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


#: The schemes whose URL names a database file (``sqlite:///path``): URL
#: parsing, here beside sqlite_url, so that reading the options imports no
#: SQLAlchemy; how each back end runs is decided in registry/backends.py.
_FILE_SCHEMES = frozenset(name for name, driver in _DRIVERS.items() if driver == _DRIVERS["sqlite"])


def anchor_sqlite_url(url: str, base: str | os.PathLike[str]) -> str:
    """``url`` with a relative SQLite file made absolute against ``base`` (the
    folder of the ini file that names it); any other URL as it is: a server's,
    an absolute file's, ``:memory:``, ``file:`` URIs and ``~`` paths."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _FILE_SCHEMES or not rest.startswith("/"):
        return url
    path, mark, query = rest[1:].partition("?")
    if (
        not path
        or path == ":memory:"
        or path.startswith(("file:", "~"))
        or Path(path).is_absolute()
    ):
        return url
    return f"{scheme}:///{Path(base) / path}{mark}{query}"


#: The texts a boolean ini value may have.
TRUE_TEXTS = frozenset({"1", "true", "yes", "on"})
FALSE_TEXTS = frozenset({"0", "false", "no", "off"})


def parse_flag(text: str) -> bool | None:
    """An ini file's boolean (true/false, yes/no, on/off, 1/0, any case);
    None for any other text."""
    word = text.strip().lower()
    return True if word in TRUE_TEXTS else False if word in FALSE_TEXTS else None


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
    resolved = f"{driver}://{rest}"
    port = _database_port(resolved)
    if port is not None and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise ConfigurationError(
            f"database URL {mask_url(url)!r} cannot be used: its port must be a whole "
            "number from 1 to 65535 (PostgreSQL's is usually 5432); in a password, write "
            "'#', '/', '?' and '@' as %23, %2F, %3F and %40"
        )
    return resolved


def _database_port(url: str) -> str | None:
    """The port text of a database URL as SQLAlchemy's URL parser splits it
    (the user part ends at the first ``@``, the port runs from the ``:``
    after the host to ``/`` or ``?``), or None when there is none. Written
    out, so that reading the options does not import SQLAlchemy."""
    rest = url.partition("://")[2]
    if rest.startswith("/"):
        return None
    first_at = rest.find("@")
    if first_at >= 0 and "/" not in rest[:first_at].partition(":")[0]:
        rest = rest[first_at + 1 :]
    hostport = re.split(r"[/?]", rest, maxsplit=1)[0]
    if hostport.startswith("["):
        hostport = hostport.partition("]")[2]
        return (hostport[1:] or None) if hostport.startswith(":") else None
    _host, sep, port = hostport.partition(":")
    return (port or None) if sep else None


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
    try:
        number = urlsplit(url).port
    except ValueError:
        number = -1
    if number is not None and not 0 < number < 65536:
        raise ConfigurationError(
            f"Redis URL {mask_url(url)!r} cannot be used: its port must be a whole "
            "number from 1 to 65535 (Redis's is usually 6379); in a password, write "
            "'#', '/', '?' and '@' as %23, %2F, %3F and %40"
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


#: Secrets shorter than this are hidden where they stand in a URL, but not
#: searched for in the rest of a message: a two-letter password would
#: blank every word that contains it.
MIN_SCRUBBED_SECRET = 4


def _password_span(url: str) -> tuple[int, int] | None:
    """Where the password of ``url`` stands, as the widest of what the
    drivers' parsers read: SQLAlchemy's (the user part ends at the first
    ``@``; ``#``, ``/`` and ``?`` belong to the password) and the standard
    library's, which redis-py uses (the user part ends at the last ``@``
    before the first ``/``, ``?`` or ``#``). Both begin after the first ``:``
    of the user part."""
    scheme, sep, rest = url.partition("://")
    if not sep or rest.startswith("/"):
        return None
    offset = len(scheme) + len(sep)
    ends: list[int] = []
    first_at = rest.find("@")
    if first_at >= 0 and "/" not in rest[:first_at].partition(":")[0]:
        ends.append(first_at)  # SQLAlchemy's user part: a name without ":" or "/"
    netloc_end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    last_at = rest.rfind("@", 0, netloc_end)
    if last_at >= 0:
        ends.append(last_at)  # the standard library's user part
    if not ends:
        return None
    end = max(ends)
    colon = rest.find(":", 0, end)
    if colon < 0:
        return None  # a user name and no password
    return offset + colon + 1, offset + end


def url_secrets(url: str) -> set[str]:
    """Every text a driver may read from ``url`` as its password or another
    secret parameter, as written and as decoded: SQLAlchemy's
    ``make_url``, redis-py's ``parse_url`` (for Redis URLs) and the standard
    library's ``urlsplit`` are asked, and the widest password span as well."""
    found: set[str] = set()
    span = _password_span(url)
    if span is not None:
        found.add(url[span[0] : span[1]])
    _scheme, sep, rest = url.partition("://")
    last_at = rest.rfind("@")
    if sep and not rest.startswith("/") and last_at > 0 and ":" in rest[:last_at]:
        # The widest reading of all: up to the URL's last "@", which is what
        # a user who did not percent-encode the password meant.
        found.add(rest[rest.find(":") + 1 : last_at])
    with contextlib.suppress(Exception):  # a URL one parser refuses
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if parsed.password is not None:
            found.add(str(parsed.password))
        for name, value in parsed.query.items():
            if name.lower() in _SECRET_PARAMETERS:
                found.update([value] if isinstance(value, str) else value)
    if urlsplit(url).scheme in {"redis", "rediss", "unix"}:
        with contextlib.suppress(Exception):
            from redis.connection import parse_url

            password = parse_url(url).get("password")  # type: ignore[no-untyped-call]
            if isinstance(password, str):
                found.add(password)
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        if parts.password is not None:
            found.update([parts.password, unquote(parts.password)])
        for pair in parts.query.split("&"):
            name, sep, value = pair.partition("=")
            if sep and unquote(name).lower() in _SECRET_PARAMETERS:
                found.update([value, unquote(value), unquote(value.replace("+", " "))])
    found.discard("")
    encoded = {quote(secret, safe="") for secret in found} | {
        quote(secret, safe=":@&=+$,;~!*'()") for secret in found
    }
    return found | encoded


def mask_url(url: str) -> str:
    """The URL with its password (in the user part or the query) replaced by
    ``***``, safe to print or log. What counts as the password is what any of
    the drivers' parsers would read as one (see :func:`url_secrets`)."""
    span = _password_span(url)
    masked = url if span is None else f"{url[: span[0]]}***{url[span[1] :]}"
    head, sep, query = masked.partition("?")
    if sep:
        masked = f"{head}?{_mask_query(query)}"
    return _scrub(masked, url_secrets(url))


def _scrub(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SCRUBBED_SECRET:
            text = text.replace(secret, "***")
    return text


def redact(text: str, *urls: str | None) -> str:
    """``text`` (an error message, say, which a driver may have written with
    the URL in it) with each of ``urls`` masked and every occurrence of their
    passwords replaced by ``***``."""
    for url in urls:
        if url:
            text = text.replace(url, mask_url(url))
            text = _scrub(text, url_secrets(url))
    return text


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
