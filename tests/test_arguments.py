"""The registry's checks of its arguments (registry/arguments.py): each
refusal names the argument and what it must be, and nothing is written."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from pytest_contracts import ContractManager, ContractStatus, ContractType, InvalidArgument
from pytest_contracts.defaults import MAX_NAME_LENGTH
from pytest_contracts.models import parse_enum
from pytest_contracts.registry.arguments import (
    check_optional,
    check_text,
    check_whole_number,
    parse_contract_type,
    parse_status,
)

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


# -- the checks themselves ------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "options", "message"),
    [
        (None, {}, "must be a string, not NoneType"),
        (b"name", {}, "must be a string, not bytes"),
        (" \t", {}, "must not be empty"),
        ("a\ud800", {}, "lone surrogate"),
        ("x" * 11, {}, "is 11 characters long; the limit is 10"),
        ("a\x7fb", {}, "contains a control character"),
        ("a\nb", {}, "contains a control character"),
    ],
)
def test_text_is_refused_for_what_makes_it_unusable(
    value: Any, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message) as caught:
        check_text(value, "field", 10, **options)
    assert str(caught.value).startswith("field ")


@pytest.mark.parametrize(
    ("value", "options"),
    [
        (None, {"optional": True}),
        ("", {"allow_empty": True}),
        ("one\ntwo", {"allow_empty": True}),
        ("x" * 10, {}),
        ("ünïcødé ✓", {}),
    ],
)
def test_text_within_the_rules_passes(value: Any, options: dict[str, Any]) -> None:
    check_text(value, "field", 10, **options)  # raises if refused


def test_descriptions_and_reasons_may_hold_any_long_text_but_names_may_not() -> None:
    long_text = "line\n" * 2_000
    check_optional(description=long_text, reason="", owner_agent=None)
    with pytest.raises(InvalidArgument, match="reason is 10001 characters long"):
        check_optional(reason="x" * 10_001)
    with pytest.raises(InvalidArgument, match=r"owner_agent .* contains a control character"):
        check_optional(owner_agent="dev\nops")
    with pytest.raises(InvalidArgument, match=f"the limit is {MAX_NAME_LENGTH}"):
        check_optional(set_by="x" * (MAX_NAME_LENGTH + 1))


@pytest.mark.parametrize("value", [True, -1, 1.5, "3", None])
def test_a_whole_number_is_an_int_at_least_the_floor(value: Any) -> None:
    with pytest.raises(InvalidArgument, match=f"n must be a whole number >= 0, not {value!r}"):
        check_whole_number("n", value, 0)
    check_whole_number("n", 0, 0)  # the floor itself passes


@pytest.mark.parametrize(
    ("parse", "text", "member"),
    [
        (parse_contract_type, "rest_api", ContractType.REST_API),
        (parse_contract_type, ContractType.EVENT, ContractType.EVENT),
        (parse_status, "ACTIVE", ContractStatus.ACTIVE),
        (parse_status, ContractStatus.RETIRED, ContractStatus.RETIRED),
    ],
)
def test_enums_are_read_from_members_or_their_values_in_any_case(
    parse: Any, text: Any, member: Any
) -> None:
    assert parse(text) is member


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (parse_contract_type, "rest-api", "unknown contract_type 'rest-api'; use one of: REST_API"),
        (parse_contract_type, 3, "unknown contract_type 3"),
        (parse_status, " active", "unknown status ' active'; use one of: draft, active"),
        (parse_status, ContractType.EVENT, "unknown status"),
    ],
)
def test_an_unknown_enum_value_is_refused_with_every_choice(
    parse: Any, value: Any, message: str
) -> None:
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        parse(value)


def test_parse_enum_applies_the_callers_normalisation() -> None:
    def spaced(text: str) -> str:
        return text.strip().replace(" ", "_").upper()

    assert parse_enum(ContractType, " rest api ", "kind", spaced) is ContractType.REST_API
    with pytest.raises(InvalidArgument, match="unknown kind 'graph'"):
        parse_enum(ContractType, "graph", "kind", spaced)
