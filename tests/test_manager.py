"""ContractManager (registry/manager.py) as its users call it: the documented
calls, the records it returns, and the errors it raises."""

from __future__ import annotations

import inspect
from typing import Any

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


#: The registry's API: every coroutine method of ContractManager.
API = {
    "accept_break",
    "activate_contract",
    "can_deploy",
    "create_contract",
    "deprecate_contract",
    "evolve_contract",
    "get_active_contract",
    "get_compatibility",
    "get_consumers",
    "get_contract",
    "get_contract_history",
    "get_contract_summary",
    "get_contract_version",
    "get_validations",
    "list_consumers",
    "list_contracts",
    "list_teams",
    "prune",
    "record_validation",
    "record_validations",
    "register_consumer",
    "retire_contract",
    "set_compatibility",
    "set_enforcement",
    "validate",
    "validate_phase_boundary",
    "validate_with_repair",
    "flush_validations",
    "load_contract_dir",
    "backup",
    "restore",
}


def test_the_facade_adds_nothing_to_its_subjects() -> None:
    public = {
        name
        for name in dir(ContractManager)
        if not name.startswith("_") and inspect.iscoroutinefunction(getattr(ContractManager, name))
    }
    assert public == API
    own = {name for name in vars(ContractManager) if not name.startswith("__")}
    assert own == set()
    for name in API:
        # Each method is written once, in its subject's module, with its docstring.
        homes = [cls for cls in ContractManager.__mro__ if name in vars(cls)]
        assert len(homes) == 1, (name, homes)
        assert homes[0].__module__.startswith("pytest_contracts.registry."), name
        assert inspect.getdoc(getattr(ContractManager, name)), name


async def test_a_method_replaced_on_the_class_serves_the_other_methods_too(
    cm: ContractManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Code that wraps a method on the class (as a conftest may) sees every
    # call, including those other methods make through the manager.
    calls: list[str] = []
    original = ContractManager.get_active_contract

    async def counting(self: ContractManager, team_id: str, contract_name: str) -> Any:
        calls.append(contract_name)
        return await original(self, team_id, contract_name)

    monkeypatch.setattr(ContractManager, "get_active_contract", counting)
    contract = await make(cm)
    await cm.activate_contract(contract.id)
    consumer = await cm.register_consumer(
        consumer_agent="ui", team_id=contract.team_id, contract_name=contract.contract_name
    )
    assert consumer.version == contract.version
    assert calls == [contract.contract_name]
