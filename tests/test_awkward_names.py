"""Awkward team and contract names: stored and found exactly, never colliding, and
refused with the limit when unusable."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_contracts import ContractManager
from pytest_contracts.errors import (
    InvalidArgument,
)
from pytest_contracts.models import Contract

from .conftest import contract_record


def contract(specification: Any, contract_id: str = "hostile") -> Contract:
    return contract_record(specification, contract_id)


AWKWARD_NAMES = [
    "a:b",
    "a",
    "b:",
    ":",
    "a%3Ab",
    "\"quote'",
    "名前 with spaces",
    "emoji 😀🚀",
    "tab-less but  double  spaced",
    "slash/and\\backslash",
    "*?[glob]",
    "x" * 200,
]


async def test_awkward_names_are_stored_and_found_exactly(cm: ContractManager) -> None:
    for index, name in enumerate(AWKWARD_NAMES):
        team = AWKWARD_NAMES[-1 - index]
        schema = {"const": index}
        created = await cm.create_contract(team, name, "v1", "DATA_FORMAT", schema)
        await cm.activate_contract(created.id, name)
    for index, name in enumerate(AWKWARD_NAMES):
        team = AWKWARD_NAMES[-1 - index]
        for _ in range(2):  # the second lookup is served from the cache
            active = await cm.get_active_contract(team, name)
            assert active is not None
            assert (active.team_id, active.contract_name) == (team, name)
            assert active.specification == {"const": index}
        assert [c.contract_name for c in await cm.list_contracts(team)] == [name]


@pytest.mark.parametrize(
    "pairs",
    [
        [("a:b", "c"), ("a", "b:c")],
        [("a:b", "c"), ("a%3Ab", "c")],
        [("a", "gen:b"), ("a:gen", "b")],
        [("a b", "c"), ("a", "b c")],
        [("t", "x%"), ("t", "x%25")],
    ],
)
async def test_names_that_join_to_the_same_text_do_not_collide(
    cm: ContractManager, pairs: list[tuple[str, str]]
) -> None:
    for index, (team, name) in enumerate(pairs):
        created = await cm.create_contract(team, name, "v1", "DATA_FORMAT", {"const": index})
        await cm.activate_contract(created.id)
    for _ in range(2):
        for index, (team, name) in enumerate(pairs):
            active = await cm.get_active_contract(team, name)
            assert active is not None
            assert active.specification == {"const": index}
    # A new version of one is not served for the other.
    team, name = pairs[0]
    newer = await cm.create_contract(team, name, "v2", "DATA_FORMAT", {"const": "new"})
    await cm.activate_contract(newer.id)
    other = await cm.get_active_contract(*pairs[1])
    assert other is not None
    assert other.specification == {"const": 1}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 201, "201 characters long; the limit is 200"),
        ("名" * 10_000, "10000 characters long; the limit is 200"),
        ("nul\x00byte", "contains a control character"),
        ("new\nline", "contains a control character"),
        ("del\x7f", "contains a control character"),
        ("lone \ud800 surrogate", "lone surrogate"),
        ("   ", "must not be empty"),
    ],
)
@pytest.mark.parametrize("field", ["team_id", "contract_name"])
async def test_unusable_names_are_refused_with_the_limit(
    cm: ContractManager, name: str, message: str, field: str
) -> None:
    arguments = {"team_id": "t", "contract_name": "c", field: name}
    with pytest.raises(InvalidArgument, match=message):
        await cm.create_contract(
            version="v1", contract_type="DATA_FORMAT", specification={}, **arguments
        )
    with pytest.raises(InvalidArgument, match=message):
        await cm.get_active_contract(arguments["team_id"], arguments["contract_name"])
    assert await cm.list_contracts("t") == []
