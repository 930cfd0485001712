"""The examples run as tests, from a copy so each run starts with a fresh registry."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"

pytestmark = pytest.mark.slow


def run_example(name: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    folder = tmp_path / name
    shutil.copytree(EXAMPLES / name, folder, ignore=shutil.ignore_patterns(".pytest_contracts"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(folder), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_sdlc_pipeline_example_passes_its_gate(tmp_path: Path) -> None:
    result = run_example("sdlc_pipeline", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "loaded 4 contract files: 4 created, 4 activated, 0 unchanged" in out
    assert "5 checks against 4 contracts: 5 passed" in out
    assert "contracts gate: passed" in out
    assert "7 passed" in out


def test_violation_example_fails_with_a_readable_report(tmp_path: Path) -> None:
    result = run_example("violation", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    for line in [
        "contract check failed (3 problems):",
        "  phase boundary design -> implementation: contract "
        "'phase_boundary_design_to_implementation' version 'v1.0' (id ",
        "    at /components/0: 'satisfies' is a required property "
        "[keyword 'required', schema /properties/components/items/required]",
        "    at /components/0/name: 'Signup_Service' does not match '^[a-z0-9-]+$' "
        "[keyword 'pattern', schema /properties/components/items/properties/name/pattern]",
        "    at /interfaces/0/protocol: 'carrier-pigeon' is not one of "
        "['https', 'grpc', 'amqp'] [keyword 'enum', "
        "schema /properties/interfaces/items/properties/protocol/enum]",
        "1 check against 1 contract: 0 passed, 1 failed",
    ]:
        assert line in out, line


def test_orchestrator_example_checks_repairs_and_stops_at_run_time(tmp_path: Path) -> None:
    """The pipeline engine of examples/orchestrator (no pytest in it) runs its
    own test: every hand-off checked while the pipeline runs, a failing output
    repaired once from its feedback, a boundary that still fails stops it."""
    shutil.copytree(EXAMPLES / "sdlc_pipeline", tmp_path / "sdlc_pipeline")  # its contracts
    result = run_example("orchestrator", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_orchestrator_example_runs_as_a_program(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "sdlc_pipeline", tmp_path / "sdlc_pipeline")
    shutil.copytree(EXAMPLES / "orchestrator", tmp_path / "orchestrator")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, str(tmp_path / "orchestrator" / "run.py"), str(tmp_path / "r.db")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "  design -> implementation: passed (2 attempts)" in result.stdout
    assert "    1. at /tasks/0/estimate_hours: must be more than 0; found 0" in result.stdout
    assert result.stdout.rstrip().endswith("pipeline stopped at implementation -> testing")
