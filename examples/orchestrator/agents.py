"""Stand-in agents for the five phases.

Each takes the previous phase's document and, on a retry, the feedback on
what its last output got wrong, and returns its own document. Two of them
misbehave the way generated documents do: one forgets a required field until
told, one keeps a value the contract forbids whatever it is told.
"""

from __future__ import annotations

import re
from typing import Any

Document = dict[str, Any]


def requirements_agent(idea: str, feedback: str | None) -> Document:
    sentences = [s.strip() for s in re.split(r"[.!?]", idea) if s.strip()]
    return {
        "project": sentences[0][:60],
        "requirements": [
            {"id": f"REQ-{n}", "text": text, "priority": "must" if n == 1 else "should"}
            for n, text in enumerate(sentences, start=1)
        ],
    }


def design_agent(requirements: Document, feedback: str | None) -> Document:
    return _design(requirements, with_links=True)


def forgetful_design_agent(requirements: Document, feedback: str | None) -> Document:
    """Leaves out which requirements each component satisfies, until the
    feedback names the missing property."""
    return _design(requirements, with_links=feedback is not None and '"satisfies"' in feedback)


def _design(requirements: Document, *, with_links: bool) -> Document:
    components = []
    for req in requirements["requirements"]:
        component = {"name": f"component-{req['id'].lower()}", "responsibility": req["text"]}
        if with_links:
            component["satisfies"] = [req["id"]]
        components.append(component)
    return {
        "project": requirements["project"],
        "architecture": "service",
        "components": components,
        "interfaces": [
            {"name": "api", "protocol": "https", "exposes": [c["name"] for c in components]}
        ],
    }


def implementation_agent(design: Document, feedback: str | None) -> Document:
    return _plan(design, hours=4)


def stubborn_implementation_agent(design: Document, feedback: str | None) -> Document:
    """Estimates every task at zero hours, whatever the feedback says."""
    return _plan(design, hours=0)


def _plan(design: Document, *, hours: int) -> Document:
    tasks = [
        {"id": f"TASK-{n}", "component": c["name"], "estimate_hours": hours}
        for n, c in enumerate(design["components"], start=1)
    ]
    return {
        "project": design["project"],
        "tasks": tasks,
        "total_hours": sum(t["estimate_hours"] for t in tasks),
    }


def testing_agent(plan: Document, feedback: str | None) -> Document:
    cases = [{"task": task["id"], "passed": True} for task in plan["tasks"]]
    return {
        "project": plan["project"],
        "cases": cases,
        "passed": len(cases),
        "failed": 0,
        "coverage": 0.9,
    }


def deployment_agent(report: Document, feedback: str | None) -> Document:
    return {"project": report["project"], "environment": "staging", "status": "deployed"}


def team(**replaced: Any) -> dict[str, Any]:
    """The five agents by phase, with some replaced."""
    agents = {
        "requirements": requirements_agent,
        "design": design_agent,
        "implementation": implementation_agent,
        "testing": testing_agent,
        "deployment": deployment_agent,
    }
    agents.update(replaced)
    return agents
