"""``pytest-contracts backup FILE`` and ``restore FILE``: a team's registry
(or every team's) as one JSON file, and that file written back exactly."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BackupError, UsageFailure
from .output import EXIT_OK, Output

if TYPE_CHECKING:
    from ..registry.manager import ContractManager


async def backup(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    if args.all_teams and args.team_given:
        raise UsageFailure("--team and --all-teams exclude each other: give one of them")
    started = time.perf_counter()
    document = await cm.backup(
        None if args.all_teams else args.team, with_validations=args.with_validations
    )
    target = Path(args.file)
    size = _write(target, document)
    counts = _counts(document)
    summary = {
        "file": str(target),
        "bytes": size,
        "seconds": round(time.perf_counter() - started, 3),
        "teams": [team["team"] for team in document["teams"]],
        "with_validations": document["with_validations"],
        **counts,
    }
    out.data(summary)
    out.line(f"backed up {_teams(summary['teams'])} to {target} ({size} bytes):")
    out.line(f"  {_described(counts)}")
    return EXIT_OK


async def restore(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    document = _read(args.file)
    try:
        result = await cm.restore(
            document, replace=args.replace, team_id=args.team if args.team_given else None
        )
    except BackupError as exc:
        raise BackupError(f"{args.file}: {exc}") from None
    counts = {
        key: getattr(result, key)
        for key in ("versions", "events", "consumers", "settings", "validations")
    }
    out.data({"file": args.file, **result.to_dict()})
    replaced = ", replacing what was there" if result.replaced else ""
    out.line(f"restored {_teams(list(result.teams))} from {args.file}{replaced}:")
    out.line(f"  {_described(counts)}")
    return EXIT_OK


def _write(target: Path, document: dict[str, Any]) -> int:
    """Write the backup through a temporary file and a rename, so that a
    backup there already is replaced whole or not at all; its size in bytes."""
    from ..registry.backup import dumps_backup

    if target.is_dir():
        raise UsageFailure(f"{target} is a directory; give the backup file's name")
    data = dumps_backup(document).encode("utf-8")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UsageFailure(f"cannot write {target}: {exc.strerror or exc}") from None
    return len(data)


def _read(name: str) -> Any:
    path = Path(name)
    if not path.exists():
        raise UsageFailure(f"{name}: no such file")
    if not path.is_file():
        raise UsageFailure(f"{name}: not a regular file; give a file written by backup")
    try:
        with path.open("rb") as handle:
            return json.load(handle)
    except UnicodeDecodeError:
        problem = "is not UTF-8 text"
    except json.JSONDecodeError as exc:
        problem = f"is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    except RecursionError:
        problem = "is nested too deeply to be a backup"
    except ValueError as exc:  # an integer of more digits than Python reads
        problem = f"is not JSON the registry can read ({str(exc).splitlines()[0]})"
    except OSError as exc:
        raise UsageFailure(f"cannot read {name}: {exc.strerror or exc}") from None
    raise BackupError(
        f"{name} {problem}: it is damaged or not a backup; restore an intact copy written "
        "by pytest-contracts backup"
    )


def _counts(document: dict[str, Any]) -> dict[str, int]:
    keys = ("versions", "events", "consumers", "settings", "validations")
    return {key: sum(len(team.get(key, ())) for team in document["teams"]) for key in keys}


def _described(counts: dict[str, int]) -> str:
    return ", ".join(
        f"{value} {key[:-1]}(s)" for key, value in counts.items() if value or key != "validations"
    )


def _teams(teams: list[str]) -> str:
    if len(teams) == 1:
        return f"team {teams[0]!r}"
    return f"{len(teams)} teams"
