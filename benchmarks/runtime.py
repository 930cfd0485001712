"""Section 8: the run-time API (``ContractManager.validate``) on a warm
registry against the raw compiled validator of the same engine, and what a
stored record adds to a check."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from . import _data
from ._report import Figure
from ._timing import pair_async
from .validation import BOUNDARY, SIZES

TEAM = "bench-runtime"


async def run(folder: Path, quick: bool) -> list[Figure]:
    from pytest_contracts import ContractManager, StateManager
    from pytest_contracts.config import sqlite_url

    figures: list[Figure] = []
    name = _data.boundary_name(BOUNDARY)
    specification = _data.schema(BOUNDARY)
    for engine, target in (("jsonschema", 1.3), ("jsonschema-rs", 2.0)):
        async with await StateManager.create(sqlite_url(folder / f"runtime-{engine}.db")) as state:
            manager = ContractManager(state)
            manager.configure_checks(engine=engine)
            created = await manager.create_contract(
                TEAM, name, "v1.0", "PHASE_TRANSITION", specification
            )
            contract = await manager.activate_contract(created.id)
            for size, size_label in SIZES:
                document = _data.output(BOUNDARY, size)
                warm = await manager.validate(TEAM, name, document, record=False)
                assert warm.passed, "the document must be valid"
                validator = manager._checker.validators.validator(contract)  # type: ignore[attr-defined,union-attr]
                big = size > 10_000

                async def subject(d: Any = document, m: Any = manager) -> None:
                    await m.validate(TEAM, name, d, record=False)

                async def baseline(v: Any = validator, d: Any = document) -> None:
                    list(v.iter_errors(d))

                pair = await pair_async(
                    subject,
                    baseline,
                    reps=5 if quick else 15,
                    inner=(2 if big else 30) if quick else (10 if big else 300),
                )
                figures.append(
                    Figure(
                        key=f"runtime.validate.{engine}.{size_label.replace(' ', '').lower()}",
                        section=8,
                        label=f"validate() {size_label}, {engine}",
                        subject=pair.subject_ns / 1e6,
                        baseline=pair.baseline_ns / 1e6,
                        ratio=pair.ratio,
                        max_ratio=target,
                    )
                )
            figures.append(await _record_cost(manager, name, quick, engine))
    return figures


async def _record_cost(manager: Any, name: str, quick: bool, engine: str) -> Figure:
    """The time per check of ``record=True`` less ``record=False``, with the
    batch's writes (and the wait for them) counted: amortised per check."""
    document = _data.output(BOUNDARY, 1_000)
    count = 200 if quick else 2_000
    results = []
    for record in (False, True, False, True):
        started = time.perf_counter_ns()
        for _ in range(count):
            await manager.validate(TEAM, name, document, record=record)
        await manager.flush_validations()
        results.append((record, (time.perf_counter_ns() - started) / count))
    without = min(ns for record, ns in results if not record)
    with_record = min(ns for record, ns in results if record)
    added_us = max(0.0, (with_record - without) / 1000)
    return Figure(
        key=f"runtime.record.{engine}",
        section=8,
        label=f"record=True cost, {engine}",
        unit="us",
        subject=with_record / 1000,
        baseline=without / 1000,
        ratio=with_record / without,
        absolute=added_us,
        max_absolute=50.0,
        note=f"{count} checks, flushed: {added_us:.1f} us added per check",
    )
