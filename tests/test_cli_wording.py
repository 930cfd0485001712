"""The command's messages name commands, options and contract-file keys,
never Python methods or keyword arguments; the API's keep naming the API."""

from __future__ import annotations

import asyncio
import io
import json
import re
import sys
from pathlib import Path

import pytest

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.cli.wording import PHRASES, cli_words
from pytest_contracts.config import sqlite_url
from pytest_contracts.errors import ContractError

from .conftest import run_command
from .test_cli import SCHEMA_V1, SCHEMA_V2_BREAKING, contract_file

#: What reads as Python: a call (``create_contract(``), a method of the
#: registry (``get_contract_history``), a keyword argument (``force=True``,
#: ``version=``).
PYTHON = re.compile(
    r"\b[a-z]+(?:_[a-z]+)+\("
    r"|\b(?:get|list|create|evolve|activate|deprecate|retire|register|set|accept|record|"
    r"validate|load|can)_[a-z_]+\b"
    r"|\b[a-z_]+=(?:True|False|None)?(?=[\s),.;:]|$)"
)

#: Commands whose errors or text carry a message of the registry.
SCENARIOS = [
    ["show", "Orders", "--version", "v9"],
    ["show", "Ordres"],
    ["diff", "Orders", "v1.0", "v9"],
    ["history", "Nothing"],
    ["activate", "Orders", "v9"],
    ["retire", "Orders", "v1.0"],
    ["accept", "Orders", "v1.0", "--by", "lead", "--reason", "planned"],
    ["consumers", "Orders", "--register", "billing", "--version", "v9"],
    ["can-i-deploy", "Orders", "v9"],
    ["enforcement", "Orders", "v9"],
    ["validate", "Nothing", "-"],
    ["validate", "Orders", "-", "--version", "v9"],
    ["validate", "--boundary", "design", "nowhere", "-"],
    ["check", "undeclared"],
    ["check", "unbumped"],
    ["load", "undeclared"],
    ["load", "unbumped", "--gate"],
    ["compatibility", "Orders", "--mode", "sideways"],
    ["list", "--status", "sleeping"],
    ["--team", "agnets", "show", "Orders"],
]


@pytest.fixture
def project(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    clean_env.chdir(tmp_path)
    contract_file(tmp_path / "contracts", "v1.0", SCHEMA_V1)
    assert run_command(capsys, "load", "contracts").returncode == 0
    # A break declared non-breaking, and a declared break without a new major version.
    contract_file(tmp_path / "undeclared", "v1.1", SCHEMA_V2_BREAKING, breaking_change=False)
    contract_file(tmp_path / "unbumped", "v1.1", SCHEMA_V2_BREAKING, breaking_change=True)
    return tmp_path


@pytest.mark.parametrize("args", SCENARIOS, ids=[" ".join(a) for a in SCENARIOS])
def test_no_message_of_the_command_reads_as_python(
    project: Path,
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"id": "o-1"}')))
    result = run_command(capsys, *args)
    assert result.returncode in (1, 2), (result.stdout, result.stderr)
    text = " ".join(line.strip() for line in (result.stdout + result.stderr).splitlines())
    assert result.stderr.strip() or result.returncode == 1
    assert PYTHON.findall(text) == [], text
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"id": "o-1"}')))
    error = run_command(capsys, *args, "--json")
    if "error" in (document := json.loads(error.stdout)):
        assert PYTHON.findall(document["error"]) == [], document["error"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check", "undeclared"], 'declared non-breaking ("breaking_change": false in its'),
        (["check", "unbumped"], 'set "force": true in its contract file'),
        (["validate", "Nothing", "-"], "load one with 'pytest-contracts load DIR'"),
        (["validate", "Orders", "-", "--version", "v9"], "drop --version to use the active"),
        (["show", "Orders", "--version", "v9"], "'pytest-contracts history Orders' shows"),
    ],
)
def test_the_command_says_what_to_type_instead(
    project: Path,
    args: list[str],
    words: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"id": "o-1"}')))
    result = run_command(capsys, *args)
    assert words in " ".join(line.strip() for line in (result.stdout + result.stderr).splitlines())


def test_each_phrase_is_still_what_the_registry_says(tmp_path: Path) -> None:
    """The API keeps its own words, and every phrase the command rewrites
    is one the registry still writes: a phrase that no longer matches would
    let the Python name through."""

    async def messages() -> list[str]:
        said: list[str] = []
        async with await StateManager.create(sqlite_url(tmp_path / "r.db")) as state:
            cm = ContractManager(state)
            created = await cm.create_contract("t", "Orders", "v1.0", "EVENT", SCHEMA_V1)
            calls = [
                cm.get_contract_version("t", "Orders", "v9"),
                cm.get_contract("no-such-id"),
                cm.create_contract("t", "Orders", "v1.0", "EVENT", SCHEMA_V1),
                cm.evolve_contract("t", "Nothing", "v1.0", SCHEMA_V1),
                cm.evolve_contract(
                    "t", "Orders", "v1.1", SCHEMA_V2_BREAKING, breaking_change=False
                ),
                cm.evolve_contract("t", "Orders", "v1.1", SCHEMA_V2_BREAKING, breaking_change=True),
            ]
            for call in calls:
                with pytest.raises(ContractError) as caught:
                    await call
                said.append(str(caught.value))
            with pytest.raises(ContractError) as caught:
                cm.boundary_contract("design", "nowhere")
            said.append(str(caught.value))
            await cm.activate_contract(created.id)
            for version in (None, "v9"):
                verdict = await cm.validate(
                    "t",
                    "Nothing" if version is None else "Orders",
                    {},
                    version=version,
                    record=False,
                )
                said.append(verdict.message or "")
        return said

    said = " | ".join(asyncio.run(messages()))
    for phrase, _words in PHRASES:
        assert phrase in said, phrase
    assert PYTHON.search(said)  # the API speaks Python
    assert PYTHON.findall(cli_words(said, "Orders")) == []
