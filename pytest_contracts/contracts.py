"""ContractManager: the registry's rules on top of a StateManager."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from . import jsondata
from .registry import tables
from .compat import DEFAULT_MODE, DEFAULT_POLICY, CompatReport, Mode, Policy, compare
from .defaults import MAX_NAME_LENGTH, MAX_VERSION_LENGTH
from .errors import (
    ContractNotFound,
    DuplicateContract,
    InvalidArgument,
    InvalidSchema,
    InvalidTransition,
    describe,
)
from .registry.evolution import ExistingVersion, check_evolution
from .models import (
    ALLOWED_TRANSITIONS,
    CompatibilitySettings,
    Consumer,
    ConsumerVerdict,
    Contract,
    ContractEvent,
    ContractStatus,
    ContractSummary,
    ContractType,
    DeployVerdict,
    HistoryEntry,
    PruneResult,
    Validation,
)
from .schemas import check_specification
from .registry.connections import StateManager
from .registry.versions import version_key

_C = tables.contracts


def _now() -> datetime:
    return datetime.now(UTC)


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _check_text(
    value: Any, field: str, limit: int, *, optional: bool = False, allow_empty: bool = False
) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise InvalidArgument(f"{field} must be a string, not {type(value).__name__}")
    if not value.strip() and not allow_empty:
        raise InvalidArgument(f"{field} must not be empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgument(
            f"{field} {value[:80]!r} is not valid text (it holds a lone surrogate)"
        ) from None
    if len(value) > limit:
        raise InvalidArgument(f"{field} is {len(value)} characters long; the limit is {limit}")
    if not allow_empty and _CONTROL.search(value) is not None:
        raise InvalidArgument(f"{field} {value[:80]!r} contains a control character")


def _check_optional(**values: Any) -> None:
    """Actors, roles, reasons and descriptions: None or a string (a
    description or reason may hold any text, up to 10,000 characters)."""
    for field, value in values.items():
        long_text = field in ("description", "reason")
        _check_text(
            value,
            field,
            10_000 if long_text else MAX_NAME_LENGTH,
            optional=True,
            allow_empty=long_text,
        )


def _check_key(team_id: Any, contract_name: Any) -> None:
    _check_text(team_id, "team_id", MAX_NAME_LENGTH)
    _check_text(contract_name, "contract_name", MAX_NAME_LENGTH)


def _contract_type(value: Any) -> ContractType:
    if isinstance(value, ContractType):
        return value
    if isinstance(value, str):
        try:
            return ContractType(value.upper())
        except ValueError:
            pass
    raise InvalidArgument(
        f"unknown contract_type {value!r}; use one of: "
        + ", ".join(member.value for member in ContractType)
    )


def _status(value: Any) -> ContractStatus:
    if isinstance(value, ContractStatus):
        return value
    if isinstance(value, str):
        try:
            return ContractStatus(value.lower())
        except ValueError:
            pass
    raise InvalidArgument(
        f"unknown status {value!r}; use one of: "
        + ", ".join(member.value for member in ContractStatus)
    )


def _contract(row: Row[Any] | Mapping[str, Any]) -> Contract:
    data = row._mapping if isinstance(row, Row) else row
    return Contract(
        id=data["id"],
        team_id=data["team_id"],
        contract_name=data["contract_name"],
        version=data["version"],
        contract_type=ContractType(data["contract_type"]),
        status=ContractStatus(data["status"]),
        specification=json.loads(data["specification"]),
        description=data["description"],
        owner_role=data["owner_role"],
        owner_agent=data["owner_agent"],
        revision=data["revision"],
        previous_version_id=data["previous_version_id"],
        breaking_change=data["breaking_change"],
        evolved_by=data["evolved_by"],
        created_at=data["created_at"],
        activated_at=data["activated_at"],
        deprecated_at=data["deprecated_at"],
        retired_at=data["retired_at"],
        compatibility=_json_or_none(data["compatibility"]),
    )


def _duplicate(team_id: str, contract_name: str, version: str, status: str) -> DuplicateContract:
    return DuplicateContract(
        f"{describe(team_id, contract_name, version)} already exists "
        f"(status {status}); a version never changes once created: "
        "give the new schema a new version, e.g. with evolve_contract"
    )


def _json_or_none(text: str | None) -> Any:
    return None if text is None else json.loads(text)


_TIMESTAMPS = ("created_at", "activated_at", "deprecated_at", "retired_at")


def _to_payload(row: Row[Any]) -> dict[str, Any]:
    """A row as JSON-ready data for the cache (specification kept as text)."""
    data = dict(row._mapping)
    for key in _TIMESTAMPS:
        if data[key] is not None:
            data[key] = data[key].isoformat()
    data.pop("spec_hash", None)
    return data


def _from_payload(payload: Mapping[str, Any]) -> Contract:
    data = dict(payload)
    for key in _TIMESTAMPS:
        if data[key] is not None:
            data[key] = datetime.fromisoformat(data[key])
    return _contract(data)


# The statements of an activation, built once (building one costs about as
# much as running it). Parameters: contract_id, now.
_SAME = _C.alias("same")

#: Deprecate the version that is active now, unless it is this one.
_DEPRECATE_OTHER_ACTIVE = (
    sa.update(_C)
    .where(
        _C.c.status == ContractStatus.ACTIVE.value,
        _C.c.id != sa.bindparam("contract_id"),
        _C.c.team_id
        == sa.select(_SAME.c.team_id)
        .where(_SAME.c.id == sa.bindparam("contract_id"))
        .scalar_subquery(),
        _C.c.contract_name
        == sa.select(_SAME.c.contract_name)
        .where(_SAME.c.id == sa.bindparam("contract_id"))
        .scalar_subquery(),
    )
    .values(status=ContractStatus.DEPRECATED.value, deprecated_at=sa.bindparam("now"))
    .returning(*_C.c)
)

#: Activate this version if its status allows it.
_ACTIVATE = (
    sa.update(_C)
    .where(
        _C.c.id == sa.bindparam("contract_id"),
        sa.or_(
            *(
                _C.c.status == status.value
                for status, moves in ALLOWED_TRANSITIONS.items()
                if ContractStatus.ACTIVE in moves
            )
        ),
    )
    .values(
        status=ContractStatus.ACTIVE.value, activated_at=sa.bindparam("now"), deprecated_at=None
    )
    .returning(*_C.c)
)

_INSERT_EVENT = sa.insert(tables.events)


def _check_id(contract_id: object) -> None:
    if not isinstance(contract_id, str):
        raise InvalidArgument(f"contract_id must be a string, not {type(contract_id).__name__}")


def _event_values(
    row: Row[Any], event: str, actor: str | None, at: datetime, **details: Any
) -> dict[str, Any]:
    """One row of the events table: what happened to ``row``'s version."""
    return {
        "contract_id": row.id,
        "team_id": row.team_id,
        "contract_name": row.contract_name,
        "version": row.version,
        "event": event,
        "actor": actor,
        "at": at,
        "details": jsondata.dumps({k: v for k, v in details.items() if v is not None}),
    }


