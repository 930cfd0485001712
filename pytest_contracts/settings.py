"""The plugin's settings: each option from the command line, then its ini
twin, then the environment, then the default.

Read once, at configure time; every value that cannot work is a
:class:`pytest.UsageError` that names the option, except a ``DATABASE_URL``
that belongs to the application under test (see
:attr:`Settings.configuration_error`).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from .config import (
    anchor_sqlite_url,
    backend_of,
    check_engine,
    mask_url,
    parse_flag,
    resolve_database_url,
    resolve_redis_url,
    sqlite_url,
)
from .defaults import (
    CHECK_TIMEOUT,
    DEFAULT_ENGINE,
    DEFAULT_PHASES,
    DEFAULT_SQLITE_PATH,
    DEFAULT_TEAM,
    MAX_NAME_LENGTH,
    MAX_OUTPUT_BYTES,
)
from .errors import ConfigurationError, InvalidArgument, MarkerError
from .markers import parse_phases


@dataclasses.dataclass(frozen=True)
class Settings:
    """What one pytest run was configured with."""

    use_real_redis: bool
    redis_url: str | None
    database_url: str
    team: str
    contracts_dir: Path | None
    gate: bool
    report_path: Path | None
    phases: tuple[str, ...]
    #: A setting from the environment the registry cannot use; raised when
    #: the registry is first needed, so a session that never needs it runs.
    configuration_error: str | None = None
    #: The validation engine: "jsonschema" or "jsonschema-rs" (the fast extra).
    engine: str = DEFAULT_ENGINE
    #: The largest output ``record`` takes, in bytes of JSON; 0: no limit.
    max_output_bytes: int = MAX_OUTPUT_BYTES
    #: Seconds one check may take; None: no limit.
    check_timeout: float | None = CHECK_TIMEOUT
    #: Where to write the HTML report, if anywhere.
    html_path: Path | None = None
    #: Extra output for a CI system: "github" (workflow annotations and the
    #: step summary) or "none".
    output_format: str = "none"

    def describe_registry(self) -> dict[str, Any]:
        """Where the registry lives, with every password masked: for the
        report header and the JSON report."""
        return {
            "database": backend_of(self.database_url),
            "database_url": mask_url(self.database_url),
            "cache": "redis" if self.use_real_redis else "fakeredis",
            "redis_url": mask_url(self.redis_url)
            if self.use_real_redis and self.redis_url
            else None,
        }


def _get(config: pytest.Config, name: str) -> Any:
    """An option's value: the command line, else its ini twin of the same name;
    None when neither is set."""
    value = config.getoption(name)
    if value is not None:
        return value
    try:
        value = config.getini(name)
    except ValueError as exc:
        raise pytest.UsageError(f"ini option {name}: {exc}") from None
    return value if value not in ("", []) else None


def _flag(config: pytest.Config, name: str) -> bool:
    """A boolean flag: the command line, else its ini twin (true/false, yes/no, on/off, 1/0)."""
    value = _get(config, name)
    if value is None or isinstance(value, bool):
        return bool(value)
    flag = parse_flag(str(value))
    if flag is not None:
        return flag
    raise pytest.UsageError(
        f"ini option {name} = {value!r}: use true or false (also yes/no, on/off, 1/0)"
    )


def _path(config: pytest.Config, name: str) -> Path | None:
    """A path option: relative to the current folder on the command line, to the
    ini file's folder in the ini file."""
    value = _get(config, name)
    if value is None:
        return None
    base = Path.cwd() if config.getoption(name) else _ini_folder(config)
    return (base / str(value)).resolve()


def _ini_folder(config: pytest.Config) -> Path:
    """What relative paths in the ini file are relative to: its folder."""
    return config.inipath.parent if config.inipath is not None else config.rootpath


def read_settings(config: pytest.Config) -> Settings:
    """The plugin's settings: command line, then ini, then environment, then
    defaults. Anything that cannot work is a :class:`pytest.UsageError`."""
    # A Redis URL given to the plugin (option or ini, not the environment)
    # asks for a real Redis, as the command line's --redis-url does.
    use_real_redis = (
        _flag(config, "contracts_redis") or _get(config, "contracts_redis_url") is not None
    )
    redis_url, database_url, deferred_error = _registry_urls(config, use_real_redis)
    team = _team(config)
    contracts_dir = _path(config, "contracts_dir")
    if contracts_dir is not None and not contracts_dir.is_dir():
        raise pytest.UsageError(
            f"--contracts-dir / contracts_dir: {contracts_dir} is not a directory"
        )
    report_path = _file_path(config, "contracts_report", "contracts-report.json")
    html_path = _file_path(config, "contracts_html", "contracts-report.html")
    if html_path is not None and html_path == report_path:
        raise pytest.UsageError(
            f"--contracts-html / contracts_html: {html_path} is also the JSON report's file; "
            "give the HTML report a name of its own, such as contracts-report.html"
        )
    junit = getattr(config.option, "xmlpath", None)  # --junitxml, as pytest resolves it
    if junit:
        junit_path = Path(os.path.abspath(os.path.expanduser(junit))).resolve()
        for path, flag in ((report_path, "--contracts-report"), (html_path, "--contracts-html")):
            if path is not None and path == junit_path:
                raise pytest.UsageError(
                    f"{flag}: {path} is also the JUnit XML file (--junitxml); give each "
                    "report a file of its own"
                )
    try:
        phases = parse_phases(config.getini("contracts_phases") or list(DEFAULT_PHASES))
    except MarkerError as exc:
        raise pytest.UsageError(str(exc)) from None
    try:
        engine = check_engine(_get(config, "contracts_engine") or DEFAULT_ENGINE)
    except InvalidArgument as exc:
        raise pytest.UsageError(f"--contracts-engine / contracts_engine: {exc}") from None
    max_output_bytes = _max_output_bytes(config)
    check_timeout = _check_timeout(config)
    output_format = _output_format(config)
    return Settings(
        use_real_redis=use_real_redis,
        redis_url=redis_url,
        database_url=database_url,
        team=team,
        contracts_dir=contracts_dir,
        gate=_flag(config, "contracts_gate"),
        report_path=report_path,
        phases=phases,
        configuration_error=deferred_error,
        engine=engine,
        max_output_bytes=max_output_bytes,
        check_timeout=check_timeout,
        html_path=html_path,
        output_format=output_format,
    )


