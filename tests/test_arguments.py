"""The registry's checks of its arguments (registry/arguments.py): each
refusal names the argument and what it must be, and nothing is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from pytest_contracts import ContractManager, InvalidArgument
from pytest_contracts.defaults import MAX_NAME_LENGTH

from .conftest import SCHEMA
from .registry_cases import make


async def test_unknown_contract_type_is_refused_with_the_valid_ones(cm: ContractManager) -> None:
    with pytest.raises(InvalidArgument, match=r"unknown contract_type 'GRAPHQL'.*REST_API"):
        await make(cm, contract_type="GRAPHQL")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("team_id", "", "team_id must not be empty"),
        ("contract_name", "   ", "contract_name must not be empty"),
        ("contract_name", "x" * (MAX_NAME_LENGTH + 1), f"the limit is {MAX_NAME_LENGTH}"),
        ("contract_name", "bad\x00name", "control character"),
        ("version", 2, "version must be a string"),
    ],
)
async def test_bad_names_are_refused_with_the_limit(
    cm: ContractManager, field: str, value: Any, message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        await make(cm, **{field: value})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda cm, c: make(cm, "v2", description={}), "description must be a string"),
        (lambda cm, c: make(cm, "v2", owner_role=123), "owner_role must be a string"),
        (lambda cm, c: make(cm, "v2", team_id="t\ud800"), "lone surrogate"),
        (lambda cm, c: cm.activate_contract(c.id, activated_by=5), "activated_by must be a string"),
        (lambda cm, c: cm.deprecate_contract(c.id, reason=["x"]), "reason must be a string"),
        (lambda cm, c: cm.get_contract_version("team_001", "APIContract", 5), "version must be"),
        (lambda cm, c: cm.get_validations(subject=5), "subject must be a string"),
        (lambda cm, c: cm.get_validations(passed="yes"), "passed must be True, False or None"),
        (lambda cm, c: cm.record_validation(c.id, "t", "false"), "passed must be True or False"),
        (lambda cm, c: cm.record_validation(c.id, "t", True, "abc"), "errors must be a list"),
        (lambda cm, c: cm.record_validation(c.id, "t", True, {"a": 1}), "errors must be a list"),
        (lambda cm, c: cm.record_validation(c.id, "t", True, None), "errors must be a list"),
        (lambda cm, c: cm.record_validation(c.id, "t", True, [], "x"), "duration_ms must be"),
        (lambda cm, c: cm.record_validation(c.id, "t", True, [], -1), "duration_ms must be"),
        (
            lambda cm, c: cm.record_validation(c.id, "t", True, [], 1, datetime(2026, 1, 1)),
            "validated_at must be a timezone-aware datetime",
        ),
        (
            lambda cm, c: cm.evolve_contract("team_001", "APIContract", "v3", SCHEMA, "d", "yes"),
            "breaking_change must be None, True or False",
        ),
        (
            lambda cm, c: cm.evolve_contract(
                "team_001", "APIContract", "v3", SCHEMA, "d", None, activate="yes"
            ),
            "activate and force must be True or False",
        ),
    ],
)
async def test_wrong_argument_types_are_clear_errors(
    cm: ContractManager, call: Any, message: str
) -> None:
    contract = await make(cm)
    await cm.activate_contract(contract.id)
    with pytest.raises(InvalidArgument, match=message):
        await call(cm, contract)
    assert await cm.get_validations() == []
