"""What every subject of :class:`~pytest_contracts.registry.manager.ContractManager`
shares: the StateManager, the clock, and reading one version by its id or name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import ContractNotFound, describe
from . import tables
from .arguments import check_id
from .connections import StateManager

_C = tables.contracts


#: Where a user sees the versions a contract has.
HISTORY_HINT = "list the versions with pytest-contracts history NAME"

_INSERT_EVENT = sa.insert(tables.events)


async def store_events(conn: AsyncConnection, *values: dict[str, Any]) -> None:
    """Store events in one round trip (an executemany of one statement,
    compiled once: a multi-row VALUES would be compiled at every call)."""
    await conn.execute(_INSERT_EVENT, list(values))


def now() -> datetime:
    """The time every record is stamped with: aware, in UTC."""
    return datetime.now(UTC)


def no_contract(contract_id: str) -> ContractNotFound:
    """The error for an id that names no version."""
    return ContractNotFound(
        f"no contract with id {contract_id!r}; list_contracts(team_id) shows the ids a team has"
    )


async def version_row(
    conn: AsyncConnection, team_id: str, contract_name: str, version: str, *, hint: str
) -> Row[Any]:
    """One version's row by its name; :class:`ContractNotFound`, ending with
    ``hint`` (where to see the versions there are), if there is none."""
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
            f"{describe(team_id, contract_name, version)} does not exist; {hint}"
        )
    return row


class RegistryPart:
    """One subject of the registry's API; :class:`ContractManager` is all of
    them over one :class:`StateManager`. Every method is a coroutine; run them
    on the event loop the StateManager was created on."""

    def __init__(self, state_manager: StateManager) -> None:
        self.state = state_manager

    async def _row(self, conn: AsyncConnection, contract_id: str) -> Row[Any]:
        check_id(contract_id)
        row = (await conn.execute(sa.select(_C).where(_C.c.id == contract_id))).first()
        if row is None:
            raise no_contract(contract_id)
        return row

    async def _locked_row(self, conn: AsyncConnection, contract_id: str) -> Row[Any]:
        row = await self._row(conn, contract_id)
        if await self.state.lock_contract(conn, row.team_id, row.contract_name):
            # Read again under the lock: another writer may have moved it meanwhile.
            row = await self._row(conn, contract_id)
        return row
