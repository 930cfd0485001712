"""The tables (registry/tables.py): the invariants the database itself
enforces, and the migration from schema version 1."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.ext.asyncio

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.registry import tables
from pytest_contracts.registry.records import ValidationInput

from .conftest import Backend
from .registry_cases import NAME, TEAM, V1_LOOSER, first, make


async def test_database_itself_allows_only_one_active_version(
    cm: ContractManager, state: StateManager
) -> None:
    v1 = await make(cm)
    v2 = await make(cm, "v2.0")
    await cm.activate_contract(v1.id)
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        async with state.write() as conn:
            await conn.execute(
                sa.update(tables.contracts)
                .where(tables.contracts.c.id == v2.id)
                .values(status="active")
            )


async def test_database_itself_refuses_a_second_row_for_a_version(
    cm: ContractManager, state: StateManager
) -> None:
    contract = await make(cm)
    row = {
        "id": "another-id",
        "team_id": contract.team_id,
        "contract_name": contract.contract_name,
        "version": contract.version,
        "revision": 99,
        "contract_type": "REST_API",
        "status": "draft",
        "specification": "{}",
        "spec_hash": "x",
        "created_at": contract.created_at,
    }
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        async with state.write() as conn:
            await conn.execute(sa.insert(tables.contracts).values(**row))


async def test_a_version_1_registry_is_migrated_and_keeps_its_contracts(backend: Backend) -> None:
    state = await backend.state()
    cm = ContractManager(state)
    await first(cm)
    async with state.write() as conn:
        await conn.execute(sa.text("ALTER TABLE contracts DROP COLUMN compatibility"))
        await conn.execute(sa.text("DROP TABLE contract_settings"))
        await _drop_record_keys(conn)
        await conn.execute(
            sa.update(tables.meta).where(tables.meta.c.key == "schema_version").values(value="1")
        )
    upgraded = ContractManager(await backend.state())
    old = await upgraded.get_contract_version(TEAM, NAME, "v1.0")
    assert old.compatibility is None
    new = await upgraded.evolve_contract(TEAM, NAME, "v1.1", V1_LOOSER)
    assert new.compatibility is not None
    async with upgraded.state.read() as conn:
        version = await conn.scalar(
            sa.select(tables.meta.c.value).where(tables.meta.c.key == "schema_version")
        )
    assert version == str(tables.SCHEMA_VERSION) == "4"


async def _drop_record_keys(conn: sa.ext.asyncio.AsyncConnection) -> None:
    """Back to the validations table of schema version 2."""
    await conn.execute(sa.text("DROP INDEX uq_validations_record_key"))
    await conn.execute(sa.text("ALTER TABLE contract_validations DROP COLUMN record_key"))


async def test_a_version_2_registry_gets_record_keys_and_keeps_its_records(
    backend: Backend,
) -> None:
    state = await backend.state()
    cm = ContractManager(state)
    contract = await first(cm)
    await cm.record_validation(contract.id, "old", True)
    async with state.write() as conn:
        await _drop_record_keys(conn)
        await conn.execute(
            sa.update(tables.meta).where(tables.meta.c.key == "schema_version").values(value="2")
        )
    upgraded = ContractManager(await backend.state())
    check = ValidationInput(contract=contract, subject="new", passed=True, key="k" * 32)
    # The key makes a second write of the same check store nothing more.
    await upgraded.record_validations([check])
    await upgraded.record_validations([check, check])
    subjects = [v.subject for v in await upgraded.get_validations(contract.id)]
    assert sorted(subjects) == ["new", "old"]


async def test_a_version_3_registry_gets_enforcement_and_record_outcomes(
    backend: Backend,
) -> None:
    state = await backend.state()
    cm = ContractManager(state)
    contract = await first(cm)
    await cm.record_validation(contract.id, "old-pass", True)
    await cm.record_validation(contract.id, "old-fail", False, [{"message": "no"}])
    async with state.write() as conn:
        await conn.execute(sa.text("ALTER TABLE contracts DROP COLUMN enforcement"))
        for column in ("outcome", "metadata", "enforcement"):
            await conn.execute(sa.text(f"ALTER TABLE contract_validations DROP COLUMN {column}"))
        await conn.execute(
            sa.update(tables.meta).where(tables.meta.c.key == "schema_version").values(value="3")
        )
    upgraded = ContractManager(await backend.state())
    assert (await upgraded.get_contract(contract.id)).enforcement == "enforce"
    old = {v.subject: (v.outcome, v.metadata) for v in await upgraded.get_validations()}
    assert old == {"old-pass": ("passed", None), "old-fail": ("failed", None)}
    await upgraded.set_enforcement(contract.id, "warn")
    verdict = await upgraded.validate(TEAM, NAME, {}, metadata={"agent": "a"})
    assert (verdict.enforcement, verdict.blocking) == ("warn", False)
    await upgraded.flush_validations()
    assert [v.subject for v in await upgraded.get_validations(metadata={"agent": "a"})] == [
        "run-time"
    ]
