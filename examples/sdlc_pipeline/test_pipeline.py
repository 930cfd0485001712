"""The pipeline's tests: each phase's output is checked against its boundary's contract."""

from __future__ import annotations

import pytest
from pipeline import deploy, design, gather_requirements, plan_implementation, run_tests

IDEA = (
    "Users sign up with an e-mail address. Users reset a forgotten password. Admins see sign-ups."
)


@pytest.fixture
def requirements() -> dict:
    return gather_requirements(IDEA)


@pytest.mark.phase_boundary("requirements", "design")
def test_requirements_become_a_design_input(requirements, phase_output):
    assert len(requirements["requirements"]) == 3
    phase_output.record(requirements)


@pytest.mark.phase_boundary("design", "implementation")
def test_every_requirement_has_a_component(requirements, phase_output):
    design_doc = design(requirements)
    covered = {req for c in design_doc["components"] for req in c["satisfies"]}
    assert covered == {r["id"] for r in requirements["requirements"]}
    phase_output.record(design_doc)


@pytest.mark.phase_boundary("implementation", "testing")
def test_plan_estimates_every_component(requirements, phase_output):
    plan = plan_implementation(design(requirements))
    assert plan["total_hours"] == sum(t["estimate_hours"] for t in plan["tasks"])
    phase_output.record(plan)


@pytest.mark.phase_boundary("testing", "deployment")
@pytest.mark.parametrize("failures", [0, 1])
def test_reports_of_green_and_red_runs_cross_to_deployment(requirements, phase_output, failures):
    report = run_tests(plan_implementation(design(requirements)), failures=failures)
    assert report["failed"] == failures
    phase_output.record(report)


def test_only_a_green_report_is_deployed(requirements):
    plan = plan_implementation(design(requirements))
    assert deploy(run_tests(plan))["status"] == "deployed"
    assert deploy(run_tests(plan, failures=1))["status"] == "blocked"


def test_the_registry_knows_the_active_contracts(contract_manager):
    summary = contract_manager.get_contract_summary("sdlc-demo").result()
    assert summary.by_status["active"] == 4
