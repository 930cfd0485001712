"""One set of keys across every ``--json`` document: a team is ``team_id``,
a contract ``contract_name``, its type ``contract_type``; never ``team``,
``contract``, ``type`` or ``name``."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts.cli import build_parser

from .conftest import run_command
from .test_cli import SCHEMA_V1, SCHEMA_V2_BREAKING, contract_file

#: Every command, with arguments that run it on the registry below (in this
#: order: ``load`` first, ``prune`` last).
COMMANDS: dict[str, list[str]] = {
    "load": ["load", "contracts"],
    "check": ["check", "contracts"],
    "list": ["list"],
    "teams": ["teams"],
    "show": ["show", "Orders"],
    "history": ["history", "Orders"],
    "diff": ["diff", "Orders", "v1.0", "v2.0"],
    "activate": ["activate", "Orders", "v1.0"],
    "accept": ["accept", "Orders", "v2.0", "--by", "lead", "--reason", "planned"],
    "enforcement": ["enforcement", "Orders", "v1.0"],
    "consumers": ["consumers", "Orders", "--register", "billing"],
    "can-i-deploy": ["can-i-deploy", "Orders", "v2.0"],
    "summary": ["summary"],
    "compatibility": ["compatibility", "Orders"],
    "validate": ["validate", "Orders", "-"],
    "validations": ["validations"],
    "deprecate": ["deprecate", "Orders", "v1.0"],
    "retire": ["retire", "Orders", "v1.0"],
    "export": ["export", "exported"],
    "prune": ["prune", "--keep-last", "1", "--dry-run"],
    "html": ["html", "registry.html"],
    "backup": ["backup", "backup.json"],
    "restore": ["restore", "backup.json", "--replace"],
}

#: The keys a record names its team, contract and type with.
NAMING = {"team_id", "contract_name", "contract_type"}
#: The keys no document uses for them.
FORBIDDEN = {"team", "contract", "type", "name"}
#: Values that are documents or schemas of their own, whose keys are not ours.
OPAQUE = {"specification", "schema", "witness", "old", "new", "details", "metadata", "report"}


def keys_of(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            if key not in OPAQUE:
                keys_of(item, found)
    elif isinstance(value, list):
        for item in value:
            keys_of(item, found)
    return found


def test_every_command_is_covered() -> None:
    (commands,) = [
        action.choices
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    assert set(commands) == set(COMMANDS), (
        "add each new command to COMMANDS with arguments that run it, so that its "
        "--json document is checked"
    )


def test_every_json_document_names_team_contract_and_type_alike(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean_env.chdir(tmp_path)
    contract_file(tmp_path / "contracts", "v1.0", SCHEMA_V1)
    contract_file(tmp_path / "contracts", "v2.0", SCHEMA_V2_BREAKING)
    named: dict[str, set[str]] = {}
    for command, args in COMMANDS.items():
        clean_env.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"id": "o-1"}')))
        result = run_command(capsys, *args, "--json")
        assert result.returncode in (0, 1), (command, result.stderr)
        keys = keys_of(json.loads(result.stdout), set())
        assert not keys & FORBIDDEN, (command, sorted(keys & FORBIDDEN))
        named[command] = keys & NAMING
    # The documents that name a contract's team, name and type use these keys.
    assert named["list"] == named["show"] == named["summary"] == NAMING
    for command in ("check", "load", "diff", "consumers", "can-i-deploy", "validate"):
        assert {"team_id", "contract_name"} <= named[command], command
    assert named["teams"] == {"team_id"}