def _file_path(config: pytest.Config, name: str, example: str) -> Path | None:
    """A report's file: a path option that must not name a folder."""
    path = _path(config, name)
    if path is not None and path.is_dir():
        raise pytest.UsageError(
            f"--{name.replace('_', '-')} / {name}: {path} is a directory; "
            f"give a file name such as {example}"
        )
    return path


def _registry_urls(
    config: pytest.Config, use_real_redis: bool
) -> tuple[str | None, str, str | None]:
    """The Redis URL (None for the fake cache), the database URL, and why the
    environment's database URL cannot serve the registry, if it cannot."""
    explicit_redis = _get(config, "contracts_redis_url")
    explicit_db = _get(config, "contracts_db")
    if explicit_db and not config.getoption("contracts_db"):
        # A SQLite file named in the ini file lives beside it, wherever pytest runs.
        explicit_db = anchor_sqlite_url(explicit_db, _ini_folder(config))
    try:
        # The Redis settings of the environment matter only when a real Redis is asked for.
        redis_url = resolve_redis_url(explicit_redis) if use_real_redis else None
        if explicit_db:
            return redis_url, resolve_database_url(explicit_db), None
    except ConfigurationError as exc:
        raise pytest.UsageError(f"pytest-contracts: {exc}") from None
    default_db = sqlite_url(config.rootpath / DEFAULT_SQLITE_PATH)
    # DATABASE_URL may belong to the application under test: a value the
    # registry cannot use stops only a session that needs the registry.
    try:
        return redis_url, resolve_database_url(os.environ.get("DATABASE_URL") or default_db), None
    except ConfigurationError as exc:
        deferred_error = (
            f"{exc} (from the DATABASE_URL environment variable; give the registry "
            "its own with --contracts-db or contracts_db)"
        )
        return redis_url, resolve_database_url(default_db), deferred_error


def _team(config: pytest.Config) -> str:
    team = _get(config, "contracts_team")
    team = DEFAULT_TEAM if team is None else team
    if not team.strip() or len(team) > MAX_NAME_LENGTH:
        raise pytest.UsageError(
            f"--contracts-team / contracts_team must be 1 to {MAX_NAME_LENGTH} characters, "
            f"not {team!r}"
        )
    return str(team)


def _max_output_bytes(config: pytest.Config) -> int:
    limit = _get(config, "contracts_max_output_bytes")
    try:
        max_output_bytes = MAX_OUTPUT_BYTES if limit in (None, "") else int(str(limit).strip())
        if max_output_bytes < 0:
            raise ValueError
    except ValueError:
        raise pytest.UsageError(
            f"--contracts-max-output-bytes / contracts_max_output_bytes: {limit!r} is not a "
            "whole number of bytes >= 0 (0 means no limit)"
        ) from None
    return max_output_bytes


def _check_timeout(config: pytest.Config) -> float | None:
    value = _get(config, "contracts_check_timeout")
    if value is None:
        return CHECK_TIMEOUT
    text = str(value).strip().lower()
    if text in ("none", "0"):
        return None
    try:
        seconds = float(text)
        if not seconds > 0 or seconds == float("inf"):
            raise ValueError
    except ValueError:
        raise pytest.UsageError(
            f"--contracts-check-timeout / contracts_check_timeout: {value!r} is not a number "
            "of seconds > 0 (0 or none: no limit)"
        ) from None
    return seconds


def _output_format(config: pytest.Config) -> str:
    """``--contracts-format``: the option, its ini twin, else ``github`` when
    the run is a GitHub Actions job (``GITHUB_ACTIONS=true``), else ``none``."""
    from .annotations import FORMATS

    value = _get(config, "contracts_format")
    if value is None:
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "none"
    name = str(value).strip().lower()
    if name not in FORMATS:
        raise pytest.UsageError(
            f"--contracts-format / contracts_format: {value!r} is not a format; "
            f"use {' or '.join(FORMATS)}"
        )
    return name
