"""Patterns that backtrack catastrophically are found and refused, with their
pointer and the reason; common safe patterns pass."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest

from pytest_contracts import ContractManager
from pytest_contracts.errors import (
    InvalidSchema,
)
from pytest_contracts.models import Contract
from pytest_contracts.schemas import backtracking_risk, check_specification

from .conftest import contract_record
from .hostile_cases import SAFE_PATTERNS


def contract(specification: Any, contract_id: str = "hostile") -> Contract:
    return contract_record(specification, contract_id)


EVIL_PATTERNS = [
    r"^(a+)+$",
    r"(a*)*b",
    r"^(a|aa)+$",
    r"(.*a){12}",
    r"^(\w+\s?)+$",
    r"^([a-zA-Z]+)*$",
    r"(x+x+)+y",
    r"^(a?){25}a{25}$",
    r"^((a|aa)b?)+$",
    r"^(a(a|aa))+$",
]


@pytest.mark.parametrize("pattern", EVIL_PATTERNS)
def test_detector_finds_catastrophic_backtracking(pattern: str) -> None:
    reason = backtracking_risk(pattern)
    assert reason is not None
    assert "catastrophic backtracking" in reason


@pytest.mark.parametrize("pattern", SAFE_PATTERNS)
def test_detector_accepts_common_safe_patterns(pattern: str) -> None:
    assert backtracking_risk(pattern) is None
    check_specification({"type": "string", "pattern": pattern})
    check_specification({"patternProperties": {pattern: {}}})


@pytest.mark.parametrize(
    ("specification", "where"),
    [
        ({"type": "string", "pattern": "^(a+)+$"}, "/pattern"),
        ({"properties": {"id": {"pattern": "^(a+)+$"}}}, "/properties/id/pattern"),
        ({"patternProperties": {"^(a+)+$": {}}}, "/patternProperties/^(a+)+$"),
        ({"$defs": {"k": {"propertyNames": {"pattern": "^(a+)+$"}}}}, None),
    ],
)
def test_backtracking_pattern_is_refused_with_its_pointer_and_reason(
    specification: Any, where: str | None
) -> None:
    # Refused by reading the pattern, never by running it: a run would not end.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        refused = pool.submit(check_specification, specification).exception(timeout=60)
    assert isinstance(refused, InvalidSchema)
    assert "catastrophic backtracking" in str(refused)
    caught = pytest.ExceptionInfo.from_exception(refused)
    expected = where or "/$defs/k/propertyNames/pattern"
    assert caught.value.path == expected
    assert repr(expected) in str(caught.value)


async def test_create_contract_refuses_a_backtracking_pattern(cm: ContractManager) -> None:
    specification = {"type": "object", "properties": {"id": {"pattern": "^(a+)+$"}}}
    with pytest.raises(InvalidSchema, match="catastrophic backtracking") as caught:
        await cm.create_contract("t", "Evil", "v1", "DATA_FORMAT", specification)
    assert caught.value.path == "/properties/id/pattern"
    assert await cm.list_contracts("t") == []
