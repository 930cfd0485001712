"""Sections 4, 6 and 7: whole pytest sessions in subprocesses, with the plugin
against without it, each pair run alternately and repeated (medians)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _data
from ._report import Figure

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
FILES = 10  # the tests are spread over this many modules


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_mb: float


def _environment(folder: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DATABASE_URL", "REDIS_"))
    }
    env["PYTEST_CONTRACTS_COUNTER_DIR"] = str(folder / "counters")
    return env


# Forked from a small process, not from this one: a forked child's peak RSS
# counts the parent's pages it held until exec, and fork time would count too.
_WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter_ns()
code = subprocess.call(sys.argv[1:])
elapsed = (time.perf_counter_ns() - started) / 1e9
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps([code, elapsed, peak]))
"""


def run_session(folder: Path, *args: str) -> Run:
    """One pytest session in ``folder``: its wall time and peak RSS (ru_maxrss
    of RUSAGE_CHILDREN in a wrapper process whose only child is pytest)."""
    log = folder / "last-run.log"
    with log.open("wb") as out:
        result = subprocess.run(
            [sys.executable, "-c", _WRAPPER, *PYTEST, *args],
            cwd=folder,
            env=_environment(folder.parent),
            stdout=subprocess.PIPE,
            stderr=out,
            check=False,
        )
    lines = result.stdout.decode(errors="replace").strip().splitlines()
    code, elapsed, peak_kib = json.loads(lines[-1])
    if code != 0:
        text = "\n".join(lines[-40:])
        raise RuntimeError(f"pytest {' '.join(args)} in {folder} failed ({code}):\n{text}")
    return Run(elapsed, peak_kib / 1024)  # ru_maxrss is in KiB on Linux