@dataclasses.dataclass(frozen=True, slots=True)
class ValidationInput:
    """One check to store with :meth:`ContractManager.record_validations`."""

    contract: Contract | str
    subject: str
    passed: bool
    errors: Sequence[Any] = ()
    duration_ms: float = 0.0
    validated_at: datetime | None = None


class ContractManager:
    """The contract registry: create, activate, evolve, look up and audit
    versioned JSON Schema contracts. Every method is a coroutine; run them on
    the event loop the :class:`StateManager` was created on."""

    def __init__(self, state_manager: StateManager) -> None:
        self.state = state_manager

    # -- reading helpers ----------------------------------------------------
    async def _row(self, conn: AsyncConnection, contract_id: str) -> Row[Any]:
        _check_id(contract_id)
        row = (await conn.execute(sa.select(_C).where(_C.c.id == contract_id))).first()
        if row is None:
            raise ContractNotFound(
                f"no contract with id {contract_id!r}; list_contracts(team_id) shows "
                "the ids a team has"
            )
        return row

    async def _event(
        self,
        conn: AsyncConnection,
        row: Row[Any],
        event: str,
        actor: str | None,
        at: datetime,
        **details: Any,
    ) -> None:
        await self._events(conn, _event_values(row, event, actor, at, **details))

    async def _events(self, conn: AsyncConnection, *values: dict[str, Any]) -> None:
        """Store events in one round trip (an executemany of one statement,
        compiled once: a multi-row VALUES would be compiled at every call)."""
        await conn.execute(_INSERT_EVENT, list(values))

    # -- creating -----------------------------------------------------------
    async def create_contract(
        self,
        team_id: str,
        contract_name: str,
        version: str,
        contract_type: ContractType | str,
        specification: Any,
        owner_role: str | None = None,
        owner_agent: str | None = None,
        description: str | None = None,
    ) -> Contract:
        """Register a new version as a ``draft``. The specification must be a
        valid JSON Schema (:class:`InvalidSchema` otherwise); the version must
        be new for the team and contract (:class:`DuplicateContract`)."""
        _check_key(team_id, contract_name)
        _check_text(version, "version", MAX_VERSION_LENGTH)
        _check_optional(owner_role=owner_role, owner_agent=owner_agent, description=description)
        kind = _contract_type(contract_type)
        check_specification(
            specification,
            context=f"the specification of {describe(team_id, contract_name, version)}",
            self_contained=True,
        )
        async with self.state.write() as conn:
            await self.state.lock_contract(conn, team_id, contract_name)
            row = await self._insert_version(
                conn,
                team_id=team_id,
                contract_name=contract_name,
                version=version,
                contract_type=kind,
                specification=specification,
                description=description,
                owner_role=owner_role,
                owner_agent=owner_agent,
                actor=owner_agent,
            )
        return _contract(row)

    async def _insert_version(
        self,
        conn: AsyncConnection,
        *,
        team_id: str,
        contract_name: str,
        version: str,
        contract_type: ContractType,
        specification: Any,
        description: str | None,
        owner_role: str | None,
        owner_agent: str | None,
        actor: str | None,
        previous: Row[Any] | None = None,
        breaking_change: bool | None = None,
        evolved_by: str | None = None,
        compatibility: dict[str, Any] | None = None,
    ) -> Row[Any]:
        # One query: the latest revision, and the status of this version if it exists.
        revision, existing_status = (
            await conn.execute(
                sa.select(
                    sa.func.coalesce(sa.func.max(_C.c.revision), 0),
                    sa.func.max(sa.case((_C.c.version == version, _C.c.status))),
                ).where(_C.c.team_id == team_id, _C.c.contract_name == contract_name)
            )
        ).one()
        if existing_status is not None:
            raise _duplicate(team_id, contract_name, version, existing_status)
        now = _now()
        contract_id = str(uuid.uuid4())
        spec_text = jsondata.dumps(specification)
        try:
            spec_text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidSchema(
                f"the specification of {describe(team_id, contract_name, version)} holds a "
                "string with a lone surrogate, which is not valid text",
                path="",
            ) from None
        values = {
            "id": contract_id,
            "team_id": team_id,
            "contract_name": contract_name,
            "version": version,
            "revision": int(revision or 0) + 1,
            "contract_type": contract_type.value,
            "status": ContractStatus.DRAFT.value,
            "specification": spec_text,
            "spec_hash": hashlib.sha256(jsondata.canonical(specification).encode()).hexdigest(),
            "description": description,
            "owner_role": owner_role,
            "owner_agent": owner_agent,
            "previous_version_id": previous.id if previous is not None else None,
            "breaking_change": breaking_change,
            "evolved_by": evolved_by,
            "compatibility": None if compatibility is None else jsondata.dumps(compatibility),
            "created_at": now,
        }
        try:
            row = (await conn.execute(sa.insert(_C).values(**values).returning(*_C.c))).one()
        except sqlalchemy.exc.IntegrityError as exc:
            # Only reachable if something bypassed the contract lock.
            raise DuplicateContract(
                f"{describe(team_id, contract_name, version)} was created concurrently"
            ) from exc
        events = [_event_values(row, "created", actor, now)]
        if previous is not None:
            events.append(
                _event_values(
                    row,
                    "evolved",
                    evolved_by,
                    now,
                    from_version=previous.version,
                    from_id=previous.id,
                    breaking_change=breaking_change,
                    mode=None if compatibility is None else compatibility["mode"],
                )
            )
        await self._events(conn, *events)
        return row

    async def evolve_contract(
        self,
        team_id: str,
        contract_name: str,
        new_version: str,
        new_specification: Any,
        evolved_by: str | None = None,
        breaking_change: bool | None = None,
        description: str | None = None,
        activate: bool = False,
        force: bool = False,
    ) -> Contract:
        """Create ``new_version`` as the successor of the active version (or of
        the newest one when none is active), after checking that it is
        compatible under the contract's mode (see :meth:`set_compatibility`).

        ``new_version`` must be greater than every existing version
        (:class:`InvalidVersion`). ``breaking_change=None`` (the default)
        records whether the check found a break; ``False`` refuses a break with
        :class:`IncompatibleChange`, which carries the report; ``True`` records
        an intended break. A break (found or declared) needs a new major
        version unless ``force=True``. The check is stored with the version
        (``contract.compatibility``) and shown in its history.

        The new version keeps the contract type and owners and links to the
        version it replaces. It is created as a ``draft``; pass
        ``activate=True`` to activate it in the same transaction (the replaced
        version is then deprecated).
        """
        _check_key(team_id, contract_name)
        _check_text(new_version, "new_version", MAX_VERSION_LENGTH)
        _check_optional(evolved_by=evolved_by, description=description)
        if breaking_change is not None and not isinstance(breaking_change, bool):
            raise InvalidArgument(
                f"breaking_change must be None, True or False, not {breaking_change!r}"
            )
        if not isinstance(activate, bool) or not isinstance(force, bool):
            raise InvalidArgument("activate and force must be True or False")
        check_specification(
            new_specification,
            context=f"the specification of {describe(team_id, contract_name, new_version)}",
            self_contained=True,
        )
        async with self.state.write() as conn:
            await self.state.lock_contract(conn, team_id, contract_name)
            rows = (
                await conn.execute(
                    sa.select(_C)
                    .where(_C.c.team_id == team_id, _C.c.contract_name == contract_name)
                    .order_by(_C.c.revision)
                )
            ).all()
            if not rows:
                raise ContractNotFound(
                    f"cannot evolve {describe(team_id, contract_name)}: it has no version "
                    "yet; create the first one with create_contract"
                )
            for row in rows:
                if row.version == new_version:
                    raise _duplicate(team_id, contract_name, new_version, row.status)
            active = [row for row in rows if row.status == ContractStatus.ACTIVE.value]
            base = active[0] if active else max(rows, key=lambda r: version_key(r.version))
            settings = await self._settings(conn, team_id, contract_name)
            check = check_evolution(
                team_id=team_id,
                contract_name=contract_name,
                version=new_version,
                specification=new_specification,
                existing=[
                    ExistingVersion(row.version, row.status, specification_text=row.specification)
                    for row in rows
                ],
                base_version=base.version,
                mode=Mode(settings.mode),
                policy=Policy(settings.policy),
                declared=breaking_change,
                forced=force,
            )
            refusal = check.refusal()
            if refusal is not None:
                raise refusal
            row = await self._insert_version(
                conn,
                team_id=team_id,
                contract_name=contract_name,
                version=new_version,
                contract_type=ContractType(base.contract_type),
                specification=new_specification,
                description=description if description is not None else base.description,
                owner_role=base.owner_role,
                owner_agent=base.owner_agent,
                actor=evolved_by,
                previous=base,
                breaking_change=check.breaking or breaking_change is True,
                evolved_by=evolved_by,
                compatibility=check.to_dict(),
            )
            if activate:
                row = await self._activate(conn, row.id, evolved_by)
        if activate:
            await self.state.cache.invalidate(team_id, contract_name)
        return _contract(row)

    # -- compatibility settings --------------------------------------------
    async def _settings(
        self, conn: AsyncConnection, team_id: str, contract_name: str
    ) -> CompatibilitySettings:
        table = tables.settings
        row = (
            await conn.execute(
                sa.select(table.c.mode, table.c.policy).where(
                    table.c.team_id == team_id, table.c.contract_name == contract_name
                )
            )
        ).first()
        if row is None:
            return CompatibilitySettings(
                team_id=team_id,
                contract_name=contract_name,
                mode=DEFAULT_MODE.value,
                policy=DEFAULT_POLICY.value,
                explicit=False,
            )
        return CompatibilitySettings(
            team_id=team_id,
            contract_name=contract_name,
            mode=row.mode,
            policy=row.policy,
            explicit=True,
        )

    async def get_compatibility(self, team_id: str, contract_name: str) -> CompatibilitySettings:
        """The contract's compatibility mode and policy (the defaults,
        ``BACKWARD`` and ``lenient``, when none was set)."""
        _check_key(team_id, contract_name)
        async with self.state.read() as conn:
            return await self._settings(conn, team_id, contract_name)

    async def set_compatibility(
        self,
        team_id: str,
        contract_name: str,
        mode: Mode | str | None = None,
        policy: Policy | str | None = None,
        set_by: str | None = None,
    ) -> CompatibilitySettings:
        """Set how new versions of the contract are checked: ``mode`` is one of
        BACKWARD, FORWARD, FULL (each also ``_TRANSITIVE``) or NONE, ``policy``
        ``strict`` or ``lenient``; what is not given keeps its current value.
        The contract may have no version yet (set it before the first one)."""
        _check_key(team_id, contract_name)
        _check_optional(set_by=set_by)
        new_mode = None if mode is None else Mode.parse(mode)
        new_policy = None if policy is None else Policy.parse(policy)
        table = tables.settings
        async with self.state.write() as conn:
            await self.state.lock_contract(conn, team_id, contract_name)
            current = await self._settings(conn, team_id, contract_name)
            values = {
                "mode": (new_mode or Mode(current.mode)).value,
                "policy": (new_policy or Policy(current.policy)).value,
                "updated_by": set_by,
                "updated_at": _now(),
            }
            if current.explicit:
                await conn.execute(
                    sa.update(table)
                    .where(table.c.team_id == team_id, table.c.contract_name == contract_name)
                    .values(**values)
                )
            else:
                await conn.execute(
                    sa.insert(table).values(team_id=team_id, contract_name=contract_name, **values)
                )
            return await self._settings(conn, team_id, contract_name)

    # -- lifecycle ----------------------------------------------------------
    async def activate_contract(
        self, contract_id: str, activated_by: str | None = None
    ) -> Contract:
        """Make this version the active one; the previously active version is
        deprecated in the same transaction. Allowed from ``draft`` and (as a
        rollback) from ``deprecated``. Activating the active version again is
        idempotent: it is recorded in the history and changes nothing."""
        _check_optional(activated_by=activated_by)
        _check_id(contract_id)
        async with self.state.write() as conn:
            if self.state.backend == "postgresql":  # SQLite's BEGIN IMMEDIATE is the lock
                # Only the lock's key is needed: _activate's statements read the
                # row as it is under the lock (and _locked_row would read it twice).
                first = await self._row(conn, contract_id)
                await self.state.lock_contract(conn, first.team_id, first.contract_name)
            row = await self._activate(conn, contract_id, activated_by)
        await self.state.cache.invalidate(row.team_id, row.contract_name)
        return _contract(row)

    async def deprecate_contract(
        self, contract_id: str, deprecated_by: str | None = None, reason: str | None = None
    ) -> Contract:
        """Move an ``active`` version to ``deprecated``; the contract then has no
        active version until one is activated."""
        return await self._move(contract_id, ContractStatus.DEPRECATED, deprecated_by, reason)

    async def retire_contract(
        self, contract_id: str, retired_by: str | None = None, reason: str | None = None
    ) -> Contract:
        """Move a ``draft`` or ``deprecated`` version to ``retired``, for good."""
        return await self._move(contract_id, ContractStatus.RETIRED, retired_by, reason)

    async def _locked_row(self, conn: AsyncConnection, contract_id: str) -> Row[Any]:
        row = await self._row(conn, contract_id)
        if await self.state.lock_contract(conn, row.team_id, row.contract_name):
            # Read again under the lock: another writer may have moved it meanwhile.
            row = await self._row(conn, contract_id)
        return row

    def _check_move(self, row: Row[Any], target: ContractStatus) -> None:
        current = ContractStatus(row.status)
        if target in ALLOWED_TRANSITIONS[current]:
            return
        verb = {
            ContractStatus.ACTIVE: "activate",
            ContractStatus.DEPRECATED: "deprecate",
            ContractStatus.RETIRED: "retire",
        }[target]
        allowed = sorted(s.value for s, moves in ALLOWED_TRANSITIONS.items() if target in moves)
        if current is ContractStatus.RETIRED:
            hint = "a retired version is final; create or evolve a new version instead"
        elif target is ContractStatus.RETIRED and current is ContractStatus.ACTIVE:
            hint = "deprecate it first (or activate another version), then retire it"
        else:
            hint = f"only a version that is {' or '.join(allowed)} can be {target.value}"
        raise InvalidTransition(
            f"cannot {verb} {describe(row.team_id, row.contract_name, row.version)}: "
            f"it is {current.value} ({current.value} -> {target.value} is not allowed); {hint}",
            team_id=row.team_id,
            contract_name=row.contract_name,
            version=row.version,
            status=current.value,
            requested=target.value,
        )

    async def _activate(
        self, conn: AsyncConnection, contract_id: str, actor: str | None
    ) -> Row[Any]:
        """Activate a version, under its contract's lock, in two statements: the
        other active version (if any) is deprecated first, since the partial
        unique index allows one active row at every statement, not only at
        commit; then this one is activated if its status allows. A version
        that is active already is left as it is; one whose status forbids it
        raises, and the caller's transaction undoes the first statement."""
        now = _now()
        bound = {"contract_id": contract_id, "now": now}
        previous = (await conn.execute(_DEPRECATE_OTHER_ACTIVE, bound)).first()
        row = (await conn.execute(_ACTIVATE, bound)).first()
        if row is None:
            current = await self._row(conn, contract_id)  # ContractNotFound if there is none
            if current.status != ContractStatus.ACTIVE.value:
                self._check_move(current, ContractStatus.ACTIVE)  # raises InvalidTransition
            await self._event(conn, current, "activated", actor, now, already_active=True)
            return current
        events = []
        if previous is not None:
            events.append(
                _event_values(previous, "deprecated", actor, now, superseded_by=row.version)
            )
        events.append(
            _event_values(
                row,
                "activated",
                actor,
                now,
                replaced_version=previous.version if previous is not None else None,
            )
        )
        await self._events(conn, *events)
        return row

    async def _move(
        self, contract_id: str, target: ContractStatus, actor: str | None, reason: str | None
    ) -> Contract:
        _check_optional(actor=actor, reason=reason)
        async with self.state.write() as conn:
            row = await self._locked_row(conn, contract_id)
            self._check_move(row, target)
            now = _now()
            stamp = "deprecated_at" if target is ContractStatus.DEPRECATED else "retired_at"
            await self._event(conn, row, target.value, actor, now, reason=reason)
            was_active = row.status == ContractStatus.ACTIVE.value
            row = (
                await conn.execute(
                    sa.update(_C)
                    .where(_C.c.id == row.id)
                    .values(status=target.value, **{stamp: now})
                    .returning(*_C.c)
                )
            ).one()
        if was_active:
            await self.state.cache.invalidate(row.team_id, row.contract_name)
        return _contract(row)

    # -- looking up ---------------------------------------------------------
    async def get_contract(self, contract_id: str) -> Contract:
        """The version with this id; :class:`ContractNotFound` if there is none."""
        async with self.state.read() as conn:
            return _contract(await self._row(conn, contract_id))

    async def get_contract_version(
        self, team_id: str, contract_name: str, version: str
    ) -> Contract:
        """One version by its name; :class:`ContractNotFound` if there is none."""
        _check_key(team_id, contract_name)
        _check_text(version, "version", MAX_VERSION_LENGTH)
        async with self.state.read() as conn:
            row = (
                await conn.execute(
                    sa.select(_C).where(
                        _C.c.team_id == team_id,
                        _C.c.contract_name == contract_name,
                        _C.c.version == version,
                    )
                )
            ).first()
        if row is None:
            raise ContractNotFound(
                f"{describe(team_id, contract_name, version)} does not exist; "
                "get_contract_history shows the versions there are"
            )
        return _contract(row)

    async def get_active_contract(self, team_id: str, contract_name: str) -> Contract | None:
        """The active version, or None when the contract has none.

        Served from the Redis cache when it can be; any change of what is
        active invalidates it after commit, so no other manager on the same
        database and Redis is served a replaced version."""
        _check_key(team_id, contract_name)
        self.state.ensure_open()
        lookup = await self.state.cache.lookup(team_id, contract_name)
        if lookup.hit:
            if lookup.payload is None:
                return None
            try:
                return _from_payload(lookup.payload)
            except (KeyError, TypeError, ValueError):
                pass  # an entry that does not parse is a miss, not an error
        async with self.state.read() as conn:
            row = (
                await conn.execute(
                    sa.select(_C).where(
                        _C.c.team_id == team_id,
                        _C.c.contract_name == contract_name,
                        _C.c.status == ContractStatus.ACTIVE.value,
                    )
                )
            ).first()
        await self.state.cache.store(
            team_id, contract_name, lookup.token, None if row is None else _to_payload(row)
        )
        return None if row is None else _contract(row)

    async def list_contracts(
        self,
        team_id: str,
        status: ContractStatus | str | None = None,
        contract_type: ContractType | str | None = None,
    ) -> list[Contract]:
        """Every version a team has, by contract name and then age, optionally
        only those in one status or of one type."""
        _check_text(team_id, "team_id", MAX_NAME_LENGTH)
        query = sa.select(_C).where(_C.c.team_id == team_id)
        if status is not None:
            query = query.where(_C.c.status == _status(status).value)
        if contract_type is not None:
            query = query.where(_C.c.contract_type == _contract_type(contract_type).value)
        query = query.order_by(_C.c.contract_name, _C.c.revision)
        async with self.state.read() as conn:
            return [_contract(row) for row in await conn.execute(query)]

    async def get_contract_history(
        self,
        team_id: str,
        contract_name: str,
        *,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[HistoryEntry]:
        """Versions oldest first, with status, timestamps, compatibility check
        and events (created, evolved, activated, deprecated, retired) with
        actor and time. An empty list when the contract has no version.

        Paged when ``limit`` is given: at most ``limit`` versions (1 to
        10,000) whose revision is greater than ``after``; the next page starts
        ``after=page[-1].revision``."""
        _check_key(team_id, contract_name)
        for name, value in (("limit", limit), ("after", after)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise InvalidArgument(f"{name} must be a whole number >= 0, not {value!r}")
        if limit is not None and not 1 <= limit <= 10_000:
            raise InvalidArgument(f"limit must be between 1 and 10000, not {limit}")
        query = (
            sa.select(_C)
            .where(_C.c.team_id == team_id, _C.c.contract_name == contract_name)
            .order_by(_C.c.revision)
        )
        if after is not None:
            query = query.where(_C.c.revision > after)
        if limit is not None:
            query = query.limit(limit)
        events = tables.events
        async with self.state.read() as conn:
            versions = (await conn.execute(query)).all()
            event_query = (
                sa.select(events)
                .where(events.c.team_id == team_id, events.c.contract_name == contract_name)
                .order_by(events.c.id)
            )
            if limit is not None or after is not None:
                event_query = event_query.where(events.c.contract_id.in_([r.id for r in versions]))
            event_rows = (await conn.execute(event_query)).all() if versions else []
        by_version: dict[str, list[ContractEvent]] = {}
        for ev in event_rows:
            by_version.setdefault(ev.contract_id, []).append(
                ContractEvent(
                    contract_id=ev.contract_id,
                    version=ev.version,
                    event=ev.event,
                    actor=ev.actor,
                    at=ev.at,
                    details=json.loads(ev.details),
                )
            )
        return [
            HistoryEntry(
                id=row.id,
                version=row.version,
                revision=row.revision,
                status=ContractStatus(row.status),
                contract_type=ContractType(row.contract_type),
                previous_version_id=row.previous_version_id,
                breaking_change=row.breaking_change,
                evolved_by=row.evolved_by,
                created_at=row.created_at,
                activated_at=row.activated_at,
                deprecated_at=row.deprecated_at,
                retired_at=row.retired_at,
                events=tuple(by_version.get(row.id, ())),
                compatibility=_json_or_none(row.compatibility),
            )
            for row in versions
        ]

    # -- consumers ----------------------------------------------------------
    async def register_consumer(
        self,
        contract_id: str | None = None,
        consumer_agent: str | None = None,
        consumer_role: str | None = None,
        *,
        team_id: str | None = None,
        contract_name: str | None = None,
        version: str | None = None,
    ) -> Consumer:
        """Record that ``consumer_agent`` reads data under a version: the one
        with ``contract_id``, or ``version`` of ``team_id``/``contract_name``
        (the active version when ``version`` is left out). Idempotent per
        (version, agent); a role given later replaces the old one.
        :meth:`can_deploy` checks every registration."""
        if not isinstance(consumer_agent, str):
            raise InvalidArgument(
                "consumer_agent must be a string naming the agent that reads the data"
            )
        _check_text(consumer_agent, "consumer_agent", MAX_NAME_LENGTH)
        _check_text(consumer_role, "consumer_role", MAX_NAME_LENGTH, optional=True)
        if contract_id is None:
            contract_id = (await self._version_by_name(team_id, contract_name, version)).id
        elif team_id is not None or contract_name is not None or version is not None:
            raise InvalidArgument(
                "give either contract_id, or team_id and contract_name (and version), not both"
            )
        table = tables.consumers
        async with self.state.write() as conn:
            # Under the contract's lock: prune must not remove a version a
            # consumer is being registered against.
            await self._locked_row(conn, contract_id)
            dialect = postgresql if self.state.backend == "postgresql" else sqlite
            statement = dialect.insert(table).values(
                contract_id=contract_id,
                consumer_agent=consumer_agent,
                consumer_role=consumer_role,
                registered_at=_now(),
            )
            if consumer_role is None:
                statement = statement.on_conflict_do_nothing(
                    index_elements=["contract_id", "consumer_agent"]
                )
            else:
                statement = statement.on_conflict_do_update(
                    index_elements=["contract_id", "consumer_agent"],
                    set_={"consumer_role": consumer_role},
                )
            await conn.execute(statement)
            row = (
                await conn.execute(
                    _consumer_query().where(
                        table.c.contract_id == contract_id,
                        table.c.consumer_agent == consumer_agent,
                    )
                )
            ).one()
        return _consumer(row)

    async def _version_by_name(self, team_id: Any, contract_name: Any, version: Any) -> Contract:
        if team_id is None or contract_name is None:
            raise InvalidArgument(
                "say which version the consumer reads: contract_id, or team_id and "
                "contract_name (and version; the active version when left out)"
            )
        if version is not None:
            return await self.get_contract_version(team_id, contract_name, version)
        active = await self.get_active_contract(team_id, contract_name)
        if active is None:
            raise ContractNotFound(
                f"{describe(team_id, contract_name)} has no active version; "
                "name the version the consumer reads with version="
            )
        return active

    async def list_consumers(self, contract_id: str) -> list[Consumer]:
        """The consumers registered against this version, oldest first."""
        table = tables.consumers
        async with self.state.read() as conn:
            await self._row(conn, contract_id)
            rows = await conn.execute(
                _consumer_query().where(table.c.contract_id == contract_id).order_by(table.c.id)
            )
            return [_consumer(row) for row in rows]

    async def get_consumers(self, team_id: str, contract_name: str) -> list[Consumer]:
        """Every consumer of any version of the contract, by agent and then
        by version, each with the version it reads."""
        _check_key(team_id, contract_name)
        table = tables.consumers
        async with self.state.read() as conn:
            rows = (
                await conn.execute(
                    _consumer_query()
                    .where(_C.c.team_id == team_id, _C.c.contract_name == contract_name)
                    .order_by(table.c.consumer_agent, _C.c.revision)
                )
            ).all()
        return [_consumer(row) for row in rows]

    async def can_deploy(self, team_id: str, contract_name: str, version: str) -> DeployVerdict:
        """Whether data written under ``version`` can be read by every
        registered consumer of the contract: for a consumer that reads version
        R, every document valid under ``version`` must be valid under R
        (decided by the compatibility engine, under the contract's policy).
        Consumers of retired versions are listed but do not block. With no
        consumer registered, the answer is yes."""
        target = await self.get_contract_version(team_id, contract_name, version)
        consumers = await self.get_consumers(team_id, contract_name)
        async with self.state.read() as conn:
            settings = await self._settings(conn, team_id, contract_name)
            specs: dict[str, tuple[str, Any]] = {
                row.version: (row.status, json.loads(row.specification))
                for row in await conn.execute(
                    sa.select(_C.c.version, _C.c.status, _C.c.specification).where(
                        _C.c.team_id == team_id, _C.c.contract_name == contract_name
                    )
                )
            }
        policy = Policy(settings.policy)
        verdicts = []
        reports: dict[str, CompatReport] = {}
        for consumer in consumers:
            status, spec = specs[consumer.version]
            if consumer.version == target.version:
                ok, reason = True, "reads this very version"
            elif status == ContractStatus.RETIRED.value:
                ok, reason = True, f"reads retired version {consumer.version}; not counted"
            else:
                report = reports.get(consumer.version)
                if report is None:
                    # Everything valid under the target must be valid under what
                    # the consumer reads: the writers' direction, from R to target.
                    report = reports[consumer.version] = compare(
                        spec, target.specification, policy=policy
                    )
                broken = report.breaking_changes(Mode.FORWARD)
                if broken:
                    ok = False
                    reason = (
                        f"breaks readers of {consumer.version}: "
                        + "; ".join(f"{c.location or '/'}: {c.message}" for c in broken[:3])
                        + ("; ..." if len(broken) > 3 else "")
                    )
                else:
                    ok = True
                    unknown = [c for c in report.unknown_changes() if c.writers == "unknown"]
                    reason = (
                        f"every document valid under {version} is valid under {consumer.version}"
                    )
                    if unknown:
                        reason += f" ({len(unknown)} change(s) the engine cannot decide; review)"
            verdicts.append(
                ConsumerVerdict(
                    consumer_agent=consumer.consumer_agent,
                    consumer_role=consumer.consumer_role,
                    reads_version=consumer.version,
                    compatible=ok,
                    reason=reason,
                )
            )
        return DeployVerdict(
            team_id=team_id,
            contract_name=contract_name,
            version=target.version,
            deployable=all(v.compatible for v in verdicts),
            consumers=tuple(verdicts),
        )

    # -- retention ----------------------------------------------------------
    async def prune(
        self,
        team_id: str,
        keep_last: int = 10,
        *,
        contract_name: str | None = None,
        keep_validations: int | None = 1000,
        dry_run: bool = False,
    ) -> PruneResult:
        """Remove old versions and validation records so the registry does not
        grow without bound.

        Per contract, the ``keep_last`` greatest versions are kept, and so is
        every version that is active or draft, or that a consumer reads; the
        other versions (deprecated or retired) are removed with their events,
        validation records and consumers. Per remaining version, only the
        ``keep_validations`` newest validation records are kept (None keeps
        all). ``dry_run`` reports what would go and removes nothing."""
        _check_text(team_id, "team_id", MAX_NAME_LENGTH)
        if contract_name is not None:
            _check_text(contract_name, "contract_name", MAX_NAME_LENGTH)
        for name, value, floor in (
            ("keep_last", keep_last, 1),
            ("keep_validations", keep_validations, 0),
        ):
            if value is None and name == "keep_validations":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < floor:
                raise InvalidArgument(f"{name} must be a whole number >= {floor}, not {value!r}")
        if not isinstance(dry_run, bool):
            raise InvalidArgument(f"dry_run must be True or False, not {dry_run!r}")
        events, validations, consumers = tables.events, tables.validations, tables.consumers
        scope = [_C.c.team_id == team_id]
        if contract_name is not None:
            scope.append(_C.c.contract_name == contract_name)
        async with self.state.write() as conn:
            # Lock every contract first, then read: a version activated or given
            # a consumer meanwhile is seen as it is now, and kept.
            names = sorted(
                {
                    name
                    for (name,) in await conn.execute(
                        sa.select(_C.c.contract_name).where(*scope).distinct()
                    )
                }
            )
            for name in names:
                await self.state.lock_contract(conn, team_id, name)
            rows = (
                await conn.execute(
                    sa.select(_C.c.id, _C.c.contract_name, _C.c.version, _C.c.status).where(*scope)
                )
            ).all()
            read = {
                contract_id
                for (contract_id,) in await conn.execute(
                    sa.select(consumers.c.contract_id)
                    .join(_C, consumers.c.contract_id == _C.c.id)
                    .where(*scope)
                )
            }
            by_name: dict[str, list[Any]] = {}
            for row in rows:
                by_name.setdefault(row.contract_name, []).append(row)
            doomed: list[Any] = []
            for name in sorted(by_name):
                ordered = sorted(by_name[name], key=lambda r: version_key(r.version), reverse=True)
                doomed.extend(
                    row
                    for row in ordered[keep_last:]
                    if row.status in (ContractStatus.DEPRECATED.value, ContractStatus.RETIRED.value)
                    and row.id not in read
                )
            ids = [row.id for row in doomed]
            counts = {"events": 0, "validations": 0, "consumers": 0}
            if ids:
                for key, table in (
                    ("events", events),
                    ("validations", validations),
                    ("consumers", consumers),
                ):
                    counts[key] = int(
                        await conn.scalar(
                            sa.select(sa.func.count())
                            .select_from(table)
                            .where(table.c.contract_id.in_(ids))
                        )
                        or 0
                    )
            kept_ids = [row.id for row in rows if row.id not in set(ids)]
            trimmed = 0
            if keep_validations is not None and kept_ids:
                ranked = (
                    sa.select(
                        validations.c.id,
                        sa.func.row_number()
                        .over(
                            partition_by=validations.c.contract_id, order_by=validations.c.id.desc()
                        )
                        .label("rank"),
                    )
                    .where(validations.c.contract_id.in_(kept_ids))
                    .subquery()
                )
                old = sa.select(ranked.c.id).where(ranked.c.rank > keep_validations)
                trimmed = int(
                    await conn.scalar(sa.select(sa.func.count()).select_from(old.subquery())) or 0
                )
                if not dry_run and trimmed:
                    await conn.execute(sa.delete(validations).where(validations.c.id.in_(old)))
            if ids and not dry_run:
                for table in (events, validations, consumers):
                    await conn.execute(sa.delete(table).where(table.c.contract_id.in_(ids)))
                await conn.execute(
                    sa.update(_C)
                    .where(_C.c.previous_version_id.in_(ids))
                    .values(previous_version_id=None)
                )
                await conn.execute(sa.delete(_C).where(_C.c.id.in_(ids)))
        return PruneResult(
            team_id=team_id,
            versions=tuple(f"{row.contract_name} {row.version}" for row in doomed),
            events=counts["events"],
            validations=counts["validations"] + trimmed,
            consumers=counts["consumers"],
            dry_run=dry_run,
        )

    # -- summary ------------------------------------------------------------
    async def get_contract_summary(self, team_id: str) -> ContractSummary:
        """Counts of the team's versions by status and by type, its distinct
        contracts, the active versions, and the registered consumers."""
        _check_text(team_id, "team_id", MAX_NAME_LENGTH)
        team = _C.c.team_id == team_id
        async with self.state.read() as conn:
            by_status: dict[str, int] = dict(
                (
                    await conn.execute(
                        sa.select(_C.c.status, sa.func.count()).where(team).group_by(_C.c.status)
                    )
                ).all()
            )
            by_type: dict[str, int] = dict(
                (
                    await conn.execute(
                        sa.select(_C.c.contract_type, sa.func.count())
                        .where(team)
                        .group_by(_C.c.contract_type)
                    )
                ).all()
            )
            names = await conn.scalar(
                sa.select(sa.func.count(sa.distinct(_C.c.contract_name))).where(team)
            )
            active = (
                await conn.execute(
                    sa.select(_C.c.contract_name, _C.c.version, _C.c.id, _C.c.contract_type)
                    .where(team, _C.c.status == ContractStatus.ACTIVE.value)
                    .order_by(_C.c.contract_name)
                )
            ).all()
            consumer_count = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(tables.consumers.join(_C, tables.consumers.c.contract_id == _C.c.id))
                .where(team)
            )
        return ContractSummary(
            team_id=team_id,
            contracts=int(names or 0),
            versions=sum(by_status.values()),
            by_status={
                status.value: int(by_status.get(status.value, 0)) for status in ContractStatus
            },
            by_type={kind.value: int(by_type.get(kind.value, 0)) for kind in ContractType},
            active=[
                {
                    "contract_name": row.contract_name,
                    "version": row.version,
                    "id": row.id,
                    "contract_type": row.contract_type,
                }
                for row in active
            ],
            consumers=int(consumer_count or 0),
        )

    # -- validation records -------------------------------------------------
    async def record_validation(
        self,
        contract_id: str | Contract,
        subject: str,
        passed: bool,
        errors: Sequence[Any] = (),
        duration_ms: float = 0.0,
        validated_at: datetime | None = None,
    ) -> Validation:
        """Store one check of an output against a contract version: the
        subject (a test's node id, say), the verdict, the errors (JSON data) and
        how long it took. ``contract_id`` may also be the :class:`Contract`.
        The team, name and version stored with it are the registry's own."""
        check = ValidationInput(
            contract=contract_id,
            subject=subject,
            passed=passed,
            errors=errors,
            duration_ms=duration_ms,
            validated_at=validated_at,
        )
        values = _validation_values(check)
        async with self.state.write() as conn:
            row = (
                await conn.execute(_INSERT_VALIDATION.returning(*tables.validations.c), values)
            ).first()
        if row is None:
            raise _no_contract(values["contract_id"])
        return _validation(row)

    async def record_validations(self, checks: Sequence[ValidationInput]) -> int:
        """Store many checks in one transaction (what the pytest plugin uses,
        so that a session pays one commit per batch, not one per test).
        Returns how many were stored; a check whose contract does not exist
        raises :class:`ContractNotFound` and stores nothing."""
        rows = [_validation_values(check) for check in checks]
        if not rows:
            return 0
        wanted = {values["contract_id"] for values in rows}
        async with self.state.write() as conn:
            found = set(
                (await conn.execute(sa.select(_C.c.id).where(_C.c.id.in_(wanted)))).scalars()
            )
            missing = sorted(wanted - found)
            if missing:
                raise _no_contract(missing[0])
            if self.state.backend == "sqlite" and sqlite3.sqlite_version_info >= (3, 38):
                await conn.execute(_INSERT_VALIDATIONS_JSON, {"rows": _json_rows(rows, conn)})
            else:
                # One statement, every record: executemany, one round trip per
                # batch where the driver allows, and one commit.
                await conn.execute(_INSERT_VALIDATION, rows)
        return len(rows)

    async def get_validations(
        self,
        contract_id: str | Contract | None = None,
        *,
        subject: str | None = None,
        team_id: str | None = None,
        contract_name: str | None = None,
        passed: bool | None = None,
        limit: int = 100,
    ) -> list[Validation]:
        """Validation records matching every filter given, newest first.
        ``contract_id`` may also be the :class:`Contract`."""
        if isinstance(contract_id, Contract):
            contract_id = contract_id.id
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidArgument(f"limit must be a positive whole number, not {limit!r}")
        for name, text in (
            ("contract_id", contract_id),
            ("subject", subject),
            ("team_id", team_id),
            ("contract_name", contract_name),
        ):
            if text is not None and not isinstance(text, str):
                raise InvalidArgument(f"{name} must be a string, not {type(text).__name__}")
        if passed is not None and not isinstance(passed, bool):
            raise InvalidArgument(f"passed must be True, False or None, not {passed!r}")
        table = tables.validations
        query = sa.select(table)
        for column, value in (
            (table.c.contract_id, contract_id),
            (table.c.subject, subject),
            (table.c.team_id, team_id),
            (table.c.contract_name, contract_name),
            (table.c.passed, passed),
        ):
            if value is not None:
                query = query.where(column == value)
        query = query.order_by(table.c.id.desc()).limit(limit)
        async with self.state.read() as conn:
            rows = (await conn.execute(query)).all()
        return [_validation(row) for row in rows]


def _consumer_query() -> Any:
    table = tables.consumers
    return sa.select(table, _C.c.team_id, _C.c.contract_name, _C.c.version).join(
        _C, table.c.contract_id == _C.c.id
    )


def _consumer(row: Row[Any]) -> Consumer:
    return Consumer(
        contract_id=row.contract_id,
        consumer_agent=row.consumer_agent,
        consumer_role=row.consumer_role,
        registered_at=row.registered_at,
        team_id=row.team_id,
        contract_name=row.contract_name,
        version=row.version,
    )


def _validation(row: Row[Any]) -> Validation:
    return Validation(
        id=row.id,
        contract_id=row.contract_id,
        team_id=row.team_id,
        contract_name=row.contract_name,
        version=row.version,
        subject=row.subject,
        passed=row.passed,
        errors=json.loads(row.errors),
        duration_ms=row.duration_ms,
        validated_at=row.validated_at,
    )


def _no_contract(contract_id: str) -> ContractNotFound:
    return ContractNotFound(
        f"no contract with id {contract_id!r}; list_contracts(team_id) shows the ids a team has"
    )


def _validation_values(check: ValidationInput) -> dict[str, Any]:
    """The checked, JSON-encoded values of one validation record."""
    contract = check.contract
    contract_id = contract.id if isinstance(contract, Contract) else contract
    _check_text(contract_id, "contract_id", 36)
    _check_text(check.subject, "subject", 10_000)
    if not isinstance(check.passed, bool):
        raise InvalidArgument(f"passed must be True or False, not {check.passed!r}")
    if not isinstance(check.errors, list | tuple):
        raise InvalidArgument(
            f"errors must be a list of JSON values, not {type(check.errors).__name__}"
        )
    errors = list(check.errors)
    jsondata.ensure_json(errors, what="errors")
    duration = check.duration_ms
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not (0 <= duration < float("inf"))
    ):
        raise InvalidArgument(
            f"duration_ms must be a number of milliseconds >= 0, not {duration!r}"
        )
    at = check.validated_at
    if at is None:
        at = _now()
    elif not isinstance(at, datetime) or at.tzinfo is None:
        raise InvalidArgument(
            f"validated_at must be a timezone-aware datetime, not {at!r} "
            "(e.g. datetime.now(timezone.utc))"
        )
    return {
        "contract_id": contract_id,
        "subject": check.subject,
        "passed": check.passed,
        "errors": _errors_text(errors),
        "duration_ms": float(duration),
        "validated_at": at,
    }


