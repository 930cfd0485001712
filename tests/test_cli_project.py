"""The command reads the project's pytest configuration as the plugin does:
the ini file pytest finds from the current directory (pytest.ini,
pyproject.toml, tox.ini or setup.cfg), its ``contracts_*`` options, and the
same precedence (flags, then the ini file, then the environment, then the
defaults)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT_INI, run_command

SCHEMA = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}

#: The four kinds of file pytest reads its configuration from, each with the
#: section it reads.
INI_KINDS = {
    "pytest.ini": "[pytest]\n{body}",
    "pyproject.toml": "[tool.pytest.ini_options]\n{toml}",
    "tox.ini": "[tox]\nenvlist = py311\n\n[pytest]\n{body}",
    "setup.cfg": "[metadata]\nname = demo\n\n[tool:pytest]\n{body}",
}


def write_config(folder: Path, kind: str, **options: str) -> Path:
    body = "".join(f"{key} = {value}\n" for key, value in options.items())
    toml = "".join(f"{key} = {json.dumps(value)}\n" for key, value in options.items())
    path = folder / kind
    path.write_text(INI_KINDS[kind].format(body=body, toml=toml), encoding="utf-8")
    return path


def write_contract(folder: Path, name: str = "Orders", version: str = "v1.0") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    document = {"name": name, "version": version, "type": "EVENT", "schema": SCHEMA}
    (folder / f"{name}-{version}.json").write_text(json.dumps(document), encoding="utf-8")


def one_line(text: str) -> str:
    """An error wrapped to 80 columns, as one line again."""
    return " ".join(line.strip() for line in text.splitlines())


@pytest.fixture
def project(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> Path:
    """A project folder with contract files; the command runs in its ``src``
    subfolder, as a user in the middle of a project runs it."""
    root = tmp_path / "project"
    write_contract(root / "contracts")
    (root / "src").mkdir()
    clean_env.chdir(root / "src")
    return root


@pytest.mark.parametrize("kind", list(INI_KINDS))
def test_each_kind_of_ini_file_sets_team_database_and_contracts_dir(
    project: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(
        project,
        kind,
        contracts_team="agents",
        contracts_db="sqlite:///state/registry.db",
        contracts_dir="contracts",
    )
    loaded = run_command(capsys, "load")
    assert loaded.returncode == 0, loaded.stderr
    assert "1 created, 1 activated" in loaded.stdout
    # The relative SQLite file is beside the ini file, not in the current folder.
    assert (project / "state" / "registry.db").is_file()
    assert not (project / "src" / "state").exists()
    listed = run_command(capsys, "list", "--json")
    assert [(c["team_id"], c["contract_name"]) for c in json.loads(listed.stdout)] == [
        ("agents", "Orders")
    ]
    assert run_command(capsys, "summary").stdout.startswith("team agents: 1 contract(s)")
    assert run_command(capsys, "check").stdout.endswith("check passed: 1 file(s)\n")
    in_use = run_command(capsys, "teams").stdout.splitlines()[-1]
    assert in_use == f"team in use: 'agents' (contracts_team in ../{kind})"


def test_flags_win_over_the_ini_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(project, "pytest.ini", contracts_team="agents", contracts_dir="contracts")
    assert run_command(capsys, "load").returncode == 0
    other = run_command(capsys, "--team", "other", "list")
    assert other.stdout.startswith("team 'other' has no contract versions")
    elsewhere = run_command(capsys, "list", "--db", "sqlite:///here.db")
    assert elsewhere.stdout.startswith("team 'agents' has no contract versions")
    assert (project / "src" / "here.db").is_file()  # a flag's path: the current folder


def test_the_ini_file_wins_over_the_environment_and_the_environment_over_the_default(
    project: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(project, "pytest.ini", contracts_db="sqlite:///ini.db", contracts_dir="contracts")
    clean_env.setenv("DATABASE_URL", f"sqlite:///{project / 'env.db'}")
    assert run_command(capsys, "load").returncode == 0
    assert (project / "ini.db").is_file()
    assert not (project / "env.db").exists()
    write_config(project, "pytest.ini", contracts_dir="contracts")
    assert run_command(capsys, "load").returncode == 0
    assert (project / "env.db").is_file()
    clean_env.delenv("DATABASE_URL")
    assert run_command(capsys, "load").returncode == 0
    # The default: under the rootdir, where the plugin keeps it.
    assert (project / ".pytest_contracts" / "registry.db").is_file()
    assert not (project / "src" / ".pytest_contracts").exists()


def test_the_command_lists_what_the_plugin_loaded_for_the_configured_team(
    pytester: pytest.Pytester, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytester.makeini(PROJECT_INI + "contracts_team = agents\ncontracts_dir = contracts\n")
    write_contract(pytester.path / "contracts", "phase_boundary_design_to_implementation")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    pytester.runpytest().assert_outcomes(passed=1)
    (pytester.path / "src").mkdir()
    clean_env.chdir(pytester.path / "src")
    listed = run_command(capsys, "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split() == [
        "phase_boundary_design_to_implementation",
        "v1.0",
        "active",
        "EVENT",
    ]


def test_real_redis_from_the_ini_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(project, "tox.ini", contracts_redis="perhaps")
    bad = run_command(capsys, "list")
    assert bad.returncode == 2
    assert "contracts_redis in ../tox.ini = 'perhaps': use true" in one_line(bad.stderr)
    # The ini file's Redis is the one used: nothing listens on port 1.
    write_config(
        project, "tox.ini", contracts_redis="yes", contracts_redis_url="redis://127.0.0.1:1/0"
    )
    down = run_command(capsys, "list")
    assert down.returncode == 3, down.stderr
    assert "127.0.0.1:1" in down.stderr


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("pyproject.toml", "[tool.pytest.ini_options\n", "cannot be read"),
        ("setup.cfg", "[pytest]\ncontracts_team = x\n", "change to [tool:pytest]"),
        ("pytest.ini", "[pytest]\ncontracts_team = " + "t" * 201 + "\n", "1 to 200 characters"),
    ],
)
def test_a_configuration_that_cannot_work_is_one_error_and_exit_2(
    project: Path, kind: str, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / kind).write_text(text, encoding="utf-8")
    result = run_command(capsys, "list")
    assert result.returncode == 2
    assert result.stderr.startswith("pytest-contracts: error: ")
    assert message in one_line(result.stderr)
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(
    int(pytest.__version__.split(".")[0]) < 9, reason="[tool.pytest] native tables: pytest 9"
)
def test_a_native_toml_value_the_plugin_refuses_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text("[tool.pytest]\ncontracts_redis = true\n")
    result = run_command(capsys, "list")
    assert result.returncode == 2
    assert "contracts_redis in ../pyproject.toml must be a string, not bool True" in one_line(
        result.stderr
    )


def test_check_and_load_without_a_path_or_contracts_dir_say_what_to_give(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command, what in (("check", "FILE_OR_DIR"), ("load", "DIR")):
        result = run_command(capsys, command)
        assert result.returncode == 2
        assert f"pytest-contracts {command} {what}, or set contracts_dir" in one_line(result.stderr)


def test_help_does_not_import_pytest() -> None:
    code = (
        "import sys\n"
        "from pytest_contracts.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_validate_boundary_uses_the_phases_of_the_ini_file(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_contract(project / "contracts", "phase_boundary_plan_to_build")
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ncontracts_dir = "contracts"\n'
        'contracts_phases = ["plan", "build"]\n'
    )
    assert run_command(capsys, "load").returncode == 0
    document = project / "out.json"
    document.write_text('{"id": "x"}')
    passed = run_command(capsys, "validate", "--boundary", "plan", "build", str(document))
    assert passed.returncode == 0, passed.stderr
    assert "phase_boundary_plan_to_build" in passed.stdout
    unknown = run_command(capsys, "validate", "--boundary", "design", "build", str(document))
    assert unknown.returncode == 2
    assert "set them with contracts_phases in the project's pytest configuration" in one_line(
        unknown.stderr
    )
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\ncontracts_phases = "x"\n')
    too_few = run_command(capsys, "list")
    assert too_few.returncode == 2
    assert "contracts_phases needs at least two phases" in too_few.stderr
