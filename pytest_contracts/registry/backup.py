"""Backing up and restoring the registry: every row of a team (or of every
team) as one versioned JSON document, and that document written back exactly.

The format (``"format": "pytest-contracts-backup"``, ``"version": 1``) is
described by the JSON Schema ``pytest_contracts/backup_schema.json``
(:func:`backup_schema`). Each team holds its ``versions`` (every column of
the contracts table but the team: id, status, revision, the four
timestamps, enforcement, the compatibility finding), its ``events`` in the
order they happened, its ``consumers``, its compatibility ``settings`` and,
when the backup was made with them, its ``validations``. JSON columns
(specifications, findings, event details, errors, metadata) are JSON values
in the file, not text; times are ISO 8601 in UTC, to the microsecond.

A version keeps its id: events, consumers, validation records, findings and
``previous_version_id`` name versions by it. The row numbers of events,
consumers and validation records are the target database's own; rows are
written in the backup's order, so events keep their order.

Unlike contract files (``export``), nothing is recomputed or inferred on the
way back: a deprecated version stays deprecated, a break found but not
declared stays undeclared, and timestamps are the original ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import jsondata
from ..config import mask_url
from ..defaults import MAX_NAME_LENGTH
from ..errors import BackupError, InvalidArgument
from ..models import RestoreResult
from . import tables
from .arguments import check_text
from .base import RegistryPart, now

#: What every backup says it is.
FORMAT = "pytest-contracts-backup"
#: The format version this release writes and reads.
FORMAT_VERSION = 1

#: Columns stored as JSON text in the database and as JSON values in a backup.
_JSON_COLUMNS = frozenset({"specification", "compatibility", "details", "errors", "metadata"})

#: How a damaged file is described: where, what, and what to do.
_DAMAGED = "the backup is damaged or was edited by hand; restore an intact copy"


@dataclass(frozen=True)
class _Section:
    """One table as a list in each team's entry."""

    key: str
    table: sa.Table
    #: Columns the backup leaves out: the team (the entry's) and row numbers.
    skip: frozenset[str]

    @property
    def columns(self) -> list[sa.Column[Any]]:
        return [column for column in self.table.c if column.name not in self.skip]


_VERSIONS = _Section("versions", tables.contracts, frozenset({"team_id"}))
_EVENTS = _Section("events", tables.events, frozenset({"id", "team_id"}))
_CONSUMERS = _Section("consumers", tables.consumers, frozenset({"id"}))
_SETTINGS = _Section("settings", tables.settings, frozenset({"team_id"}))
_VALIDATIONS = _Section("validations", tables.validations, frozenset({"id", "team_id"}))

#: Every section, in the order a restore writes them (versions before what names them).
SECTIONS = (_VERSIONS, _EVENTS, _CONSUMERS, _SETTINGS, _VALIDATIONS)


def backup_schema() -> dict[str, Any]:
    """The JSON Schema of the backup format this release writes and reads."""
    text = (Path(__file__).parent.parent / "backup_schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _plugin_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pytest-contracts")
    except PackageNotFoundError:
        return "unknown"


