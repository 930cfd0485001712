"""Retention: removing old versions and validation records, so that the
registry does not grow without bound."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..defaults import MAX_NAME_LENGTH
from ..errors import InvalidArgument
from ..models import ContractStatus, PruneResult
from . import tables
from .arguments import check_text, check_whole_number
from .base import RegistryPart
from .versions import version_key

_C = tables.contracts

#: The statuses a version may be removed in: never active or draft.
_REMOVABLE = (ContractStatus.DEPRECATED.value, ContractStatus.RETIRED.value)


class Retention(RegistryPart):
    """Pruning a team's registry."""

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
        check_text(team_id, "team_id", MAX_NAME_LENGTH)
        if contract_name is not None:
            check_text(contract_name, "contract_name", MAX_NAME_LENGTH)
        check_whole_number("keep_last", keep_last, 1)
        if keep_validations is not None:
            check_whole_number("keep_validations", keep_validations, 0)
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
            doomed = _doomed(rows, read, keep_last)
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


def _doomed(rows: Any, read: set[str], keep_last: int) -> list[Any]:
    """The versions to remove, by contract name and then from the greatest
    version down: past the ``keep_last`` greatest of their contract,
    deprecated or retired, and read by no consumer."""
    by_name: dict[str, list[Any]] = {}
    for row in rows:
        by_name.setdefault(row.contract_name, []).append(row)
    doomed: list[Any] = []
    for name in sorted(by_name):
        ordered = sorted(by_name[name], key=lambda r: version_key(r.version), reverse=True)
        doomed.extend(
            row for row in ordered[keep_last:] if row.status in _REMOVABLE and row.id not in read
        )
    return doomed
