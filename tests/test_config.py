"""Configuration precedence, driver normalisation and credential masking."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_contracts.config import (
    DEFAULT_SQLITE_PATH,
    ConfigurationError,
    anchor_sqlite_url,
    mask_url,
    parse_flag,
    redact,
    resolve_database_url,
    resolve_redis_url,
)


def test_database_url_explicit_beats_environment() -> None:
    env = {"DATABASE_URL": "postgresql+asyncpg://env@db/x"}
    assert resolve_database_url("sqlite+aiosqlite:///a.db", env) == "sqlite+aiosqlite:///a.db"


def test_database_url_environment_beats_default() -> None:
    env = {"DATABASE_URL": "postgresql+asyncpg://env@db/x"}
    assert resolve_database_url(None, env) == "postgresql+asyncpg://env@db/x"


def test_database_url_default_is_the_documented_sqlite_file() -> None:
    assert resolve_database_url(None, {}) == f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
    assert Path(".pytest_contracts/registry.db") == DEFAULT_SQLITE_PATH


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_plain_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert resolve_database_url(given, {}) == expected


@pytest.mark.parametrize(
    ("given", "advice"),
    [
        ("postgresql+psycopg2://u:secret@h/db", r"'postgresql\+asyncpg://'"),
        ("mysql://u@h/db", "supported are SQLite"),
        ("registry.db", "has no scheme"),
    ],
)
def test_unusable_database_urls_are_refused_with_advice(given: str, advice: str) -> None:
    with pytest.raises(ConfigurationError, match=advice) as caught:
        resolve_database_url(given, {})
    assert "secret" not in str(caught.value)


def test_redis_url_precedence() -> None:
    env = {"REDIS_URL": "redis://env:1/2", "REDIS_HOST": "other"}
    assert resolve_redis_url("redis://arg:3/4", env) == "redis://arg:3/4"
    assert resolve_redis_url(None, env) == "redis://env:1/2"
    assert resolve_redis_url(
        None, {"REDIS_HOST": "cache", "REDIS_PORT": "6380", "REDIS_DB": "3"}
    ) == ("redis://cache:6380/3")
    assert resolve_redis_url(None, {"REDIS_PORT": "6380"}) == "redis://localhost:6380/0"
    assert resolve_redis_url(None, {}) == "redis://localhost:6379/0"


def test_bad_redis_settings_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="whole numbers"):
        resolve_redis_url(None, {"REDIS_PORT": "six"})
    with pytest.raises(ConfigurationError, match="must start with redis://"):
        resolve_redis_url("http://localhost:6379", {})


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+asyncpg://user:s3cr%40t@db:5432/x", "postgresql+asyncpg://user:***@db:5432/x"),
        ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
        ("redis://cache:6379/0", "redis://cache:6379/0"),
    ],
)
def test_mask_url_hides_passwords(url: str, masked: str) -> None:
    assert mask_url(url) == masked


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://advhash:Sec#ret/x@host/db", "postgresql://advhash:***@host/db"),
        ("postgresql://u:p@ss@host/db", "postgresql://u:***@host/db"),
        ("postgresql://u:a:b?c&d%e f@host:5432/db", "postgresql://u:***@host:5432/db"),
        ("redis://:Sec#ret/x@cache:6379/0", "redis://:***@cache:6379/0"),
        ("redis://u:p%40ss@cache/0?password=p%40ss2", "redis://u:***@cache/0?password=***"),
        ("sqlite+aiosqlite:///home/a@b/registry.db", "sqlite+aiosqlite:///home/a@b/registry.db"),
        ("postgresql://u@h/db?application_name=me@x", "postgresql://u@h/db?application_name=me@x"),
    ],
)
def test_mask_url_hides_what_any_driver_reads_as_the_password(url: str, masked: str) -> None:
    assert mask_url(url) == masked


PASSWORD_CHARACTERS = st.sampled_from(list("#/@:%?& ") + list("aZ9._-~!$"))


@settings(max_examples=300, deadline=None)
@given(
    middle=st.text(PASSWORD_CHARACTERS, min_size=1, max_size=12),
    scheme=st.sampled_from(["postgresql", "postgresql+asyncpg", "redis", "rediss"]),
)
def test_generated_passwords_are_never_shown(middle: str, scheme: str) -> None:
    from redis.connection import parse_url
    from sqlalchemy.engine import make_url

    password = f"Pw1{middle}Zq2"
    url = f"{scheme}://user:{password}@host:1234/db"
    masked = mask_url(url)
    assert password not in masked
    read: set[str] = set()
    with contextlib.suppress(ValueError):  # SQLAlchemy refuses some of these URLs
        read.add(str(make_url(url).password))
    if scheme.startswith("redis"):
        with contextlib.suppress(ValueError):  # so does redis-py
            read.add(str(parse_url(url).get("password")))
    for secret in read:
        if len(secret) >= 4:
            assert secret not in masked
    message = f"cannot connect to {url}: password {password!r} was refused"
    assert password not in redact(message, url)


@pytest.mark.parametrize("port", ["99999", "0", "65536"])
def test_a_port_out_of_range_is_a_configuration_error(port: str) -> None:
    with pytest.raises(ConfigurationError, match="port must be a whole number from 1 to 65535"):
        resolve_database_url(f"postgresql://u:pw@127.0.0.1:{port}/db", {})
    with pytest.raises(ConfigurationError, match="port must be a whole number from 1 to 65535"):
        resolve_redis_url(f"redis://:pw@127.0.0.1:{port}/0", {})


def test_the_command_refuses_a_port_out_of_range_with_exit_2(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .conftest import run_command

    clean_env.chdir(tmp_path)
    done = run_command(capsys, "--db", "postgresql://u:secretpw@127.0.0.1:99999/db", "list")
    assert done.returncode == 2
    assert done.stderr.startswith("pytest-contracts: error: database URL ")
    assert "Traceback" not in done.stderr
    assert "secretpw" not in done.stderr


@pytest.mark.parametrize(
    ("url", "anchored"),
    [
        ("sqlite:///x.db", "sqlite:////base/x.db"),
        ("sqlite+aiosqlite:///sub/x.db?mode=ro", "sqlite+aiosqlite:////base/sub/x.db?mode=ro"),
        ("sqlite:////elsewhere/x.db", "sqlite:////elsewhere/x.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite:///~/x.db", "sqlite:///~/x.db"),
        ("postgresql:///local", "postgresql:///local"),
        ("postgresql://user@host/db", "postgresql://user@host/db"),
    ],
)
def test_a_relative_sqlite_file_is_anchored_and_nothing_else(url: str, anchored: str) -> None:
    assert anchor_sqlite_url(url, "/base") == anchored


@pytest.mark.parametrize(
    ("text", "flag"),
    [("true", True), (" Yes ", True), ("1", True), ("off", False), ("NO", False), ("maybe", None)],
)
def test_parse_flag(text: str, flag: bool | None) -> None:
    assert parse_flag(text) is flag
