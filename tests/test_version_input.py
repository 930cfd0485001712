"""Where a version enters, it must be one (registry/versions.py): creating and
evolving, contract files, the command line's version arguments. A version
stored before the rule that does not fit stays readable: only new input is
refused. (Markers' ``version=``: tests/test_markers.py.)"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts import ContractManager, ContractStatus, InvalidArgument, StateManager
from pytest_contracts.config import sqlite_url
from pytest_contracts.errors import ContractFileError, DuplicateContract, InvalidVersion
from pytest_contracts.registry import lifecycle
from pytest_contracts.registry.loading import describe_plan, load_contract_files
from pytest_contracts.registry.versions import VERSION_FORMS

from .conftest import run_command
from .registry_cases import NAME, TEAM, V1, V1_LOOSER
from .test_loading import contract_file, plan


async def active(cm: ContractManager, version: str, schema: Any) -> None:
    created = await cm.create_contract(TEAM, NAME, version, "EVENT", schema)
    await cm.activate_contract(created.id)


def one_line(text: str) -> str:
    """An error as the command line writes it, cut to 80 columns, joined again."""
    return " ".join(part.strip() for part in text.strip().splitlines())


REFUSED = ["latest", "version one", "", "  ", "1.01", "v1.0+build", "x" * 65]


@pytest.mark.parametrize("version", REFUSED)
async def test_create_and_evolve_refuse_what_is_not_a_version(
    cm: ContractManager, version: str
) -> None:
    with pytest.raises(InvalidVersion) as created:
        await cm.create_contract(TEAM, NAME, version, "EVENT", V1)
    assert str(created.value).startswith("version ")
    assert str(created.value).endswith(f": use {VERSION_FORMS}")
    await active(cm, "v1.0", V1)
    with pytest.raises(InvalidVersion) as evolved:
        await cm.evolve_contract(TEAM, NAME, version, V1_LOOSER)
    assert str(evolved.value).startswith("new_version ")
    assert str(evolved.value).endswith(f": use {VERSION_FORMS}")
    assert [c.version for c in await cm.list_contracts(TEAM)] == ["v1.0"]  # nothing was written


@pytest.mark.parametrize("first", ["v1.0", "1.0", "v1.0.0", "1"])
@pytest.mark.parametrize("second", ["v1.0", "1.0", "1", "v1.0.0.0", "1.0.0", "v1"])
async def test_one_version_spelt_another_way_is_a_duplicate(
    cm: ContractManager, first: str, second: str
) -> None:
    # They order as one version: a contract cannot hold both.
    await cm.create_contract(TEAM, NAME, first, "EVENT", V1)
    with pytest.raises(DuplicateContract, match="already exists"):
        await cm.create_contract(TEAM, NAME, second, "EVENT", V1)
    created = await cm.create_contract(TEAM, NAME, "v1.0.1", "EVENT", V1)
    assert created.version == "v1.0.1"


async def test_the_forms_in_use_keep_working(cm: ContractManager) -> None:
    for version in ("1.0", "v1.1", "2.1.3", "v3.0-rc.1", "v3.0"):
        if version == "1.0":
            await active(cm, version, V1)
        else:
            await cm.evolve_contract(TEAM, NAME, version, V1_LOOSER, force=True)
    history = await cm.get_contract_history(TEAM, NAME)
    assert sorted(v.version for v in history) == ["1.0", "2.1.3", "v1.1", "v3.0", "v3.0-rc.1"]


async def test_a_contract_file_that_would_create_a_non_version_is_refused(
    cm: ContractManager,
) -> None:
    (result,) = await plan(cm, contract_file("latest", V1))
    assert (result.action, result.problem) == (
        "refused",
        f"version 'latest' is not a version: use {VERSION_FORMS}",
    )
    assert describe_plan(result)[1].startswith("  REFUSED: version 'latest' is not a version")
    with pytest.raises(ContractFileError) as refused:
        await load_contract_files(cm, [contract_file("latest", V1)])
    assert str(refused.value) == (
        f"contract file contracts/{NAME}-latest.json: version 'latest' is not a version: "
        f"use {VERSION_FORMS}"
    )
    assert await cm.list_contracts(TEAM) == []


def _store_before_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the registry take any version, as it did before versions had a form."""
    monkeypatch.setattr(lifecycle, "check_new_version", lambda *args: None)


async def test_a_version_stored_before_the_rule_stays_readable(
    cm: ContractManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as before:
        _store_before_the_rule(before)
        await active(cm, "latest", V1)
    with pytest.raises(InvalidVersion):  # the rule is back
        await cm.create_contract(TEAM, NAME, "newest", "EVENT", V1)
    stored = await cm.get_contract_version(TEAM, NAME, "latest")
    assert (stored.version, stored.status) == ("latest", ContractStatus.ACTIVE)
    assert (await cm.get_active_contract(TEAM, NAME)).version == "latest"
    await cm.deprecate_contract(stored.id)
    await cm.activate_contract(stored.id)
    # Its contract file still loads: the version is there already, unchanged.
    (unchanged,) = await plan(cm, contract_file("latest", V1))
    assert (unchanged.action, unchanged.problem) == ("unchanged", None)


def _legacy_registry(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def write() -> None:
        async with await StateManager.create(sqlite_url(path)) as state:
            cm = ContractManager(state)
            await active(cm, "v1.0", V1)
            with monkeypatch.context() as before:
                _store_before_the_rule(before)
                await cm.create_contract(TEAM, NAME, "latest", "EVENT", V1_LOOSER)

    asyncio.run(write())


def test_the_command_line_refuses_a_version_argument_that_is_not_one(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean_env.chdir(tmp_path)
    _legacy_registry(tmp_path / ".pytest_contracts" / "registry.db", clean_env)
    for args, value in [
        (["show", NAME, "--version", "version one"], "version 'version one'"),
        (["diff", NAME, "v1.0", "newest"], "NEW 'newest'"),
        (["can-i-deploy", NAME, ""], "version ''"),
        (["activate", NAME, "1.01"], "version '1.01'"),
    ]:
        result = run_command(capsys, "--team", TEAM, *args)
        assert result.returncode == 2, (args, result.stdout)
        assert one_line(result.stderr) == (
            f"pytest-contracts: error: {value} is not a version: use {VERSION_FORMS}"
        )
    # The version stored before the rule is still shown, compared and activated.
    shown = run_command(capsys, "--team", TEAM, "--json", "show", NAME, "--version", "latest")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["version"] == "latest"
    assert run_command(capsys, "--team", TEAM, "diff", NAME, "v1.0", "latest").returncode == 0
    assert run_command(capsys, "--team", TEAM, "activate", NAME, "latest").returncode == 0


def test_a_version_argument_is_checked_against_the_boundary_contract(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean_env.chdir(tmp_path)
    (tmp_path / "doc.json").write_text("{}")
    result = run_command(
        capsys, "validate", "doc.json", "--boundary", "requirements", "design", "--version", "next"
    )
    assert result.returncode == 2
    assert one_line(result.stderr) == (
        f"pytest-contracts: error: version 'next' is not a version: use {VERSION_FORMS}"
    )


def test_invalid_version_is_an_invalid_argument() -> None:
    # Callers that catch InvalidArgument for a bad name catch a bad version too.
    assert issubclass(InvalidVersion, InvalidArgument)
