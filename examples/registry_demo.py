"""Drive the contract registry end to end on the embedded defaults.

Run: python examples/registry_demo.py

It uses the default SQLite file (.pytest_contracts/registry.db under the
current directory) and the in-process fake Redis, so it needs no server. Each
run works under a team of its own, so it can be run again and again.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from jsonschema import Draft202012Validator

from pytest_contracts import ContractManager, InvalidTransition, StateManager
from pytest_contracts.jsondata import pointer

REQUIREMENTS_V1 = {
    "type": "object",
    "required": ["project", "requirements"],
    "properties": {
        "project": {"type": "string", "minLength": 1},
        "requirements": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "text", "priority"],
                "properties": {
                    "id": {"type": "string", "pattern": "^REQ-[0-9]+$"},
                    "text": {"type": "string", "minLength": 10},
                    "priority": {"enum": ["must", "should", "could"]},
                },
            },
        },
    },
}

# v2 asks every requirement for acceptance criteria: a breaking change.
REQUIREMENTS_V2 = {
    **REQUIREMENTS_V1,
    "properties": {
        **REQUIREMENTS_V1["properties"],
        "requirements": {
            **REQUIREMENTS_V1["properties"]["requirements"],
            "items": {
                **REQUIREMENTS_V1["properties"]["requirements"]["items"],
                "required": ["id", "text", "priority", "acceptance"],
            },
        },
    },
}


def analyst(idea: str) -> dict[str, object]:
    """The requirements phase: turns an idea into a requirements document."""
    return {
        "project": idea,
        "requirements": [
            {"id": "REQ-1", "text": "Users can sign up with an e-mail address", "priority": "must"},
            {"id": "REQ-2", "text": "Users can reset a forgotten password", "priority": "should"},
        ],
    }


async def check(contracts: ContractManager, team: str, document: object, subject: str) -> bool:
    """Validate a phase output against the active contract and record the check."""
    active = await contracts.get_active_contract(team, "phase_boundary_requirements_to_design")
    if active is None:
        print("  no active contract")
        return False
    started = time.perf_counter()
    errors = [
        {"pointer": pointer(e.absolute_path), "message": e.message}
        for e in Draft202012Validator(active.specification).iter_errors(document)
    ]
    await contracts.record_validation(
        active, subject, not errors, errors, (time.perf_counter() - started) * 1000
    )
    verdict = "passes" if not errors else f"violates it ({len(errors)} errors)"
    print(f"  {subject}: {verdict} {active.contract_name} {active.version}")
    for error in errors:
        print(f"    {error['pointer'] or '/'}: {error['message']}")
    return not errors


async def main() -> None:
    team = f"demo-{uuid.uuid4().hex[:8]}"
    async with await StateManager.create() as state:
        contracts = ContractManager(state)
        print(f"registry: {state.backend} + {state.cache_backend}, team {team}")

        v1 = await contracts.create_contract(
            team_id=team,
            contract_name="phase_boundary_requirements_to_design",
            version="v1.0",
            contract_type="PHASE_TRANSITION",
            specification=REQUIREMENTS_V1,
            owner_role="Product Owner",
            owner_agent="analyst_agent",
        )
        await contracts.activate_contract(contract_id=v1["id"], activated_by="tech_lead")
        await contracts.register_consumer(v1.id, "architect_agent", "Architect")
        print("v1.0 active; the analyst's output is checked against it:")
        document = analyst("sign-up service")
        await check(contracts, team, document, "analyst run 1")

        v2 = await contracts.evolve_contract(
            team_id=team,
            contract_name="phase_boundary_requirements_to_design",
            new_version="v2.0",
            new_specification=REQUIREMENTS_V2,
            evolved_by="architect_agent",
            breaking_change=True,
            activate=True,
        )
        print(f"{v2.version} active (breaking change: {v2.breaking_change}):")
        await check(contracts, team, document, "analyst run 2")

        try:
            await contracts.retire_contract(v2.id, retired_by="janitor")
        except InvalidTransition as error:
            print(f"refused: {error}")
        await contracts.activate_contract(v1.id, activated_by="tech_lead")
        print("rolled back to v1.0:")
        await check(contracts, team, document, "analyst run 3")

        print("history:")
        for entry in await contracts.get_contract_history(
            team, "phase_boundary_requirements_to_design"
        ):
            events = ", ".join(f"{e.event} by {e.actor}" for e in entry.events)
            print(f"  {entry.version} [{entry.status}]: {events}")
        summary = await contracts.get_contract_summary(team)
        print(
            f"summary: {summary.contracts} contract, {summary.versions} versions, "
            f"by status {summary.by_status}, {summary.consumers} consumer"
        )
        checks = await contracts.get_validations(team_id=team)
        print(f"validation records: {len(checks)}, failed: {sum(not c.passed for c in checks)}")
        health = await state.health_check()
        print(f"health: {health['status']}")


if __name__ == "__main__":
    asyncio.run(main())
