"""Consumers and deploy verdicts: who reads data under which version, and
whether data written under a version can be read by every one of them."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ..compat import CompatReport, Mode, Policy, compare
from ..defaults import MAX_NAME_LENGTH
from ..errors import ContractNotFound, InvalidArgument, describe
from ..models import Consumer, ConsumerVerdict, Contract, ContractStatus, DeployVerdict
from . import tables
from .arguments import check_key, check_text
from .base import now
from .compatibility import read_settings
from .lookup import Lookups
from .rows import to_consumer

_C = tables.contracts
_CONSUMERS = tables.consumers

#: A consumer row with the team, name and version it reads.
_CONSUMER_QUERY = sa.select(_CONSUMERS, _C.c.team_id, _C.c.contract_name, _C.c.version).join(
    _C, _CONSUMERS.c.contract_id == _C.c.id
)


class Consumers(Lookups):
    """Registering consumers, listing them, and asking whether a version can
    be deployed to them. A consumer names a version by id or by name, so this
    part looks versions up as :class:`Lookups` does."""

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
        check_text(consumer_agent, "consumer_agent", MAX_NAME_LENGTH)
        check_text(consumer_role, "consumer_role", MAX_NAME_LENGTH, optional=True)
        if contract_id is None:
            contract_id = (await self._version_by_name(team_id, contract_name, version)).id
        elif team_id is not None or contract_name is not None or version is not None:
            raise InvalidArgument(
                "give either contract_id, or team_id and contract_name (and version), not both"
            )
        async with self.state.write() as conn:
            # Under the contract's lock: prune must not remove a version a
            # consumer is being registered against.
            await self._locked_row(conn, contract_id)
            await conn.execute(
                self.state.database.upsert(
                    _CONSUMERS,
                    {
                        "contract_id": contract_id,
                        "consumer_agent": consumer_agent,
                        "consumer_role": consumer_role,
                        "registered_at": now(),
                    },
                    key=["contract_id", "consumer_agent"],
                    update=None if consumer_role is None else {"consumer_role": consumer_role},
                )
            )
            row = (
                await conn.execute(
                    _CONSUMER_QUERY.where(
                        _CONSUMERS.c.contract_id == contract_id,
                        _CONSUMERS.c.consumer_agent == consumer_agent,
                    )
                )
            ).one()
        return to_consumer(row)

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
        async with self.state.read() as conn:
            await self._row(conn, contract_id)
            rows = await conn.execute(
                _CONSUMER_QUERY.where(_CONSUMERS.c.contract_id == contract_id).order_by(
                    _CONSUMERS.c.id
                )
            )
            return [to_consumer(row) for row in rows]

    async def get_consumers(self, team_id: str, contract_name: str) -> list[Consumer]:
        """Every consumer of any version of the contract, by agent and then
        by version, each with the version it reads."""
        check_key(team_id, contract_name)
        async with self.state.read() as conn:
            rows = (
                await conn.execute(
                    _CONSUMER_QUERY.where(
                        _C.c.team_id == team_id, _C.c.contract_name == contract_name
                    ).order_by(_CONSUMERS.c.consumer_agent, _C.c.revision)
                )
            ).all()
        return [to_consumer(row) for row in rows]

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
            settings = await read_settings(conn, team_id, contract_name)
            specs: dict[str, tuple[str, Any]] = {
                row.version: (row.status, json.loads(row.specification))
                for row in await conn.execute(
                    sa.select(_C.c.version, _C.c.status, _C.c.specification).where(
                        _C.c.team_id == team_id, _C.c.contract_name == contract_name
                    )
                )
            }
        policy = Policy(settings.policy)
        reports: dict[str, CompatReport] = {}
        verdicts = []
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
                ok, reason = _verdict(report, version, consumer.version)
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


def _verdict(report: CompatReport, version: str, reads: str) -> tuple[bool, str]:
    """Whether readers of ``reads`` can read data of ``version``, and why."""
    broken = report.breaking_changes(Mode.FORWARD)
    if broken:
        return False, (
            f"breaks readers of {reads}: "
            + "; ".join(f"{c.location or '/'}: {c.message}" for c in broken[:3])
            + ("; ..." if len(broken) > 3 else "")
        )
    reason = f"every document valid under {version} is valid under {reads}"
    unknown = [c for c in report.unknown_changes() if c.writers == "unknown"]
    if unknown:
        reason += f" ({len(unknown)} change(s) the engine cannot decide; review)"
    return True, reason
