"""A damaged registry database: corrupt pages and damaged meta rows are one
error naming the database and what to do (command exit 3, plugin exit 4 at
start or an ``unavailable`` verdict), never INTERNALERROR, a traceback or
SQLAlchemy's statement and parameters."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pytest_contracts import StateManager
from pytest_contracts.config import sqlite_url
from pytest_contracts.errors import RegistryDamaged

from .conftest import Project, run_command

PAGE = 4096


def one_error(stderr: str) -> str:
    """The command's one error, its wrapped lines joined."""
    assert "Traceback" not in stderr, stderr
    first, *rest = stderr.strip().splitlines()
    assert first.startswith("pytest-contracts: error: "), stderr
    assert all(line.startswith("  ") for line in rest), stderr
    return " ".join([first, *(line.strip() for line in rest)])


def fill_registry(capsys: pytest.CaptureFixture[str], folder: Path) -> Path:
    """A registry of 20 contracts made by ``load``; its file."""
    contracts = folder / "contracts"
    contracts.mkdir()
    for number in range(20):
        document = {
            "name": f"C{number}",
            "version": "v1",
            "type": "EVENT",
            "schema": {"type": "object", "description": "x" * 3000},
        }
        (contracts / f"c{number}.json").write_text(json.dumps(document), encoding="utf-8")
    done = run_command(capsys, "load", "contracts")
    assert done.returncode == 0, done.stderr
    return folder / ".pytest_contracts" / "registry.db"


def damage(path: Path, fill: int, first_page: int = 2, pages: int = 8) -> None:
    """Overwrite ``pages`` pages from ``first_page`` (counted from 0) with ``fill``."""
    with path.open("r+b") as file:
        file.seek(first_page * PAGE)
        file.write(bytes([fill]) * PAGE * pages)


def no_sql(text: str) -> None:
    for leak in ("SELECT", "[parameters", "sqlalche.me", "FROM contracts"):
        assert leak not in text, text


@pytest.mark.parametrize("fill", [0x00, 0xA5], ids=["zeroed", "garbage"])
def test_damaged_pages_are_one_error_and_exit_3(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fill: int,
) -> None:
    clean_env.chdir(tmp_path)
    damage(fill_registry(capsys, tmp_path), fill)
    for args in (["list"], ["show", "C1"], ["history", "C3"], ["summary"], ["--json", "list"]):
        done = run_command(capsys, *args)
        assert done.returncode == 3, (args, done.stderr)
        message = one_error(done.stderr)
        assert "registry.db is damaged" in message
        assert "restore it from a backup, or move it away" in message
        no_sql(done.stdout + done.stderr)
        if "--json" in args:
            assert json.loads(done.stdout)["exit_code"] == 3


def test_a_file_that_is_not_a_database_is_one_error(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.chdir(tmp_path)
    damage(fill_registry(capsys, tmp_path), 0xA5, first_page=0, pages=1)
    done = run_command(capsys, "list")
    assert done.returncode == 3
    assert "registry.db is damaged (file is not a database)" in one_error(done.stderr)


META_DAMAGE = {
    "letters": "UPDATE contracts_meta SET value = 'abc' WHERE key = 'schema_version'",
    "zero": "UPDATE contracts_meta SET value = '0' WHERE key = 'schema_version'",
    "negative": "UPDATE contracts_meta SET value = '-5' WHERE key = 'schema_version'",
    "no-instance-id": "DELETE FROM contracts_meta WHERE key = 'instance_id'",
}
META_MESSAGE = {
    "letters": "schema_version is 'abc', not a version number",
    "zero": "schema_version is '0', not a version number",
    "negative": "schema_version is '-5', not a version number",
    "no-instance-id": "has no instance_id row in its meta table",
}


def damage_meta(path: Path, case: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(META_DAMAGE[case])
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize("case", sorted(META_DAMAGE))
async def test_a_damaged_meta_row_is_a_registry_damaged_error(tmp_path: Path, case: str) -> None:
    path = tmp_path / "registry.db"
    state = await StateManager.create(sqlite_url(path))
    await state.close()
    damage_meta(path, case)
    with pytest.raises(RegistryDamaged) as caught:
        await StateManager.create(sqlite_url(path))
    message = str(caught.value)
    assert f"the registry database at {sqlite_url(path)} " in message
    assert META_MESSAGE[case] in message
    assert message.endswith("restore it from a backup, or move it away to start an empty registry")


@pytest.mark.parametrize("case", sorted(META_DAMAGE))
def test_a_damaged_meta_row_is_exit_3_for_the_command(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    clean_env.chdir(tmp_path)
    damage_meta(fill_registry(capsys, tmp_path), case)
    done = run_command(capsys, "list")
    assert done.returncode == 3
    assert META_MESSAGE[case] in one_error(done.stderr)


# -- the plugin ------------------------------------------------------------------------
CHECKED = """
import pytest

@pytest.mark.phase_boundary("requirements", "design")
def test_output(phase_output):
    phase_output.record({"project": "x"})
"""


def _loaded_project(project: Project) -> None:
    project.boundary("requirements", "design", {"type": "object", "description": "x" * 3000})
    for number in range(20):
        project.contract(f"C{number}", {"description": "x" * 3000}, kind="EVENT")
    project.pytester.makepyfile(CHECKED)
    project.run().assert_outcomes(passed=1)


def _clean(result: pytest.RunResult) -> str:
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output
    no_sql(output)
    return output


@pytest.mark.parametrize("fill", [0x00, 0xA5], ids=["zeroed", "garbage"])
def test_the_plugin_stops_at_start_on_damaged_pages(project: Project, fill: int) -> None:
    _loaded_project(project)
    damage(project.registry, fill)
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    _clean(result)
    errors = [line for line in result.stderr.lines if line.startswith("ERROR: ")]
    assert len(errors) == 1
    assert "registry.db is damaged" in errors[0]


@pytest.mark.parametrize("fill", [0x00, 0xA5], ids=["zeroed", "garbage"])
def test_a_check_on_a_damaged_registry_is_unavailable_not_a_crash(
    project: Project, fill: int
) -> None:
    _loaded_project(project)
    damage(project.registry, fill)
    for file in (project.path / "contracts").iterdir():
        file.unlink()
    (project.path / "contracts").rmdir()  # no loading at start: the check meets the damage
    # A process of its own: this one's fake cache still holds the contract.
    result = project.subprocess("--contracts-report", "report.json")
    _clean(result)
    report = (project.path / "report.json").read_text(encoding="utf-8")
    no_sql(report)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*registry.db is damaged*restore it from a backup*"])


@pytest.mark.parametrize("case", sorted(META_DAMAGE))
def test_the_plugin_stops_at_start_on_a_damaged_meta_row(project: Project, case: str) -> None:
    _loaded_project(project)
    damage_meta(project.registry, case)
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    _clean(result)
    errors = [line for line in result.stderr.lines if line.startswith("ERROR: ")]
    assert len(errors) == 1
    assert META_MESSAGE[case] in errors[0]
