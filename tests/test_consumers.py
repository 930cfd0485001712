"""Consumers and deploy verdicts (registry/consumers.py), on every back end."""

from __future__ import annotations

import asyncio

import pytest

from pytest_contracts import ContractManager, ContractNotFound, InvalidArgument

from .registry_cases import NAME, TEAM, V1_INTEGER_ID, V1_LOOSER, V1_NEEDS_CURRENCY, first, make


async def test_register_consumer_is_idempotent(cm: ContractManager) -> None:
    contract = await make(cm)
    first = await cm.register_consumer(contract.id, "frontend_dev", "Frontend Developer")
    again = await cm.register_consumer(contract.id, "frontend_dev")
    renamed = await cm.register_consumer(contract.id, "frontend_dev", "Web Developer")
    assert again.registered_at == first.registered_at
    assert again.consumer_role == "Frontend Developer"
    assert renamed.consumer_role == "Web Developer"
    consumers = await cm.list_consumers(contract.id)
    assert [c.consumer_agent for c in consumers] == ["frontend_dev"]
    with pytest.raises(ContractNotFound):
        await cm.register_consumer("missing", "x")


async def test_concurrent_register_consumer_calls_make_one_row(cm: ContractManager) -> None:
    contract = await make(cm)
    await asyncio.gather(*(cm.register_consumer(contract.id, "same") for _ in range(8)))
    assert len(await cm.list_consumers(contract.id)) == 1


async def test_consumers_register_by_name_and_version(cm: ContractManager) -> None:
    v1 = await first(cm)
    await cm.evolve_contract(TEAM, NAME, "v1.1", V1_LOOSER)
    by_id = await cm.register_consumer(contract_id=v1.id, consumer_agent="billing")
    by_name = await cm.register_consumer(
        consumer_agent="audit", team_id=TEAM, contract_name=NAME, version="v1.1"
    )
    active = await cm.register_consumer(consumer_agent="ui", team_id=TEAM, contract_name=NAME)
    assert (by_id.version, by_name.version, active.version) == ("v1.0", "v1.1", "v1.0")
    consumers = await cm.get_consumers(TEAM, NAME)
    assert [(c.consumer_agent, c.version) for c in consumers] == [
        ("audit", "v1.1"),
        ("billing", "v1.0"),
        ("ui", "v1.0"),
    ]
    with pytest.raises(InvalidArgument, match="not both"):
        await cm.register_consumer(v1.id, "x", team_id=TEAM)
    with pytest.raises(InvalidArgument, match="say which version"):
        await cm.register_consumer(consumer_agent="x")


async def test_can_deploy_answers_per_consumer(cm: ContractManager) -> None:
    await first(cm)
    await cm.register_consumer(consumer_agent="billing", team_id=TEAM, contract_name=NAME)
    # v2.0 writers add a required field (it breaks v1.0 *writers*, hence the
    # major version), yet v1.0 readers, an open model, still read its data.
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_NEEDS_CURRENCY)
    await cm.evolve_contract(TEAM, NAME, "v3.0", V1_INTEGER_ID)
    ok = await cm.can_deploy(TEAM, NAME, "v2.0")
    assert ok.deployable is True
    assert [(c.consumer_agent, c.compatible) for c in ok.consumers] == [("billing", True)]
    no = await cm.can_deploy(TEAM, NAME, "v3.0")
    assert no.deployable is False
    (verdict,) = no.consumers
    assert verdict.reads_version == "v1.0"
    assert "/properties/id" in verdict.reason
    # The consumer reads v3.0 as well now: that registration is fine.
    await cm.register_consumer(
        consumer_agent="billing", team_id=TEAM, contract_name=NAME, version="v3.0"
    )
    again = await cm.can_deploy(TEAM, NAME, "v3.0")
    assert [(c.reads_version, c.compatible) for c in again.consumers] == [
        ("v1.0", False),
        ("v3.0", True),
    ]


async def test_can_deploy_without_consumers_is_yes(cm: ContractManager) -> None:
    await first(cm)
    verdict = await cm.can_deploy(TEAM, NAME, "v1.0")
    assert (verdict.deployable, verdict.consumers) == (True, ())


async def test_consumers_of_retired_versions_do_not_block(cm: ContractManager) -> None:
    v1 = await first(cm)
    await cm.register_consumer(v1.id, "legacy")
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_INTEGER_ID, activate=True)
    await cm.retire_contract(v1.id)
    verdict = await cm.can_deploy(TEAM, NAME, "v2.0")
    assert verdict.deployable is True
    assert "retired" in verdict.consumers[0].reason
