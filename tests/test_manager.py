"""ContractManager (registry/manager.py) as its users call it: the documented
calls, the records it returns, and the errors it raises."""

from __future__ import annotations

import pytest

from pytest_contracts import (
    ContractError,
    ContractManager,
    ContractNotFound,
    DuplicateContract,
    InvalidArgument,
    InvalidSchema,
    InvalidTransition,
    RegistryUnavailable,
)

from .conftest import SCHEMA
from .registry_cases import make


async def test_documented_calls_run_as_written(cm: ContractManager) -> None:
    contract_manager = cm
    contract = await contract_manager.create_contract(
        team_id="team_001", contract_name="APIContract", version="v1.0",
        contract_type="REST_API", specification=SCHEMA,
        owner_role="Tech Lead", owner_agent="backend_dev")  # fmt: skip
    await contract_manager.activate_contract(contract_id=contract["id"], activated_by="tech_lead")
    active = await contract_manager.get_active_contract(
        team_id="team_001", contract_name="APIContract"
    )
    new_version = await contract_manager.evolve_contract(
        team_id="team_001", contract_name="APIContract", new_version="v2.0",
        new_specification={"type": "object"}, evolved_by="backend_dev",
        breaking_change=True)  # fmt: skip
    history = await contract_manager.get_contract_history(
        team_id="team_001", contract_name="APIContract"
    )
    consumer = await contract_manager.register_consumer(
        contract_id=contract["id"], consumer_agent="frontend_dev",
        consumer_role="Frontend Developer")  # fmt: skip
    summary = await contract_manager.get_contract_summary("team_001")

    assert contract["id"] == contract.id
    assert active is not None
    assert (active.id, active["version"], active.status) == (contract.id, "v1.0", "active")
    assert new_version["previous_version_id"] == contract.id
    assert [entry["version"] for entry in history] == ["v1.0", "v2.0"]
    assert consumer["consumer_agent"] == consumer.consumer_agent == "frontend_dev"
    assert summary["consumers"] == summary.consumers == 1


async def test_record_is_a_read_only_mapping(cm: ContractManager) -> None:
    contract = await make(cm)
    as_dict = dict(contract)
    assert as_dict["contract_name"] == "APIContract"
    assert set(contract) == set(as_dict)
    assert contract.to_dict()["created_at"] == contract.created_at.isoformat()
    assert contract.to_dict()["contract_type"] == "REST_API"
    with pytest.raises(KeyError):
        contract["nope"]
    with pytest.raises(AttributeError):
        contract.version = "v9"  # type: ignore[misc]


async def test_errors_form_one_hierarchy() -> None:
    for error in (ContractNotFound, DuplicateContract, InvalidSchema, InvalidTransition,
                  RegistryUnavailable, InvalidArgument):  # fmt: skip
        assert issubclass(error, ContractError)