def dumps_backup(document: Mapping[str, Any]) -> str:
    """A backup document as the file holds it: compact JSON with one row per
    line (so that a backup is read with ``grep`` and compared with ``diff``,
    at about two thirds of the size of indented JSON)."""

    def text(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def rows(items: list[Any]) -> str:
        if not items:
            return "[]"
        return "[\n" + ",\n".join("        " + text(item) for item in items) + "\n      ]"

    teams = []
    for team in document["teams"]:
        fields = [
            f"      {text(key)}: {rows(value) if isinstance(value, list) else text(value)}"
            for key, value in team.items()
        ]
        teams.append("    {\n" + ",\n".join(fields) + "\n    }")
    top = [f"  {text(key)}: {text(value)}" for key, value in document.items() if key != "teams"]
    top.append('  "teams": ' + ("[\n" + ",\n".join(teams) + "\n  ]" if teams else "[]"))
    return "{\n" + ",\n".join(top) + "\n}\n"


# -- rows to entries and back ---------------------------------------------------
def _is_time(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, tables.UTCDateTime)


def _to_entry(section: _Section, row: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for column in section.columns:
        value = row[column.name]
        if value is not None:
            if column.name in _JSON_COLUMNS:
                value = json.loads(value)
            elif _is_time(column):
                value = value.astimezone(UTC).isoformat()
        entry[str(column.name)] = value  # a plain str: column names are a subclass
    return entry


def _to_row(section: _Section, entry: Mapping[str, Any], team_id: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if "team_id" in section.table.c:
        row["team_id"] = team_id
    for column in section.columns:
        value = entry[column.name]
        if value is not None:
            if column.name in _JSON_COLUMNS:
                value = jsondata.dumps(value)
            elif _is_time(column):
                value = datetime.fromisoformat(value).astimezone(UTC)
        row[column.name] = value
    return row


# -- reading a backup -----------------------------------------------------------
@dataclass(frozen=True)
class TeamRows:
    """One team of a checked backup: its rows, ready to insert, by section
    (``versions``, ``events``, ``consumers``, ``settings``, ``validations``)."""

    team_id: str
    rows: dict[str, list[dict[str, Any]]]

    @property
    def names(self) -> set[str]:
        return {row["contract_name"] for key in ("versions", "settings") for row in self.rows[key]}


def _damaged(where: str, problem: str) -> BackupError:
    return BackupError(f"backup entry {where or '/'}: {problem}; {_DAMAGED}")


def check_backup(document: Any) -> list[TeamRows]:
    """The teams of a backup document (parsed JSON), checked: its format and
    version, its shape (:func:`backup_schema`), and that its rows fit
    together (unique ids and versions, references that resolve, at most one
    active version per contract, specifications that match their hash).
    :class:`BackupError`, saying where, otherwise."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(
            f'not a pytest-contracts backup (it has no "format": "{FORMAT}"); '
            "make one with pytest-contracts backup FILE"
        )
    version = document.get("version")
    if version != FORMAT_VERSION:
        newer = (
            isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION
        )
        hint = (
            "it was written by a newer pytest-contracts: upgrade to restore it"
            if newer
            else "it is damaged, or not written by pytest-contracts backup"
        )
        raise BackupError(
            f"backup format version {json.dumps(version)[:40]} is not one this "
            f"pytest-contracts reads (it reads version {FORMAT_VERSION}); {hint}"
        )
    _check_shape(document)
    seen_ids: set[str] = set()
    seen_keys: set[str] = set()
    teams: list[TeamRows] = []
    for index, team in enumerate(document["teams"]):
        where = f"/teams/{index}"
        if any(other.team_id == team["team"] for other in teams):
            raise _damaged(where, f"team {team['team']!r} appears twice")
        if ("validations" in team) != document["with_validations"]:
            raise _damaged(where, "validations are there exactly when with_validations is true")
        teams.append(_check_team(team, where, seen_ids, seen_keys))
    return teams


def _check_shape(document: dict[str, Any]) -> None:
    """The document against :func:`backup_schema`. jsonschema-rs (the
    ``fast`` extra) answers whether it fits in milliseconds where jsonschema
    takes about a second per thousand versions; jsonschema says where a
    document that does not fit goes wrong, so the message is the same either way."""
    try:
        import jsonschema_rs
    except ImportError:
        pass
    else:
        fast = jsonschema_rs.validator_for(backup_schema(), validate_formats=True)
        try:
            if fast.is_valid(document):
                return
        except ValueError:  # not JSON data (a tuple, a key not a str): said below
            pass
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        backup_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = jsondata.pointer(error.absolute_path)
        message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        raise _damaged(where, message)


def _check_team(
    team: dict[str, Any], where: str, seen_ids: set[str], seen_keys: set[str]
) -> TeamRows:
    team_id: str = team["team"]
    try:
        check_text(team_id, "team", MAX_NAME_LENGTH)
    except InvalidArgument as exc:
        raise _damaged(where, str(exc)) from None
    versions: dict[str, dict[str, Any]] = {}
    named: set[tuple[str, str]] = set()
    numbered: set[tuple[str, int]] = set()
    active: set[str] = set()
    for index, entry in enumerate(team["versions"]):
        at = f"{where}/versions/{index}"
        name = entry["contract_name"]
        if entry["id"] in seen_ids:
            raise _damaged(at, f"version id {entry['id']!r} appears twice")
        seen_ids.add(entry["id"])
        if (name, entry["version"]) in named:
            raise _damaged(at, f"{name} {entry['version']} appears twice")
        named.add((name, entry["version"]))
        if (name, entry["revision"]) in numbered:
            raise _damaged(at, f"{name} has revision {entry['revision']} twice")
        numbered.add((name, entry["revision"]))
        if entry["status"] == "active":
            if name in active:
                raise _damaged(at, f"{name} has more than one active version")
            active.add(name)
        digest = hashlib.sha256(jsondata.canonical(entry["specification"]).encode()).hexdigest()
        if digest != entry["spec_hash"]:
            raise _damaged(at, "the specification does not match its spec_hash")
        versions[entry["id"]] = entry
    for index, entry in enumerate(team["versions"]):
        previous = entry["previous_version_id"]
        if previous is None:
            continue
        base = versions.get(previous)
        if (
            base is None
            or base["contract_name"] != entry["contract_name"]
            or base["revision"] >= entry["revision"]
        ):
            raise _damaged(
                f"{where}/versions/{index}",
                f"previous_version_id {previous!r} names no earlier version of "
                f"{entry['contract_name']} in this team",
            )
    for key in ("events", "validations"):
        for index, entry in enumerate(team.get(key, ())):
            _check_names(versions, entry, f"{where}/{key}/{index}")
    consumers: set[tuple[str, str]] = set()
    for index, entry in enumerate(team["consumers"]):
        _check_names(versions, entry, f"{where}/consumers/{index}")
        pair = (entry["contract_id"], entry["consumer_agent"])
        if pair in consumers:
            raise _damaged(f"{where}/consumers/{index}", "this consumer appears twice")
        consumers.add(pair)
    settings: set[str] = set()
    for index, entry in enumerate(team["settings"]):
        if entry["contract_name"] in settings:
            raise _damaged(f"{where}/settings/{index}", "this contract's settings appear twice")
        settings.add(entry["contract_name"])
    for index, entry in enumerate(team.get("validations", ())):
        key = entry["record_key"]
        if key is not None:
            if key in seen_keys:
                raise _damaged(f"{where}/validations/{index}", f"record_key {key!r} appears twice")
            seen_keys.add(key)
    rows = {
        section.key: [
            _checked_row(section, entry, team_id, f"{where}/{section.key}/{index}")
            for index, entry in enumerate(team.get(section.key, ()))
        ]
        for section in SECTIONS
    }
    # Versions are written by contract and revision: a version's predecessor first.
    rows["versions"].sort(key=lambda row: (row["contract_name"], row["revision"]))
    return TeamRows(team_id, rows)


#: Columns holding a name, as the registry's calls check them (not blank, no
#: control character, at most MAX_NAME_LENGTH characters).
_NAME_COLUMNS = frozenset(
    {
        "team_id", "contract_name", "version", "owner_role", "owner_agent", "evolved_by",
        "actor", "consumer_agent", "consumer_role", "updated_by", "subject",
    }
)  # fmt: skip
#: Integer columns: what both databases can hold.
_INT_BOUNDS = {sa.Integer: 2**31, sa.BigInteger: 2**63}


def _check_values(section: _Section, entry: Mapping[str, Any], at: str) -> None:
    """Each value of an entry as the registry would take it from its own
    calls: names as the API checks them, text without a NUL or a lone
    surrogate and within its column's length, integers the databases can
    hold, a specification the registry accepts, metadata a JSON object."""
    from ..schemas import check_specification

    for column in section.columns:
        name, value = str(column.name), entry[column.name]
        if value is None:
            continue
        if name in _JSON_COLUMNS:
            try:
                jsondata.dumps(value).encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidArgument(f"{name} holds a lone surrogate") from None
        elif isinstance(value, str):
            if name in _NAME_COLUMNS:
                check_text(value, name, MAX_NAME_LENGTH)
            else:
                check_text(value, name, 10**9, allow_empty=True)
                if "\x00" in value:
                    raise InvalidArgument(f"{name} contains a NUL character")
            length = getattr(column.type, "length", None)
            if length is not None and len(value) > length:
                raise InvalidArgument(f"{name} is longer than {length} characters")
        elif isinstance(value, int) and not isinstance(value, bool):
            bound = next(
                (b for kind, b in _INT_BOUNDS.items() if isinstance(column.type, kind)), 2**63
            )
            if not -bound <= value < bound:
                raise InvalidArgument(f"{name} {value} is out of range")
    if section.key == "versions":
        check_specification(entry["specification"])
    if section.key == "validations" and not isinstance(entry.get("metadata") or {}, dict):
        raise InvalidArgument("metadata must be a JSON object")


def _checked_row(
    section: _Section, entry: Mapping[str, Any], team_id: str, at: str
) -> dict[str, Any]:
    from ..errors import InvalidSchema

    try:
        _check_values(section, entry, at)
        return _to_row(section, entry, team_id)
    except (ValueError, OverflowError, InvalidArgument, InvalidSchema) as exc:
        # A time the schema's format check let through, a date past the year
        # 9999 once in UTC, a value the registry would refuse from its API.
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _damaged(at, message) from None


def _check_names(versions: dict[str, dict[str, Any]], entry: dict[str, Any], at: str) -> None:
    """An entry that names a version by id names one of the team's, and
    (events, validations) by the same contract name and version."""
    version = versions.get(entry["contract_id"])
    if version is None:
        raise _damaged(at, f"contract_id {entry['contract_id']!r} names no version of this team")
    if "version" in entry and (entry["contract_name"], entry["version"]) != (
        version["contract_name"],
        version["version"],
    ):
        raise _damaged(
            at,
            f"it names {entry['contract_name']} {entry['version']}, but its contract_id is "
            f"{version['contract_name']} {version['version']}",
        )


# -- the registry's part ----------------------------------------------------------
class Backups(RegistryPart):
    """Backing up a team's registry (or every team's) and restoring it."""

    async def backup(
        self, team_id: str | None, *, with_validations: bool = False
    ) -> dict[str, Any]:
        """The backup document of ``team_id`` (None: every team), read in one
        snapshot: a dict of JSON data (:func:`dumps_backup` writes it as a file holds it).

        Validation records are left out unless ``with_validations``: they are
        the log of checks, not the registry's state, and can outnumber every
        other row many times over. A team with no version and no setting is
        refused with :class:`BackupError` (most likely a misspelt team)."""
        if not isinstance(with_validations, bool):
            raise InvalidArgument(
                f"with_validations must be True or False, not {with_validations!r}"
            )
        if team_id is not None:
            check_text(team_id, "team_id", MAX_NAME_LENGTH)
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": now().isoformat(),
            "plugin_version": _plugin_version(),
            "registry_schema": tables.SCHEMA_VERSION,
            "with_validations": with_validations,
            "teams": [],
        }
        sections = SECTIONS if with_validations else SECTIONS[:-1]
        async with self.state.read() as conn:
            teams = await _teams(conn)
            if team_id is not None:
                if team_id not in teams:
                    raise BackupError(
                        f"team {team_id!r} has nothing to back up in the registry at "
                        f"{mask_url(self.state.database_url)} (no version, no compatibility "
                        f"setting; teams there: {_listed(teams)}); name the team with "
                        "--team NAME, or back up every team with --all-teams"
                    )
                teams = [team_id]
            for team in teams:
                entry: dict[str, Any] = {"team": team}
                for section in sections:
                    result = await conn.execute(_team_rows(section, team))
                    entry[section.key] = [_to_entry(section, row._mapping) for row in result]
                document["teams"].append(entry)
        return document

    async def restore(
        self, document: Any, *, replace: bool = False, team_id: str | None = None
    ) -> RestoreResult:
        """Write a backup document back: every team it holds, or only
        ``team_id``. All or nothing, in one transaction.

        A team that has any version or compatibility setting in this registry
        is refused with :class:`BackupError`, unless ``replace``: then that
        team's versions, events, consumers, settings and validation records
        are all removed first, and the backup's written in their place (other
        teams are never touched). A damaged backup, or one of another format
        version, is refused before anything is written; if the database
        refuses a row midway (say a version id another team uses), nothing
        is changed either. Afterwards the cache serves the restored active
        versions."""
        if not isinstance(replace, bool):
            raise InvalidArgument(f"replace must be True or False, not {replace!r}")
        if team_id is not None:
            check_text(team_id, "team_id", MAX_NAME_LENGTH)
        teams = check_backup(document)
        if team_id is not None:
            held = [team.team_id for team in teams]
            if team_id not in held:
                raise BackupError(
                    f"the backup holds no team {team_id!r} (it holds {_listed(held)}); "
                    "leave out --team to restore every team it holds, or name one of them"
                )
            teams = [team for team in teams if team.team_id == team_id]
        touched: set[tuple[str, str]] = set()
        replaced: list[str] = []
        try:
            async with self.state.write() as conn:
                for team in teams:
                    # Lock the backup's contracts, then read what the team has
                    # (a restore that held them meanwhile is seen), then lock
                    # the team's other contracts before removing anything.
                    for name in sorted(team.names):
                        await self.state.lock_contract(conn, team.team_id, name)
                    names = await _names(conn, team.team_id)
                    for name in sorted(names - team.names):
                        await self.state.lock_contract(conn, team.team_id, name)
                    if names:
                        if not replace:
                            raise BackupError(await self._refusal(conn, team.team_id))
                        await _remove_team(conn, team.team_id)
                        replaced.append(team.team_id)
                    for section in SECTIONS:
                        rows = team.rows[section.key]
                        if rows:
                            await conn.execute(sa.insert(section.table), rows)
                    touched.update((team.team_id, name) for name in names | team.names)
        except sqlalchemy.exc.IntegrityError as exc:
            detail = str(exc.orig or exc).strip().splitlines()
            raise BackupError(
                "the registry refused the backup's rows "
                f"({detail[0][:200] if detail else type(exc).__name__}); nothing was restored. "
                "A version id or record key of the backup is used by another team here: "
                "restore into a registry without that team's copy"
            ) from None
        except (sqlalchemy.exc.StatementError, OverflowError, UnicodeError) as exc:
            # What the checks above did not foresee: the database's own refusal.
            cause = getattr(exc, "orig", None) or exc
            detail = str(cause).strip().splitlines()
            raise BackupError(
                "the registry refused a row of the backup "
                f"({detail[0][:200] if detail else type(cause).__name__}); nothing was "
                f"restored. {_DAMAGED}"
            ) from None
        for team_name, name in sorted(touched):
            await self.state.cache.invalidate(team_name, name)
        counts = {
            section.key: sum(len(team.rows[section.key]) for team in teams) for section in SECTIONS
        }
        return RestoreResult(
            teams=tuple(team.team_id for team in teams),
            versions=counts["versions"],
            events=counts["events"],
            consumers=counts["consumers"],
            settings=counts["settings"],
            validations=counts["validations"],
            replaced=tuple(replaced),
        )

    async def _refusal(self, conn: AsyncConnection, team_id: str) -> str:
        versions = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(tables.contracts)
            .where(tables.contracts.c.team_id == team_id)
        )
        return (
            f"team {team_id!r} is not empty in the registry at "
            f"{mask_url(self.state.database_url)} ({versions} version(s)); restore refuses "
            "to overwrite it: pass --replace (replace=True) to replace that team's registry "
            "with the backup"
        )


def _listed(teams: Sequence[str]) -> str:
    if not teams:
        return "none"
    shown = ", ".join(repr(team) for team in teams[:5])
    return shown + (f" and {len(teams) - 5} more" if len(teams) > 5 else "")


async def _teams(conn: AsyncConnection) -> list[str]:
    """Every team with a version or a compatibility setting, sorted."""
    query = sa.union(
        sa.select(tables.contracts.c.team_id), sa.select(tables.settings.c.team_id)
    ).subquery()
    return sorted(team for (team,) in await conn.execute(sa.select(query.c.team_id)))


async def _names(conn: AsyncConnection, team_id: str) -> set[str]:
    """The team's contract names that have a version or a setting."""
    query = sa.union(
        sa.select(tables.contracts.c.contract_name).where(tables.contracts.c.team_id == team_id),
        sa.select(tables.settings.c.contract_name).where(tables.settings.c.team_id == team_id),
    ).subquery()
    return {name for (name,) in await conn.execute(sa.select(query.c.contract_name))}


def _team_ids(team_id: str) -> sa.Select[Any]:
    return sa.select(tables.contracts.c.id).where(tables.contracts.c.team_id == team_id)


def _team_rows(section: _Section, team_id: str) -> sa.Select[Any]:
    """The team's rows of one section, in the order a backup keeps them."""
    table = section.table
    query = sa.select(*section.columns)
    if section is _VERSIONS:
        return query.where(table.c.team_id == team_id).order_by(
            table.c.contract_name, table.c.revision
        )
    if section is _SETTINGS:
        return query.where(table.c.team_id == team_id).order_by(table.c.contract_name)
    return query.where(table.c.contract_id.in_(_team_ids(team_id))).order_by(table.c.id)


async def _remove_team(conn: AsyncConnection, team_id: str) -> None:
    """Every row of the team, rows that name a version first."""
    for table in (tables.validations, tables.consumers, tables.events):
        await conn.execute(sa.delete(table).where(table.c.contract_id.in_(_team_ids(team_id))))
    await conn.execute(sa.delete(tables.settings).where(tables.settings.c.team_id == team_id))
    contracts = tables.contracts
    await conn.execute(
        sa.update(contracts).where(contracts.c.team_id == team_id).values(previous_version_id=None)
    )
    await conn.execute(sa.delete(contracts).where(contracts.c.team_id == team_id))
