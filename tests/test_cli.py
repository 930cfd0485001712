"""The ``pytest-contracts`` command against a registry of its own in tmp_path
(SQLite + fakeredis; PostgreSQL and real Redis when the suite is given them).

Most tests call its entry function, ``pytest_contracts.cli.main``, in this
process; a few run the console script and ``python -m pytest_contracts`` in a
subprocess, as a user does: their exit codes and stderr."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    available_databases,
    drop_registry_tables,
    postgres_url,
    real_redis_url,
    run_command,
)

SCRIPT = Path(sys.executable).with_name("pytest-contracts")

SCHEMA_V1: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "total": {"type": "number", "minimum": 0}},
    "required": ["id"],
}
SCHEMA_V2_COMPATIBLE: dict[str, Any] = {
    **SCHEMA_V1,
    "properties": {**SCHEMA_V1["properties"], "note": {"type": "string"}},
}
SCHEMA_V2_BREAKING: dict[str, Any] = {
    **SCHEMA_V1,
    "properties": {**SCHEMA_V1["properties"], "id": {"type": "integer"}},
}

Run = Callable[..., subprocess.CompletedProcess[str]]


def script(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The console script, as a user runs it."""
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cli" in metafunc.fixturenames:
        metafunc.parametrize("cli", available_databases(), indirect=True)


@pytest.fixture
def cli(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """Runs the command in tmp_path against this database (see
    pytest_generate_tests), checking its exit code and its line width."""
    clean_env.chdir(tmp_path)
    if request.param == "postgresql":
        url = postgres_url()
        assert url is not None, "generated only when DATABASE_URL is set"
        asyncio.run(drop_registry_tables(url))
        clean_env.setenv("DATABASE_URL", url)

    def run(*args: str, expect: int | None = 0) -> subprocess.CompletedProcess[str]:
        result = run_command(capsys, *args)
        if expect is not None:
            assert result.returncode == expect, (result.stdout, result.stderr)
        for line in result.stdout.splitlines():
            if not args or "--json" not in args:
                assert len(line) <= 80, line
        return result

    return run


def contract_file(folder: Path, version: str, schema: Any, **extra: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"orders-{version}.json"
    document = {"name": "Orders", "version": version, "type": "EVENT", "schema": schema, **extra}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def loaded(cli: Run, tmp_path: Path) -> Run:
    """A registry holding Orders v1.0 (active)."""
    contract_file(tmp_path / "contracts", "v1.0", SCHEMA_V1, owner_agent="orders-team")
    result = cli("load", "contracts")
    assert "1 created, 1 activated" in result.stdout
    return cli


def test_load_then_list_show_and_summary(loaded: Run) -> None:
    listed = loaded("list")
    assert listed.stdout.splitlines()[1].split() == ["Orders", "v1.0", "active", "EVENT"]
    shown = json.loads(loaded("show", "Orders", "--json").stdout)
    assert (shown["version"], shown["status"], shown["specification"]) == (
        "v1.0",
        "active",
        SCHEMA_V1,
    )
    summary = json.loads(loaded("summary", "--json").stdout)
    assert summary["by_status"]["active"] == 1
    assert "team default: 1 contract(s), 1 version(s)" in loaded("summary").stdout


def test_check_passes_a_compatible_file_and_writes_nothing(loaded: Run, tmp_path: Path) -> None:
    contract_file(tmp_path / "contracts", "v1.1", SCHEMA_V2_COMPATIBLE)
    result = loaded("check", "contracts")
    assert "orders-v1.1.json: default/Orders v1.1\n  compatible vs v1.0 [BACKWARD" in result.stdout
    assert "check passed: 2 file(s)" in result.stdout
    assert [item["version"] for item in json.loads(loaded("list", "--json").stdout)] == ["v1.0"]


def test_check_fails_an_undeclared_break_with_the_report(loaded: Run, tmp_path: Path) -> None:
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING)
    result = loaded("check", "contracts", expect=1)
    assert "v2.0.json: default/Orders v2.0\n  BREAKING (not declared) vs v1.0" in result.stdout
    assert "/properties/id" in result.stdout
    assert "check FAILED: 1 of 2 file(s)" in result.stdout
    data = json.loads(loaded("check", "contracts", "--json", expect=1).stdout)
    assert data["ok"] is False
    (finding,) = [item for item in data["files"] if item["version"] == "v2.0"]
    assert finding["undeclared_break"] is True
    assert finding["compatibility"]["breaking"] is True


def test_check_accepts_a_declared_break_with_a_major_bump(loaded: Run, tmp_path: Path) -> None:
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING, breaking_change=True)
    result = loaded("check", "contracts")
    assert "BREAKING (declared) vs v1.0" in result.stdout


