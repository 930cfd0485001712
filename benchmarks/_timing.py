"""Interleaved timing: the subject and its baseline take turns, so machine
noise (other processes, CPU frequency) hits both alike; medians of several
repetitions after a warm-up. Never used to assert anything."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

SyncCall = Callable[[], Any]
AsyncCall = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class Pair:
    """Median nanoseconds per call of the subject and of its baseline."""

    subject_ns: float
    baseline_ns: float

    @property
    def ratio(self) -> float:
        return self.subject_ns / self.baseline_ns

    def as_ms(self) -> dict[str, float]:
        """The ``subject``, ``baseline`` (milliseconds) and ``ratio`` of a Figure."""
        return {
            "subject": self.subject_ns / 1e6,
            "baseline": self.baseline_ns / 1e6,
            "ratio": self.ratio,
        }


def _per_call_sync(call: SyncCall, inner: int, prepare: SyncCall | None) -> float:
    if prepare is None:
        started = time.perf_counter_ns()
        for _ in range(inner):
            call()
        return (time.perf_counter_ns() - started) / inner
    total = 0
    for _ in range(inner):
        prepare()  # outside the timed region
        started = time.perf_counter_ns()
        call()
        total += time.perf_counter_ns() - started
    return total / inner


def pair_sync(
    subject: SyncCall,
    baseline: SyncCall,
    *,
    reps: int,
    inner: int,
    warmup: int = 3,
    prepare_subject: SyncCall | None = None,
    prepare_baseline: SyncCall | None = None,
) -> Pair:
    for _ in range(warmup):
        _per_call_sync(baseline, 1, prepare_baseline)
        _per_call_sync(subject, 1, prepare_subject)
    subjects: list[float] = []
    baselines: list[float] = []
    for rep in range(reps):
        # Alternate which goes first, so neither always runs on a warmer cache.
        order = [(baseline, prepare_baseline, baselines), (subject, prepare_subject, subjects)]
        if rep % 2:
            order.reverse()
        for call, prepare, out in order:
            out.append(_per_call_sync(call, inner, prepare))
    return Pair(statistics.median(subjects), statistics.median(baselines))


async def _per_call_async(call: AsyncCall, inner: int, prepare: AsyncCall | None) -> float:
    if prepare is None:
        started = time.perf_counter_ns()
        for _ in range(inner):
            await call()
        return (time.perf_counter_ns() - started) / inner
    total = 0
    for _ in range(inner):
        await prepare()
        started = time.perf_counter_ns()
        await call()
        total += time.perf_counter_ns() - started
    return total / inner


async def pair_async(
    subject: AsyncCall,
    baseline: AsyncCall,
    *,
    reps: int,
    inner: int,
    warmup: int = 3,
    prepare_subject: AsyncCall | None = None,
    prepare_baseline: AsyncCall | None = None,
) -> Pair:
    for _ in range(warmup):
        await _per_call_async(baseline, 1, prepare_baseline)
        await _per_call_async(subject, 1, prepare_subject)
    subjects: list[float] = []
    baselines: list[float] = []
    for rep in range(reps):
        order = [(baseline, prepare_baseline, baselines), (subject, prepare_subject, subjects)]
        if rep % 2:
            order.reverse()
        for call, prepare, out in order:
            out.append(await _per_call_async(call, inner, prepare))
    return Pair(statistics.median(subjects), statistics.median(baselines))
