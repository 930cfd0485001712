"""The settings the command shares with the plugin: the project's rootdir and
ini file, found from the current directory by pytest's own rules, and the
plugin's options in that file (``contracts_db``, ``contracts_team``,
``contracts_dir``, ``contracts_redis``, ``contracts_redis_url``, and
``contracts_phases`` for ``validate --boundary``).

Precedence is the plugin's: the command's flags, then the ini file, then the
environment (``DATABASE_URL``, ``REDIS_URL``...), then the defaults. Relative
paths in the ini file are relative to its folder, as the plugin reads them;
the default SQLite file lives under the rootdir, where the plugin keeps it.

pytest is imported when a command runs, not for ``--help``: finding the ini
file costs its configuration package (about 50 ms).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import inspect
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import anchor_sqlite_url, parse_flag, sqlite_url
from ..defaults import DEFAULT_SQLITE_PATH, DEFAULT_TEAM, MAX_NAME_LENGTH
from ..errors import UsageFailure

#: The plugin's ini options the command reads.
OPTIONS = (
    "contracts_db",
    "contracts_team",
    "contracts_dir",
    "contracts_redis",
    "contracts_redis_url",
    "contracts_phases",
)


@dataclasses.dataclass(frozen=True)
class Project:
    """Where pytest would run from here: its rootdir, its ini file (None when
    there is none) and the plugin's options set there."""

    rootdir: Path
    inifile: Path | None
    ini: Mapping[str, str]

    def origin(self, option: str) -> str:
        """Where an ini option comes from, for messages: the ini file's path
        relative to the current folder when that is shorter."""
        return f"{option} in {_briefly(self.inifile)}"

    def path(self, option: str) -> Path | None:
        """An ini path option, made absolute against the ini file's folder."""
        value = self.ini.get(option)
        if value is None or self.inifile is None:
            return None
        return (self.inifile.parent / value).resolve()


def find_project(directory: Path | None = None) -> Project:
    """The project that pytest started in ``directory`` (default: the
    current one) would find. A configuration pytest refuses is a
    :class:`UsageFailure` with pytest's reason."""
    from _pytest.config.exceptions import UsageError
    from _pytest.config.findpaths import determine_setup
    from _pytest.outcomes import Failed

    # The keywords of the pytest in use (override_ini came with pytest 9).
    accepted = inspect.signature(determine_setup).parameters
    try:
        wanted: dict[str, Any] = {
            "inifile": None,
            "args": [],
            "rootdir_cmd_arg": None,
            "invocation_dir": Path.cwd() if directory is None else directory,
            "override_ini": None,
        }
        found = determine_setup(**{k: v for k, v in wanted.items() if k in accepted})
    except (UsageError, Failed, OSError, ValueError) as exc:
        raise UsageFailure(f"the project's pytest configuration cannot be read: {exc}") from None
    rootdir, inifile, values = found[0], found[1], found[2]
    ini: dict[str, str] = {}
    for option in OPTIONS:
        raw = values.get(option)
        # pytest 9 wraps each value with its origin; pytest 8 gives it bare.
        value = getattr(raw, "value", raw)
        if value is None or value == "":
            continue
        if option == "contracts_phases" and isinstance(value, list):
            value = "\n".join(str(item) for item in value)  # a TOML list: the lines
        if not isinstance(value, str):
            raise UsageFailure(
                f"{option} in {_briefly(inifile)} must be a string, not {type(value).__name__} "
                f"{value!r} (as the plugin reads it); write it in quotes"
            )
        ini[option] = value
    return Project(Path(rootdir), None if inifile is None else Path(inifile), ini)


def _briefly(path: str | os.PathLike[str] | None) -> str:
    """A path relative to the current folder when that is shorter."""
    where = str(path)
    with contextlib.suppress(ValueError, OSError):
        where = min(where, os.path.relpath(where), key=len)
    return where


@dataclasses.dataclass(frozen=True)
class CommandSettings:
    """The registry and team a command works on, and where each came from."""

    database_url: str
    use_real_redis: bool
    redis_url: str | None
    team: str
    team_origin: str
    contracts_dir: Path | None
    #: The phase order of ``contracts_phases``, when the ini file sets it.
    phases: tuple[str, ...] | None
    project: Project


def resolve(
    args: argparse.Namespace, project: Project, environ: Mapping[str, str] | None = None
) -> CommandSettings:
    """The flags in ``args``, else the project's ini file, else the
    environment, else the defaults."""
    env = os.environ if environ is None else environ
    ini = project.ini
    if args.db:
        database_url = args.db
    elif "contracts_db" in ini and project.inifile is not None:
        database_url = anchor_sqlite_url(ini["contracts_db"], project.inifile.parent)
    else:
        database_url = env.get("DATABASE_URL") or sqlite_url(_default_file(project.rootdir))
    use_real_redis = bool(args.redis or args.redis_url) or _ini_flag(project, "contracts_redis")
    # As in the plugin, the ini file's URL serves a real Redis and turns none on.
    redis_url = args.redis_url or (ini.get("contracts_redis_url") if use_real_redis else None)
    if args.team is not None:
        team, origin = args.team, "--team"
    elif "contracts_team" in ini:
        team, origin = ini["contracts_team"], project.origin("contracts_team")
    else:
        team, origin = DEFAULT_TEAM, "the default"
    if not team.strip() or len(team) > MAX_NAME_LENGTH:
        raise UsageFailure(
            f"the team ({origin}) must be 1 to {MAX_NAME_LENGTH} characters, not {team!r}"
        )
    contracts_dir = project.path("contracts_dir")
    phases = None
    if "contracts_phases" in ini:
        from ..errors import MarkerError
        from ..markers import parse_phases

        try:
            phases = parse_phases(ini["contracts_phases"].splitlines())
        except MarkerError as exc:
            raise UsageFailure(f"{exc} ({project.origin('contracts_phases')})") from None
    return CommandSettings(
        database_url=database_url,
        use_real_redis=use_real_redis,
        redis_url=redis_url,
        team=team,
        team_origin=origin,
        contracts_dir=contracts_dir,
        phases=phases,
        project=project,
    )


def _default_file(rootdir: Path) -> Path:
    """The default SQLite file: under the rootdir; said relative when the
    rootdir is the current folder, so that messages name it briefly."""
    return DEFAULT_SQLITE_PATH if rootdir == Path.cwd() else rootdir / DEFAULT_SQLITE_PATH


def _ini_flag(project: Project, option: str) -> bool:
    text = project.ini.get(option)
    if text is None:
        return False
    flag = parse_flag(text)
    if flag is None:
        raise UsageFailure(
            f"{project.origin(option)} = {text!r}: use true or false (also yes/no, on/off, 1/0)"
        )
    return flag
