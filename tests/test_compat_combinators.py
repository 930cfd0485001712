"""Combinators judged as a whole: an ``anyOf`` or ``oneOf`` whose branches
changed keeps readers when each old branch lies inside a new branch (and, for
``oneOf``, outside the other new branches), and writers the other way round."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_contracts.compat import Effect, Mode, Policy, compare

from .compat_cases import I, N, S, obj

SHORT = {"type": "string", "maxLength": 4}
NULL = {"type": "null"}
BIG = {"type": "number", "minimum": 100}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # A branch widened while others were added: more branches than before.
        pytest.param(
            {"oneOf": [SHORT]},
            {"oneOf": [NULL, I, {**S, "maxLength": 9}]},
            id="one-of-widened-and-added",
        ),
        # New branches overlap each other (integers of 100 and more), but an old
        # document is a short string: it matches the string branch only.
        pytest.param({"oneOf": [SHORT]}, {"oneOf": [S, I, BIG]}, id="one-of-new-branches-overlap"),
        # A branch replaced by one that holds it, in a different position.
        pytest.param(
            {"oneOf": [{"enum": ["a", "b"]}, I]},
            {"oneOf": [I, S, NULL]},
            id="one-of-enum-into-type",
        ),
        # anyOf: two branches merged into one that holds both.
        pytest.param(
            {"anyOf": [SHORT, {"type": "string", "minLength": 9}, NULL]},
            {"anyOf": [NULL, S]},
            id="any-of-merged",
        ),
    ],
)
def test_each_old_branch_held_by_a_new_one_keeps_readers(old: Any, new: Any) -> None:
    report = compare(old, new, policy=Policy.STRICT)
    assert not report.breaks(Mode.BACKWARD), "\n".join(report.render(120))
    assert all(change.readers is Effect.SAFE for change in report.changes)
    # The other way round it narrows: the same proof keeps writers.
    swapped = compare(new, old, policy=Policy.STRICT)
    assert not swapped.breaks(Mode.FORWARD), "\n".join(swapped.render(120))


@pytest.mark.parametrize(
    ("old", "new", "document"),
    [
        # The number branch was held by nothing: 1.5 is lost.
        pytest.param({"oneOf": [SHORT, N]}, {"oneOf": [S, I, NULL]}, 0.5, id="one-of-branch-lost"),
        # Held, but by two new branches at once: oneOf refuses 150.
        pytest.param(
            {"oneOf": [{"type": "integer", "minimum": 120}]},
            {"oneOf": [I, BIG]},
            120,
            id="one-of-held-twice",
        ),
    ],
)
def test_an_old_branch_not_held_by_exactly_one_new_branch_still_breaks_readers(
    old: Any, new: Any, document: Any
) -> None:
    report = compare(old, new, policy=Policy.LENIENT)
    assert report.breaks(Mode.BACKWARD), "\n".join(report.render(120))
    witnesses = [
        c.witness for c in report.changes if c.witness and c.witness.direction == "readers"
    ]
    assert witnesses


# -- a side that accepts nothing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "readers_kept", "writers_kept"),
    [
        # Integers that are "x": there are none, before or after.
        pytest.param(
            obj({"a": {**I, "enum": ["x"]}}),
            obj({"a": {**I, "enum": ["y"]}}),
            True,
            True,
            id="property-empty-on-both-sides",
        ),
        # Booleans or objects that equal 1: the old schema accepted nothing, so
        # nothing it accepted can be lost; the new one accepts objects.
        pytest.param(
            {"anyOf": [{"type": "boolean"}, {"type": "object"}], "enum": [1]},
            {"type": "object", "additionalProperties": False},
            True,
            False,
            id="old-root-empty",
        ),
        # At least 5 and at most 1: no integer, so none to lose to the string type.
        pytest.param(
            obj({"a": {**I, "minimum": 5, "maximum": 1}}),
            obj({"a": S}),
            True,
            False,
            id="numbers-bounded-out",
        ),
        # No integer lies strictly between 1 and 2.
        pytest.param(
            {**I, "exclusiveMinimum": 1, "exclusiveMaximum": 2},
            {**I, "enum": [7]},
            True,
            False,
            id="integers-bounded-out",
        ),
        # Three items or more, and one at most: no array at all.
        pytest.param(
            {"type": "array", "minItems": 3, "maxItems": 1},
            {"type": "array", "items": S, "minItems": 3, "maxItems": 1},
            True,
            True,
            id="arrays-bounded-out",
        ),
    ],
)
def test_changes_below_a_schema_that_accepts_nothing_keep_that_side(
    old: Any, new: Any, readers_kept: bool, writers_kept: bool
) -> None:
    report = compare(old, new, policy=Policy.STRICT)
    assert report.changes
    assert report.breaks(Mode.BACKWARD) is not readers_kept, "\n".join(report.render(120))
    assert report.breaks(Mode.FORWARD) is not writers_kept, "\n".join(report.render(120))
