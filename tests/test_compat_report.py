"""The report of a comparison: modes and policies, the verdicts it gives,
its storage and its display."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_contracts.compat import (
    DEFAULT_MODE,
    DEFAULT_POLICY,
    Change,
    CompatReport,
    Effect,
    Mode,
    Policy,
    compare,
)
from pytest_contracts.errors import InvalidArgument

from .compat_cases import I, S, obj

# -- policies, modes and verdicts ---------------------------------------------------------


def test_defaults_are_backward_and_lenient() -> None:
    assert DEFAULT_MODE is Mode.BACKWARD
    assert DEFAULT_POLICY is Policy.LENIENT
    assert compare(S, S).policy is Policy.LENIENT


def test_lenient_property_addition_is_listed_as_safe_not_hidden() -> None:
    report = compare(obj({"a": S}), obj({"a": S, "b": I}))
    (change,) = report.changes
    assert (change.kind, change.readers, change.writers) == (
        "property.added",
        Effect.SAFE,
        Effect.SAFE,
    )


#: Two ways to write one pattern: no document tells them apart, and no proof
#: of either inclusion is attempted for patterns.
SAME_PATTERN = ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^(a)"})


def test_unknown_breaks_under_strict_and_is_listed_under_lenient() -> None:
    old, new = {"not": SAME_PATTERN[0]}, {"not": SAME_PATTERN[1]}
    lenient = compare(old, new, policy="lenient")
    strict = compare(old, new, policy="STRICT")
    assert [c.kind for c in lenient.unknown_changes()] == ["not.changed"]
    assert not lenient.breaks(Mode.FULL)
    assert strict.breaks(Mode.BACKWARD)
    assert strict.breaks(Mode.FORWARD)
    assert not strict.breaks_readers
    assert not strict.breaks_writers


def test_breaking_changes_keeps_only_those_the_mode_checks() -> None:
    old = obj({"a": S, "b": {"maximum": 5}}, additional=False)
    new = obj({"a": S, "b": {"maximum": 3}, "c": S}, additional=False)
    report = compare(old, new)
    assert [c.kind for c in report.breaking_changes(Mode.BACKWARD)] == ["bound.tightened"]
    assert [c.kind for c in report.breaking_changes("forward")] == ["property.added"]
    assert len(report.breaking_changes(Mode.FULL)) == 2
    assert report.breaking_changes(Mode.NONE) == []
    assert report.breaks_readers
    assert report.breaks_writers


def test_mode_none_never_breaks() -> None:
    assert not compare(S, I, policy="strict").breaks(Mode.NONE)


@pytest.mark.parametrize(
    ("mode", "transitive", "readers", "writers"),
    [
        (Mode.BACKWARD, False, True, False),
        (Mode.BACKWARD_TRANSITIVE, True, True, False),
        (Mode.FORWARD, False, False, True),
        (Mode.FORWARD_TRANSITIVE, True, False, True),
        (Mode.FULL, False, True, True),
        (Mode.FULL_TRANSITIVE, True, True, True),
        (Mode.NONE, False, False, False),
    ],
)
def test_mode_properties(mode: Mode, transitive: bool, readers: bool, writers: bool) -> None:
    assert (mode.transitive, mode.checks_readers, mode.checks_writers) == (
        transitive,
        readers,
        writers,
    )
    assert mode.value == mode.name


def test_mode_parse_ignores_case_and_accepts_hyphens() -> None:
    assert Mode.parse("backward") is Mode.BACKWARD
    assert Mode.parse("Full-Transitive") is Mode.FULL_TRANSITIVE
    assert Mode.parse(Mode.NONE) is Mode.NONE
    assert Policy.parse("STRICT") is Policy.STRICT
    assert Policy.parse(Policy.LENIENT) is Policy.LENIENT


@pytest.mark.parametrize("value", ["sideways", "", 3, None])
def test_mode_parse_error_names_the_accepted_values(value: Any) -> None:
    with pytest.raises(InvalidArgument, match="compatibility mode") as caught:
        Mode.parse(value)
    for mode in Mode:
        assert mode.value in str(caught.value)


def test_policy_parse_error_names_the_accepted_values() -> None:
    with pytest.raises(InvalidArgument, match=r"compatibility policy 'loose'.*strict, lenient"):
        Policy.parse("loose")
    with pytest.raises(InvalidArgument, match="compatibility policy"):
        compare(S, S, policy="loose")


def test_breaks_refuses_an_unknown_mode() -> None:
    with pytest.raises(InvalidArgument, match="BACKWARD"):
        compare(S, I).breaks("upward")


# -- storage and display -------------------------------------------------------------------


def _varied_report(policy: str) -> CompatReport:
    old = obj(
        {"a": {"enum": [1, 2]}, "b": S, "c": {"not": SAME_PATTERN[0]}}, ["b"], additional=False
    )
    new = obj(
        {"a": {"enum": [2, 3.5]}, "c": {"not": SAME_PATTERN[1]}, "d": {"const": None}},
        additional=True,
    )
    return compare(old, new, policy=policy)


@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_report_round_trips_through_json(policy: str) -> None:
    report = _varied_report(policy)
    assert len(report.changes) >= 6
    stored = json.dumps(report.to_dict(), allow_nan=False)
    restored = CompatReport.from_dict(json.loads(stored))
    assert restored == report
    assert restored.to_dict() == report.to_dict()
    assert all(isinstance(c.readers, Effect) for c in restored.changes)


def test_change_to_dict_is_plain_json() -> None:
    (change,) = compare({"maximum": 2}, {"maximum": 1}).changes
    assert change.to_dict() == {
        "kind": "bound.tightened",
        "location": "/maximum",
        "old": 2,
        "new": 1,
        "readers": "breaking",
        "writers": "safe",
        "message": "maximum lowered 2 -> 1",
        "witness": {"direction": "readers", "document": 2},
    }
    assert Change.from_dict(change.to_dict()) == change


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"format": 99, "policy": "strict", "changes": []},
        {"format": 1, "policy": "strict", "changes": {}},
        {"format": 1, "policy": "sloppy", "changes": []},
        {"format": 1, "policy": "strict", "changes": [{"kind": "x"}]},
    ],
)
def test_from_dict_refuses_malformed_data(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        CompatReport.from_dict(data)


@pytest.mark.parametrize("width", [80, 50, 30])
def test_render_keeps_every_line_within_width(width: int) -> None:
    name = "a_property_name_that_is_far_too_long_to_fit_on_one_line_of_any_terminal" * 2
    old = obj({name: obj({name: {"maximum": 120}})})
    new = obj({name: obj({name: {"maximum": 100}}), "other": {"not": S}})
    lines = compare(old, new, policy="strict").render(width)
    assert len(lines) >= 4
    assert all(len(line) <= width for line in lines), lines
    assert any(line.startswith("BREAKS READERS") for line in lines)


def test_render_labels_each_change_and_flags_unknown() -> None:
    lines = _varied_report("strict").render()
    assert lines[0].startswith("7 changes (policy strict): breaks readers; breaks writers")
    summary = " ".join(" ".join(lines[:2]).split())
    assert summary.endswith("(unknown counts as breaking under strict)")
    assert any(line.startswith("UNKNOWN") and "/properties/c/not" in line for line in lines)
    assert any(line.startswith("BREAKS WRITERS") for line in lines)
    assert any(line.startswith("BREAKS READERS") for line in lines)


def test_render_says_when_nothing_changed() -> None:
    assert compare(S, {**S, "title": "same rules"}).render() != [
        "no changes between the two schemas"
    ]
    assert compare(S, S).render() == ["no changes between the two schemas"]
