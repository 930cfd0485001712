"""Retention (registry/retention.py): what prune removes and what it keeps."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pytest_contracts import ContractManager, InvalidArgument
from pytest_contracts.registry import tables

from .conftest import Backend
from .registry_cases import NAME, TEAM, V1, first


async def test_prune_keeps_the_newest_active_draft_and_read_versions(
    cm: ContractManager, backend: Backend
) -> None:
    await first(cm)
    for minor in range(1, 6):
        version = f"v1.{minor}"
        spec = {**V1, "description": version}
        await cm.evolve_contract(TEAM, NAME, version, spec, activate=minor < 5)
    # v1.0 .. v1.3 deprecated, v1.4 active, v1.5 draft.
    read = await cm.get_contract_version(TEAM, NAME, "v1.1")
    await cm.register_consumer(read.id, "billing")
    old = await cm.get_contract_version(TEAM, NAME, "v1.0")
    for index in range(3):
        await cm.record_validation(old.id, f"test_{index}", True)
    dry = await cm.prune(TEAM, keep_last=2, dry_run=True)
    assert dry.versions == (f"{NAME} v1.3", f"{NAME} v1.2", f"{NAME} v1.0")
    assert dry.validations == 3
    assert len(await cm.get_contract_history(TEAM, NAME)) == 6  # nothing removed
    done = await cm.prune(TEAM, keep_last=2)
    assert done.versions == dry.versions
    assert done.events > 0
    history = await cm.get_contract_history(TEAM, NAME)
    assert [h.version for h in history] == ["v1.1", "v1.4", "v1.5"]
    assert await cm.get_validations(team_id=TEAM) == []
    assert history[0].previous_version_id is None  # its predecessor is gone
    state = await backend.state()
    async with state.read() as conn:
        orphans = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(tables.events)
            .where(tables.events.c.contract_id.notin_(sa.select(tables.contracts.c.id)))
        )
    assert orphans == 0


async def test_prune_trims_validation_records_of_kept_versions(cm: ContractManager) -> None:
    contract = await first(cm)
    for index in range(5):
        await cm.record_validation(contract.id, f"test_{index}", index % 2 == 0)
    result = await cm.prune(TEAM, keep_last=1, keep_validations=2)
    assert (result.versions, result.validations) == ((), 3)
    kept = await cm.get_validations(contract.id)
    assert [v.subject for v in kept] == ["test_4", "test_3"]


async def test_prune_refuses_bad_limits(cm: ContractManager) -> None:
    with pytest.raises(InvalidArgument, match="keep_last must be a whole number >= 1"):
        await cm.prune(TEAM, keep_last=0)
    with pytest.raises(InvalidArgument, match="keep_validations"):
        await cm.prune(TEAM, keep_validations=-1)
