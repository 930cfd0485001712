"""Looking versions up: by id, by name, the active one (through the cache),
a team's list, a contract's history, and a team's summary."""

from __future__ import annotations

import sqlalchemy as sa

from ..defaults import MAX_NAME_LENGTH, MAX_VERSION_LENGTH
from ..errors import InvalidArgument
from ..models import (
    Contract,
    ContractEvent,
    ContractStatus,
    ContractSummary,
    ContractType,
    HistoryEntry,
    TeamCounts,
)
from . import tables
from .arguments import check_key, check_text, check_whole_number, parse_contract_type, parse_status
from .base import RegistryPart, version_row
from .rows import from_payload, to_contract, to_event, to_history_entry, to_payload

_C = tables.contracts


class Lookups(RegistryPart):
    """Reading versions, their history, and a team's registry at a glance."""

    async def get_contract(self, contract_id: str) -> Contract:
        """The version with this id; :class:`ContractNotFound` if there is none."""
        async with self.state.read() as conn:
            return to_contract(await self._row(conn, contract_id))

    async def get_contract_version(
        self, team_id: str, contract_name: str, version: str
    ) -> Contract:
        """One version by its name; :class:`ContractNotFound` if there is none."""
        check_key(team_id, contract_name)
        check_text(version, "version", MAX_VERSION_LENGTH)
        async with self.state.read() as conn:
            row = await version_row(
                conn,
                team_id,
                contract_name,
                version,
                hint="get_contract_history shows the versions there are",
            )
        return to_contract(row)

    async def get_active_contract(self, team_id: str, contract_name: str) -> Contract | None:
        """The active version, or None when the contract has none.

        Served from the Redis cache when it can be; any change of what is
        active invalidates it after commit, so no other manager on the same
        database and Redis is served a replaced version."""
        check_key(team_id, contract_name)
        self.state.ensure_open()
        lookup = await self.state.cache.lookup(team_id, contract_name)
        if lookup.hit:
            if lookup.payload is None:
                return None
            try:
                return from_payload(lookup.payload)
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
            team_id, contract_name, lookup.token, None if row is None else to_payload(row)
        )
        return None if row is None else to_contract(row)

    async def list_contracts(
        self,
        team_id: str,
        status: ContractStatus | str | None = None,
        contract_type: ContractType | str | None = None,
    ) -> list[Contract]:
        """Every version a team has, by contract name and then age, optionally
        only those in one status or of one type."""
        check_text(team_id, "team_id", MAX_NAME_LENGTH)
        query = sa.select(_C).where(_C.c.team_id == team_id)
        if status is not None:
            query = query.where(_C.c.status == parse_status(status).value)
        if contract_type is not None:
            query = query.where(_C.c.contract_type == parse_contract_type(contract_type).value)
        query = query.order_by(_C.c.contract_name, _C.c.revision)
        async with self.state.read() as conn:
            return [to_contract(row) for row in await conn.execute(query)]

    async def list_teams(self) -> list[TeamCounts]:
        """Every team that has a version, by id, with its distinct contracts,
        its versions and its active versions."""
        active = sa.func.sum(sa.case((_C.c.status == ContractStatus.ACTIVE.value, 1), else_=0))
        query = (
            sa.select(
                _C.c.team_id,
                sa.func.count(sa.distinct(_C.c.contract_name)),
                sa.func.count(),
                active,
            )
            .group_by(_C.c.team_id)
            .order_by(_C.c.team_id)
        )
        async with self.state.read() as conn:
            rows = (await conn.execute(query)).all()
        return [
            TeamCounts(team_id=team, contracts=int(names), versions=int(count), active=int(on or 0))
            for team, names, count, on in rows
        ]

    async def get_contract_history(
        self,
        team_id: str,
        contract_name: str,
        *,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[HistoryEntry]:
        """Versions oldest first, with status, timestamps, compatibility check
        and events (created, evolved, activated, deprecated, retired, and
        accepted or declared for a break, see ``accept_break``) with
        actor and time. An empty list when the contract has no version.

        Paged when ``limit`` is given: at most ``limit`` versions (1 to
        10,000) whose revision is greater than ``after``; the next page starts
        ``after=page[-1].revision``."""
        check_key(team_id, contract_name)
        for name, value in (("limit", limit), ("after", after)):
            if value is not None:
                check_whole_number(name, value, 0)
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
        for row in event_rows:
            by_version.setdefault(row.contract_id, []).append(to_event(row))
        return [to_history_entry(row, tuple(by_version.get(row.id, ()))) for row in versions]

    async def get_contract_summary(self, team_id: str) -> ContractSummary:
        """Counts of the team's versions by status and by type, its distinct
        contracts, the active versions, and the registered consumers."""
        check_text(team_id, "team_id", MAX_NAME_LENGTH)
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
