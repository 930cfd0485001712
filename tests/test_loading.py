"""Planning and loading contract files (registry/loading.py): what the plan
says of each file, from the registry as it is, without writing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_contracts import ContractManager
from pytest_contracts.errors import BreakingChangeError
from pytest_contracts.registry.files import ContractFile
from pytest_contracts.registry.loading import (
    FilePlan,
    describe_plan,
    load_contract_files,
    plan_contract_files,
)

from .registry_cases import NAME, TEAM, V1, V1_INTEGER_ID, V1_LOOSER, V1_NEEDS_CURRENCY, first


def contract_file(version: str, schema: Any, **fields: Any) -> ContractFile:
    """A file of TEAM's NAME as reading it would give; ``fields`` set the rest."""
    values: dict[str, Any] = {
        "path": Path(f"contracts/{NAME}-{version}.json"),
        "team": TEAM,
        "name": NAME,
        "version": version,
        "type": "EVENT",
        "schema": schema,
        "owner_role": None,
        "owner_agent": None,
        "description": None,
    }
    values.update(fields)
    return ContractFile(**values)


async def plan(cm: ContractManager, *files: ContractFile) -> list[FilePlan]:
    return await plan_contract_files(cm, list(files))


async def test_a_contracts_first_version_is_new_and_the_next_file_evolves_from_it(
    cm: ContractManager,
) -> None:
    new, after = await plan(cm, contract_file("v1.1", V1_LOOSER), contract_file("v1.0", V1))
    # Planned in version order, whatever the order of the files.
    assert (new.file.version, new.action, new.check, new.problem) == ("v1.0", "new", None, None)
    assert (after.file.version, after.action, after.problem) == ("v1.1", "evolve", None)
    assert after.check is not None
    assert list(after.check.reports) == ["v1.0"]  # checked against the file before it


async def test_a_registered_version_with_the_same_schema_is_unchanged(cm: ContractManager) -> None:
    await first(cm)
    reordered = dict(reversed(list(V1.items())))  # same JSON, other key order
    (result,) = await plan(cm, contract_file("v1.0", reordered))
    assert (result.action, result.check, result.problem) == ("unchanged", None, None)


async def test_a_registered_version_with_another_schema_is_a_conflict(cm: ContractManager) -> None:
    await first(cm)
    (result,) = await plan(cm, contract_file("v1.0", V1_LOOSER))
    assert result.action == "conflict"
    assert result.problem is not None
    assert "already registered with a different schema" in result.problem
    assert "versions are immutable" in result.problem


async def test_a_version_spelt_like_the_newest_one_is_a_conflict(cm: ContractManager) -> None:
    await first(cm)
    (result,) = await plan(cm, contract_file("1.0.0", V1_LOOSER))
    assert result.action == "conflict"
    assert result.problem is not None
    assert "not greater than the newest version 'v1.0'" in result.problem


async def test_a_compatible_successor_is_an_evolution_of_the_active_version(
    cm: ContractManager,
) -> None:
    await first(cm)
    (result,) = await plan(cm, contract_file("v1.1", V1_LOOSER))
    assert (result.action, result.problem, result.undeclared_break) == ("evolve", None, False)
    assert result.check is not None
    assert (result.check.base_version, result.check.breaking) == ("v1.0", False)


async def test_an_undeclared_break_is_flagged_and_refused_without_a_major_version(
    cm: ContractManager,
) -> None:
    await first(cm)
    minor, major = await plan(
        cm, contract_file("v1.1", V1_INTEGER_ID), contract_file("v2.0", V1_NEEDS_CURRENCY)
    )
    assert (minor.action, minor.undeclared_break) == ("evolve", True)
    assert minor.problem is not None
    assert "new major version" in minor.problem
    # A major version may break, but the gate still wants it declared.
    assert (major.action, major.problem, major.undeclared_break) == ("evolve", None, True)
    assert "BREAKING (not declared)" in describe_plan(major)[1]


async def test_a_declared_break_under_a_major_version_passes(cm: ContractManager) -> None:
    await first(cm)
    (result,) = await plan(cm, contract_file("v2.0", V1_NEEDS_CURRENCY, breaking_change=True))
    assert (result.action, result.problem, result.undeclared_break) == ("evolve", None, False)
    assert result.check is not None
    assert result.check.breaking is True
    assert result.finding()["declared"] is True


async def test_a_version_older_than_the_newest_is_a_backfill(cm: ContractManager) -> None:
    await first(cm, version="v2.0")
    (result,) = await plan(cm, contract_file("v1.5", V1_INTEGER_ID))
    assert (result.action, result.check, result.problem) == ("backfill", None, None)


async def test_the_mode_the_newest_file_sets_is_the_one_checked(cm: ContractManager) -> None:
    await first(cm)
    (result,) = await plan(cm, contract_file("v1.1", V1_INTEGER_ID, compatibility="NONE"))
    assert result.check is not None
    assert (result.check.mode.value, result.check.breaking, result.problem) == (
        "NONE",
        False,
        None,
    )
    registered = await cm.get_compatibility(TEAM, NAME)
    assert registered.explicit is False  # planning set nothing


async def test_planning_writes_nothing(cm: ContractManager) -> None:
    await first(cm)
    before = await cm.get_contract_history(TEAM, NAME)
    files = [
        contract_file("v1.1", V1_LOOSER, policy="strict"),
        contract_file("v2.0", V1_INTEGER_ID),
        contract_file("v0.5", V1),
    ]
    assert [p.action for p in await plan(cm, *files)] == ["backfill", "evolve", "evolve"]
    assert await cm.get_contract_history(TEAM, NAME) == before
    assert (await cm.get_compatibility(TEAM, NAME)).explicit is False


async def test_loading_under_the_gate_refuses_an_undeclared_break_before_writing(
    cm: ContractManager,
) -> None:
    await first(cm)
    files = [contract_file("v1.1", V1_LOOSER), contract_file("v2.0", V1_INTEGER_ID)]
    with pytest.raises(BreakingChangeError) as caught:
        await load_contract_files(cm, files, gate=True)
    assert [finding["version"] for finding in caught.value.findings] == ["v2.0"]
    assert [h.version for h in await cm.get_contract_history(TEAM, NAME)] == ["v1.0"]
    loaded = await load_contract_files(cm, files)
    assert (loaded.created, loaded.activated) == (
        [f"{TEAM}/{NAME} v1.1", f"{TEAM}/{NAME} v2.0"],
        [f"{TEAM}/{NAME} v2.0"],
    )
