"""An undeclared break never passes the gate by the back door: a run without
the gate loads it as a draft and warns; gated runs and ``check`` fail, naming
it, until its file declares it, someone accepts it with a reason, or it is
rolled back (registry/loading.py, registry/lifecycle.py, cli/acceptance.py)."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from pytest_contracts import ContractManager
from pytest_contracts.config import sqlite_url
from pytest_contracts.errors import InvalidArgument
from pytest_contracts.registry.files import read_contract_dir
from pytest_contracts.registry.loading import load_contract_files, plan_contract_files

from .conftest import Project, run_command
from .registry_cases import NAME, TEAM, V1, V1_INTEGER_ID, first

V1_API: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}},
    "required": ["id"],
}
#: Breaks readers of V1_API: "id" must be an integer now.
BREAKING = {**V1_API, "properties": {"id": {"type": "integer"}}}

TEST = """
import pytest

@pytest.mark.contract("API")
def test_api(phase_output):
    phase_output.record({"id": "a"})
"""


def bypassed(project: Project) -> pytest.RunResult:
    """v1.0 loaded, then v2.0 (an undeclared break) loaded by a run without the gate."""
    project.contract("API", V1_API, "v1.0", kind="REST_API")
    project.pytester.makepyfile(TEST)
    project.run().assert_outcomes(passed=1)
    project.contract("API", BREAKING, "v2.0", kind="REST_API")
    return project.run()


def cli(project: Project, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return run_command(capsys, *args, "--db", sqlite_url(project.registry))


def test_a_run_without_the_gate_keeps_an_undeclared_break_a_draft_and_warns(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    result = bypassed(project)
    result.assert_outcomes(passed=1, warnings=1)  # still checked against v1.0
    result.stdout.fnmatch_lines(
        [
            "contracts: loaded 2 contract files: 1 created, 0 activated, 1 unchanged*",
            "warning: team 'default', contract 'API', version 'v2.0' breaks v1.0 without "
            "declaring it: loaded as a draft and not activated*",
            "*ContractWarning: team 'default', contract 'API', version 'v2.0' breaks v1.0*",
        ]
    )
    listed = json.loads(cli(project, capsys, "list", "--json").stdout)
    assert {item["version"]: item["status"] for item in listed} == {
        "v1.0": "active",
        "v2.0": "draft",
    }


def test_after_a_run_without_the_gate_the_gated_run_fails_naming_the_break(
    project: Project,
) -> None:
    bypassed(project)
    result = project.run("--contracts-gate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "API-v2.0.json: default/API v2.0\n  unchanged\n  UNRESOLVED BREAK (draft)" in err
    words = " ".join(err.split())
    assert "team 'default', contract 'API', version 'v2.0' breaks v1.0 without" in words
    assert "pytest-contracts accept API v2.0 --by ACTOR --reason TEXT" in words
    assert "Traceback" not in err


def test_a_gated_run_that_checks_outputs_against_the_contract_fails_naming_the_break(
    project: Project,
) -> None:
    bypassed(project)
    shutil.rmtree(project.path / "contracts")  # no files: the outputs alone declare it
    result = project.run("--contracts-gate")
    result.assert_outcomes(passed=1)  # the test's own check, against v1.0, passes
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "contracts gate: FAILED: 1 undeclared break(s) of a declared contract nobody "
            "accepted: team 'default', contract 'API', version 'v2.0' breaks v1.0*"
        ]
    )


def test_check_fails_and_names_an_unresolved_break_in_the_registry(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    bypassed(project)
    result = cli(project, capsys, "check", "contracts")
    assert result.returncode == 1
    assert "UNRESOLVED BREAK (draft): team 'default', contract 'API'," in result.stdout
    assert "check FAILED: 1 of 2 file(s)" in result.stdout
    data = json.loads(cli(project, capsys, "check", "contracts", "--json").stdout)
    (entry,) = [item for item in data["files"] if item["undeclared_break"]]
    assert entry["version"] == "v2.0"
    # The file is unchanged, and its entry says which version is unresolved.
    assert entry["action"] == "unchanged"
    assert [item["version"] for item in entry["compatibility"]["unresolved"]] == ["v2.0"]


def test_accepting_the_break_on_the_command_line_passes_check_and_the_gate(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    bypassed(project)
    accepted = cli(
        project, capsys, "accept", "API", "v2.0", "--by", "alice", "--reason", "no reader yet"
    )
    assert (accepted.returncode, accepted.stdout) == (
        0,
        "API v2.0: break accepted by alice (draft); reason recorded in its history\n",
    )
    assert "check passed: 2 file(s)" in cli(project, capsys, "check", "contracts").stdout
    gated = project.run("--contracts-gate")
    gated.assert_outcomes(failed=1)  # v2.0 is active now: "id" must be an integer
    gated.stdout.fnmatch_lines(["*1 activated*", "contracts gate: FAILED*"])
    history = json.loads(cli(project, capsys, "history", "API", "--json").stdout)
    (v2,) = [entry for entry in history if entry["version"] == "v2.0"]
    assert v2["compatibility"]["accepted"]["by"] == "alice"
    assert v2["compatibility"]["accepted"]["reason"] == "no reader yet"
    (event,) = [event for event in v2["events"] if event["event"] == "accepted"]
    assert (event["actor"], event["details"]) == ("alice", {"reason": "no reader yet"})
    text = cli(project, capsys, "history", "API").stdout
    assert "  break accepted by alice: no reader yet\n" in text


@pytest.mark.parametrize(("by", "reason"), [("alice", " "), ("", "why not")])
def test_accept_on_the_command_line_refuses_an_empty_actor_or_reason(
    project: Project, capsys: pytest.CaptureFixture[str], by: str, reason: str
) -> None:
    bypassed(project)
    result = cli(project, capsys, "accept", "API", "v2.0", "--by", by, "--reason", reason)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "must not be empty" in result.stderr
    assert "check FAILED" in cli(project, capsys, "check", "contracts").stdout


def test_declaring_the_break_in_its_file_passes_the_gate_and_is_recorded(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    bypassed(project)
    project.contract("API", BREAKING, "v2.0", kind="REST_API", breaking_change=True)
    assert "check passed" in cli(project, capsys, "check", "contracts").stdout
    gated = project.run("--contracts-gate")
    gated.assert_outcomes(failed=1)  # v2.0 is active now
    history = json.loads(cli(project, capsys, "history", "API", "--json").stdout)
    (v2,) = [entry for entry in history if entry["version"] == "v2.0"]
    assert v2["status"] == "active"
    assert v2["compatibility"]["declared"] is True
    assert "declared" in [event["event"] for event in v2["events"]]


def test_retiring_the_break_passes_the_gate_and_a_load_never_activates_it(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    bypassed(project)
    assert cli(project, capsys, "retire", "API", "v2.0", "--by", "bob").returncode == 0
    project.pytester.path.joinpath("contracts", "API-v2.0.json").unlink()
    result = project.run("--contracts-gate")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["contracts gate: passed"])


def test_load_on_the_command_line_says_it_kept_the_break_a_draft(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.contract("API", V1_API, "v1.0", kind="REST_API")
    assert cli(project, capsys, "load", "contracts").returncode == 0
    project.contract("API", BREAKING, "v2.0", kind="REST_API")
    result = cli(project, capsys, "load", "contracts")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "loaded 2 contract files: 1 created, 0 activated, 1 unchanged"
    assert lines[1].startswith("warning: team 'default', contract 'API', version 'v2.0'")
    assert cli(project, capsys, "load", "contracts", "--gate").returncode == 1


# -- the registry's API ---------------------------------------------------------------
async def unresolved(cm: ContractManager, files: Any) -> list[str]:
    plans = await plan_contract_files(cm, files)
    return [entry.version for plan in plans for entry in plan.unresolved]


async def test_an_active_undeclared_break_holds_the_gate_until_rolled_back(
    cm: ContractManager, tmp_path: Any
) -> None:
    await first(cm)
    v2 = await cm.evolve_contract(TEAM, NAME, "v2.0", V1_INTEGER_ID, activate=True)
    directory = tmp_path / "contracts"
    directory.mkdir()
    (directory / "v1.json").write_text(
        json.dumps({"team": TEAM, "name": NAME, "version": "v1.0", "type": "EVENT", "schema": V1})
    )
    files = read_contract_dir(directory, TEAM)
    assert await unresolved(cm, files) == ["v2.0"]  # named though no file holds it
    v1 = await cm.get_contract_version(TEAM, NAME, "v1.0")
    await cm.activate_contract(v1.id, activated_by="lead")  # the rollback
    assert (await cm.get_contract(v2.id)).status.value == "deprecated"
    assert await unresolved(cm, files) == []
    loaded = await load_contract_files(cm, files, gate=True)
    assert (loaded.activated, loaded.warnings) == ([], [])


WITH_NAME = {
    **V1_INTEGER_ID,
    "properties": {**V1_INTEGER_ID["properties"], "n": {"type": "string"}},
}


@pytest.mark.parametrize("later", [1, 3])
async def test_an_undeclared_break_replaced_by_newer_versions_still_holds_the_gate(
    cm: ContractManager, tmp_path: Any, later: int
) -> None:
    """v2.0 breaks v1.0 undeclared; versions after it are checked against v2.0
    and pass, but the break is still in force until it is resolved."""
    await first(cm)
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_INTEGER_ID, activate=True)
    for minor in range(1, later + 1):
        await cm.evolve_contract(TEAM, NAME, f"v2.{minor}", WITH_NAME, activate=True)
    assert (await cm.get_contract_version(TEAM, NAME, "v2.0")).status.value == "deprecated"
    files = api_files(tmp_path, ("v1.0", V1))
    assert await unresolved(cm, files) == ["v2.0"]
    await cm.accept_break(TEAM, NAME, "v2.0", accepted_by="carol", reason="readers moved")
    assert await unresolved(cm, files) == []


async def test_rolling_back_below_a_replaced_break_releases_the_gate(
    cm: ContractManager, tmp_path: Any
) -> None:
    await first(cm)
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_INTEGER_ID, activate=True)
    await cm.evolve_contract(TEAM, NAME, "v2.1", WITH_NAME, activate=True)
    files = api_files(tmp_path, ("v1.0", V1))
    v1 = await cm.get_contract_version(TEAM, NAME, "v1.0")
    await cm.activate_contract(v1.id, activated_by="lead")
    assert await unresolved(cm, files) == []


def api_files(tmp_path: Any, *versions: tuple[str, Any]) -> Any:
    directory = tmp_path / "contracts"
    directory.mkdir(exist_ok=True)
    for version, schema in versions:
        document = {"team": TEAM, "name": NAME, "version": version, "type": "EVENT"}
        (directory / f"{version}.json").write_text(json.dumps({**document, "schema": schema}))
    return read_contract_dir(directory, TEAM)


async def test_a_load_activates_a_held_draft_once_its_break_is_accepted(
    cm: ContractManager, tmp_path: Any
) -> None:
    await first(cm)
    files = api_files(tmp_path, ("v1.0", V1), ("v2.0", V1_INTEGER_ID))
    held = await load_contract_files(cm, files)
    assert (held.created, held.activated) == ([f"{TEAM}/{NAME} v2.0"], [])
    assert [w.split(":")[0] for w in held.warnings] == [
        f"team {TEAM!r}, contract {NAME!r}, version 'v2.0' breaks v1.0 without declaring it"
    ]
    await cm.accept_break(TEAM, NAME, "v2.0", accepted_by="carol", reason="agreed with readers")
    loaded = await load_contract_files(cm, files, gate=True)
    assert (loaded.activated, loaded.warnings) == ([f"{TEAM}/{NAME} v2.0"], [])


async def test_accepting_a_break_records_who_and_why(cm: ContractManager) -> None:
    await first(cm)
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_INTEGER_ID)
    accepted = await cm.accept_break(
        TEAM, NAME, "v2.0", accepted_by="carol", reason="the only reader moved to v2"
    )
    assert accepted.compatibility is not None
    assert accepted.compatibility["accepted"]["by"] == "carol"
    assert accepted.compatibility["breaking"] is True  # the finding itself is kept
    history = await cm.get_contract_history(TEAM, NAME)
    (event,) = [e for e in history[-1].events if e.event == "accepted"]
    assert (event.actor, event.details) == ("carol", {"reason": "the only reader moved to v2"})


@pytest.mark.parametrize(
    ("by", "reason", "message"),
    [
        ("carol", "", "reason must not be empty"),
        (" ", "fine", "accepted_by must not be empty"),
    ],
)
async def test_accepting_a_break_needs_an_actor_and_a_reason(
    cm: ContractManager, by: str, reason: str, message: str
) -> None:
    await first(cm)
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_INTEGER_ID)
    with pytest.raises(InvalidArgument, match=message):
        await cm.accept_break(TEAM, NAME, "v2.0", accepted_by=by, reason=reason)


async def test_only_a_recorded_break_can_be_accepted(cm: ContractManager) -> None:
    await first(cm)
    with pytest.raises(InvalidArgument, match="has no recorded break to accept"):
        await cm.accept_break(TEAM, NAME, "v1.0", accepted_by="carol", reason="why")
