"""Random schemas, documents and values: only verdicts or clear errors, never a
traceback; JSON data round-trips and is sized exactly."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pytest_contracts.errors import (
    InvalidSchema,
    NotJSONData,
)
from pytest_contracts.jsondata import (
    dumps,
    ensure_json,
    json_size,
)
from pytest_contracts.models import Contract
from pytest_contracts.schemas import check_specification
from pytest_contracts.validation import ValidatorCache, Verdict

from .conftest import contract_record
from .hostile_cases import SAFE_PATTERNS, any_values, json_values


def contract(specification: Any, contract_id: str = "hostile") -> Contract:
    return contract_record(specification, contract_id)


_TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"]
_FORMATS = ["date-time", "date", "email", "uri", "uuid", "ipv4", "hostname", "regex", "duration"]

leaf_schemas = st.one_of(
    st.booleans(),
    st.fixed_dictionaries({"type": st.sampled_from(_TYPES)}),
    st.fixed_dictionaries({"type": st.lists(st.sampled_from(_TYPES), min_size=1, unique=True)}),
    st.fixed_dictionaries({"const": json_values}),
    st.fixed_dictionaries({"enum": st.lists(json_values, min_size=1, max_size=4)}),
    st.fixed_dictionaries(
        {},
        optional={
            "minimum": st.integers(-100, 100) | st.floats(allow_nan=False, allow_infinity=False),
            "exclusiveMaximum": st.integers(-100, 100),
            "multipleOf": st.sampled_from([1, 2, 0.5, 0.1, 1e-300, 1e300, 3]),
        },
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "minLength": st.integers(0, 5),
            "maxLength": st.integers(0, 5),
            "pattern": st.sampled_from([*SAFE_PATTERNS, "^$", "a", "[0-9]"]),
            "format": st.sampled_from(_FORMATS),
        },
    ),
    st.just({"$ref": "#"}),
    st.just({"$ref": "#/$defs/any"}),
)


def _compound(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    names = st.text(max_size=5)
    return st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "properties": st.dictionaries(names, children, max_size=3),
                "required": st.lists(names, max_size=3, unique=True),
                "additionalProperties": children,
                "patternProperties": st.dictionaries(
                    st.sampled_from(SAFE_PATTERNS[:6]), children, max_size=2
                ),
                "propertyNames": children,
                "minProperties": st.integers(0, 3),
                "dependentRequired": st.dictionaries(
                    names, st.lists(names, max_size=2, unique=True), max_size=2
                ),
            },
        ),
        st.fixed_dictionaries(
            {},
            optional={
                "items": children,
                "prefixItems": st.lists(children, min_size=1, max_size=3),
                "contains": children,
                "minContains": st.integers(0, 2),
                "uniqueItems": st.booleans(),
                "maxItems": st.integers(0, 4),
                "unevaluatedItems": children,
            },
        ),
        st.fixed_dictionaries({"allOf": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"anyOf": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"oneOf": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"not": children}),
        st.fixed_dictionaries({"if": children}, optional={"then": children, "else": children}),
    )


schemas = st.recursive(leaf_schemas, _compound, max_leaves=10).map(
    lambda schema: {"$defs": {"any": {}}, "allOf": [schema]}
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(schema=schemas, document=json_values)
def test_random_valid_schemas_and_documents_give_only_verdicts(schema: Any, document: Any) -> None:
    try:
        check_specification(schema, self_contained=True)
    except InvalidSchema:
        assume(False)
    verdict = ValidatorCache().validate(contract(schema), document)
    assert isinstance(verdict, Verdict)
    for violation in verdict.violations:
        assert all(isinstance(v, str) for v in violation.to_dict().values())
    assert (verdict.error is None) or verdict.error.startswith(
        ("the schema cannot be applied", "the output is nested too deeply")
    )


@settings(max_examples=150, deadline=None)
@given(value=any_values)
def test_random_values_are_json_data_or_a_clear_error(value: Any) -> None:
    try:
        ensure_json(value)
    except NotJSONData as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert "is not JSON data" in message
        return
    assert json_size(value) == len(dumps(value).encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None)
@given(value=json_values)
def test_random_json_round_trips_and_is_sized_exactly(value: Any) -> None:
    ensure_json(value)
    text = dumps(value)
    assert json.loads(text) == value
    assert json_size(value) == len(text.encode("utf-8", "surrogatepass"))
