"""Validation records (registry/records.py): stored one by one or by the batch,
exactly, with the registry's own names; read back by filter."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from pytest_contracts import ContractManager, ContractNotFound
from pytest_contracts.registry.records import ValidationInput

from .registry_cases import make


async def test_validation_records_are_stored_and_filtered(cm: ContractManager) -> None:
    contract = await make(cm)
    errors = [{"pointer": "/title", "keyword": "minLength", "message": "'' is too short"}]
    failed = await cm.record_validation(contract.id, "tests/test_a.py::test_x", False, errors, 1.5)
    passed = await cm.record_validation(contract, "tests/test_a.py::test_y", True, duration_ms=0.2)
    assert failed.errors == errors
    assert (failed.contract_id, failed.version, failed.team_id) == (contract.id, "v1.0", "team_001")
    assert passed.id > failed.id
    newest_first = await cm.get_validations(contract.id)
    assert [v.subject for v in newest_first] == [
        "tests/test_a.py::test_y",
        "tests/test_a.py::test_x",
    ]
    only_failed = await cm.get_validations(contract.id, passed=False)
    assert [(v.passed, v.errors, v.duration_ms) for v in only_failed] == [(False, errors, 1.5)]
    by_subject = await cm.get_validations(subject="tests/test_a.py::test_y")
    assert [v.id for v in by_subject] == [passed.id]
    assert len(await cm.get_validations(team_id="team_001", limit=1)) == 1
    assert by_subject[0].validated_at.tzinfo is not None


async def test_record_validation_refuses_non_json_errors_and_stores_nothing(
    cm: ContractManager,
) -> None:
    contract = await make(cm)
    with pytest.raises(TypeError, match=r"at '/0/when' there is a datetime"):
        await cm.record_validation(contract.id, "t", False, [{"when": datetime.now(UTC)}])
    assert await cm.get_validations(contract.id) == []


async def test_validation_records_take_their_names_from_the_registry(cm: ContractManager) -> None:
    contract = await make(cm)
    forged = dataclasses.replace(contract, team_id="someone_else", version="v9")
    stored = await cm.record_validation(forged, "t", True)
    assert (stored.team_id, stored.version) == ("team_001", "v1.0")
    foreign = dataclasses.replace(contract, id="not-in-this-registry")
    with pytest.raises(ContractNotFound, match="not-in-this-registry"):
        await cm.record_validation(foreign, "t", True)
    by_record = await cm.get_validations(contract)
    assert [v.id for v in by_record] == [stored.id]


async def test_record_validations_stores_a_batch_or_nothing(cm: ContractManager) -> None:
    contract = await make(cm)
    batch = [ValidationInput(contract, f"test_{n}", n % 2 == 0, [], 0.1) for n in range(3)]
    assert await cm.record_validations(batch) == 3
    assert len(await cm.get_validations(contract.id)) == 3
    with pytest.raises(ContractNotFound):
        await cm.record_validations([*batch, ValidationInput("missing-id", "t", True)])
    assert len(await cm.get_validations(contract.id)) == 3


async def test_a_batch_of_records_is_stored_exactly_and_in_order(cm: ContractManager) -> None:
    v1 = await make(cm)
    v2 = await make(cm, "v2.0")
    at = datetime(2026, 11, 25, 13, 58, 46, 123456, tzinfo=UTC)
    errors = [{"pointer": "/naïve/名", "message": 'quote " and \\ backslash', "n": [1, 2.5, None]}]
    batch = [
        ValidationInput(v1, "tests/test_a.py::test_ok[é-1]", True, [], 0.25, at),
        ValidationInput(v2, "tests/test_a.py::test_bad['x']", False, errors, 12.5, at),
        ValidationInput(v1.id, "t" * 10_000, True, [], 0, at),
    ]
    assert await cm.record_validations(batch) == 3
    stored = list(reversed(await cm.get_validations()))
    assert [
        (v.contract_id, v.version, v.subject, v.passed, v.errors, v.duration_ms, v.validated_at)
        for v in stored
    ] == [
        (v1.id, "v1.0", batch[0].subject, True, [], 0.25, at),
        (v2.id, "v2.0", batch[1].subject, False, errors, 12.5, at),
        (v1.id, "v1.0", batch[2].subject, True, [], 0.0, at),
    ]
    assert stored[0].id < stored[1].id < stored[2].id


async def test_errors_quoting_a_lone_surrogate_are_stored_with_the_rest_of_the_batch(
    cm: ContractManager,
) -> None:
    contract = await make(cm)
    errors = [{"pointer": "/\ud800", "message": "'\ud800' is not of type 'integer'"}]
    batch = [ValidationInput(contract, f"test_{n}", True) for n in range(3)]
    batch.append(ValidationInput(contract, "test_surrogate", False, errors))
    assert await cm.record_validations(batch) == 4
    (stored,) = await cm.get_validations(subject="test_surrogate")
    assert stored.errors == errors
