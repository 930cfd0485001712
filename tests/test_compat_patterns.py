"""Properties next to ``patternProperties``: a property added or removed meets
the one pattern that matches its name on the side without it, and a pattern
added to (or removed from) an object closed by ``additionalProperties: false``
keeps readers (writers) when every declared name it matches fits it."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_contracts.compat import Mode, Policy, compare

from .compat_cases import I, N, S
from .test_compat_witness import _valid, assert_shows_the_break

#: Closed, with counters under "n_" and labels under "s_".
PARTLY_OPEN = {
    "properties": {"id": S},
    "patternProperties": {"^n_": I, "^s_": S},
    "additionalProperties": False,
}


def closed(properties: dict[str, Any], patterns: dict[str, Any] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"properties": properties, "additionalProperties": False}
    if patterns is not None:
        schema["patternProperties"] = patterns
    return schema


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # "n_seen" was an integer by its pattern; declared a number, it still is one.
        pytest.param(
            PARTLY_OPEN,
            {**PARTLY_OPEN, "properties": {"id": S, "n_seen": N}},
            id="property-added-under-its-pattern",
        ),
        # A declared integer handed over to a pattern of numbers.
        pytest.param(
            closed({"id": S, "n_total": I}),
            closed({"id": S}, {"^n_": N, "^s_": S}),
            id="property-removed-into-a-pattern",
        ),
    ],
)
def test_a_pattern_that_holds_the_property_keeps_readers(old: Any, new: Any) -> None:
    report = compare(old, new, policy=Policy.STRICT)
    assert not report.breaks(Mode.BACKWARD), "\n".join(report.render(120))


@pytest.mark.parametrize(
    ("old", "new", "document"),
    [
        # Declared as a number, "n_total" is now held to the integers of its pattern.
        pytest.param(
            closed({"id": S, "n_total": N}),
            closed({"id": S}, {"^n_": I}),
            {"n_total": 0.5},
            id="pattern-narrower-than-the-property",
        ),
        # Any integer under "n_" was accepted; "n_small" now stops at 9.
        pytest.param(
            PARTLY_OPEN,
            {**PARTLY_OPEN, "properties": {"id": S, "n_small": {**I, "maximum": 9}}},
            {"n_small": 10},
            id="property-added-narrower-than-its-pattern",
        ),
    ],
)
def test_a_pattern_that_does_not_hold_the_property_breaks_readers(
    old: Any, new: Any, document: Any
) -> None:
    report = compare(old, new, policy=Policy.LENIENT)
    assert report.breaks(Mode.BACKWARD), "\n".join(report.render(120))
    shown = [c for c in report.changes if c.witness and c.witness.direction == "readers"]
    assert shown
    for change in shown:
        assert_shows_the_break(old, new, change)
    # The document named above crosses too.
    assert _valid(old, document)
    assert not _valid(new, document)
