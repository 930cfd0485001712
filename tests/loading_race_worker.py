"""One CI job that loads contract files, in a process of its own.

The loader race tests (``tests/test_loading_race.py``) start two of these on
one registry and release them together at a barrier, trial after trial: in
each trial one job loads the old files of a fresh contract (v1.0), the other
the new ones (v1.0 and v1.1). It imports no pytest.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
from pathlib import Path
from typing import Any

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.registry.files import read_contract_dir
from pytest_contracts.registry.loading import load_contract_files

#: How long a job waits at the barrier for the other before giving up.
BARRIER_TIMEOUT = 120.0


def run_job(options: dict[str, Any], barrier: Any) -> None:
    """Load each trial's files after the barrier releases both jobs (and a
    trial's own short delay, which varies how the two loads interleave), and
    write what failed to ``options["results"]``.

    A trial's ``"cli"`` says how: ``pytest-contracts load``, with a connection
    of its own, as a CI job runs it; or else ``load_contract_files`` on the
    job's one manager."""
    errors: list[str] = []
    with asyncio.Runner() as runner:
        state = runner.run(StateManager.create(options["database_url"]))
        cm = ContractManager(state)
        try:
            for trial in options["trials"]:
                barrier.wait(BARRIER_TIMEOUT)
                time.sleep(trial["delay"])
                try:
                    if trial["cli"]:
                        _load_with_the_command(options, trial["dir"])
                    else:
                        files = read_contract_dir(Path(trial["dir"]), options["team"])
                        runner.run(load_contract_files(cm, files))
                except Exception as exc:  # every failure is reported, none is hidden
                    errors.append(f"{trial['dir']}: {type(exc).__name__}: {exc}")
        finally:
            runner.run(state.close())
    Path(options["results"]).write_text(json.dumps({"errors": errors}), encoding="utf-8")


def _load_with_the_command(options: dict[str, Any], directory: str) -> None:
    from pytest_contracts.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["load", directory, "--db", options["database_url"], "--team", options["team"]])
    if code != 0:
        raise RuntimeError(f"pytest-contracts load exited {code}: {out.getvalue().strip()}")