def _write_tests(folder: Path, count: int, validated: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    boundaries = list(_data.BOUNDARIES)
    if validated:
        outputs = {f"{b[0]}->{b[1]}": _data.output(b, 1_000) for b in boundaries}
        (folder / "outputs.json").write_text(json.dumps(outputs), encoding="utf-8")
    per_file = count // FILES
    for number in range(FILES):
        lines = ["import json", "import pathlib", "", "import pytest", ""]
        if validated:
            lines.append(
                "OUT = json.loads((pathlib.Path(__file__).parent / 'outputs.json').read_text())"
            )
        for index in range(number * per_file, (number + 1) * per_file):
            if validated:
                source, destination = boundaries[index % len(boundaries)]
                lines += [
                    "",
                    "",
                    f"@pytest.mark.phase_boundary({source!r}, {destination!r})",
                    f"def test_{index}(phase_output):",
                    f"    phase_output.record(OUT['{source}->{destination}'])",
                ]
            else:
                lines += ["", "", f"def test_{index}():", "    assert True"]
        (folder / f"test_bench_{number}.py").write_text("\n".join(lines) + "\n", encoding="utf-8")


_PLAIN_CONFTEST = '''\
"""Stands in for the plugin: the same fixture and marker, no validation."""
import pytest


class _Recorder:
    def record(self, data, **kwargs):
        self.data = data


def pytest_configure(config):
    config.addinivalue_line("markers", "phase_boundary(source, destination): stand-in")


@pytest.fixture
def phase_output():
    return _Recorder()
'''


def _write_contracts(folder: Path) -> None:
    directory = folder / "contracts"
    directory.mkdir(parents=True, exist_ok=True)
    for boundary in _data.BOUNDARIES:
        name = _data.boundary_name(boundary)
        document = {
            "name": name,
            "version": "v1.0",
            "type": "PHASE_TRANSITION",
            "schema": _data.schema(boundary),
        }
        (directory / f"{name}-v1.0.json").write_text(json.dumps(document), encoding="utf-8")


def raw_validation_ms(quick: bool) -> float:
    """Median time of the raw compiled validator on the sessions' outputs."""
    from pytest_contracts.validation import ValidatorCache

    from ._timing import pair_sync

    cache = ValidatorCache()
    times = []
    for boundary in _data.BOUNDARIES:
        validator = cache.validator(_data.contract(_data.schema(boundary)))
        document = _data.output(boundary, 1_000)
        pair = pair_sync(
            lambda v=validator, d=document: list(v.iter_errors(d)),
            lambda v=validator, d=document: v.is_valid(d),
            reps=3 if quick else 7,
            inner=5 if quick else 100,
        )
        times.append(pair.subject_ns / 1e6)
    return statistics.median(times)


class _Fresh:
    """A new registry file per session: every run starts as a first CI run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self) -> list[str]:
        self.count += 1
        path = self.folder / "registries" / f"registry-{self.count}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return ["--contracts-dir", "contracts", "--contracts-db", f"sqlite:///{path}"]


def _alternate(
    reps: int, first: Any, second: Any, *, warmup: bool = True
) -> tuple[list[Run], list[Run]]:
    a: list[Run] = []
    b: list[Run] = []
    if warmup:  # one of each first: imports into the OS page cache, files compiled
        first()
        second()
    for rep in range(reps):
        if rep % 2:
            b.append(second())
            a.append(first())
        else:
            a.append(first())
            b.append(second())
    return a, b


def _median(runs: list[Run], attribute: str = "seconds") -> float:
    return statistics.median(getattr(run, attribute) for run in runs)


def run(folder: Path, quick: bool) -> list[Figure]:
    count = 20 if quick else 1_000
    # Quick mode proves every figure is produced (CI runs it through the test
    # suite); one run of each, without warm-up, is not a measurement to quote.
    reps = 1 if quick else 7
    warmup = not quick
    unused_dir = folder / "unused"
    plugin_dir = folder / "validated"
    plain_dir = folder / "validated_plain"
    _write_tests(unused_dir, count, validated=False)
    _write_tests(plugin_dir, count, validated=True)
    _write_tests(plain_dir, count, validated=True)
    _write_contracts(plugin_dir)
    (plain_dir / "conftest.py").write_text(_PLAIN_CONFTEST, encoding="utf-8")
    fresh = _Fresh(folder)
    figures: list[Figure] = []

    # 4a: installed but unused.
    with_plugin, without = _alternate(
        reps,
        lambda: run_session(unused_dir),
        lambda: run_session(unused_dir, "-p", "no:contracts"),
        warmup=warmup,
    )
    figures.append(
        Figure(
            key="session.unused",
            section=4,
            label=f"{count} trivial tests, plugin unused",
            unit="ms",
            subject=_median(with_plugin) * 1000,
            baseline=_median(without) * 1000,
            ratio=_median(with_plugin) / _median(without),
            max_ratio=1.03,
            note=f"baseline: the same session with -p no:contracts; {reps} runs each",
        )
    )

    # 4b: every test records one output against one of four boundary contracts.
    validated, plain = _alternate(
        reps,
        lambda: run_session(plugin_dir, *fresh()),
        lambda: run_session(plain_dir, "-p", "no:contracts"),
        warmup=warmup,
    )
    raw_ms = raw_validation_ms(quick)
    per_test_ms = (_median(validated) - _median(plain)) * 1000 / count
    added_ms = per_test_ms - raw_ms
    # The fixed part (imports, opening the registry, loading the contract
    # files): the same pair with a single test.
    fixed_ms = marginal_ms = float("nan")
    if not quick:
        fixed_ms, marginal_ms = _fixed_and_marginal(folder, fresh, reps, count, validated, plain)
    figures.append(
        _per_test_figure(
            count, per_test_ms, raw_ms, added_ms, fixed_ms, marginal_ms, validated, plain
        )
    )
    # 6: peak RSS of the validated session (-n 0).
    figures.append(
        Figure(
            key="memory.session_rss",
            section=6,
            label=f"peak RSS, {count} validated tests",
            unit="MB",
            subject=_median(validated, "max_rss_mb"),
            baseline=_median(plain, "max_rss_mb"),
            ratio=_median(validated, "max_rss_mb") / _median(plain, "max_rss_mb"),
            note="peak RSS of the pytest process (ru_maxrss) with the plugin vs the "
            "stand-in session",
        )
    )

    # 7: the validated session on two xdist workers.
    xdist_reps = 1 if quick else 5
    parallel, serial = _alternate(
        xdist_reps,
        lambda: run_session(plugin_dir, "-n", "2", *fresh()),
        lambda: run_session(plugin_dir, "-n", "0", *fresh()),
        warmup=warmup,
    )
    plain_note = "(the same pair without the plugin runs in full mode only)"
    plain_ratio = None
    if not quick:
        plain_parallel, plain_serial = _alternate(
            xdist_reps,
            lambda: run_session(plain_dir, "-p", "no:contracts", "-n", "2"),
            lambda: run_session(plain_dir, "-p", "no:contracts", "-n", "0"),
        )
        plain_ratio = _median(plain_parallel) / _median(plain_serial)
        plain_note = (
            f"Without the plugin (stand-in fixture) the same tests take {plain_ratio:.2f}x "
            f"under -n 2: {_median(plain_parallel) * 1000:,.0f} vs "
            f"{_median(plain_serial) * 1000:,.0f} ms"
        )
    figures.append(
        Figure(
            key="session.xdist",
            section=7,
            label=f"{count} validated tests, -n 2 vs -n 0",
            subject=_median(parallel) * 1000,
            baseline=_median(serial) * 1000,
            ratio=_median(parallel) / _median(serial),
            extra={"plain_ratio": plain_ratio},
            note=f"{os.cpu_count()} CPUs; the workers share the SQLite registry. {plain_note}",
        )
    )
    return figures


def _fixed_and_marginal(
    folder: Path, fresh: _Fresh, reps: int, count: int, validated: list[Run], plain: list[Run]
) -> tuple[float, float]:
    """The fixed part of the plugin's cost (imports, opening the registry, loading
    the contract files), from the same pair of sessions with 10 tests, and the
    marginal cost per test that remains."""
    one_dir = folder / "validated_one"
    one_plain_dir = folder / "validated_one_plain"
    _write_tests(one_dir, FILES, validated=True)
    _write_tests(one_plain_dir, FILES, validated=True)
    _write_contracts(one_dir)
    (one_plain_dir / "conftest.py").write_text(_PLAIN_CONFTEST, encoding="utf-8")
    one, one_plain = _alternate(
        reps,
        lambda: run_session(one_dir, *fresh()),
        lambda: run_session(one_plain_dir, "-p", "no:contracts"),
    )
    fixed_ms = (_median(one) - _median(one_plain)) * 1000
    marginal_ms = (
        ((_median(validated) - _median(one)) - (_median(plain) - _median(one_plain)))
        * 1000
        / (count - FILES)
    )
    return fixed_ms, marginal_ms


def _per_test_figure(
    count: int,
    per_test_ms: float,
    raw_ms: float,
    added_ms: float,
    fixed_ms: float,
    marginal_ms: float,
    validated: list[Run],
    plain: list[Run],
) -> Figure:
    split = (
        f"Of that, fixed per session (imports, registry, 4 contract files; from 10-test "
        f"sessions): {fixed_ms:.0f} ms; marginal per test {marginal_ms:.3f} ms (incl. raw "
        "validation)"
        if fixed_ms == fixed_ms
        else "The fixed/marginal split is measured in full mode only."
    )
    return Figure(
        key="session.validated.per_test",
        section=4,
        label=f"{count} validated tests: cost per test",
        subject=per_test_ms,
        baseline=raw_ms,
        ratio=per_test_ms / raw_ms,
        absolute=added_ms,
        max_absolute=0.5,
        replaced="validate",
        extra={
            "added_ms": added_ms,
            "fixed_ms": fixed_ms if fixed_ms == fixed_ms else None,
            "marginal_per_test_ms": marginal_ms if marginal_ms == marginal_ms else None,
            "session_s": _median(validated),
            "plain_session_s": _median(plain),
        },
        note=(
            f"subject = (session with plugin - same tests with a stand-in fixture and "
            f"-p no:contracts) / {count}; baseline = raw validation of one output; added "
            f"beyond raw = {added_ms:.3f} ms/test (target <= 0.5). {split}"
        ),
    )
