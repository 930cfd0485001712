"""Damaged and hostile contract files: each is refused with one error naming
the file (plugin exit 4 at start, command exit 2), or skipped with a warning
when it is not a regular file; nothing blocks, nothing reads without bound,
nothing crashes."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_contracts.defaults import MAX_CONTRACT_FILE_BYTES, MAX_CONTRACT_FILE_DEPTH
from pytest_contracts.errors import ContractFileError
from pytest_contracts.registry.files import read_contract_dir, read_contract_file

from .conftest import Project, run_command

SCRIPT = Path(sys.executable).with_name("pytest-contracts")
VALID: dict[str, Any] = {
    "name": "Orders",
    "version": "v1",
    "type": "EVENT",
    "schema": {"type": "object", "properties": {"id": {"type": "string"}}},
}


def nested(depth: int) -> str:
    """A contract file whose arrays and objects nest ``depth`` levels deep
    (the file's own object is the first level)."""
    inner = depth - 1  # levels of "items" below the file's object
    return (
        '{"name": "Deep", "version": "v1", "type": "EVENT", "schema": '
        + '{"items": ' * (inner - 1)
        + '{"type": "array"}'
        + "}" * (inner - 1)
        + "}"
    )


DAMAGED: dict[str, tuple[str, str]] = {
    "deep": (nested(2_000), f"nested more than {MAX_CONTRACT_FILE_DEPTH} levels deep"),
    "big-integer": (
        '{"name": "Big", "version": "v1", "type": "EVENT", "schema": {"maximum": '
        + "9" * 5_000
        + "}}",
        "an integer of 5,000 digits",
    ),
    "duplicate-key": (
        '{"name": "Dup", "name": "Dup2", "version": "v1", "type": "EVENT", "schema": {}}',
        "the key 'name' appears twice",
    ),
    "duplicate-key-in-schema": (
        '{"name": "Dup", "version": "v1", "type": "EVENT", '
        '"schema": {"properties": {"a": {}, "a": {"type": "string"}}}}',
        "the key 'a' appears twice",
    ),
    "infinity": (
        '{"name": "Inf", "version": "v1", "type": "EVENT", "schema": {"maximum": 1e999}}',
        "too large for a JSON number",
    ),
    "nan": (
        '{"name": "NaN", "version": "v1", "type": "EVENT", "schema": {"maximum": NaN}}',
        "NaN is not JSON",
    ),
}


def one_error(stderr: str) -> str:
    """The command's error, its wrapped lines joined; fails unless stderr is
    exactly one error (one first line, the rest its indented continuation)."""
    assert "Traceback" not in stderr, stderr
    first, *rest = stderr.strip().splitlines()
    assert first.startswith("pytest-contracts: error: "), stderr
    assert all(line.startswith("  ") for line in rest), stderr
    return " ".join([first, *(line.strip() for line in rest)])


# -- the reader ------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_file_is_refused_naming_the_file_and_the_problem(
    tmp_path: Path, case: str
) -> None:
    text, problem = DAMAGED[case]
    path = tmp_path / f"{case}.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractFileError) as caught:
        read_contract_file(path, "default")
    assert str(caught.value).startswith(f"contract file {path}: ")
    assert problem in str(caught.value)
    assert len(str(caught.value)) < 300  # nothing of the file's content is echoed


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(nested(MAX_CONTRACT_FILE_DEPTH), encoding="utf-8")
    assert read_contract_file(path, "default").name == "Deep"
    path.write_text(nested(MAX_CONTRACT_FILE_DEPTH + 1), encoding="utf-8")
    with pytest.raises(ContractFileError, match="nested more than"):
        read_contract_file(path, "default")


def test_brackets_inside_strings_are_not_nesting(tmp_path: Path) -> None:
    path = tmp_path / "brackets.json"
    document = {**VALID, "description": "[{" * 5_000 + '\\"' + "]}" * 10}
    path.write_text(json.dumps(document), encoding="utf-8")
    assert read_contract_file(path, "default").description == document["description"]


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    padding = " " * (MAX_CONTRACT_FILE_BYTES - len(json.dumps(VALID)))
    path.write_text(json.dumps(VALID) + padding, encoding="utf-8")
    assert read_contract_file(path, "default").name == "Orders"  # exactly at the cap
    path.write_text(json.dumps(VALID) + padding + " ", encoding="utf-8")
    with pytest.raises(ContractFileError, match=f"larger than {MAX_CONTRACT_FILE_BYTES:,} bytes"):
        read_contract_file(path, "default")


def test_a_value_of_the_wrong_type_is_not_echoed_in_full(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text(json.dumps({**VALID, "name": ["x" * 10_000]}), encoding="utf-8")
    with pytest.raises(ContractFileError, match="'name' must be a non-empty string") as caught:
        read_contract_file(path, "default")
    assert len(str(caught.value)) < 300


def test_a_fifo_in_the_folder_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(VALID), encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.json")  # no writer: opening it to read would block
    (tmp_path / "folder.json").mkdir()
    warned: list[str] = []
    files = read_contract_dir(tmp_path, "default", warn=warned.append)
    assert [f.name for f in files] == ["Orders"]
    assert len(warned) == 2
    assert "folder.json: not a regular file (a folder)" in warned[0]
    assert "pipe.json: not a regular file (a FIFO)" in warned[1]


def test_a_link_to_a_device_is_skipped_unread(tmp_path: Path) -> None:
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    warned: list[str] = []
    assert read_contract_dir(tmp_path, "default", warn=warned.append) == []
    link = tmp_path / "zero.json"
    assert warned == [f"skipped {link}: a link to something that is not a regular file"]


def test_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "orders.txt").write_text(json.dumps(VALID), encoding="utf-8")
    (tmp_path / "link.json").symlink_to(tmp_path / "real" / "orders.txt")
    assert [f.path.name for f in read_contract_dir(tmp_path, "default")] == ["link.json"]


