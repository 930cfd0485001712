"""Contracts as code: JSON files that define contract versions.

A file gives ``name``, ``version``, ``type`` and ``schema`` (the JSON Schema),
and optionally ``team``, ``owner_role``, ``owner_agent`` and ``description``.
Loading is idempotent: a version the registry lacks is created (and activated
when it is the newest version of its contract), the same version with the same
schema changes nothing, and the same version with another schema is refused,
because versions are immutable.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from .contracts import ContractManager, _contract_type
from .errors import (
    ContractError,
    ContractNotFound,
    DuplicateContract,
    InvalidArgument,
    InvalidSchema,
)
from .jsondata import canonical
from .models import ContractStatus
from .schemas import check_specification
from .versions import version_key

REQUIRED = ("name", "version", "type", "schema")
OPTIONAL = ("team", "owner_role", "owner_agent", "description")


class ContractFileError(ContractError):
    """A contract file that cannot be loaded; the message names the file."""


@dataclasses.dataclass(frozen=True, slots=True)
class ContractFile:
    path: Path
    team: str
    name: str
    version: str
    type: str
    schema: Any
    owner_role: str | None
    owner_agent: str | None
    description: str | None


@dataclasses.dataclass
class LoadResult:
    files: int = 0
    created: list[str] = dataclasses.field(default_factory=list)
    activated: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"{self.files} contract file{'s' if self.files != 1 else ''}: "
            f"{len(self.created)} created, {len(self.activated)} activated, "
            f"{self.unchanged} unchanged"
        )


def _fail(path: Path, problem: str) -> ContractFileError:
    return ContractFileError(f"contract file {path}: {problem}")


def read_contract_file(path: Path, default_team: str) -> ContractFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _fail(
            path, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, f"cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise _fail(path, f"must hold a JSON object, not {type(data).__name__}")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise _fail(
            path,
            f"missing {', '.join(repr(k) for k in missing)} "
            f"(a contract file needs {', '.join(REQUIRED)})",
        )
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _fail(
            path,
            f"unknown key(s) {', '.join(repr(k) for k in unknown)}; "
            f"allowed: {', '.join(REQUIRED + OPTIONAL)}",
        )
    for key in ("name", "version", "type", "team", "owner_role", "owner_agent", "description"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise _fail(path, f"{key!r} must be a non-empty string, not {value!r}")
    try:
        _contract_type(data["type"])
    except InvalidArgument as exc:
        raise _fail(path, str(exc)) from None
    try:
        check_specification(data["schema"], context="'schema'")
    except InvalidSchema as exc:
        raise _fail(path, str(exc)) from None
    return ContractFile(
        path=path,
        team=data.get("team") or default_team,
        name=data["name"],
        version=data["version"],
        type=data["type"],
        schema=data["schema"],
        owner_role=data.get("owner_role"),
        owner_agent=data.get("owner_agent"),
        description=data.get("description"),
    )


def read_contract_dir(directory: Path, default_team: str) -> list[ContractFile]:
    """Every ``*.json`` file below ``directory``, in path order."""
    if not directory.is_dir():
        raise ContractFileError(
            f"contract directory {directory} does not exist or is not a directory"
        )
    files = [read_contract_file(p, default_team) for p in sorted(directory.rglob("*.json"))]
    seen: dict[tuple[str, str, str], Path] = {}
    for item in files:
        key = (item.team, item.name, item.version)
        if key in seen:
            raise _fail(
                item.path,
                f"defines team {item.team!r}, contract {item.name!r}, version "
                f"{item.version!r} again (first in {seen[key]})",
            )
        seen[key] = item.path
    return files


async def load_contract_files(manager: ContractManager, files: list[ContractFile]) -> LoadResult:
    """Bring the registry in line with the files (see the module docstring)."""
    result = LoadResult(files=len(files))
    by_contract: dict[tuple[str, str], list[ContractFile]] = defaultdict(list)
    for item in files:
        by_contract[(item.team, item.name)].append(item)
    for (team, name), group in by_contract.items():
        group.sort(key=lambda f: version_key(f.version))
        created = []
        for item in group:
            if await _ensure_version(manager, item):
                created.append(item)
                result.created.append(f"{team}/{name} {item.version}")
            else:
                result.unchanged += 1
        if not created:
            continue
        versions = [entry.version for entry in await manager.get_contract_history(team, name)]
        newest = max(versions, key=version_key)
        if newest in {item.version for item in created}:
            contract = await manager.get_contract_version(team, name, newest)
            if contract.status is not ContractStatus.ACTIVE:
                await manager.activate_contract(contract.id, activated_by="pytest-contracts loader")
                result.activated.append(f"{team}/{name} {newest}")
    return result


async def _ensure_version(manager: ContractManager, item: ContractFile) -> bool:
    """Create the version unless it exists; True when it was created."""
    for _ in range(2):
        try:
            existing = await manager.get_contract_version(item.team, item.name, item.version)
        except ContractNotFound:
            try:
                await manager.create_contract(
                    team_id=item.team,
                    contract_name=item.name,
                    version=item.version,
                    contract_type=item.type,
                    specification=item.schema,
                    owner_role=item.owner_role,
                    owner_agent=item.owner_agent,
                    description=item.description,
                )
            except DuplicateContract:
                continue  # created meanwhile by another session: compare with it
            except ContractError as exc:
                raise _fail(item.path, str(exc)) from None
            return True
        if canonical(existing.specification) != canonical(item.schema):
            raise _fail(
                item.path,
                f"team {item.team!r}, contract {item.name!r}, version {item.version!r} is "
                "already registered with a different schema; versions are immutable: give "
                "the changed schema a new version",
            )
        return False
    raise _fail(item.path, "the version kept changing while it was loaded; run again")
