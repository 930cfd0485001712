"""Credentials in database and Redis URLs never appear in the terminal, the report,
the logs or the command's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Project, run_command

SECRET = "s3cret"

CREDENTIAL_TESTS = """
import logging

import pytest


@pytest.mark.phase_boundary("requirements", "design")
def test_output(phase_output):
    logging.getLogger("user").debug("recording")
    phase_output.record({"project": "x"})


def test_registry(contract_manager):
    contract_manager.list_contracts("t").result()
"""


def _credential_run(project: Project, *args: str) -> list[tuple[str, str]]:
    project.pytester.makepyfile(CREDENTIAL_TESTS)
    project.boundary("requirements", "design", {"type": "object"})
    result = project.subprocess(
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "--log-level=DEBUG",
        "--log-file=run.log",
        "--log-file-level=DEBUG",
        "-rA",
        "-W",
        "always",
        "--contracts-report",
        "report.json",
        *args,
        timeout=120,
    )
    places = [("stdout", result.stdout.str()), ("stderr", result.stderr.str())]
    for name in ("report.json", "run.log"):
        path = project.path / name
        places.append((name, path.read_text(encoding="utf-8") if path.exists() else ""))
    # The run did reach the registry code: it reports where the registry is.
    assert "127.0.0.1" in "".join(text for _, text in places) or "sqlite" in places[0][1]
    return places


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--contracts-db", f"postgresql://user:{SECRET}@127.0.0.1:1/db"], id="pg"),
        pytest.param(
            ["--contracts-redis", "--contracts-redis-url", f"redis://:{SECRET}@127.0.0.1:1/0"],
            id="redis",
        ),
        pytest.param(
            ["--contracts-db", f"postgresql://user:{SECRET}@127.0.0.1:1/db", "--contracts-gate"],
            id="pg-gate",
        ),
        pytest.param(
            ["--contracts-db", f"postgresql://user@127.0.0.1:1/db?password={SECRET}"],
            id="pg-password-in-query",
        ),
        pytest.param(
            ["--contracts-db", f"sqlite:///registry.db?password={SECRET}"],
            id="sqlite-password-in-query",
        ),
    ],
)
def test_credentials_in_urls_never_appear_in_output_report_or_logs(
    project: Project, args: list[str]
) -> None:
    for place, text in _credential_run(project, *args):
        assert SECRET not in text, f"the password appears in {place}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["list", "--db", f"postgresql://user:{SECRET}@127.0.0.1:1/db"],
        ["list", "--db", f"postgresql://user:{SECRET}@127.0.0.1:1/db", "--json"],
        ["--redis", "--redis-url", f"redis://:{SECRET}@127.0.0.1:1/0", "list"],
    ],
)
def test_credentials_in_urls_never_appear_in_the_command_output(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    clean_env.chdir(tmp_path)
    done = run_command(capsys, *args)
    assert done.returncode != 0
    assert "127.0.0.1" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stdout
    assert SECRET not in done.stderr