def test_a_link_leaving_the_folder_is_refused_without_reading_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({**VALID, "name": 12345, "schema": "hunter2"}), encoding="utf-8")
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "leak.json").symlink_to(secret)
    with pytest.raises(ContractFileError) as caught:
        read_contract_dir(folder, "default")
    message = str(caught.value)
    assert message.startswith(f"contract file {folder / 'leak.json'}: a link to a file outside")
    assert "hunter2" not in message
    assert "12345" not in message


# -- the command, in a process of its own: nothing blocks, nothing reads unbounded ----
def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def script(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [str(SCRIPT), "--db", f"sqlite+aiosqlite:///{folder / 'registry.db'}", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a FIFO read would block for ever
        check=False,
        preexec_fn=_limit_memory,  # reading /dev/zero would fill memory
    )


@pytest.mark.parametrize("command", ["check", "load"])
def test_the_command_skips_fifos_and_devices_and_goes_on(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "orders.json").write_text(json.dumps(VALID), encoding="utf-8")
    os.mkfifo(folder / "pipe.json")
    (folder / "zero.json").symlink_to("/dev/zero")
    result = script(tmp_path, command, "contracts")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = result.stderr.strip().splitlines()
    assert warnings == [
        "pytest-contracts: warning: skipped contract file contracts/pipe.json: not a "
        "regular file (a FIFO), so it is not read",
        "pytest-contracts: warning: skipped contracts/zero.json: a link to something "
        "that is not a regular file",
    ]


def test_the_command_refuses_a_fifo_named_directly(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    result = script(tmp_path, "check", "pipe.json")
    assert result.returncode == 2
    assert "pipe.json: not a regular file (a FIFO)" in one_error(result.stderr)


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_the_command_exits_2_with_one_line(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.chdir(tmp_path)
    text, problem = DAMAGED[case]
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / f"{case}.json").write_text(text, encoding="utf-8")
    single = f"contracts/{case}.json"
    for args in (["check", "contracts"], ["load", "contracts"], ["check", single]):
        result = run_command(capsys, *args)
        assert result.returncode == 2, (args, result.stderr)
        message = one_error(result.stderr)
        assert f"contract file contracts/{case}.json: " in message
        assert problem in message


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    damage=st.one_of(
        st.binary(max_size=300),
        st.integers(min_value=0, max_value=len(json.dumps(VALID)) - 1).map(
            lambda cut: json.dumps(VALID).encode()[:cut]
        ),
        st.tuples(
            st.integers(min_value=0, max_value=len(json.dumps(VALID)) - 1), st.binary(max_size=8)
        ).map(
            lambda spot: (
                json.dumps(VALID).encode()[: spot[0]]
                + spot[1]
                + json.dumps(VALID).encode()[spot[0] + len(spot[1]) :]
            )
        ),
    )
)
def test_generated_damage_is_exit_2_with_one_line_or_loads(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    damage: bytes,
) -> None:
    folder = tmp_path_factory.mktemp("damaged")
    clean_env.chdir(folder)
    (folder / "c.json").write_bytes(damage)
    result = run_command(capsys, "check", "c.json")
    if result.returncode == 0:  # damage that leaves a usable file
        read_contract_file(folder / "c.json", "default")
        return
    assert result.returncode == 2, result.stderr
    assert one_error(result.stderr).startswith("pytest-contracts: error: contract file c.json: ")


# -- the plugin: exit 4 at start, one line naming the file ----------------------------------
@pytest.mark.parametrize("case", ["deep", "big-integer", "duplicate-key"])
def test_the_plugin_stops_at_start_with_one_line(project: Project, case: str) -> None:
    text, problem = DAMAGED[case]
    (project.path / "contracts").mkdir()
    (project.path / "contracts" / f"{case}.json").write_text(text, encoding="utf-8")
    project.pytester.makepyfile("def test_nothing():\n    pass\n")
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output
    errors = [line for line in result.stderr.lines if line.startswith("ERROR: ")]
    assert len(errors) == 1, output
    assert f"contract file contracts/{case}.json: " in errors[0] or (
        f"contract file {project.path / 'contracts' / case}.json: " in errors[0]
    )
    assert problem in errors[0]


def test_the_plugin_skips_a_fifo_with_a_warning(project: Project) -> None:
    project.contract("Orders", VALID["schema"], kind="EVENT")
    os.mkfifo(project.path / "contracts" / "pipe.json")
    project.pytester.makepyfile("def test_nothing():\n    pass\n")
    result = project.subprocess()
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*skipped contract file *pipe.json: not a regular file (a FIFO)*"])
    result.stdout.fnmatch_lines(["loaded 1 contract file: 1 created*"])
