"""Run the pipeline three times and print every hand-off.

    python examples/orchestrator/run.py [REGISTRY_FILE]

The contracts are the four phase boundaries of ``examples/sdlc_pipeline``;
the registry is a SQLite file (by default ``orchestrator.db`` in the current
folder) with the in-process cache, so no server is needed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from agents import forgetful_design_agent, stubborn_implementation_agent, team
from engine import Pipeline, PipelineRun

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.config import sqlite_url

CONTRACTS = Path(__file__).resolve().parent.parent / "sdlc_pipeline" / "contracts"
TEAM = "orchestrator-demo"
IDEA = "Users sign up with an e-mail address. Users reset a forgotten password."

SCENARIOS = {
    "all agents right first time": team(),
    "design repaired from feedback": team(design=forgetful_design_agent),
    "implementation cannot be repaired": team(implementation=stubborn_implementation_agent),
}


async def run_all(registry: Path) -> dict[str, PipelineRun]:
    async with await StateManager.create(sqlite_url(registry)) as state:
        contracts = ContractManager(state)
        loaded = await contracts.load_contract_dir(CONTRACTS, TEAM)
        print(loaded.summary())
        runs = {}
        for number, (name, agents) in enumerate(SCENARIOS.items(), start=1):
            pipeline = Pipeline(contracts, TEAM, agents, repairs=1, run_id=f"run-{number}")
            runs[name] = run = await pipeline.run(IDEA)
            print(f"\n{name}:")
            for handoff in run.handoffs:
                verdict = handoff.verdict
                tries = f"{verdict.attempts} attempt{'s' if verdict.attempts != 1 else ''}"
                print(f"  {handoff.phase_from} -> {handoff.phase_to}: {verdict.outcome} ({tries})")
                if not verdict.passed:
                    print("    " + verdict.feedback(max_violations=3).replace("\n", "\n    "))
            where = "completed" if run.completed else "stopped at {} -> {}".format(*run.stopped_at)
            print(f"  pipeline {where}")
        await contracts.flush_validations()
    return runs


if __name__ == "__main__":
    asyncio.run(run_all(Path(sys.argv[1] if len(sys.argv) > 1 else "orchestrator.db")))
