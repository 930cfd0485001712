"""A design agent with two bugs, caught at the design -> implementation boundary.

Run it to see what a violation looks like: ``pytest examples/violation``.
This test is meant to fail.
"""

from __future__ import annotations

import pytest


def sloppy_design(requirement_ids: list[str]) -> dict:
    """Forgets which requirements a component satisfies, and invents a protocol."""
    return {
        "project": "sign-up service",
        "architecture": "service",
        "components": [{"name": "Signup_Service", "responsibility": "sign-up"}],
        "interfaces": [{"name": "api", "protocol": "carrier-pigeon"}],
    }


@pytest.mark.phase_boundary("design", "implementation")
def test_design_output(phase_output):
    phase_output.record(sloppy_design(["REQ-1"]))