def test_check_refuses_a_break_without_a_major_bump(loaded: Run, tmp_path: Path) -> None:
    contract_file(tmp_path / "contracts", "v1.1", SCHEMA_V2_BREAKING, breaking_change=True)
    result = loaded("check", "contracts", expect=1)
    assert "new major version: use v2.0" in result.stdout


def test_check_reports_a_changed_schema_under_an_existing_version(
    loaded: Run, tmp_path: Path
) -> None:
    contract_file(tmp_path / "contracts", "v1.0", SCHEMA_V2_COMPATIBLE)
    result = loaded("check", "contracts", expect=1)
    assert "CONFLICT" in result.stdout
    assert "versions are immutable" in result.stdout


def test_load_gate_refuses_an_undeclared_break_and_loads_nothing(
    loaded: Run, tmp_path: Path
) -> None:
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING)
    result = loaded("load", "contracts", "--gate", expect=1)
    assert "break their contract without\n  declaring it" in result.stderr
    assert "Traceback" not in result.stderr
    assert [item["version"] for item in json.loads(loaded("list", "--json").stdout)] == ["v1.0"]
    # Without the gate the break is loaded and recorded.
    loose = loaded("load", "contracts")
    assert "breaking change recorded: Orders v2.0" in loose.stdout
    history = json.loads(loaded("history", "Orders", "--json").stdout)
    assert history[1]["breaking_change"] is True
    assert history[1]["compatibility"]["breaking_against"] == ["v1.0"]


def test_diff_prints_the_report_and_exits_1_on_a_break(loaded: Run, tmp_path: Path) -> None:
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING)
    loaded("load", "contracts")
    result = loaded("diff", "Orders", "v1.0", "v2.0", expect=1)
    assert result.stdout.splitlines()[0] == "Orders v1.0 -> v2.0: BREAKING [BACKWARD, lenient]"
    assert "/properties/id" in result.stdout
    same = loaded("diff", "Orders", "v1.0", "v2.0", "--mode", "NONE")
    assert "compatible [NONE, lenient]" in same.stdout
    data = json.loads(loaded("diff", "Orders", "v1.0", "v2.0", "--json", expect=1).stdout)
    assert data["breaking"] is True
    assert data["report"]["changes"]


def test_lifecycle_commands_and_history(loaded: Run, tmp_path: Path) -> None:
    contract_file(tmp_path / "contracts", "v1.1", SCHEMA_V2_COMPATIBLE)
    loaded("load", "contracts")
    result = loaded("activate", "Orders", "v1.0", "--by", "lead")
    assert "Orders v1.0 is now active" in result.stdout
    loaded("deprecate", "Orders", "v1.0", "--reason", "moving on")
    loaded("retire", "Orders", "v1.0")
    history = loaded("history", "Orders").stdout
    assert "v1.0  retired" in history
    paged = json.loads(loaded("history", "Orders", "--limit", "1", "--after", "1", "--json").stdout)
    assert [entry["version"] for entry in paged] == ["v1.1"]
    assert "compatible with v1.0 [BACKWARD, lenient]" in history
    refused = loaded("activate", "Orders", "v1.0", expect=2)
    assert refused.stderr.startswith("pytest-contracts: error: cannot activate")
    assert "retired" in refused.stderr


