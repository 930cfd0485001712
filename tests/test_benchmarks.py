"""The benchmark suite runs end to end in quick mode and reports every figure.

Only the shape of the output is checked: never a time, never a ratio target
(those depend on the machine; the table reports them). Deselected by default
(about 10 seconds of pytest sessions): ``python -m pytest -m benchmark`` runs
it, as CI does against the real servers."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.benchmark
def test_quick_benchmark_prints_the_table_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout
    assert "pytest-contracts benchmarks (quick" in table
    for column in ("figure", "subject", "baseline", "ratio", "target", "vs replaced"):
        assert column in table
    assert all(len(line) <= 100 for line in table.splitlines())

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["mode"] == "quick"
    figures = {figure["key"]: figure for figure in data["figures"]}
    expected = {
        "validate.jsonschema.1kb",
        "validate.jsonschema.100kb",
        "lookup.warm.sqlite+fakeredis",
        "lookup.cold.sqlite+fakeredis",
        "create.sqlite+fakeredis",
        "activate.sqlite+fakeredis",
        "session.unused",
        "session.validated.per_test",
        "scale.lookup.sqlite",
        "scale.record.sqlite",
        "scale.history.sqlite",
        "memory.session_rss",
        "memory.validator_cache",
        "session.xdist",
        "runtime.validate.jsonschema.1kb",
        "runtime.validate.jsonschema-rs.100kb",
        "runtime.record.jsonschema",
    }
    assert expected <= figures.keys()
    for key, figure in figures.items():
        assert figure["verdict"] in {"PASS", "MISS", "info", "skip"}, key
        if figure["skipped"] is None:
            assert isinstance(figure["ratio"], float), key
            assert math.isfinite(figure["ratio"]), key
            assert figure["ratio"] > 0, key
            assert figure["label"] in table, key
        else:
            assert figure["skipped"] in table, key
    assert (
        figures["memory.validator_cache"]["extra"]["len"]
        == (figures["memory.validator_cache"]["extra"]["maxsize"])
    )
