"""Two CI jobs load contract files at once on a fresh registry, one with the
old files (v1.0) and one with the new ones (v1.0 and v1.1): whatever the
interleaving, v1.1 ends up active.

Real processes (``tests/loading_race_worker.py``), released together by a
barrier, trial after trial, each trial on a contract of its own; on SQLite and
on PostgreSQL, through ``load_contract_files`` and through ``pytest-contracts
load``. The deterministic form of the race, and the repair of what an older
loader left, are in ``tests/test_loading.py``."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.config import sqlite_url

from .conftest import drop_registry_tables
from .loading_race_worker import run_job

pytestmark = pytest.mark.slow

V1: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "amount": {"type": "number", "maximum": 1000}},
    "required": ["id"],
}
V1_1: dict[str, Any] = {**V1, "properties": {**V1["properties"], "amount": {"type": "number"}}}
OLD = {"v1.0": V1}
NEW = {"v1.0": V1, "v1.1": V1_1}
#: Trials per back end.
TRIALS = 40
#: The longest a job's start is put off in a trial, in seconds: about one
#: load's time, so that the two loads overlap in every way.
SPREAD = 0.02
#: The seed of the delays, so that a failing run can be run again as it was.
SEED = 11


def write_files(directory: Path, name: str, versions: dict[str, Any]) -> str:
    directory.mkdir(parents=True)
    for version, schema in versions.items():
        document = {"name": name, "version": version, "type": "EVENT", "schema": schema}
        (directory / f"{name}-{version}.json").write_text(json.dumps(document), "utf-8")
    return str(directory)


def race(database_url: str, team: str, folder: Path, trials: int) -> list[str]:
    """Run ``trials`` races of the two jobs; what failed in them. Every
    other pair of trials loads through ``pytest-contracts load``."""
    rng = random.Random(SEED)
    jobs: list[list[dict[str, Any]]] = [[], []]
    for trial in range(trials):
        name = f"Race{trial}"
        old = write_files(folder / f"{trial}-old", name, OLD)
        new = write_files(folder / f"{trial}-new", name, NEW)
        first, second = (old, new) if trial % 2 == 0 else (new, old)  # both get a head start
        cli = trial % 4 >= 2
        jobs[0].append({"dir": first, "delay": rng.uniform(0, SPREAD), "cli": cli})
        jobs[1].append({"dir": second, "delay": rng.uniform(0, SPREAD), "cli": cli})
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    processes = [
        context.Process(
            target=run_job,
            args=(
                {
                    "database_url": database_url,
                    "team": team,
                    "trials": trials_of_job,
                    "results": str(folder / f"job-{index}.json"),
                },
                barrier,
            ),
        )
        for index, trials_of_job in enumerate(jobs)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(600)
    assert [process.exitcode for process in processes] == [0] * len(jobs)
    return [
        error
        for index in range(len(jobs))
        for error in json.loads((folder / f"job-{index}.json").read_text("utf-8"))["errors"]
    ]


async def wrong_outcomes(database_url: str, folder: Path, trials: int) -> list[str]:
    """Race ``trials`` times; the trials whose contract did not end with
    v1.1 active, each with the status of its versions."""
    team = f"race-{uuid.uuid4().hex[:8]}"
    errors = await asyncio.to_thread(race, database_url, team, folder, trials)
    assert errors == []
    state = await StateManager.create(database_url)
    try:
        versions = await ContractManager(state).list_contracts(team)
    finally:
        await state.close()
    outcomes: dict[str, dict[str, str]] = {f"Race{trial}": {} for trial in range(trials)}
    for contract in versions:
        outcomes[contract.contract_name][contract.version] = contract.status.value
    return [
        f"{name}: {statuses}"
        for name, statuses in outcomes.items()
        if statuses.get("v1.1") != "active"
    ]


async def test_racing_loads_on_sqlite_leave_the_newest_version_active(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "registry.db")  # fresh: the jobs also race to create the tables
    assert await wrong_outcomes(url, tmp_path, TRIALS) == []


async def test_racing_loads_on_postgresql_leave_the_newest_version_active(
    pg_url: str, tmp_path: Path
) -> None:
    await drop_registry_tables(pg_url)  # fresh: the two jobs also race to create the tables
    assert await wrong_outcomes(pg_url, tmp_path, TRIALS) == []
