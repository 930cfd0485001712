"""Witnesses: each breaking change carries a document that shows the break,
checked with both schemas' validators before it is shown."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pytest_contracts
from pytest_contracts import reporting
from pytest_contracts.compat import (
    Change,
    CompatReport,
    Effect,
    Mode,
    Policy,
    Witness,
    compare,
    witness,
)
from pytest_contracts.errors import InvalidArgument
from pytest_contracts.schemas import validator_class_for

from .compat_cases import DRAFT7, I, N, S, obj
from .test_compat_properties import SETTINGS, pairs, valid_documents


def _valid(schema: Any, document: Any) -> bool:
    cls = validator_class_for(schema)
    return bool(cls(schema, format_checker=cls.FORMAT_CHECKER).is_valid(document))


def assert_shows_the_break(old: Any, new: Any, change: Change) -> None:
    """The witness is valid under the schema that accepts, invalid under the
    other, and shows a side the change breaks."""
    found = change.witness
    assert found is not None, change
    accepting, refusing = (old, new) if found.direction == "readers" else (new, old)
    assert _valid(accepting, found.document), (found, change)
    assert not _valid(refusing, found.document), (found, change)
    assert getattr(change, found.direction) is Effect.BREAKING
    json.dumps(found.document, allow_nan=False)


# -- one change, one witness -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "direction", "document"),
    [
        pytest.param({"maximum": 2}, {"maximum": 1}, "readers", 2, id="bound tightened"),
        pytest.param(N, I, "readers", 0.5, id="type narrowed"),
        pytest.param(I, N, "writers", 0.5, id="type widened"),
        pytest.param(obj({"a": S}), obj({"a": S}, ["a"]), "readers", {}, id="required added"),
        pytest.param(
            obj({"a": {"enum": [1, 2]}}),
            obj({"a": {"enum": [2]}}),
            "readers",
            {"a": 1},
            id="enum member removed",
        ),
        pytest.param(
            obj({"a": I}, additional=False),
            obj({"a": I, "b": S}, additional=False),
            "writers",
            {"b": ""},
            id="property added to a closed object",
        ),
        pytest.param(
            {"type": "array", "items": S},
            {"type": "array", "items": S, "uniqueItems": True},
            "readers",
            ["", ""],
            id="unique items added",
        ),
    ],
)
def test_a_breaking_change_carries_the_document_that_shows_it(
    old: Any, new: Any, direction: str, document: Any
) -> None:
    (change,) = compare(old, new, policy="strict").changes
    assert change.witness == Witness(direction, document)
    assert_shows_the_break(old, new, change)


def test_the_break_a_popular_registry_misses_gets_its_witness() -> None:
    old = {"properties": {"foo": S}, "required": ["foo"]}
    new = {"properties": {"foo": S}, "required": ["bar"]}
    report = compare(old, new)
    (added,) = [c for c in report.changes if c.readers is Effect.BREAKING]
    assert added.witness is not None
    assert added.witness.direction == "readers"
    assert "foo" in added.witness.document
    assert "bar" not in added.witness.document
    assert_shows_the_break(old, new, added)


def test_a_witness_is_checked_with_format_checking() -> None:
    # Without format checking "" would be an email, and the witness a lie.
    old, new = S, {**S, "format": "email"}
    (change,) = compare(old, new).changes
    assert_shows_the_break(old, new, change)
    assert change.witness is not None
    assert not jsonschema.Draft202012Validator(
        new, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).is_valid(change.witness.document)


def test_a_change_in_a_definition_is_shown_where_it_is_referenced() -> None:
    def schema(maximum: int) -> dict[str, Any]:
        return {
            "$defs": {"amount": {"type": "integer", "maximum": maximum}},
            "type": "object",
            "properties": {"total": {"$ref": "#/$defs/amount"}},
        }

    (change,) = compare(schema(5), schema(3)).changes
    assert change.witness == Witness("readers", {"total": 5})


def test_a_recursive_schema_gets_a_witness_and_the_search_ends() -> None:
    def tree(maximum: int) -> dict[str, Any]:
        return {
            "$defs": {
                "node": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "integer", "maximum": maximum},
                        "next": {"$ref": "#/$defs/node"},
                    },
                    "required": ["value"],
                }
            },
            "$ref": "#/$defs/node",
        }

    (change,) = compare(tree(5), tree(3)).changes
    assert_shows_the_break(tree(5), tree(3), change)


def test_an_older_dialect_is_searched_with_its_own_rules() -> None:
    old = {"$schema": DRAFT7, "type": "array", "items": [S, N], "additionalItems": True}
    new = {"$schema": DRAFT7, "type": "array", "items": [S, N], "additionalItems": False}
    report = compare(old, new)
    breaking = [c for c in report.changes if c.breaking]
    assert breaking
    for change in breaking:
        assert_shows_the_break(old, new, change)


def test_changes_that_break_nothing_carry_no_witness() -> None:
    report = compare(obj({"a": S}), obj({"a": S, "b": I}))
    (change,) = report.changes
    assert not change.breaking
    assert change.witness is None


def test_the_package_and_the_engine_give_the_same_witnessed_report() -> None:
    report = pytest_contracts.compare(N, I)
    assert report == compare(N, I)
    assert report.changes[0].witness == Witness("readers", 0.5)


def test_the_search_is_bounded_on_a_wide_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"p{index}" for index in range(120)]
    old = obj({name: {"type": "integer", "maximum": 10} for name in names})
    new = obj({name: {"type": "integer", "maximum": 5} for name in names})
    spent = Counter[str]()
    real_spend = witness._Search.spend

    def counting(self: witness._Search, value: Any) -> bool:
        before = self.left
        allowed = real_spend(self, value)
        spent["checks"] += before - self.left
        return allowed

    monkeypatch.setattr(witness._Search, "spend", counting)
    monkeypatch.setattr(witness, "CHECKS_PER_COMPARISON", 200)
    report = compare(old, new)
    assert len(report.changes) == 120
    assert 200 <= spent["checks"] < 200 + 10
    shown = [c for c in report.changes if c.witness is not None]
    assert 0 < len(shown) < 120, "the budget ran out part of the way"
    for change in shown:
        assert_shows_the_break(old, new, change)


# -- over generated pairs ----------------------------------------------------------------------


@SETTINGS
@given(pair=pairs(), policy=st.sampled_from(list(Policy)))
def test_every_witness_is_valid_under_one_schema_and_invalid_under_the_other(
    pair: tuple[dict[str, Any], dict[str, Any]], policy: Policy
) -> None:
    old, new = pair
    for change in compare(old, new, policy=policy).changes:
        if change.witness is not None:
            assert_shows_the_break(old, new, change)
        else:
            assert not change.breaking or change.witness is None


def test_a_break_the_search_finds_has_a_witness_nine_times_in_ten() -> None:
    """Where the engine says a side breaks and documents drawn for the
    accepting schema do cross, a witness shows it (a break no drawn document
    shows may be a false alarm of the engine: no witness exists for those)."""
    seen: Counter[str] = Counter()

    @settings(SETTINGS, max_examples=300)
    @given(pair=pairs(), data=st.data())
    def run(pair: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject) -> None:
        old, new = pair
        report = compare(old, new, policy=Policy.STRICT)
        for direction, accepting, refusing in (("readers", old, new), ("writers", new, old)):
            flagged = [c for c in report.changes if getattr(c, direction) is Effect.BREAKING]
            documents = data.draw(valid_documents(accepting), label=direction)
            if not flagged or all(_valid(refusing, document) for document in documents):
                continue
            seen["breaks found"] += 1
            seen["witnessed"] += any(change.witness is not None for change in flagged)

    run()
    assert seen["breaks found"] >= 50, seen
    assert seen["witnessed"] >= 0.9 * seen["breaks found"], seen


# -- storage and display -------------------------------------------------------------------------


def test_a_witness_round_trips_through_the_change_dict() -> None:
    (change,) = compare({"maximum": 2}, {"maximum": 1}).changes
    data = change.to_dict()
    assert data["witness"] == {"direction": "readers", "document": 2}
    assert Change.from_dict(json.loads(json.dumps(data))) == change


def test_a_change_stored_without_a_witness_still_loads() -> None:
    (change,) = compare({"maximum": 2}, {"maximum": 1}).changes
    data = change.to_dict()
    del data["witness"]
    assert Change.from_dict(data).witness is None
    stored = {"format": 1, "policy": "lenient", "changes": [data]}
    assert CompatReport.from_dict(stored).changes[0].witness is None


@pytest.mark.parametrize(
    "witness_data",
    [{"direction": "sideways", "document": 1}, {"document": 1}, "readers", [1]],
)
def test_a_malformed_stored_witness_is_refused(witness_data: Any) -> None:
    (change,) = compare({"maximum": 2}, {"maximum": 1}).changes
    with pytest.raises(InvalidArgument, match="a stored witness"):
        Change.from_dict({**change.to_dict(), "witness": witness_data})


def test_render_lists_a_witness_for_each_breaking_change_after_the_changes() -> None:
    lines = compare({"maximum": 2}, {"maximum": 1}).render()
    assert lines[1].startswith("BREAKS READERS  /maximum")
    assert lines[2:] == [
        "witnesses (each checked against both schemas):",
        "  /maximum  e.g. 2 (old accepts it, new refuses it)",
    ]
    writers = compare(I, N).render()
    assert writers[-1] == "  /type  e.g. 0.5 (new accepts it, old refuses it)"


def test_render_leaves_the_witnesses_out_when_asked() -> None:
    report = compare({"maximum": 2}, {"maximum": 1})
    assert report.render(witnesses=False) == report.render()[:2]


def test_render_lists_no_witness_when_nothing_breaks() -> None:
    assert not any("witness" in line for line in compare(obj({"a": S}), obj({})).render())


def test_render_says_when_no_witness_was_found() -> None:
    change = Change("bound.added", "/minimum", None, 0, Effect.BREAKING, Effect.SAFE, "minimum 0")
    report = CompatReport((change,), Policy.LENIENT)
    assert report.render()[-1] == "  /minimum  no example document found; it still breaks"
    assert report.breaks("BACKWARD")


def test_a_long_witness_is_cut_in_the_rendering_and_whole_in_the_dict() -> None:
    long_name = "n" * 400
    old, new = obj({long_name: S}), obj({long_name: S}, [long_name])
    (change,) = compare(old, new).changes
    assert change.witness is not None
    # The witness has every property the new schema does not require: none.
    assert change.witness.document == {}
    wide = obj({long_name: {"enum": ["x" * 500, "y"]}})
    narrow = obj({long_name: {"enum": ["y"]}})
    (change,) = compare(wide, narrow).changes
    assert change.witness is not None
    assert change.witness.document == {long_name: "x" * 500}
    lines = compare(wide, narrow).render(60)
    assert all(len(line) <= 60 for line in lines)
    assert "..." in "".join(lines)


# -- the plugin's summary and JSON report ----------------------------------------------------


def _finding(report: CompatReport) -> dict[str, Any]:
    """A compatibility finding as the JSON report carries it."""
    return {
        "file": "contracts/orders-v2.0.json",
        "team": "default",
        "contract": "Orders",
        "version": "v2.0",
        "against": ["v1.0"],
        "mode": "BACKWARD",
        "policy": report.policy.value,
        "breaking": report.breaks("BACKWARD"),
        "declared": True,
        "unknown": len(report.unknown_changes()),
        "changes": [{"against": "v1.0", **change.to_dict()} for change in report.changes],
        "problem": None,
    }


def test_the_summary_shows_witnesses_under_verbose_only() -> None:
    finding = _finding(compare(obj({"a": {"maximum": 2}}), obj({"a": {"maximum": 1}})))
    verbose = reporting.compat_lines([finding], verbosity=1)
    assert verbose[1:] == [
        "  /properties/a/maximum: maximum lowered 2 -> 1",
        '      e.g. {"a": 2} (old accepts it, new refuses it)',
    ]
    assert not any("e.g." in line for line in reporting.compat_lines([finding], verbosity=0))


def test_the_summary_says_when_a_break_has_no_witness() -> None:
    change = Change("bound.added", "/minimum", None, 0, Effect.BREAKING, Effect.SAFE, "minimum 0")
    finding = _finding(CompatReport((change,), Policy.LENIENT))
    del finding["changes"][0]["witness"]  # stored before witnesses existed
    assert reporting.compat_lines([finding], verbosity=1)[-1] == ("      no example document found")


def test_the_json_report_schema_describes_the_witness() -> None:
    finding = _finding(compare(obj({"a": {"maximum": 2}}), obj({"a": {"maximum": 1}})))
    schema = reporting.report_schema()["properties"]["compatibility"]
    jsonschema.validate([finding], schema)
    finding["changes"][0]["witness"] = None
    jsonschema.validate([finding], schema)
    finding["changes"][0]["witness"] = {"direction": "sideways", "document": 1}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([finding], schema)


def test_the_finding_stored_with_a_version_carries_the_witness() -> None:
    from pytest_contracts.registry.evolution import ExistingVersion, check_evolution

    check = check_evolution(
        team_id="team",
        contract_name="Orders",
        version="v2.0",
        specification=obj({"total": {"maximum": 10}}),
        existing=[ExistingVersion("v1.0", "active", obj({"total": {"maximum": 20}}))],
        base_version="v1.0",
        mode=Mode.BACKWARD,
        policy=Policy.LENIENT,
        declared=True,
    )
    stored = json.loads(json.dumps(check.to_dict()))
    (change,) = stored["checked"][0]["report"]["changes"]
    assert change["witness"] == {"direction": "readers", "document": {"total": 20}}
    restored = CompatReport.from_dict(stored["checked"][0]["report"])
    assert restored.changes[0].witness == Witness("readers", {"total": 20})


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (False, {"type": "integer", "multipleOf": 1e-09, "minimum": 1e300}),
        ({"maximum": 10**400}, {"maximum": 10**399}),
        ({"type": "number"}, {"type": "number", "multipleOf": 1e-300}),
    ],
)
def test_numbers_past_what_floats_hold_never_fail_the_comparison(old: Any, new: Any) -> None:
    for change in compare(old, new).changes:
        if change.witness is not None:
            assert_shows_the_break(old, new, change)


# -- a document decides what the walk left unknown ----------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "readers", "writers", "document"),
    [
        # not widened from integers to numbers: 1.5 was accepted and is no more.
        ({"not": I}, {"not": N}, Effect.BREAKING, Effect.SAFE, 0.5),
        # not narrowed from numbers to integers: the other way round.
        ({"not": N}, {"not": I}, Effect.SAFE, Effect.BREAKING, 0.5),
        # A pattern replaced: the walk cannot compare two patterns; a string can.
        (
            {**S, "pattern": "^day"},
            {**S, "pattern": "^id"},
            Effect.BREAKING,
            Effect.BREAKING,
            "day",
        ),
        # A condition tightened in a then: shown by a long enough string.
        (
            {"if": S, "then": {"maxLength": 3}},
            {"if": S, "then": {"maxLength": 2}},
            Effect.BREAKING,
            Effect.UNKNOWN,  # no proof, and nothing to show: truly unknown to the engine
            None,
        ),
    ],
)
def test_an_unknown_effect_a_document_shows_becomes_breaking_with_that_witness(
    old: Any, new: Any, readers: Effect, writers: Effect, document: Any
) -> None:
    (change,) = compare(old, new, policy=Policy.LENIENT).changes
    assert (change.readers, change.writers) == (readers, writers)
    assert change.witness is not None
    if document is not None:
        assert change.witness.document == document
    assert_shows_the_break(old, new, change)
    assert "unknown" not in change.message
    assert change.message.endswith("a document shows it breaks")
    # Decided, the break fails the lenient policy too.
    assert compare(old, new, policy=Policy.LENIENT).breaks(Mode.FULL)


def test_an_unknown_effect_no_document_shows_stays_unknown() -> None:
    # Two spellings of one pattern: the search finds nothing, so nothing is decided.
    old = {"not": {**S, "pattern": "^a"}}
    new = {"not": {**S, "pattern": "^(a)"}}
    (change,) = compare(old, new).changes
    assert (change.readers, change.writers) == (Effect.UNKNOWN, Effect.UNKNOWN)
    assert change.witness is None