def test_consumers_and_can_i_deploy(loaded: Run, tmp_path: Path) -> None:
    loaded("consumers", "Orders", "--register", "billing", "--role", "Billing")
    listed = loaded("consumers", "Orders")
    assert listed.stdout.splitlines()[1].split() == ["billing", "v1.0", "Billing"]
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING, breaking_change=True)
    contract_file(tmp_path / "contracts", "v1.1", SCHEMA_V2_COMPATIBLE)
    loaded("load", "contracts")
    ok = loaded("can-i-deploy", "Orders", "v1.1")
    assert "can Orders v1.1 be deployed? yes" in ok.stdout
    no = loaded("can-i-deploy", "Orders", "v2.0", expect=1)
    assert "can Orders v2.0 be deployed? NO" in no.stdout
    assert "BREAKS billing (reads v1.0)" in no.stdout
    data = json.loads(loaded("can-i-deploy", "Orders", "v2.0", "--json", expect=1).stdout)
    assert data["deployable"] is False
    assert data["consumers"][0]["consumer_agent"] == "billing"


def test_compatibility_mode_is_shown_and_set(loaded: Run) -> None:
    assert "mode BACKWARD, policy lenient (defaults)" in loaded("compatibility", "Orders").stdout
    loaded("compatibility", "Orders", "--mode", "full", "--policy", "strict")
    data = json.loads(loaded("compatibility", "Orders", "--json").stdout)
    assert (data["mode"], data["policy"], data["explicit"]) == ("FULL", "strict", True)
    bad = loaded("compatibility", "Orders", "--mode", "sideways", expect=2)
    assert "BACKWARD_TRANSITIVE" in bad.stderr


def test_export_writes_files_that_load_again(loaded: Run, tmp_path: Path) -> None:
    loaded("compatibility", "Orders", "--mode", "FORWARD")
    result = loaded("export", "exported")
    assert "exported 1 version(s)" in result.stdout
    (path,) = (tmp_path / "exported").glob("*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["name"], data["version"], data["schema"], data["compatibility"]) == (
        "Orders",
        "v1.0",
        SCHEMA_V1,
        "FORWARD",
    )
    again = loaded("load", "exported")
    assert "0 created, 0 activated, 1 unchanged" in again.stdout


def test_prune_dry_run_and_real(loaded: Run, tmp_path: Path) -> None:
    for minor in range(1, 4):
        contract_file(tmp_path / "contracts", f"v1.{minor}", {**SCHEMA_V1, "title": f"rev {minor}"})
        loaded("load", "contracts")
    dry = json.loads(loaded("prune", "--keep-last", "1", "--dry-run", "--json").stdout)
    assert dry["versions"] == ["Orders v1.2", "Orders v1.1", "Orders v1.0"]
    assert dry["dry_run"] is True
    assert len(json.loads(loaded("list", "--json").stdout)) == 4
    done = loaded("prune", "--keep-last", "1")
    assert "removed 3 version(s)" in done.stdout
    assert [item["version"] for item in json.loads(loaded("list", "--json").stdout)] == ["v1.3"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "Nope"], "has no contract 'Nope'"),
        (["show", "Orders", "--version", "v9"], "has no version 'v9'"),
        (["history", "Nope"], "has no contract 'Nope'"),
        (["check", "missing-folder"], "missing-folder: no such file or directory"),
        (["prune", "--keep-last", "0"], "must be at least 1"),
        (["list", "--status", "sleeping"], "unknown status 'sleeping'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["diff", "Orders", "v1.0"], "the following arguments are required: new"),
        (["consumers", "Orders", "--role", "x"], "--version and --role go with --register"),
        (["list", "--db", "mysql://x/y"], "supported are SQLite"),
        (["consumers", "Nope"], "has no contract 'Nope'"),
    ],
)
def test_user_mistakes_are_one_error_and_exit_2(loaded: Run, args: list[str], message: str) -> None:
    result = loaded(*args, expect=2)
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("pytest-contracts: error: ")
    assert all(line.startswith("  ") for line in lines[1:]), result.stderr  # wrapped, no more
    assert all(len(line) <= 80 for line in lines), result.stderr
    assert message in " ".join(line.strip() for line in lines)
    assert "Traceback" not in result.stderr


def test_errors_under_json_are_a_json_document_too(loaded: Run) -> None:
    result = loaded("show", "Nope", "--json", expect=2)
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2
    assert "has no contract 'Nope'" in data["error"]


