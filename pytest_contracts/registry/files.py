"""Contract files: the JSON files that define contract versions as code,
read for ``--contracts-dir`` and ``pytest-contracts load``/``check``, and
written by ``pytest-contracts export``. One module for the format, so that
what export writes is always what loading reads.

A file gives ``name``, ``version``, ``type`` and ``schema`` (the JSON Schema),
and optionally ``team``, ``owner_role``, ``owner_agent``, ``description``,
``breaking_change`` (true when the version is meant to break its
predecessor), ``compatibility`` (the contract's mode), ``policy`` and
``force`` (record a break without a new major version).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from ..compat import Mode, Policy
from ..defaults import MAX_VERSION_LENGTH
from ..errors import ContractFileError, InvalidArgument, InvalidSchema
from ..models import CompatibilitySettings, Contract
from ..schemas import check_specification
from .arguments import check_key, check_text, parse_contract_type

REQUIRED = ("name", "version", "type", "schema")
OPTIONAL = (
    "team",
    "owner_role",
    "owner_agent",
    "description",
    "breaking_change",
    "compatibility",
    "policy",
    "force",
)

#: The keys whose value, when given, is a non-empty string.
_TEXT_KEYS = (
    "name",
    "version",
    "type",
    "team",
    "owner_role",
    "owner_agent",
    "description",
    "compatibility",
    "policy",
)


@dataclasses.dataclass(frozen=True, slots=True)
class ContractFile:
    """One contract file, read and checked."""

    path: Path
    team: str
    name: str
    version: str
    type: str
    schema: Any
    owner_role: str | None
    owner_agent: str | None
    description: str | None
    breaking_change: bool | None = None
    compatibility: str | None = None
    policy: str | None = None
    force: bool = False


def file_error(path: Path, problem: str) -> ContractFileError:
    """The error for a file that cannot be loaded, naming the file."""
    return ContractFileError(f"contract file {path}: {problem}")


# -- reading -----------------------------------------------------------------------
def read_contract_file(path: Path, default_team: str) -> ContractFile:
    """One file, checked as the registry would check the same call;
    :class:`ContractFileError` names the file and what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise file_error(
            path, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise file_error(path, f"cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise file_error(path, f"must hold a JSON object, not {type(data).__name__}")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise file_error(
            path,
            f"missing {', '.join(repr(k) for k in missing)} "
            f"(a contract file needs {', '.join(REQUIRED)})",
        )
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise file_error(
            path,
            f"unknown key(s) {', '.join(repr(k) for k in unknown)}; "
            f"allowed: {', '.join(REQUIRED + OPTIONAL)}",
        )
    for key in _TEXT_KEYS:
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise file_error(path, f"{key!r} must be a non-empty string, not {value!r}")
    breaking = data.get("breaking_change")
    if breaking is not None and not isinstance(breaking, bool):
        raise file_error(path, f"'breaking_change' must be true or false, not {breaking!r}")
    force = data.get("force", False)
    if not isinstance(force, bool):
        raise file_error(path, f"'force' must be true or false, not {force!r}")
    try:
        check_key(data.get("team") or default_team, data["name"])
        check_text(data["version"], "version", MAX_VERSION_LENGTH)
    except InvalidArgument as exc:
        raise file_error(path, str(exc)) from None
    try:
        parse_contract_type(data["type"])
        if data.get("compatibility") is not None:
            Mode.parse(data["compatibility"])
        if data.get("policy") is not None:
            Policy.parse(data["policy"])
    except InvalidArgument as exc:
        raise file_error(path, str(exc)) from None
    try:
        check_specification(data["schema"], context="'schema'", self_contained=True)
    except InvalidSchema as exc:
        raise file_error(path, str(exc)) from None
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
        breaking_change=breaking,
        compatibility=data.get("compatibility"),
        policy=data.get("policy"),
        force=force,
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
            raise file_error(
                item.path,
                f"defines team {item.team!r}, contract {item.name!r}, version "
                f"{item.version!r} again (first in {seen[key]})",
            )
        seen[key] = item.path
    return files


# -- writing -----------------------------------------------------------------------
def contract_document(contract: Contract, settings: CompatibilitySettings) -> dict[str, Any]:
    """The file that defines ``contract`` again, whose contract has
    ``settings``: its schema, type, owners and description, whether it broke
    or forced its way, and the contract's mode and policy when they were set."""
    data: dict[str, Any] = {
        "team": contract.team_id,
        "name": contract.contract_name,
        "version": contract.version,
        "type": contract.contract_type.value,
        "schema": contract.specification,
    }
    for key in ("owner_role", "owner_agent", "description"):
        if contract[key] is not None:
            data[key] = contract[key]
    if contract.breaking_change:
        data["breaking_change"] = True
    if (contract.compatibility or {}).get("forced"):
        data["force"] = True
    if settings.explicit:
        data["compatibility"] = settings.mode
        data["policy"] = settings.policy
    return data


def write_contract_files(target: Path, documents: list[dict[str, Any]]) -> list[Path]:
    """One file per version, named after contract and version, loadable by
    ``pytest-contracts load`` and ``--contracts-dir``. A folder or file that
    cannot be written is a :class:`ContractFileError`."""
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ContractFileError(f"cannot create {target}: {exc.strerror or exc}") from None
    written: list[Path] = []
    names: set[str] = set()
    for data in documents:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{data['name']}__{data['version']}")[:120]
        path, suffix = target / f"{stem}.json", 1
        while path.name in names:
            suffix += 1
            path = target / f"{stem}-{suffix}.json"
        names.add(path.name)
        try:
            path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            raise ContractFileError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written
