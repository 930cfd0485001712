"""A contract's compatibility settings: the mode its new versions are checked
under, and the policy that reads open object models."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ..compat import DEFAULT_MODE, DEFAULT_POLICY, Mode, Policy
from ..models import CompatibilitySettings
from . import tables
from .arguments import check_key, check_optional
from .base import RegistryPart, now


async def read_settings(
    conn: AsyncConnection, team_id: str, contract_name: str
) -> CompatibilitySettings:
    """The contract's settings as stored, or the defaults when none are."""
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


class Compatibility(RegistryPart):
    """Reading and changing a contract's compatibility settings."""

    async def get_compatibility(self, team_id: str, contract_name: str) -> CompatibilitySettings:
        """The contract's compatibility mode and policy (the defaults,
        ``BACKWARD`` and ``lenient``, when none was set)."""
        check_key(team_id, contract_name)
        async with self.state.read() as conn:
            return await read_settings(conn, team_id, contract_name)

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
        check_key(team_id, contract_name)
        check_optional(set_by=set_by)
        new_mode = None if mode is None else Mode.parse(mode)
        new_policy = None if policy is None else Policy.parse(policy)
        table = tables.settings
        async with self.state.write() as conn:
            await self.state.lock_contract(conn, team_id, contract_name)
            current = await read_settings(conn, team_id, contract_name)
            values = {
                "mode": (new_mode or Mode(current.mode)).value,
                "policy": (new_policy or Policy(current.policy)).value,
                "updated_by": set_by,
                "updated_at": now(),
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
            return await read_settings(conn, team_id, contract_name)