def test_check_and_load_judge_against_the_same_version(loaded: Run, tmp_path: Path) -> None:
    # v1.1 drops "total"; v1.2 brings it back as a string. Both are judged
    # against the newest version before them, in check and in load alike.
    without_total = {**SCHEMA_V1, "properties": {"id": {"type": "string"}}}
    text_total = {
        **SCHEMA_V1,
        "properties": {"id": {"type": "string"}, "total": {"type": "string"}},
    }
    contract_file(tmp_path / "contracts", "v1.1", without_total)
    contract_file(tmp_path / "contracts", "v1.2", text_total)
    checked = json.loads(loaded("check", "contracts", "--json").stdout)
    against = {f["version"]: f["compatibility"]["against"] for f in checked["files"][1:]}
    assert against == {"v1.1": ["v1.0"], "v1.2": ["v1.1"]}
    loaded("load", "contracts", "--gate")
    history = json.loads(loaded("history", "Orders", "--json").stdout)
    stored = {
        h["version"]: [c["version"] for c in h["compatibility"]["checked"]] for h in history[1:]
    }
    assert stored == against


def test_an_over_long_version_in_a_file_is_named(cli: Run, tmp_path: Path) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    document = {"name": "Orders", "version": "v" + "9" * 5000, "type": "EVENT", "schema": {}}
    (folder / "long.json").write_text(json.dumps(document), encoding="utf-8")
    result = cli("check", "contracts", expect=2)
    assert "long.json" in result.stderr
    assert "version is 5001 characters long; the limit is 64" in " ".join(
        line.strip() for line in result.stderr.splitlines()
    )
    assert "Traceback" not in result.stderr


def test_corrupt_contract_file_is_named(cli: Run, tmp_path: Path) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "broken.json").write_text('{"name": "Orders", "version": ', encoding="utf-8")
    for command in ("check", "load"):
        result = cli(command, "contracts", expect=2)
        assert "broken.json: not valid JSON" in result.stderr
        assert "Traceback" not in result.stderr


