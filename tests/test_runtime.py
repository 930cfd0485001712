"""Checks at run time (registry/runtime.py, verdict.py): what an orchestrator
calls between two phases, with the plugin's own checker."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_contracts import (
    ContractManager,
    ContractVerdict,
    ContractViolation,
    InvalidArgument,
    RegistryUnavailable,
    StateManager,
)
from pytest_contracts.validation import ValidatorCache

from .conftest import Backend
from .registry_cases import NAME, TEAM, V1, first

ENGINES = ["jsonschema", "jsonschema-rs"]
BOUNDARY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 3},
        "due": {"type": "string", "format": "date-time"},
        "steps": {"type": "array", "items": {"enum": ["plan", "build", "ship"]}},
    },
    "required": ["title"],
}


async def boundary(cm: ContractManager, spec: Any = BOUNDARY, version: str = "v1.0") -> Any:
    name = "phase_boundary_design_to_implementation"
    contract = await cm.create_contract(TEAM, name, version, "PHASE_TRANSITION", spec)
    return await cm.activate_contract(contract.id)


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_failing_output_gets_the_plugins_violations(
    state: StateManager, engine: str
) -> None:
    cm = ContractManager(state)
    cm.configure_checks(engine=engine)
    contract = await boundary(cm)
    output = {"title": "ab", "due": "yesterday", "steps": ["plan", "test"]}
    verdict = await cm.validate_phase_boundary(TEAM, "design", "implementation", output)
    assert isinstance(verdict, ContractVerdict)
    assert (verdict.outcome, verdict.passed, verdict.blocking) == ("failed", False, True)
    assert (verdict.team_id, verdict.contract_name, verdict.version, verdict.contract_id) == (
        TEAM,
        "phase_boundary_design_to_implementation",
        "v1.0",
        contract.id,
    )
    # The same violations, field for field, as the plugin's validator gives.
    plugin = ValidatorCache(engine=engine).validate(contract, output)
    assert [v.to_dict() for v in verdict.violations] == [v.to_dict() for v in plugin.violations]
    assert {v.keyword for v in verdict.violations} == {"minLength", "format", "enum"}
    assert verdict.output is output
    assert verdict.duration_ms >= 0


async def test_format_is_checked_as_the_plugin_checks_it(cm: ContractManager) -> None:
    await boundary(cm)
    bad = await cm.validate(
        TEAM, "phase_boundary_design_to_implementation", {"title": "abc", "due": "yesterday"}
    )
    good = await cm.validate(
        TEAM,
        "phase_boundary_design_to_implementation",
        {"title": "abc", "due": "2026-11-30T10:00:00Z"},
    )
    assert [v.pointer for v in bad.violations] == ["/due"]
    assert good.passed


async def test_a_passing_output_passes_and_raises_nothing(cm: ContractManager) -> None:
    await first(cm)
    verdict = await cm.validate(TEAM, NAME, {"id": "a", "amount": 3})
    assert (verdict.outcome, verdict.passed, verdict.violations) == ("passed", True, ())
    verdict.raise_for_violations()
    assert verdict.feedback() == ""


async def test_a_version_can_be_pinned(cm: ContractManager) -> None:
    await first(cm)
    await cm.evolve_contract(TEAM, NAME, "v1.1", {**V1, "required": []}, activate=True)
    active = await cm.validate(TEAM, NAME, {})
    pinned = await cm.validate(TEAM, NAME, {}, version="v1.0")
    assert (active.version, active.outcome) == ("v1.1", "passed")
    assert (pinned.version, pinned.outcome) == ("v1.0", "failed")


@pytest.mark.parametrize(
    ("version", "message"),
    [(None, "no active version of contract"), ("v9.9", "version 'v9.9' of contract")],
)
async def test_a_contract_that_is_not_there_is_a_missing_verdict(
    cm: ContractManager, version: str | None, message: str
) -> None:
    verdict = await cm.validate(TEAM, "Nope", {"a": 1}, version=version)
    assert (verdict.outcome, verdict.blocking, verdict.version) == ("missing", True, version)
    assert message in (verdict.message or "")
    with pytest.raises(ContractViolation, match="missing") as raised:
        verdict.raise_for_violations()
    assert raised.value.verdict is verdict


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ({"id": object()}, "is not JSON data"),
        ({"id": float("nan")}, "not a JSON number"),
        ({"id": "x" * 2000}, "over the size limit"),
    ],
)
async def test_an_output_that_cannot_be_checked_is_an_error_verdict(
    cm: ContractManager, output: Any, message: str
) -> None:
    await first(cm)
    cm.configure_checks(max_output_bytes=1000)
    verdict = await cm.validate(TEAM, NAME, output)
    assert (verdict.outcome, verdict.version, verdict.blocking) == ("error", "v1.0", True)
    assert message in (verdict.message or "")
    assert "could not be checked" in verdict.feedback()


async def test_a_check_past_its_budget_is_an_error_that_says_so(cm: ContractManager) -> None:
    slow = {"type": "string", "format": "uri-template"}
    await first(cm, spec=slow)
    cm.configure_checks(check_timeout=0.2)
    verdict = await cm.validate(TEAM, NAME, "{" * 200_000, record=False)
    assert verdict.outcome == "error"
    assert "budget" in (verdict.message or "")


async def test_raise_for_violations_carries_the_verdict_and_its_first_problem(
    cm: ContractManager,
) -> None:
    await first(cm)
    verdict = await cm.validate(TEAM, NAME, {"amount": 5000})
    with pytest.raises(ContractViolation) as raised:
        verdict.raise_for_violations()
    assert raised.value.verdict is verdict
    assert str(raised.value).startswith(f"failed: contract {NAME!r} v1.0 (team {TEAM!r}): at ")
    assert "and 1 more" in str(raised.value)


async def test_to_dict_is_json_with_every_field(cm: ContractManager) -> None:
    await first(cm)
    verdict = await cm.validate(TEAM, NAME, {"amount": "x"})
    data = json.loads(json.dumps(verdict.to_dict()))
    assert set(data) == {
        "outcome", "passed", "blocking", "team_id", "contract_name", "version",
        "contract_id", "violations", "message", "enforcement", "duration_ms", "attempts",
    }  # fmt: skip
    assert set(data["violations"][0]) == {"pointer", "keyword", "schema_path", "message"}
    assert data["enforcement"] == "enforce"


# -- phase boundaries ---------------------------------------------------------------
async def test_the_boundary_is_named_as_the_marker_names_it(cm: ContractManager) -> None:
    assert cm.boundary_contract("design", "implementation") == (
        "phase_boundary_design_to_implementation"
    )
    cm.configure_checks(phases=["draft", "review", "publish"])
    assert cm.boundary_contract("draft", "publish") == "phase_boundary_draft_to_publish"


@pytest.mark.parametrize(
    ("source", "destination", "message"),
    [
        ("design", "design", "goes backwards"),
        ("testing", "design", "goes backwards"),
        ("coding", "testing", "unknown phase 'coding'"),
    ],
)
async def test_a_boundary_the_marker_would_refuse_is_refused(
    cm: ContractManager, source: str, destination: str, message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        await cm.validate_phase_boundary(TEAM, source, destination, {})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"metadata": ["agent"]}, "metadata must be a JSON object"),
        ({"metadata": {"when": object()}}, "not JSON data"),
        ({"record": "yes"}, "record must be True or False"),
        ({"subject": ""}, "subject"),
    ],
)
async def test_bad_arguments_are_refused_in_one_line(
    cm: ContractManager, arguments: dict[str, Any], message: str
) -> None:
    await first(cm)
    with pytest.raises(InvalidArgument, match=message):
        await cm.validate(TEAM, NAME, {"id": "a"}, **arguments)


# -- records ------------------------------------------------------------------------
async def test_checks_are_recorded_with_their_metadata_and_can_be_filtered(
    cm: ContractManager,
) -> None:
    await first(cm)
    await cm.validate(TEAM, NAME, {"id": "a"}, subject="run-1", metadata={"agent": "a1"})
    await cm.validate(TEAM, NAME, {}, subject="run-1", metadata={"agent": "a2", "n": 2})
    await cm.validate(TEAM, NAME, {"id": "b"}, record=False)
    assert await cm.flush_validations() == 0
    stored = await cm.get_validations(team_id=TEAM)
    assert [(v.subject, v.outcome, v.metadata) for v in stored] == [
        ("run-1", "failed", {"agent": "a2", "n": 2}),
        ("run-1", "passed", {"agent": "a1"}),
    ]
    assert [v.metadata for v in await cm.get_validations(metadata={"agent": "a1"})] == [
        {"agent": "a1"}
    ]
    assert [v.outcome for v in await cm.get_validations(metadata={"n": 2})] == ["failed"]
    assert await cm.get_validations(metadata={"n": "2"}) == []
    assert [v.outcome for v in await cm.get_validations(outcome="passed")] == ["passed"]


async def test_closing_the_registry_stores_what_the_checks_queued(backend: Backend) -> None:
    state = await backend.state()
    cm = ContractManager(state)
    await first(cm)
    for index in range(5):
        await cm.validate(TEAM, NAME, {"id": str(index)}, subject="closing")
    await state.close()
    reader = ContractManager(await backend.state())
    assert len(await reader.get_validations(subject="closing")) == 5


async def test_an_unreachable_registry_is_raised(tmp_path: Any) -> None:
    from pytest_contracts.config import sqlite_url

    state = await StateManager.create(sqlite_url(tmp_path / "r.db"))
    cm = ContractManager(state)
    await state.close()
    with pytest.raises(RegistryUnavailable):
        await cm.validate(TEAM, NAME, {"id": "a"})


# -- repair -------------------------------------------------------------------------
async def test_repair_sends_the_feedback_until_the_output_passes(cm: ContractManager) -> None:
    await first(cm)
    seen: list[str | None] = []

    def produce(feedback: str | None) -> Any:
        seen.append(feedback)
        if feedback is None:
            return {"amount": 5000}
        if '"id"' in feedback:
            return {"id": "x", "amount": 5000}
        return {"id": "x", "amount": 10}

    verdict = await cm.validate_with_repair(TEAM, NAME, produce, subject="agent-run")
    assert (verdict.outcome, verdict.attempts, verdict.output) == (
        "passed",
        3,
        {"id": "x", "amount": 10},
    )
    assert seen[0] is None
    assert seen[1] is not None
    assert 'add the required property "id"' in seen[1]
    assert seen[2] is not None
    assert "/amount: must be at most 1000; found 5000" in seen[2]
    await cm.flush_validations()
    stored = await cm.get_validations(subject="agent-run")
    assert sorted((v.metadata or {})["attempt"] for v in stored) == [1, 2, 3]
    assert [v.passed for v in sorted(stored, key=lambda v: v.metadata["attempt"])] == [
        False,
        False,
        True,
    ]


async def test_repair_with_an_async_producer_stops_after_max_attempts(
    cm: ContractManager,
) -> None:
    await first(cm)
    calls = 0

    async def produce(feedback: str | None) -> Any:
        nonlocal calls
        calls += 1
        return {"amount": "never"}

    verdict = await cm.validate_with_repair(TEAM, NAME, produce, max_attempts=2)
    assert (verdict.outcome, verdict.attempts, calls) == ("failed", 2, 2)


async def test_repair_ends_on_an_output_feedback_cannot_fix(cm: ContractManager) -> None:
    await first(cm)
    calls = 0

    def produce(feedback: str | None) -> Any:
        nonlocal calls
        calls += 1
        return {"id": {1, 2}}

    verdict = await cm.validate_with_repair(TEAM, NAME, produce, record=False)
    assert (verdict.outcome, calls) == ("error", 1)


@pytest.mark.parametrize("attempts", [0, -1, True, 1.5])
async def test_repair_needs_at_least_one_attempt(cm: ContractManager, attempts: Any) -> None:
    with pytest.raises(InvalidArgument, match="max_attempts"):
        await cm.validate_with_repair(TEAM, NAME, lambda f: {}, max_attempts=attempts)
