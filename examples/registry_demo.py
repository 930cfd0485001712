"""Drive the contract registry end to end on the embedded defaults.

Run: python examples/registry_demo.py

It uses the default SQLite file (.pytest_contracts/registry.db under the
current directory) and the in-process fake Redis, so it needs no server. Each
run works under a team of its own, so it can be run again and again.
"""

from __future__ import annotations

import asyncio
import uuid

from pytest_contracts import ContractManager, InvalidTransition, StateManager

REQUIREMENTS_V1 = {
    "type": "object",
    "required": ["project", "requirements", "written"],
    "properties": {
        "project": {"type": "string", "minLength": 1},
        "written": {"type": "string", "format": "date-time"},
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


def analyst(idea: str, written: str = "2026-11-30T09:00:00Z") -> dict[str, object]:
    """The requirements phase: turns an idea into a requirements document."""
    return {
        "project": idea,
        "written": written,
        "requirements": [
            {"id": "REQ-1", "text": "Users can sign up with an e-mail address", "priority": "must"},
            {"id": "REQ-2", "text": "Users can reset a forgotten password", "priority": "should"},
        ],
    }


async def check(contracts: ContractManager, team: str, document: object, subject: str) -> bool:
    """Check a phase output against the boundary's active contract, as the
    plugin does (same engine, ``format`` checking and records), and record it."""
    verdict = await contracts.validate_phase_boundary(
        team, "requirements", "design", document, subject=subject
    )
    said = "passes" if verdict.passed else f"violates it ({len(verdict.violations)} errors)"
    print(f"  {subject}: {said} {verdict.contract_name} {verdict.version}")
    if not verdict.passed:
        print("    " + verdict.feedback().replace("\n", "\n    "))
    return verdict.passed


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
        # format is checked as the plugin checks it: "yesterday" is no date-time.
        await check(contracts, team, analyst("sign-up service", "yesterday"), "analyst run 4")

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
        await contracts.flush_validations()
        checks = await contracts.get_validations(team_id=team)
        print(f"validation records: {len(checks)}, failed: {sum(not c.passed for c in checks)}")
        health = await state.health_check()
        print(f"health: {health['status']}")


if __name__ == "__main__":
    asyncio.run(main())
