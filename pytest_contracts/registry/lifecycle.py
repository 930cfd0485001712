"""Versions and their lifecycle: creating and evolving a version, and moving
it between draft, active, deprecated and retired.

Every change runs in one write transaction under its contract's lock, writes
its events in the same transaction, and invalidates the cache after commit
when it changed what is active.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import jsondata
from ..compat import Mode, Policy
from ..defaults import MAX_NAME_LENGTH, MAX_VERSION_LENGTH
from ..errors import (
    ContractNotFound,
    DuplicateContract,
    InvalidArgument,
    InvalidSchema,
    InvalidTransition,
    describe,
)
from ..models import ALLOWED_TRANSITIONS, Contract, ContractStatus, ContractType
from ..schemas import check_specification
from . import tables
from .arguments import (
    check_id,
    check_key,
    check_new_version,
    check_optional,
    check_text,
    parse_contract_type,
)
from .base import RegistryPart, now, store_events
from .compatibility import read_settings
from .decisions import check_enforcement
from .evolution import ExistingVersion, check_evolution
from .rows import event_values, to_contract
from .versions import version_key

_C = tables.contracts

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


async def _refuse_another_spelling(
    conn: AsyncConnection, team_id: str, contract_name: str, version: str
) -> None:
    """A version the contract has under another spelling (``1.0`` next to
    ``v1.0`` or ``v1.0.0``: they order as one) is a duplicate too."""
    key = version_key(version)
    for existing, status in await conn.execute(
        sa.select(_C.c.version, _C.c.status).where(
            _C.c.team_id == team_id, _C.c.contract_name == contract_name
        )
    ):
        if version_key(existing) == key:
            raise DuplicateContract(
                f"{describe(team_id, contract_name, version)} is {existing!r} spelt another "
                f"way, which already exists (status {status}); versions that order as one "
                "are one version: give the new schema a new version"
            )


def _duplicate(team_id: str, contract_name: str, version: str, status: str) -> DuplicateContract:
    return DuplicateContract(
        f"{describe(team_id, contract_name, version)} already exists "
        f"(status {status}); a version never changes once created: "
        "give the new schema a new version, e.g. with evolve_contract"
    )


class Lifecycle(RegistryPart):
    """Creating and evolving versions, and moving them through their lifecycle."""

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
        *,
        enforcement: str = "enforce",
    ) -> Contract:
        """Register a new version as a ``draft``. The specification must be a
        valid JSON Schema (:class:`InvalidSchema` otherwise); the version must
        be a version (``v1.0``, ``2.1.3``, ``v2.0-rc.1``: :class:`InvalidVersion`
        otherwise, showing the accepted forms) and new for the team and
        contract (:class:`DuplicateContract`).
        ``enforcement="warn"`` makes it a shadow version: outputs that break
        it are reported and recorded as "would have failed", and fail nothing
        (see :meth:`set_enforcement`)."""
        check_enforcement(enforcement)
        check_key(team_id, contract_name)
        check_new_version(version, "version")
        check_optional(owner_role=owner_role, owner_agent=owner_agent, description=description)
        kind = parse_contract_type(contract_type)
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
                enforcement=enforcement,
            )
        return to_contract(row)

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
        enforcement: str = "enforce",
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
        if revision:
            await _refuse_another_spelling(conn, team_id, contract_name, version)
        created = now()
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
            "id": str(uuid.uuid4()),
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
            "enforcement": enforcement,
            "created_at": created,
        }
        try:
            row = (await conn.execute(sa.insert(_C).values(**values).returning(*_C.c))).one()
        except sqlalchemy.exc.IntegrityError as exc:
            # Only reachable if something bypassed the contract lock.
            raise DuplicateContract(
                f"{describe(team_id, contract_name, version)} was created concurrently"
            ) from exc
        events = [
            event_values(
                row,
                "created",
                actor,
                created,
                enforcement="warn" if enforcement == "warn" else None,
            )
        ]
        if previous is not None:
            events.append(
                event_values(
                    row,
                    "evolved",
                    evolved_by,
                    created,
                    from_version=previous.version,
                    from_id=previous.id,
                    breaking_change=breaking_change,
                    mode=None if compatibility is None else compatibility["mode"],
                )
            )
        await store_events(conn, *events)
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
        *,
        enforcement: str = "enforce",
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
        version is then deprecated). ``enforcement="warn"`` makes it a shadow
        version (see :meth:`set_enforcement`).
        """
        check_enforcement(enforcement)
        check_key(team_id, contract_name)
        check_new_version(new_version, "new_version")
        check_optional(evolved_by=evolved_by, description=description)
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
            versions = (
                await conn.execute(
                    sa.select(_C)
                    .where(_C.c.team_id == team_id, _C.c.contract_name == contract_name)
                    .order_by(_C.c.revision)
                )
            ).all()
            if not versions:
                raise ContractNotFound(
                    f"cannot evolve {describe(team_id, contract_name)}: it has no version "
                    "yet; create the first one with create_contract"
                )
            for row in versions:
                if row.version == new_version:
                    raise _duplicate(team_id, contract_name, new_version, row.status)
            active = [row for row in versions if row.status == ContractStatus.ACTIVE.value]
            base = active[0] if active else max(versions, key=lambda r: version_key(r.version))
            settings = await read_settings(conn, team_id, contract_name)
            check = check_evolution(
                team_id=team_id,
                contract_name=contract_name,
                version=new_version,
                specification=new_specification,
                existing=[
                    ExistingVersion(row.version, row.status, specification_text=row.specification)
                    for row in versions
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
                enforcement=enforcement,
            )
            if activate:
                row = await self._activate(conn, row.id, evolved_by)
        if activate:
            await self.state.cache.invalidate(team_id, contract_name)
        return to_contract(row)

    # -- moving through the lifecycle -----------------------------------------
    async def activate_contract(
        self, contract_id: str, activated_by: str | None = None
    ) -> Contract:
        """Make this version the active one; the previously active version is
        deprecated in the same transaction. Allowed from ``draft`` and (as a
        rollback) from ``deprecated``. Activating the active version again is
        idempotent: it is recorded in the history and changes nothing."""
        check_optional(activated_by=activated_by)
        check_id(contract_id)
        async with self.state.write() as conn:
            if self.state.database.locks_contracts:
                # Only the lock's key is needed: _activate's statements read the
                # row as it is under the lock (and _locked_row would read it twice).
                first = await self._row(conn, contract_id)
                await self.state.lock_contract(conn, first.team_id, first.contract_name)
            row = await self._activate(conn, contract_id, activated_by)
        await self.state.cache.invalidate(row.team_id, row.contract_name)
        return to_contract(row)

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

    async def _activate(
        self, conn: AsyncConnection, contract_id: str, actor: str | None
    ) -> Row[Any]:
        """Activate a version, under its contract's lock, in two statements: the
        other active version (if any) is deprecated first, since the partial
        unique index allows one active row at every statement, not only at
        commit; then this one is activated if its status allows. A version
        that is active already is left as it is; one whose status forbids it
        raises, and the caller's transaction undoes the first statement."""
        at = now()
        bound = {"contract_id": contract_id, "now": at}
        previous = (await conn.execute(_DEPRECATE_OTHER_ACTIVE, bound)).first()
        row = (await conn.execute(_ACTIVATE, bound)).first()
        if row is None:
            current = await self._row(conn, contract_id)  # ContractNotFound if there is none
            if current.status != ContractStatus.ACTIVE.value:
                _check_move(current, ContractStatus.ACTIVE)  # raises InvalidTransition
            await store_events(
                conn, event_values(current, "activated", actor, at, already_active=True)
            )
            return current
        events = []
        if previous is not None:
            events.append(
                event_values(previous, "deprecated", actor, at, superseded_by=row.version)
            )
        events.append(
            event_values(
                row,
                "activated",
                actor,
                at,
                replaced_version=previous.version if previous is not None else None,
            )
        )
        await store_events(conn, *events)
        return row

    async def _move(
        self, contract_id: str, target: ContractStatus, actor: str | None, reason: str | None
    ) -> Contract:
        check_optional(actor=actor, reason=reason)
        async with self.state.write() as conn:
            row = await self._locked_row(conn, contract_id)
            _check_move(row, target)
            at = now()
            stamp = "deprecated_at" if target is ContractStatus.DEPRECATED else "retired_at"
            await store_events(conn, event_values(row, target.value, actor, at, reason=reason))
            was_active = row.status == ContractStatus.ACTIVE.value
            row = (
                await conn.execute(
                    sa.update(_C)
                    .where(_C.c.id == row.id)
                    .values(status=target.value, **{stamp: at})
                    .returning(*_C.c)
                )
            ).one()
        if was_active:
            await self.state.cache.invalidate(row.team_id, row.contract_name)
        return to_contract(row)


#: The statuses :func:`activate_if_newest` activates from.
_LOADABLE = frozenset({ContractStatus.DRAFT.value, ContractStatus.DEPRECATED.value})
_E = tables.events


async def _decided_by_others(
    conn: AsyncConnection, team_id: str, contract_name: str, newest_id: str, actor: str
) -> bool:
    """Whether anyone but ``actor`` has activated or deprecated a version of
    the contract since the version ``newest_id`` was created (since the
    beginning, if its creation was not recorded)."""
    created = (
        sa.select(sa.func.coalesce(sa.func.min(_E.c.id), 0))
        .where(_E.c.contract_id == newest_id)
        .scalar_subquery()
    )
    decision = await conn.scalar(
        sa.select(_E.c.id)
        .where(
            _E.c.team_id == team_id,
            _E.c.contract_name == contract_name,
            _E.c.id > created,
            _E.c.event.in_(("activated", "deprecated")),
            sa.or_(_E.c.actor.is_(None), _E.c.actor != actor),
        )
        .limit(1)
    )
    return decision is not None


async def activate_if_newest(
    lifecycle: Lifecycle, team_id: str, contract_name: str, version: str, activated_by: str
) -> Contract | None:
    """Activate ``version`` if, at the moment of activating, it is the
    contract's newest version (by version order, whatever its status), it is
    a draft or deprecated, and nobody but ``activated_by`` has activated or
    deprecated a version of the contract since it was created; else change
    nothing and return None. ``lifecycle`` is any manager (a
    :class:`~pytest_contracts.registry.manager.ContractManager` is one).

    The decision and the activation are one transaction under the contract's
    lock, so a version another session created a moment ago is seen. It is
    how contract files are loaded, with the loader as ``activated_by``: a load
    never activates a version older than the newest, it undoes what a load of
    its own left behind, and it keeps an activation or deprecation that
    anyone else made (a rollback)."""
    check_key(team_id, contract_name)
    check_text(version, "version", MAX_VERSION_LENGTH)
    check_text(activated_by, "activated_by", MAX_NAME_LENGTH)
    state = lifecycle.state
    async with state.write() as conn:
        await state.lock_contract(conn, team_id, contract_name)
        versions = (
            await conn.execute(
                sa.select(_C.c.id, _C.c.version, _C.c.status).where(
                    _C.c.team_id == team_id, _C.c.contract_name == contract_name
                )
            )
        ).all()
        if not versions:
            return None
        newest = max(versions, key=lambda r: version_key(r.version))
        if newest.version != version or newest.status not in _LOADABLE:
            return None
        if await _decided_by_others(conn, team_id, contract_name, newest.id, activated_by):
            return None
        row = await lifecycle._activate(conn, newest.id, activated_by)
    await state.cache.invalidate(team_id, contract_name)
    return to_contract(row)


def _check_move(row: Row[Any], target: ContractStatus) -> None:
    """Raise :class:`InvalidTransition` unless ``row``'s status may move to ``target``."""
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
