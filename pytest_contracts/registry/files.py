"""Contract files: the JSON files that define contract versions as code,
read for ``--contracts-dir`` and ``pytest-contracts load``/``check``, and
written by ``pytest-contracts export``. One module for the format, so that
what export writes is always what loading reads.

A file gives ``name``, ``version``, ``type`` and ``schema`` (the JSON Schema),
and optionally ``team``, ``owner_role``, ``owner_agent``, ``description``,
``breaking_change`` (true when the version is meant to break its
predecessor), ``compatibility`` (the contract's mode), ``policy``,
``force`` (record a break without a new major version) and ``enforcement``
(``"enforce"``, the default, or ``"warn"`` for a shadow version).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..compat import Mode, Policy
from ..defaults import MAX_CONTRACT_FILE_BYTES, MAX_CONTRACT_FILE_DEPTH, MAX_VERSION_LENGTH
from ..errors import ContractFileError, InvalidArgument, InvalidSchema, NotRegularFile
from ..jsondata import MAX_INT_DIGITS
from ..models import CompatibilitySettings, Contract
from ..schemas import check_specification
from .arguments import check_key, check_text, parse_contract_type

logger = logging.getLogger("pytest_contracts")

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
    "enforcement",
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
    #: ``"enforce"`` or ``"warn"``; None: not said (a new version enforces).
    enforcement: str | None = None


def file_error(path: Path, problem: str) -> ContractFileError:
    """The error for a file that cannot be loaded, naming the file."""
    return ContractFileError(f"contract file {path}: {problem}")


# -- reading -----------------------------------------------------------------------
def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise ValueError(
                    f"the key {_short(repr(key))} appears twice in one object; "
                    "keep one (JSON readers disagree on which one wins)"
                )
            seen.add(key)
    return data


def _integer(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise ValueError(
            f"an integer of {digits:,} digits (at most {MAX_INT_DIGITS:,} are allowed); "
            "write it as a string"
        )
    return int(text)


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {_short(text)} is too large for a JSON number")
    return value


def _constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON (use null or a string)")


def _short(shown: str, limit: int = 60) -> str:
    """``shown`` (a repr) cut to ``limit`` characters, so that a message never
    quotes a large value."""
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


# A string (with its escapes) or a bracket: what nesting is measured on.
_NESTING_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def _too_deep(text: str, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` in ``text``,
    found without parsing it (the json module recurses once per level)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _NESTING_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def parse_json(text: str) -> Any:
    """JSON text read as the registry stores it; :class:`ValueError` for
    anything else (duplicate keys, integers of more than
    :data:`~pytest_contracts.jsondata.MAX_INT_DIGITS` digits, ``NaN``,
    numbers too large for a float, or nesting deeper than
    :data:`~pytest_contracts.defaults.MAX_CONTRACT_FILE_DEPTH`), with a
    message that never quotes more than a key."""
    if _too_deep(text, MAX_CONTRACT_FILE_DEPTH):
        raise ValueError(
            f"nested more than {MAX_CONTRACT_FILE_DEPTH} levels deep (arrays and objects "
            "inside each other); flatten the schema, e.g. with $defs and $ref"
        )
    try:
        return json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_integer,
            parse_float=_number,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except ValueError as exc:  # refused by one of the hooks above
        raise ValueError(f"not valid JSON data: {exc}") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ValueError("nested too deeply to read") from None


def _read_bytes(path: Path) -> bytes:
    """The file's content, read without blocking and at most
    :data:`~pytest_contracts.defaults.MAX_CONTRACT_FILE_BYTES`; a FIFO, a device
    or a folder is :class:`NotRegularFile`, and is not read."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise file_error(path, f"cannot be read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(
                f"contract file {path}: not a regular file ({_kind(mode)}), so it is not read"
            )
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_CONTRACT_FILE_BYTES:
            chunk = os.read(descriptor, min(1 << 20, MAX_CONTRACT_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise file_error(path, f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    if size > MAX_CONTRACT_FILE_BYTES:
        raise file_error(
            path,
            f"larger than {MAX_CONTRACT_FILE_BYTES:,} bytes, the most a contract file "
            "may have; split it into one file per version",
        )
    return b"".join(chunks)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_contract_file(path: Path, default_team: str) -> ContractFile:
    """One file, checked as the registry would check the same call;
    :class:`ContractFileError` names the file and what is wrong with it
    (:class:`NotRegularFile` when it is not a regular file)."""
    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise file_error(
            path, f"not UTF-8 text (byte {exc.start} cannot be decoded); save it as UTF-8"
        ) from None
    try:
        data = parse_json(text)
    except ValueError as exc:
        raise file_error(path, str(exc)) from None
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
            raise file_error(path, f"{key!r} must be a non-empty string, not {_short(repr(value))}")
    breaking = data.get("breaking_change")
    if breaking is not None and not isinstance(breaking, bool):
        raise file_error(
            path, f"'breaking_change' must be true or false, not {_short(repr(breaking))}"
        )
    force = data.get("force", False)
    if not isinstance(force, bool):
        raise file_error(path, f"'force' must be true or false, not {_short(repr(force))}")
    enforcement = data.get("enforcement")
    if enforcement is not None and enforcement not in ("enforce", "warn"):
        raise file_error(
            path,
            f'\'enforcement\' must be "enforce" or "warn" (shadow: violations are reported, '
            f"never failing), not {_short(repr(enforcement))}",
        )
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
        enforcement=enforcement,
    )


def read_contract_dir(
    directory: Path, default_team: str, *, warn: Callable[[str], None] | None = None
) -> list[ContractFile]:
    """Every ``*.json`` file below ``directory``, in path order.

    What is not a regular file (a FIFO, a device, a folder named ``*.json``,
    a link to one) is skipped, and ``warn`` (by default the
    ``pytest_contracts`` logger) is told. A link to a file outside
    ``directory`` is refused: its content is never read.
    """
    if not directory.is_dir():
        raise ContractFileError(
            f"contract directory {directory} does not exist or is not a directory"
        )
    report = warn if warn is not None else logger.warning
    root = directory.resolve()
    files: list[ContractFile] = []
    for path in sorted(directory.rglob("*.json")):
        target = path.resolve()
        if target != root and root not in target.parents:
            if not target.is_file():
                report(f"skipped {path}: a link to something that is not a regular file")
                continue
            raise file_error(
                path,
                "a link to a file outside the contracts folder, which is not read; "
                "copy that file into the folder instead of linking to it",
            )
        try:
            files.append(read_contract_file(path, default_team))
        except NotRegularFile as exc:
            report(f"skipped {exc}")
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
    if contract.enforcement != "enforce":
        data["enforcement"] = contract.enforcement
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
