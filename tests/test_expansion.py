"""A schema whose references expand to too much work is refused at registration.

A ``$defs`` chain where each level refers twice to the level below is a
couple of kilobytes and doubles the work of a check at every level; it is
refused with the place where the expansion passes the bound. Recursive
schemas (trees) stay accepted: recursion is bounded by the output's depth.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_contracts import ContractManager
from pytest_contracts.defaults import MAX_EXPANDED_SCHEMAS
from pytest_contracts.errors import InvalidSchema
from pytest_contracts.schemas import check_specification
from pytest_contracts.validation import ValidatorCache

from .conftest import contract_record


def doubling(levels: int, keyword: str = "allOf", fan: int = 2) -> dict[str, Any]:
    """Each level applies the level below ``fan`` times, in one place."""
    definitions: dict[str, Any] = {"a0": {"type": "string", "minLength": 3}}
    for level in range(1, levels + 1):
        definitions[f"a{level}"] = {
            keyword: [{"$ref": f"#/$defs/a{level - 1}"} for _ in range(fan)]
        }
    return {"$defs": definitions, "$ref": f"#/$defs/a{levels}"}


def expanded(levels: int, fan: int = 2) -> int:
    """The subschemas of doubling(levels) with its references followed."""
    size = 1  # a0
    for _ in range(levels):
        size = 1 + fan * (1 + size)  # the level, and per reference its {"$ref"} and target
    return 1 + size  # the root, which refers to the top level


@pytest.mark.parametrize("keyword", ["allOf", "anyOf", "oneOf"])
@pytest.mark.parametrize("levels", [16, 20, 26])
def test_a_doubling_reference_chain_is_refused_with_where_and_why(
    keyword: str, levels: int
) -> None:
    specification = doubling(levels, keyword)
    assert len(json.dumps(specification)) < 2_100  # the 1.9 KB file at 26 levels
    with pytest.raises(InvalidSchema) as caught:
        check_specification(specification, self_contained=True)
    message = str(caught.value)
    assert "\n" not in message
    assert f"the limit is {MAX_EXPANDED_SCHEMAS:,}" in message
    assert "exponential time" in message
    assert caught.value.path.startswith("/$defs/a")
    assert repr(caught.value.path) in message


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["allOf", "anyOf", "oneOf"]), st.integers(1, 18), st.integers(2, 4))
def test_a_chain_is_refused_exactly_when_it_expands_past_the_bound(
    keyword: str, levels: int, fan: int
) -> None:
    specification = doubling(levels, keyword, fan)
    if expanded(levels, fan) > MAX_EXPANDED_SCHEMAS:
        with pytest.raises(InvalidSchema, match="expands to"):
            check_specification(specification, self_contained=True)
    else:
        check_specification(specification, self_contained=True)


@pytest.mark.parametrize("engine", ["jsonschema", "jsonschema-rs"])
def test_the_largest_chain_accepted_is_checked_within_the_budget(engine: str) -> None:
    levels = max(n for n in range(1, 30) if expanded(n) <= MAX_EXPANDED_SCHEMAS)
    specification = doubling(levels)
    check_specification(specification, self_contained=True)
    verdict = ValidatorCache(engine=engine).validate(
        contract_record(specification, f"largest-{engine}"), "abcd"
    )
    assert verdict.passed


@pytest.mark.parametrize(
    "specification",
    [
        # A tree: each node refers to itself through its children, many times.
        {
            "$defs": {
                "node": {
                    "type": "object",
                    "properties": {
                        "left": {"$ref": "#/$defs/node"},
                        "right": {"$ref": "#/$defs/node"},
                        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                    },
                }
            },
            "$ref": "#/$defs/node",
        },
        {"type": "object", "properties": {"next": {"$ref": "#"}, "also": {"$ref": "#"}}},
        # A definition used many times, but not multiplied level after level.
        {
            "$defs": {"id": {"type": "string", "pattern": "^[a-z]+$"}},
            "properties": {f"p{n}": {"$ref": "#/$defs/id"} for n in range(500)},
        },
    ],
)
def test_recursive_and_reused_references_stay_accepted(specification: Any) -> None:
    check_specification(specification, self_contained=True)


async def test_create_contract_refuses_a_doubling_chain(cm: ContractManager) -> None:
    with pytest.raises(InvalidSchema, match="expands to") as caught:
        await cm.create_contract("t", "Doubling", "v1", "DATA_FORMAT", doubling(26))
    assert caught.value.path.startswith("/$defs/a")
    assert await cm.list_contracts("t") == []


def test_a_contract_file_with_a_doubling_chain_is_refused_at_session_start(project: Any) -> None:
    project.contract("Doubling", doubling(26))
    project.pytester.makepyfile("def test_nothing():\n    pass\n")
    result = project.run()
    assert result.ret != 0
    out = result.stdout.str() + result.stderr.str()
    assert "expands to" in out
    assert "Doubling" in out
    assert "INTERNALERROR" not in out
