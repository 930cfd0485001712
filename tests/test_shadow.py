"""Shadow enforcement: a version in ``warn`` enforcement reports and records
what would have failed, and fails nothing (registry/lifecycle.py, checker.py,
runtime.py, the plugin's summary and report)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_contracts import ContractManager, InvalidArgument

from .conftest import Project
from .registry_cases import NAME, TEAM, V1, first

BAD = {"amount": "lots"}


async def shadow(cm: ContractManager) -> Any:
    contract = await cm.create_contract(TEAM, NAME, "v1.0", "EVENT", V1, enforcement="warn")
    return await cm.activate_contract(contract.id)


async def test_a_shadow_version_reports_what_would_have_failed_and_blocks_nothing(
    cm: ContractManager,
) -> None:
    contract = await shadow(cm)
    assert contract.enforcement == "warn"
    verdict = await cm.validate(TEAM, NAME, BAD, subject="shadow")
    assert (verdict.outcome, verdict.enforcement) == ("failed", "warn")
    assert (verdict.passed, verdict.blocking, verdict.would_have_failed) == (False, False, True)
    verdict.raise_for_violations()  # never raises for a shadow version
    assert verdict.summary().startswith("failed (warn: would have failed): ")
    assert "would have failed" in (verdict.message or "")
    await cm.flush_validations()
    [record] = await cm.get_validations(subject="shadow")
    assert (record.outcome, record.enforcement, record.passed) == ("failed", "warn", False)


async def test_switching_to_enforce_is_an_event_and_then_violations_block(
    cm: ContractManager,
) -> None:
    contract = await shadow(cm)
    enforced = await cm.set_enforcement(contract.id, "enforce", changed_by="lead")
    again = await cm.set_enforcement(contract.id, "enforce", changed_by="lead")
    assert (enforced.enforcement, again.enforcement) == ("enforce", "enforce")
    history = await cm.get_contract_history(TEAM, NAME)
    events = [(e.event, e.actor, e.details) for e in history[0].events if e.event == "enforcement"]
    assert events == [("enforcement", "lead", {"enforcement": "enforce"})]  # once, not twice
    verdict = await cm.validate(TEAM, NAME, BAD)
    assert (verdict.enforcement, verdict.blocking) == ("enforce", True)


async def test_an_enforced_version_can_go_back_to_shadow(cm: ContractManager) -> None:
    contract = await first(cm)
    await cm.set_enforcement(contract.id, "warn")
    assert (await cm.validate(TEAM, NAME, BAD)).blocking is False


@pytest.mark.parametrize("value", ["off", "", None, "WARN"])
async def test_an_unknown_enforcement_is_refused(cm: ContractManager, value: Any) -> None:
    contract = await first(cm)
    with pytest.raises(InvalidArgument, match="enforcement must be 'enforce'"):
        await cm.set_enforcement(contract.id, value)
    with pytest.raises(InvalidArgument, match="enforcement must be"):
        await cm.create_contract(TEAM, "Other", "v1.0", "EVENT", V1, enforcement=value)


# -- the plugin ---------------------------------------------------------------------
TEST = """
import pytest

@pytest.mark.contract("Orders")
def test_orders(phase_output):
    phase_output.record({"amount": "lots"})
"""
SCHEMA = {"type": "object", "properties": {"amount": {"type": "number"}}}


def test_a_shadow_version_fails_neither_the_test_nor_the_gate(project: Project) -> None:
    project.contract("Orders", SCHEMA, kind="EVENT", enforcement="warn")
    project.pytester.makepyfile(TEST)
    result = project.run("--contracts-gate", "--contracts-report", "report.json")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "WOULD FAIL  test_a_shadow*::test_orders  Orders (Orders v1.0)",
            "    at /amount: 'lots' is not of type 'number'",
            "    would have failed: v1.0 is in warn enforcement",
            "1 check against 1 contract: 0 passed, 1 would fail",
            "contracts gate: passed*",
        ]
    )
    report = json.loads((project.path / "report.json").read_text("utf-8"))
    assert (report["version"], report["totals"]["would_fail"], report["totals"]["failed"]) == (
        3,
        1,
        0,
    )
    assert report["checks"][0]["outcome"] == "would_fail"


def test_a_file_that_switches_its_version_to_enforce_makes_it_fail(project: Project) -> None:
    path = project.contract("Orders", SCHEMA, kind="EVENT", enforcement="warn")
    project.pytester.makepyfile(TEST)
    project.run().assert_outcomes(passed=1)
    document = json.loads(path.read_text("utf-8"))
    document["enforcement"] = "enforce"
    path.write_text(json.dumps(document), "utf-8")
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 unchanged, 1 changed enforcement*"])
