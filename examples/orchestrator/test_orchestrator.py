"""The orchestrator example's own test: every hand-off is checked while the
pipeline runs, a failing output is repaired once from its feedback, and a
boundary that still fails stops the pipeline."""

from __future__ import annotations

import asyncio
from pathlib import Path

from run import TEAM, run_all

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.config import sqlite_url


def test_the_pipeline_checks_repairs_and_stops(tmp_path: Path, capsys) -> None:
    registry = tmp_path / "registry.db"
    runs = asyncio.run(run_all(registry))

    good = runs["all agents right first time"]
    assert good.completed
    assert [h.verdict.outcome for h in good.handoffs] == ["passed"] * 4
    assert good.document["status"] == "deployed"

    repaired = runs["design repaired from feedback"]
    assert repaired.completed
    design = repaired.handoffs[1]
    assert (design.phase_from, design.verdict.outcome, design.verdict.attempts) == (
        "design",
        "passed",
        2,
    )

    stopped = runs["implementation cannot be repaired"]
    assert stopped.stopped_at == ("implementation", "testing")
    last = stopped.handoffs[-1].verdict
    assert (last.outcome, last.attempts, last.blocking) == ("failed", 2, True)
    assert "must be more than 0; found 0" in last.feedback()

    out = capsys.readouterr().out
    assert "design -> implementation: passed (2 attempts)" in out
    assert "pipeline stopped at implementation -> testing" in out

    async def stored() -> list[tuple[str, bool, int]]:
        async with await StateManager.create(sqlite_url(registry)) as state:
            checks = await ContractManager(state).get_validations(
                team_id=TEAM, metadata={"run": "run-2"}, limit=100
            )
        return sorted((c.subject, c.passed, c.metadata["attempt"]) for c in checks)

    # Every attempt is stored with its number: the repair is never hidden.
    assert asyncio.run(stored()) == [
        ("run-2:design->implementation", False, 1),
        ("run-2:design->implementation", True, 2),
        ("run-2:implementation->testing", True, 1),
        ("run-2:requirements->design", True, 1),
        ("run-2:testing->deployment", True, 1),
    ]
