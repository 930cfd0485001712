"""Sections 1 and 6b: one output through the plugin's validation path against
the raw compiled validator of the same engine, and the bound on the cache of
compiled validators."""

from __future__ import annotations

import gc
import inspect
from typing import Any

from . import _data
from ._report import Figure
from ._timing import pair_sync

SIZES = ((1_000, "1 KB"), (100_000, "100 KB"))
BOUNDARY = ("requirements", "design")


def plugin_path(cache: Any, contract: Any, document: Any) -> Any:
    """What the plugin does per output: the JSON-data and size check of
    ``phase_output.record`` (default limit), then ``ValidatorCache.validate``
    with its violations mapped to records (as ``Checker.check`` in ``pytest_contracts.checker``
    does)."""
    from pytest_contracts.jsondata import check_output

    check_output(document, what="the phase output")
    verdict = cache.validate(contract, document)
    return tuple(v.to_dict() for v in verdict.violations)


def _engines() -> list[tuple[str, dict[str, Any], Any]]:
    """(engine label, ValidatorCache kwargs, raw compile function) per engine."""
    from pytest_contracts.validation import ValidatorCache

    engines: list[tuple[str, dict[str, Any], Any]] = [("jsonschema", {}, None)]
    if "engine" in inspect.signature(ValidatorCache).parameters:
        engines.append(("jsonschema-rs", {"engine": "jsonschema-rs"}, "rs"))
    else:
        engines.append(("jsonschema-rs", {}, "n/a"))
    return engines


def run(quick: bool) -> list[Figure]:
    from pytest_contracts.validation import ValidatorCache

    figures = []
    specification = _data.schema(BOUNDARY)
    for engine, kwargs, raw in _engines():
        for size, size_label in SIZES:
            fig = Figure(
                key=f"validate.{engine}.{size_label.replace(' ', '').lower()}",
                section=1,
                label=f"validate {size_label}, {engine}",
                max_ratio=1.15,
                replaced="validate",
            )
            figures.append(fig)
            if raw == "n/a":
                fig.skipped = (
                    "n/a: ValidatorCache has no engine= parameter yet (the jsonschema-rs "
                    "engine is being added)"
                )
                continue
            try:
                cache = ValidatorCache(**kwargs)
            except Exception as exc:  # an engine that is declared but not installed
                fig.skipped = f"n/a: ValidatorCache({kwargs}) failed: {exc}"
                continue
            contract = _data.contract(specification)
            document = _data.output(BOUNDARY, size)
            validator = cache.validator(contract)  # the very object the plugin uses
            assert not plugin_path(cache, contract, document), "the document must be valid"
            big = size > 10_000
            pair = pair_sync(
                lambda c=cache, k=contract, d=document: plugin_path(c, k, d),
                # Same work as the plugin's call: every error collected, not only a verdict.
                lambda v=validator, d=document: list(v.iter_errors(d)),
                reps=(5 if quick else 15),
                inner=(2 if big else 30) if quick else (10 if big else 300),
            )
            fig.subject, fig.baseline = pair.subject_ns / 1e6, pair.baseline_ns / 1e6
            fig.ratio = pair.ratio
            fig.extra["bytes"] = _data.size_of(document)
    return figures


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def cache_bound(quick: bool) -> list[Figure]:
    """Compile validators for 10 x maxsize distinct contracts: the cache keeps
    maxsize of them and the process's RSS stays flat after the first round."""
    from pytest_contracts.validation import ValidatorCache

    maxsize = 64 if quick else 256
    cache = ValidatorCache(maxsize=maxsize)
    document = _data.output(BOUNDARY, 1_000)

    def one_round() -> None:
        for _ in range(maxsize):
            specification = _data.schema(BOUNDARY)
            specification["$comment"] = f"distinct {id(specification)}"  # a distinct schema
            contract = _data.contract(specification)
            cache.validate(contract, document)

    one_round()  # fill the cache, and the allocator's arenas
    gc.collect()
    after_first = _rss_mb()
    for _ in range(9):
        one_round()
    gc.collect()
    after_all = _rss_mb()
    fig = Figure(
        key="memory.validator_cache",
        section=6,
        label=f"validator cache RSS, {10 * maxsize} vs {maxsize}",
        unit="MB",
        subject=after_all,
        baseline=after_first,
        ratio=after_all / after_first,
        max_ratio=1.10,
        extra={
            "maxsize": maxsize,
            "compiled": cache.compiled,
            "len": len(cache),
            "ok": len(cache) == maxsize,
        },
        note=f"compiled {cache.compiled} validators, len(cache) == {len(cache)} "
        f"(maxsize {maxsize})" + ("" if len(cache) == maxsize else ": NOT BOUNDED"),
    )
    if len(cache) != maxsize:
        fig.max_ratio = 0.0  # a cache that is not bounded is a MISS whatever the RSS
    return [fig]
