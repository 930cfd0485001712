"""What a team decides about a version once it exists: a break it makes
accepted (with who and why) or declared by its contract file, and how its
violations count (enforcement: ``enforce``, or ``warn`` for shadow runs).

None of these changes what a version is or its status; each is stored with
an event in the version's history, in one write transaction.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import jsondata
from ..defaults import MAX_NAME_LENGTH, MAX_VERSION_LENGTH
from ..errors import InvalidArgument, describe
from ..models import Contract
from ..verdict import ENFORCEMENTS
from . import tables
from .arguments import MAX_LONG_TEXT, check_key, check_optional, check_text
from .base import HISTORY_HINT, RegistryPart, now, store_events, version_row
from .evolution import unresolved_break
from .rows import event_values, to_contract

_C = tables.contracts


def check_enforcement(enforcement: Any) -> None:
    if enforcement not in ENFORCEMENTS:
        raise InvalidArgument(
            f"enforcement must be 'enforce' (violations fail) or 'warn' (shadow: reported as "
            f"would have failed), not {enforcement!r}"
        )


class Decisions(RegistryPart):
    """Accepting a version's break, and setting how its violations count."""

    async def accept_break(
        self,
        team_id: str,
        contract_name: str,
        version: str,
        accepted_by: str,
        reason: str,
    ) -> Contract:
        """Accept the break that ``version`` makes without declaring it, so
        that gated runs and ``pytest-contracts check`` pass again. Who accepted
        it and why are stored in the version's compatibility finding
        (``compatibility["accepted"]``) and as an ``accepted`` event in its
        history. ``accepted_by`` and ``reason`` must not be empty
        (:class:`InvalidArgument`), nor may a version without a recorded break.
        Accepting a break changes no status: a draft is activated by the next
        load of its file, or by :meth:`activate_contract`."""
        check_key(team_id, contract_name)
        check_text(version, "version", MAX_VERSION_LENGTH)
        check_text(accepted_by, "accepted_by", MAX_NAME_LENGTH)
        check_text(reason, "reason", MAX_LONG_TEXT)
        async with self.state.write() as conn:
            await self.state.lock_contract(conn, team_id, contract_name)
            row = await version_row(conn, team_id, contract_name, version, hint=HISTORY_HINT)
            finding = None if row.compatibility is None else json.loads(row.compatibility)
            if finding is None or not finding.get("breaking"):
                raise InvalidArgument(
                    f"{describe(team_id, contract_name, version)} has no recorded break to "
                    "accept (it was not found breaking when it was created)"
                )
            at = now()
            finding["accepted"] = {"by": accepted_by, "reason": reason, "at": at.isoformat()}
            row = await _store_finding(conn, row, finding)
            await store_events(conn, event_values(row, "accepted", accepted_by, at, reason=reason))
        await self.state.cache.invalidate(team_id, contract_name)
        return to_contract(row)

    async def set_enforcement(
        self, contract_id: str, enforcement: str, changed_by: str | None = None
    ) -> Contract:
        """Set how a version's violations count: ``"enforce"`` (they fail the
        check, the test and the gate, and block at run time) or ``"warn"``
        (shadow: reported and recorded as "would have failed", never failing,
        never raising). A change is an ``enforcement`` event in the version's
        history, with who made it; setting the same value again changes
        nothing and records nothing."""
        check_enforcement(enforcement)
        check_optional(changed_by=changed_by)
        async with self.state.write() as conn:
            row = await self._locked_row(conn, contract_id)
            if row.enforcement == enforcement:
                return to_contract(row)
            at = now()
            row = (
                await conn.execute(
                    sa.update(_C)
                    .where(_C.c.id == row.id)
                    .values(enforcement=enforcement)
                    .returning(*_C.c)
                )
            ).one()
            await store_events(
                conn,
                event_values(row, "enforcement", changed_by, at, enforcement=enforcement),
            )
        await self.state.cache.invalidate(row.team_id, row.contract_name)
        return to_contract(row)


async def _store_finding(conn: AsyncConnection, row: Row[Any], finding: Any) -> Row[Any]:
    return (
        await conn.execute(
            sa.update(_C)
            .where(_C.c.id == row.id)
            .values(compatibility=jsondata.dumps(finding))
            .returning(*_C.c)
        )
    ).one()


async def declare_break(
    part: RegistryPart, team_id: str, contract_name: str, version: str, declared_by: str
) -> bool:
    """Record that ``version``'s break, found when it was created, is now
    declared (its contract file says ``"breaking_change": true``): the
    finding's ``declared`` becomes true, with a ``declared`` event. Returns
    whether anything changed. It is how the loader records a declaration
    added to a file after the version was loaded."""
    state = part.state
    async with state.write() as conn:
        await state.lock_contract(conn, team_id, contract_name)
        row = await version_row(conn, team_id, contract_name, version, hint=HISTORY_HINT)
        finding = None if row.compatibility is None else json.loads(row.compatibility)
        if not unresolved_break(finding):
            return False
        assert finding is not None
        finding["declared"] = True
        row = await _store_finding(conn, row, finding)
        await store_events(conn, event_values(row, "declared", declared_by, now()))
    await state.cache.invalidate(team_id, contract_name)
    return True