def _errors_text(errors: list[Any]) -> str:
    """The errors as JSON text. A violation may quote an output's text, which
    may hold a lone surrogate (valid in a Python str, not in UTF-8): such text
    is stored with \\u escapes, which read back as the same str."""
    text = jsondata.dumps(errors)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(errors, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return text


def _insert_validation_statement() -> Any:
    """INSERT ... SELECT: the team, name and version come from the contract row
    itself, so a record can never disagree with the registry, and a missing
    contract inserts nothing instead of failing on the foreign key. The
    record's own values are bound parameters, so that one statement serves a
    whole batch (executemany)."""
    v = tables.validations
    source = sa.select(
        _C.c.id,
        _C.c.team_id,
        _C.c.contract_name,
        _C.c.version,
        sa.bindparam("subject", type_=sa.Text),
        sa.bindparam("passed", type_=sa.Boolean),
        sa.bindparam("errors", type_=sa.Text),
        sa.bindparam("duration_ms", type_=sa.Float),
        sa.bindparam("validated_at", type_=tables.UTCDateTime),
    ).where(_C.c.id == sa.bindparam("contract_id", type_=sa.String))
    return sa.insert(v).from_select(
        [
            v.c.contract_id,
            v.c.team_id,
            v.c.contract_name,
            v.c.version,
            v.c.subject,
            v.c.passed,
            v.c.errors,
            v.c.duration_ms,
            v.c.validated_at,
        ],
        source,
    )


_INSERT_VALIDATION = _insert_validation_statement()

# SQLite: the whole batch as one JSON parameter, read back with json_each, so
# that it is one statement and one sqlite3_step. An executemany steps once
# per row and releases the GIL around every step: from the registry's thread,
# while the tests keep the main thread busy, each row then waits for the GIL,
# and a batch of 250 took 0.7 s of wall time for 15 ms of work.
_INSERT_VALIDATIONS_JSON = sa.text(
    """
    INSERT INTO contract_validations (contract_id, team_id, contract_name, version,
        subject, passed, errors, duration_ms, validated_at)
    SELECT c.id, c.team_id, c.contract_name, c.version,
        json_extract(r.value, '$[1]'), json_extract(r.value, '$[2]'),
        json_extract(r.value, '$[3]'), json_extract(r.value, '$[4]'),
        json_extract(r.value, '$[5]')
    FROM json_each(:rows) AS r JOIN contracts AS c ON c.id = json_extract(r.value, '$[0]')
    ORDER BY r.key
    """
)


def _json_rows(rows: list[dict[str, Any]], conn: AsyncConnection) -> str:
    """The batch for :data:`_INSERT_VALIDATIONS_JSON`, each value as the
    registry's column types would bind it."""
    dialect = conn.dialect
    at = tables.validations.c.validated_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert at is not None
    return jsondata.dumps(
        [
            [
                row["contract_id"],
                row["subject"],
                1 if row["passed"] else 0,
                row["errors"],
                row["duration_ms"],
                at(row["validated_at"]),
            ]
            for row in rows
        ]
    )
