"""A project whose session report shows every part of the HTML report: passed,
failed and shadow checks on three boundaries, a contract checked by name, an
evolved contract with a declared break, a secret in a failing output, and a
contract name and an output that try to inject markup."""

from __future__ import annotations

import json
import re
from typing import Any

from .conftest import REQUIREMENTS_SCHEMA, Project
from .plugin_cases import BAD, GOOD

#: A contract name and an output text that would run script if not escaped.
HOSTILE = "</script><img src=x onerror=\"document.title='pwned'\"><b>x"
SECRET = "hunter2-secret-value"

DESIGN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["components"],
    "properties": {
        "components": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}},
            },
        }
    },
}

TESTS = f"""
import pytest

HOSTILE = {HOSTILE!r}


@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("doc", [{GOOD!r}, {BAD!r}])
def test_requirements(phase_output, doc):
    phase_output.record(doc)


@pytest.mark.phase_boundary("design", "implementation")
def test_design_shadow(phase_output):
    phase_output.record({{"components": [{{"name": "Bad Name"}}]}})


@pytest.mark.contract(HOSTILE)
def test_hostile(phase_output):
    phase_output.record({{"note": HOSTILE, "password": {SECRET!r}}})


@pytest.mark.contract("Events")
def test_events(phase_output):
    phase_output.record({{"id": 7}})
"""


def html_project(project: Project) -> None:
    """The contract files and the tests of the report's project."""
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.contract("phase_boundary_design_to_implementation", DESIGN_SCHEMA, enforcement="warn")
    hostile = {
        "name": HOSTILE,
        "version": "v1.0",
        "type": "DATA_FORMAT",
        "schema": {"type": "object", "properties": {"note": {"type": "string", "maxLength": 3}}},
    }
    (project.path / "contracts" / "hostile-v1.0.json").write_text(
        json.dumps(hostile), encoding="utf-8"
    )
    events_v1 = {"type": "object", "properties": {"id": {"type": "string"}}}
    project.contract("Events", events_v1, "v1.0", kind="EVENT", folder="contracts")
    project.pytester.makepyfile(test_report=TESTS)


def evolve_events(project: Project) -> None:
    """A second version of Events that breaks the first, declared so."""
    events_v2 = {"type": "object", "properties": {"id": {"type": "integer"}}}
    project.contract("Events", events_v2, "v2.0", kind="EVENT", breaking_change=True)


def rows_by_outcome(text: str) -> dict[str, int]:
    """How many rows of the table of checks have each outcome."""
    counts: dict[str, int] = {}
    for outcome in re.findall(r'<tr data-outcome="([a-z_]+)"', text):
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
