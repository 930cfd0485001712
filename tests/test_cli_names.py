"""Names the registry does not have: ``teams``, and "did you mean" for a
contract, a version or a team, on every command that takes a contract name."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from pytest_contracts.cli.names import close_matches

from .conftest import run_command
from .test_cli import SCHEMA_V1, SCHEMA_V2_COMPATIBLE, Run, contract_file


def one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines())


@pytest.fixture
def cli(tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """The command in tmp_path, on its default registry there."""
    clean_env.chdir(tmp_path)

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        result = run_command(capsys, *args)
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    return run


@pytest.fixture
def registry(cli: Run, tmp_path: Path) -> Run:
    """Team default: Orders v1.0 (active) and v1.1 (draft). Team agents:
    Invoices v1.0."""
    contract_file(tmp_path / "contracts", "v1.0", SCHEMA_V1)
    contract_file(tmp_path / "contracts", "v1.1", SCHEMA_V2_COMPATIBLE)
    cli("load", "contracts")
    (tmp_path / "agents").mkdir()
    invoice = {"name": "Invoices", "version": "v1.0", "type": "EVENT", "schema": SCHEMA_V1}
    (tmp_path / "agents" / "invoices.json").write_text(json.dumps(invoice))
    cli("--team", "agents", "load", "agents")
    return cli


def test_teams_lists_each_team_with_its_counts(registry: Run) -> None:
    result = registry("teams")
    assert [line.split() for line in result.stdout.splitlines()[:3]] == [
        ["TEAM", "CONTRACTS", "VERSIONS", "ACTIVE"],
        ["agents", "1", "1", "1"],
        ["default", "1", "2", "1"],
    ]
    assert result.stdout.splitlines()[-1] == "team in use: 'default' (the default)"
    assert "team in use: 'agents' (--team)" in registry("teams", "--team", "agents").stdout
    assert json.loads(registry("teams", "--json").stdout) == [
        {"team_id": "agents", "contracts": 1, "versions": 1, "active": 1},
        {"team_id": "default", "contracts": 1, "versions": 2, "active": 1},
    ]


def test_teams_of_an_empty_registry(cli: Run) -> None:
    assert cli("teams").stdout.startswith("the registry has no contract versions\n")
    assert json.loads(cli("teams", "--json").stdout) == []


#: Every command that takes a contract name, given one spelled wrong.
MISSPELLED = [
    ["show", "Ordres"],
    ["history", "Ordres"],
    ["diff", "Ordres", "v1.0", "v1.1"],
    ["activate", "Ordres", "v1.0"],
    ["deprecate", "Ordres", "v1.0"],
    ["retire", "Ordres", "v1.0"],
    ["accept", "Ordres", "v1.1", "--by", "lead", "--reason", "known"],
    ["enforcement", "Ordres", "v1.0"],
    ["consumers", "Ordres"],
    ["consumers", "Ordres", "--register", "billing"],
    ["can-i-deploy", "Ordres", "v1.1"],
]


@pytest.mark.parametrize("args", MISSPELLED, ids=[" ".join(a[:2]) for a in MISSPELLED])
def test_a_misspelled_contract_gets_did_you_mean(registry: Run, args: list[str]) -> None:
    result = registry(*args, expect=2)
    assert one_line(result.stderr) == (
        "pytest-contracts: error: team 'default' has no contract 'Ordres'; did you mean 'Orders'?"
    )


#: Commands that accept a name the team lacks, and warn.
WARNED = [
    (["compatibility", "Ordres"], 0),
    (["validations", "Ordres"], 0),
    (["prune", "--contract", "Ordres", "--dry-run"], 0),
    (["validate", "Ordres", "-", "--no-record"], 1),
]


@pytest.mark.parametrize(("args", "code"), WARNED, ids=[a[0] for a, _ in WARNED])
def test_a_command_that_accepts_any_name_warns_with_did_you_mean(
    registry: Run, args: list[str], code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin('{"id": "1"}'))
    result = registry(*args, expect=code)
    assert result.stderr.splitlines()[0] == (
        "pytest-contracts: warning: team 'default' has no contract 'Ordres'; did you mean 'Orders'?"
    )


class _Stdin:
    def __init__(self, text: str) -> None:
        self.buffer = io.BytesIO(text.encode())


@pytest.mark.parametrize(
    "args",
    [
        ["show", "Orders", "--version", "1.0"],
        ["diff", "Orders", "v1.0", "1.0"],
        ["activate", "Orders", "1.0"],
        ["can-i-deploy", "Orders", "1.0"],
        ["consumers", "Orders", "--register", "billing", "--version", "1.0"],
    ],
)
def test_a_misspelled_version_gets_did_you_mean(registry: Run, args: list[str]) -> None:
    result = registry(*args, expect=2)
    assert one_line(result.stderr) == (
        "pytest-contracts: error: contract 'Orders' of team 'default' has no version "
        "'1.0'; did you mean 'v1.0'? ('pytest-contracts history Orders' shows the "
        "versions there are)"
    )


def test_a_contract_of_another_team_is_named_with_its_team(registry: Run) -> None:
    result = registry("show", "Invoices", expect=2)
    assert "team 'default' has no contract 'Invoices'; 'Invoices' is in team 'agents'" in (
        one_line(result.stderr)
    )


def test_a_misspelled_team_gets_did_you_mean(registry: Run) -> None:
    listed = registry("--team", "agnets", "list")
    assert (
        listed.stdout == "team 'agnets' has no contract versions; did you mean --team 'agents'?\n"
    )
    shown = registry("--team", "agnets", "show", "Nothing", expect=2)
    assert "team 'agnets' has no contracts; did you mean --team 'agents'?" in one_line(shown.stderr)
    lost = registry("--team", "elsewhere", "show", "Nothing", expect=2)
    assert "('pytest-contracts teams' lists the teams there are)" in one_line(lost.stderr)


def test_a_name_with_nothing_close_points_to_list(registry: Run) -> None:
    result = registry("show", "Zebra", expect=2)
    assert one_line(result.stderr).endswith(
        "team 'default' has no contract 'Zebra' ('pytest-contracts list' shows the "
        "contracts there are)"
    )


def test_close_matches_prefers_the_same_name_in_another_case() -> None:
    assert close_matches("orders", ["Orders", "orderz", "Invoices"]) == ["Orders", "orderz"]
    assert close_matches("Orders", ["Orders"]) == []
    assert close_matches("x", ["Orders"]) == []


def test_json_errors_carry_the_suggestion(
    registry: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_command(capsys, "show", "Ordres", "--json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"].endswith("did you mean 'Orders'?")
