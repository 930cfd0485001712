"""Planning and loading contract files (registry/loading.py): what the plan
says of each file, from the registry as it is, without writing anything."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.config import sqlite_url
from pytest_contracts.errors import BreakingChangeError
from pytest_contracts.registry.files import ContractFile
from pytest_contracts.registry.loading import (
    LOADER,
    FilePlan,
    describe_plan,
    load_contract_files,
    plan_contract_files,
)

from .conftest import Backend, run_command
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
    # Without the gate the break is loaded, but as a draft: what was active stays so.
    assert (loaded.created, loaded.activated) == (
        [f"{TEAM}/{NAME} v1.1", f"{TEAM}/{NAME} v2.0"],
        [],
    )
    assert (await cm.get_active_contract(TEAM, NAME)).version == "v1.0"


# -- which version a load activates ----------------------------------------------
OLD_FILES = [contract_file("v1.0", V1)]
NEW_FILES = [contract_file("v1.0", V1), contract_file("v1.1", V1_LOOSER)]


async def statuses(cm: ContractManager) -> dict[str, str]:
    return {h.version: h.status.value for h in await cm.get_contract_history(TEAM, NAME)}


def hold_before_write(
    state: StateManager, count: int, meanwhile: Callable[[], Awaitable[Any]]
) -> None:
    """Make ``state``'s ``count``-th write transaction wait, before it
    begins, for ``meanwhile`` to run to its end."""
    write = state.write
    calls = 0

    @contextlib.asynccontextmanager
    async def held() -> AsyncIterator[Any]:
        nonlocal calls
        calls += 1
        if calls == count:
            await meanwhile()
        async with write() as conn:
            yield conn

    state.write = held  # type: ignore[method-assign]


async def test_a_load_never_activates_a_version_older_than_one_loaded_meanwhile(
    backend: Backend,
) -> None:
    # Two CI jobs on a fresh registry. The old files' job writes twice: it
    # creates v1.0, then activates it. The new files' job loads v1.0 and v1.1
    # between the two, which a real race does now and then.
    old_job, new_job = [ContractManager(await backend.state()) for _ in range(2)]
    hold_before_write(old_job.state, 2, lambda: load_contract_files(new_job, NEW_FILES))
    older = await load_contract_files(old_job, OLD_FILES)
    assert (older.created, older.activated) == ([f"{TEAM}/{NAME} v1.0"], [])
    assert await statuses(old_job) == {"v1.0": "draft", "v1.1": "active"}


async def test_loading_again_repairs_an_older_version_a_racing_loader_activated(
    cm: ContractManager,
) -> None:
    # What an earlier loader's race left: v1.1 loaded and activated, then
    # v1.0 activated by a late loader that had not seen v1.1.
    await load_contract_files(cm, NEW_FILES)
    v1_0 = await cm.get_contract_version(TEAM, NAME, "v1.0")
    await cm.activate_contract(v1_0.id, activated_by=LOADER)
    assert await statuses(cm) == {"v1.0": "active", "v1.1": "deprecated"}
    again = await load_contract_files(cm, NEW_FILES)
    assert again.activated == [f"{TEAM}/{NAME} v1.1"]
    assert await statuses(cm) == {"v1.0": "deprecated", "v1.1": "active"}
    assert (await load_contract_files(cm, NEW_FILES)).summary() == (
        "2 contract files: 0 created, 0 activated, 2 unchanged"
    )


@pytest.mark.parametrize("actor", ["release-manager", None])
async def test_a_rollback_by_anyone_but_the_loader_survives_later_loads(
    cm: ContractManager, actor: str | None
) -> None:
    await load_contract_files(cm, NEW_FILES)
    v1_0 = await cm.get_contract_version(TEAM, NAME, "v1.0")
    await cm.activate_contract(v1_0.id, activated_by=actor)
    for files in (NEW_FILES, OLD_FILES):
        assert (await load_contract_files(cm, files)).activated == []
    assert await statuses(cm) == {"v1.0": "active", "v1.1": "deprecated"}


def test_a_rollback_from_the_command_line_survives_a_later_load(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    for version, schema in (("v1.0", V1), ("v1.1", V1_LOOSER)):
        document = {"name": NAME, "version": version, "type": "EVENT", "schema": schema}
        (folder / f"{version}.json").write_text(json.dumps(document), "utf-8")
    registry = ("--db", sqlite_url(tmp_path / "registry.db"), "--team", TEAM)
    assert "1 activated" in run_command(capsys, *registry, "load", str(folder)).stdout
    rollback = run_command(capsys, *registry, "activate", NAME, "v1.0", "--by", "alice")
    assert rollback.returncode == 0, rollback.stderr
    assert "0 activated" in run_command(capsys, *registry, "load", str(folder)).stdout
    shown = json.loads(run_command(capsys, *registry, "--json", "show", NAME).stdout)
    assert shown["version"] == "v1.0"


async def test_a_version_newer_than_the_files_is_left_as_it_is(cm: ContractManager) -> None:
    await load_contract_files(cm, NEW_FILES)
    await cm.evolve_contract(TEAM, NAME, "v1.2", V1_LOOSER, evolved_by="alice")
    v1_1 = await cm.get_contract_version(TEAM, NAME, "v1.1")
    await cm.deprecate_contract(v1_1.id, deprecated_by=LOADER)  # as if a loader had
    assert (await load_contract_files(cm, NEW_FILES)).activated == []
    assert await statuses(cm) == {"v1.0": "draft", "v1.1": "deprecated", "v1.2": "draft"}


async def test_the_loaders_own_activations_are_recorded_as_the_loaders(
    cm: ContractManager,
) -> None:
    await load_contract_files(cm, NEW_FILES)
    history = await cm.get_contract_history(TEAM, NAME)
    activations = [
        (h.version, e.actor) for h in history for e in h.events if e.event == "activated"
    ]
    assert activations == [("v1.1", LOADER)]
