"""Configuration precedence, driver normalisation and credential masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_contracts.config import (
    DEFAULT_SQLITE_PATH,
    ConfigurationError,
    mask_url,
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
