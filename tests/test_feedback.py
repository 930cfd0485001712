"""Feedback an agent can act on (feedback.py): where, what is wrong, what the
contract expects; deterministic, capped, the same from both engines."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_contracts.feedback import render_feedback
from pytest_contracts.models import Contract, ContractStatus, ContractType
from pytest_contracts.validation import ValidatorCache

ENGINES = ["jsonschema", "jsonschema-rs"]

ORDER: dict[str, Any] = {
    "type": "object",
    "$defs": {"price": {"type": "number", "minimum": 0}},
    "properties": {
        "id": {"type": "string", "pattern": "^[A-Z]+$"},
        "status": {"enum": ["open", "closed"]},
        "price": {"$ref": "#/$defs/price"},
        "when": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "minItems": 2, "uniqueItems": True},
        "count": {"type": "integer", "maximum": 10, "multipleOf": 2},
        "kind": {"const": "order"},
        "owner": {"type": "string"},
    },
    "required": ["id", "owner"],
    "additionalProperties": False,
}
BAD_ORDER = {
    "id": "ab",
    "status": "done",
    "price": -3,
    "when": "yesterday",
    "tags": ["a"],
    "count": 13,
    "kind": "refund",
    "extra": 1,
}


def contract(schema: Any) -> Contract:
    return Contract(
        "id-1",
        "team",
        "Order",
        "v1.0",
        ContractType.EVENT,
        ContractStatus.ACTIVE,
        schema,
        None,
        None,
        None,
        1,
        None,
        None,
        None,
        datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        None,
        None,
        None,
    )


def feedback(engine: str, schema: Any, output: Any, **options: Any) -> str:
    verdict = ValidatorCache(engine=engine).validate(contract(schema), output)
    return render_feedback(verdict.violations, specification=schema, output=output, **options)


@pytest.mark.parametrize("engine", ENGINES)
def test_each_violation_says_where_what_and_what_is_expected(engine: str) -> None:
    text = feedback(engine, ORDER, BAD_ORDER, max_violations=20, contract="Order v1.0")
    assert text.splitlines() == [
        "The output does not match its contract Order v1.0; fix these:",
        '1. at the top level: remove the property "extra": not allowed here (allowed: '
        '"count", "id", "kind", "owner", "price", "status", "tags", "when")',
        '2. at the top level: add the required property "owner"',
        "3. at /count: must be at most 10; found 13",
        "4. at /count: must be a multiple of 2; found 13",
        '5. at /id: must match the pattern "^[A-Z]+$"; found "ab"',
        '6. at /kind: must be exactly "order"; found "refund"',
        "7. at /price: must be at least 0; found -3",  # read through the $ref
        '8. at /status: must be one of "open", "closed"; found "done"',
        "9. at /tags: must have at least 2 items; found 1",
        '10. at /when: must be a valid date-time value; found "yesterday"',
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_type_expected_and_the_value_found_are_named(engine: str) -> None:
    schema = {"properties": {"n": {"type": ["integer", "null"]}}}
    assert feedback(engine, schema, {"n": "7"}).splitlines()[1] == (
        '1. at /n: must be an integer or null; found the string "7"'
    )


def test_feedback_is_capped_and_counts_the_rest() -> None:
    text = feedback("jsonschema", ORDER, BAD_ORDER, max_violations=3)
    lines = text.splitlines()
    assert len(lines) == 5
    assert lines[-1] == "... and 7 more violations."


def test_a_passing_output_has_no_feedback() -> None:
    assert feedback("jsonschema", ORDER, {"id": "A", "owner": "x"}) == ""


@pytest.mark.parametrize("bad", [0, -1, True, 2.5])
def test_a_cap_below_one_is_refused(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError), match="max_violations"):
        render_feedback([], specification={}, output={}, max_violations=bad)


def test_huge_values_are_cut() -> None:
    text = feedback("jsonschema", {"enum": ["a"]}, "x" * 10_000)
    assert len(text) < 300
    assert "..." in text


def test_a_keyword_without_its_own_wording_keeps_the_validators_message() -> None:
    schema = {"dependentRequired": {"card": ["billing"]}}
    text = feedback("jsonschema", schema, {"card": 1})
    assert text.splitlines()[1] == "1. at the top level: 'billing' is a dependency of 'card'"


# -- generated cases -------------------------------------------------------------
KEYWORD_CASES: list[tuple[dict[str, Any], Any, str]] = [
    ({"type": "string"}, 5, "must be a string"),
    ({"minimum": 3}, 1, "must be at least 3"),
    ({"exclusiveMaximum": 3}, 3, "must be less than 3"),
    ({"maxLength": 2}, "abc", "must have at most 2 characters"),
    ({"minProperties": 2}, {"a": 1}, "must have at least 2 properties"),
    ({"enum": [1, 2]}, 3, "must be one of 1, 2"),
    ({"required": ["a"]}, {}, 'add the required property "a"'),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, 1.5, "must match exactly one of"),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1.5, "must match at least one of"),
]


@settings(max_examples=60, deadline=None)
@given(
    case=st.sampled_from(KEYWORD_CASES),
    path=st.lists(st.sampled_from(["a", "b/c", "d~e", "f g"]), min_size=0, max_size=3),
)
def test_generated_nestings_name_the_pointer_and_agree_across_engines(
    case: tuple[dict[str, Any], Any, str], path: list[str]
) -> None:
    """A keyword under any chain of properties (names with / ~ and spaces):
    the line points at the value and says what is expected, the same text
    from both engines."""
    keyword_schema, value, expected = case
    schema: Any = keyword_schema
    output: Any = value
    for name in reversed(path):
        schema = {"type": "object", "properties": {name: schema}}
        output = {name: output}
    where = "".join("/" + n.replace("~", "~0").replace("/", "~1") for n in path)
    texts = {feedback(engine, schema, output) for engine in ENGINES}
    assert len(texts) == 1
    line = texts.pop().splitlines()[1]
    assert line.startswith(f"1. at {where or 'the top level'}: ")
    assert expected in line