def test_help_fits_80_columns_on_a_wide_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # what a wide terminal tells argparse
    for args in (["--help"], ["check", "--help"], ["prune", "--help"]):
        result = run_command(capsys, *args)
        assert result.returncode == 0
        assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_real_redis_serves_the_command_line(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    redis = real_redis_url(request.config)
    if redis is None:
        pytest.skip("real Redis not configured: set REDIS_URL=redis://127.0.0.1:6379/0")
    clean_env.chdir(tmp_path)
    clean_env.setenv("REDIS_URL", redis)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_command(capsys, "--redis", *args)

    contract_file(tmp_path / "contracts", "v1.0", SCHEMA_V1)
    assert run("load", "contracts").returncode == 0
    contract_file(tmp_path / "contracts", "v1.1", SCHEMA_V2_COMPATIBLE)
    assert run("load", "contracts").returncode == 0
    shown = json.loads(run("show", "Orders", "--json").stdout)  # the active version, cached
    assert shown["version"] == "v1.1"
    assert run("activate", "Orders", "v1.0").returncode == 0
    assert json.loads(run("show", "Orders", "--json").stdout)["version"] == "v1.0"


# -- the console script itself, in a subprocess --------------------------------
def without_registry_settings() -> dict[str, str]:
    names = {"DATABASE_URL", "REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_DB"}
    return {key: value for key, value in os.environ.items() if key not in names}


def test_console_script_and_python_dash_m_serve_the_same_registry(tmp_path: Path) -> None:
    env = without_registry_settings()
    contract_file(tmp_path / "contracts", "v1.0", SCHEMA_V1, owner_agent="orders-team")
    loaded = script("load", "contracts", cwd=tmp_path, env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "1 created, 1 activated" in loaded.stdout
    result = subprocess.run(
        [sys.executable, "-m", "pytest_contracts", "list", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert [item["version"] for item in json.loads(result.stdout)] == ["v1.0"]


def test_console_script_usage_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = script("frobnicate", cwd=tmp_path, env=without_registry_settings())
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("pytest-contracts: error: ")
    assert all(line.startswith("  ") for line in lines[1:]), result.stderr
    assert "invalid choice: 'frobnicate'" in " ".join(line.strip() for line in lines)


def test_console_script_finding_exits_1(tmp_path: Path) -> None:
    env = without_registry_settings()
    contract_file(tmp_path / "contracts", "v1.0", SCHEMA_V1)
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING)
    result = script("check", "contracts", cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stderr
    assert "check FAILED: 1 of 2 file(s)" in result.stdout


def test_unreachable_real_redis_exits_3(tmp_path: Path) -> None:
    result = script("list", "--redis-url", "redis://127.0.0.1:1/0", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "redis://127.0.0.1:1/0" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_help_fits_80_columns() -> None:
    result = script("--help")
    assert result.returncode == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_diff_shows_the_witness_of_each_breaking_change(loaded: Run, tmp_path: Path) -> None:
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING, breaking_change=True)
    loaded("load", "contracts")
    lines = loaded("diff", "Orders", "v1.0", "v2.0", expect=1).stdout.splitlines()
    assert lines[-2:] == [
        "  witnesses (each checked against both schemas):",
        '    /properties/id/type  e.g. {"id": ""} (old accepts it, new refuses it)',
    ]
    data = json.loads(loaded("diff", "Orders", "v1.0", "v2.0", "--json", expect=1).stdout)
    (change,) = data["report"]["changes"]
    assert change["witness"] == {"direction": "readers", "document": {"id": ""}}


def test_check_shows_the_witness_of_a_break_in_text_and_json(loaded: Run, tmp_path: Path) -> None:
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING, breaking_change=True)
    result = loaded("check", "contracts")
    assert '/properties/id/type  e.g. {"id": ""} (old accepts it, new refuses it)' in result.stdout
    data = json.loads(loaded("check", "contracts", "--json").stdout)
    (finding,) = [item for item in data["files"] if item["version"] == "v2.0"]
    (change,) = finding["compatibility"]["changes"]
    assert change["witness"] == {"direction": "readers", "document": {"id": ""}}


# -- a reader that leaves early (| head -1) ---------------------------------------
F_SETPIPE_SZ = 1031  # Linux: set a pipe's buffer size


@pytest.fixture(scope="module")
def long_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry whose list, history and show each print more than a page."""
    folder = tmp_path_factory.mktemp("long")
    contracts = folder / "contracts"
    contracts.mkdir()
    big = {**SCHEMA_V1, "properties": {f"p{n}": {"type": "string"} for n in range(150)}}
    for number in range(1, 41):
        document = {
            "name": "Orders",
            "version": f"v{number}",
            "type": "EVENT",
            "schema": big,
            "compatibility": "NONE",
        }
        (contracts / f"orders-{number}.json").write_text(json.dumps(document), encoding="utf-8")
    for number in range(100):
        # Long names: list's columns are as wide as their cells when piped.
        name = f"Extra{number}-{'x' * 60}"
        document = {"name": name, "version": "v1", "type": "EVENT", "schema": {}}
        (contracts / f"extra-{number}.json").write_text(json.dumps(document), encoding="utf-8")
    from pytest_contracts.cli import main

    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()):
        for name in ("DATABASE_URL", "REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_DB"):
            patch.delenv(name, raising=False)
        patch.chdir(folder)
        assert main(["load", "contracts"]) == 0  # in this process: 140 files load in a second
    return folder


@pytest.mark.parametrize(
    "args",
    [["show", "Orders"], ["list"], ["history", "Orders"], ["--json", "list"]],
    ids=["show", "list", "history", "json"],
)
def test_a_reader_that_leaves_early_gets_no_traceback(long_outputs: Path, args: list[str]) -> None:
    import fcntl

    with subprocess.Popen(
        [str(SCRIPT), *args],
        cwd=long_outputs,
        env=without_registry_settings(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        # One page of buffer (set while the command still starts up): every
        # output here is longer, so the command is still writing when the reader goes.
        fcntl.fcntl(process.stdout.fileno(), F_SETPIPE_SZ, 4096)
        first = process.stdout.readline()
        process.stdout.close()  # as `head -1` does after its line
        stderr = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert first.strip()
    assert stderr == ""
    assert code == 141  # 128 + SIGPIPE, as a shell reports a command the pipe stopped
