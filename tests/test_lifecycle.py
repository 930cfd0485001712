"""Versions and their lifecycle (registry/lifecycle.py): creating, evolving,
activating, deprecating and retiring, on every available back end."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from pytest_contracts import (
    Contract,
    ContractManager,
    ContractNotFound,
    ContractStatus,
    ContractType,
    DuplicateContract,
    InvalidArgument,
    InvalidSchema,
    InvalidTransition,
    StateManager,
)
from pytest_contracts.config import sqlite_url
from pytest_contracts.registry import lifecycle

from .conftest import SCHEMA
from .registry_cases import counting_sql, make


# -- creating ------------------------------------------------------------------
async def test_created_version_is_a_draft_with_its_owner_and_timestamps(
    cm: ContractManager,
) -> None:
    before = datetime.now(UTC)
    contract = await make(cm, description="orders API")
    assert contract.status is ContractStatus.DRAFT
    assert contract.contract_type is ContractType.REST_API
    assert (contract.owner_role, contract.owner_agent) == ("Tech Lead", "backend_dev")
    assert contract.description == "orders API"
    assert before <= contract.created_at <= datetime.now(UTC)
    assert contract.activated_at is None
    assert contract.revision == 1


@pytest.mark.parametrize("contract_type", list(ContractType))
async def test_every_contract_type_is_accepted_as_enum_or_string(
    cm: ContractManager, contract_type: ContractType
) -> None:
    by_enum = await make(cm, contract_name=f"{contract_type}-a", contract_type=contract_type)
    by_text = await make(cm, contract_name=f"{contract_type}-b", contract_type=contract_type.value)
    assert by_enum.contract_type is by_text.contract_type is contract_type


@pytest.mark.parametrize(
    ("specification", "path", "fragment"),
    [
        ({"type": "objekt"}, "/type", "objekt"),
        ({"properties": {"a": {"minLength": -1}}}, "/properties/a/minLength", "minimum of 0"),
        ({"$schema": "https://example.com/my-dialect"}, "/$schema", "unknown $schema"),
        ("not a schema", "", "must be a JSON Schema"),
        ({"enum": [{1, 2}]}, "/enum/0", "set"),
        ({"const": float("nan")}, "/const", "not a JSON number"),
    ],
)
async def test_invalid_schema_is_refused_with_the_offending_path(
    cm: ContractManager, specification: Any, path: str, fragment: str
) -> None:
    with pytest.raises(InvalidSchema) as caught:
        await make(cm, specification=specification)
    assert caught.value.path == path
    assert fragment in str(caught.value)
    assert "'team_001'" in str(caught.value)
    assert await cm.list_contracts("team_001") == []


async def test_invalid_regex_in_a_schema_is_refused_at_create(cm: ContractManager) -> None:
    with pytest.raises(InvalidSchema) as caught:
        await make(cm, specification={"properties": {"id": {"pattern": "["}}})
    assert caught.value.path == "/properties/id/pattern"
    assert "regex" in str(caught.value)


async def test_absurdly_nested_or_huge_specifications_are_refused(cm: ContractManager) -> None:
    deep: dict[str, Any] = {"type": "object"}
    for _ in range(2_000):
        deep = {"properties": {"a": deep}}
    with pytest.raises(InvalidSchema, match="nested too deeply"):
        await make(cm, specification=deep)
    with pytest.raises(InvalidSchema, match="too large to write as JSON"):
        await make(cm, specification={"const": 10**5000})
    with pytest.raises(InvalidSchema, match="lone surrogate"):
        await make(cm, specification={"title": "bad \ud800 text"})


async def test_boolean_schemas_are_valid_specifications(cm: ContractManager) -> None:
    contract = await make(cm, specification=True)
    assert contract.specification is True


async def test_second_create_of_a_version_is_a_duplicate(cm: ContractManager) -> None:
    await make(cm)
    with pytest.raises(
        DuplicateContract, match=r"team 'team_001', contract 'APIContract', version 'v1.0'"
    ):
        await make(cm, specification={"type": "string"})
    versions = await cm.list_contracts("team_001")
    assert len(versions) == 1
    assert versions[0].specification == SCHEMA  # the version did not change


async def test_same_version_under_another_team_or_name_is_distinct(cm: ContractManager) -> None:
    a = await make(cm)
    b = await make(cm, team_id="team_002")
    c = await make(cm, contract_name="Other")
    assert len({a.id, b.id, c.id}) == 3


# -- moving through the lifecycle ----------------------------------------------
async def test_activation_deprecates_previous_active_version(cm: ContractManager) -> None:
    v1 = await make(cm)
    v2 = await make(cm, "v2.0")
    await cm.activate_contract(v1.id, "lead")
    activated = await cm.activate_contract(v2.id, "lead")
    assert activated.status is ContractStatus.ACTIVE
    assert activated.activated_at is not None
    old = await cm.get_contract(v1.id)
    assert old.status is ContractStatus.DEPRECATED
    assert old.deprecated_at is not None
    active = await cm.get_active_contract("team_001", "APIContract")
    assert active is not None
    assert active.id == v2.id


async def test_activating_the_active_version_is_idempotent_and_recorded(
    cm: ContractManager,
) -> None:
    v1 = await make(cm)
    await cm.activate_contract(v1.id, "a")
    again = await cm.activate_contract(v1.id, "b")
    assert again.status is ContractStatus.ACTIVE
    (entry,) = await cm.get_contract_history("team_001", "APIContract")
    activations = [event for event in entry.events if event.event == "activated"]
    assert [event.actor for event in activations] == ["a", "b"]
    assert activations[1].details == {"already_active": True}


async def _version_in(cm: ContractManager, status: ContractStatus, version: str) -> Contract:
    contract = await make(cm, version)
    if status is ContractStatus.DRAFT:
        return contract
    if status is ContractStatus.RETIRED:
        return await cm.retire_contract(contract.id)
    await cm.activate_contract(contract.id)
    if status is ContractStatus.DEPRECATED:
        return await cm.deprecate_contract(contract.id)
    return await cm.get_contract(contract.id)


ALLOWED = {
    ("draft", "active"),
    ("draft", "retired"),
    ("active", "deprecated"),
    ("active", "active"),  # idempotent re-activation
    ("deprecated", "active"),
    ("deprecated", "retired"),
}


@pytest.mark.parametrize(
    ("start", "target"),
    list(
        itertools.product(
            list(ContractStatus),
            [ContractStatus.ACTIVE, ContractStatus.DEPRECATED, ContractStatus.RETIRED],
        )
    ),
)
async def test_lifecycle_allows_exactly_the_documented_moves(
    cm: ContractManager, start: ContractStatus, target: ContractStatus
) -> None:
    contract = await _version_in(cm, start, "v1.0")
    assert contract.status is start
    move = {
        ContractStatus.ACTIVE: cm.activate_contract,
        ContractStatus.DEPRECATED: cm.deprecate_contract,
        ContractStatus.RETIRED: cm.retire_contract,
    }[target]
    if (start.value, target.value) in ALLOWED:
        moved = await move(contract.id)
        assert moved.status is target
    else:
        with pytest.raises(InvalidTransition) as caught:
            await move(contract.id)
        error = caught.value
        assert (error.team_id, error.contract_name, error.version) == (
            "team_001",
            "APIContract",
            "v1.0",
        )
        assert (error.status, error.requested) == (start.value, target.value)
        message = str(error)
        assert "'APIContract'" in message
        assert "'v1.0'" in message
        assert f"{start.value} -> {target.value}" in message
        assert (await cm.get_contract(contract.id)).status is start


async def test_a_refused_activation_leaves_the_active_version_untouched(
    cm: ContractManager,
) -> None:
    # The other active version is deprecated first in the same transaction:
    # a refusal must undo that too.
    v1 = await make(cm)
    await cm.activate_contract(v1.id)
    v2 = await cm.retire_contract((await make(cm, "v2.0")).id)
    with pytest.raises(InvalidTransition, match="retired -> active is not allowed"):
        await cm.activate_contract(v2.id)
    with pytest.raises(ContractNotFound):
        await cm.activate_contract("no-such-id")
    with pytest.raises(InvalidArgument, match="contract_id must be a string"):
        await cm.activate_contract(42)  # type: ignore[arg-type]
    active = await cm.get_active_contract("team_001", "APIContract")
    assert active is not None
    assert (active.version, active.status) == ("v1.0", ContractStatus.ACTIVE)
    history = await cm.get_contract_history("team_001", "APIContract")
    assert [e.event for e in history[0].events] == ["created", "activated"]
    assert [e.event for e in history[1].events] == ["created", "retired"]


async def test_deprecated_version_can_be_reactivated_as_a_rollback(cm: ContractManager) -> None:
    v1 = await make(cm)
    v2 = await make(cm, "v2.0")
    await cm.activate_contract(v1.id)
    await cm.activate_contract(v2.id)
    rolled_back = await cm.activate_contract(v1.id, "oncall")
    assert rolled_back.status is ContractStatus.ACTIVE
    assert rolled_back.deprecated_at is None
    assert (await cm.get_contract(v2.id)).status is ContractStatus.DEPRECATED
    active = await cm.get_active_contract("team_001", "APIContract")
    assert active is not None
    assert active.version == "v1.0"


async def test_deprecating_the_active_version_leaves_none_active(cm: ContractManager) -> None:
    v1 = await make(cm)
    await cm.activate_contract(v1.id)
    assert await cm.get_active_contract("team_001", "APIContract") is not None
    await cm.deprecate_contract(v1.id, "lead", reason="replaced by the events API")
    assert await cm.get_active_contract("team_001", "APIContract") is None
    (entry,) = await cm.get_contract_history("team_001", "APIContract")
    assert entry.events[-1].details == {"reason": "replaced by the events API"}


async def test_retired_is_final(cm: ContractManager) -> None:
    retired = await _version_in(cm, ContractStatus.RETIRED, "v1.0")
    assert retired.retired_at is not None
    with pytest.raises(InvalidTransition, match="a retired version is final"):
        await cm.activate_contract(retired.id)


async def test_unknown_contract_id_is_not_found(cm: ContractManager) -> None:
    for call in (cm.get_contract, cm.activate_contract, cm.deprecate_contract, cm.retire_contract):
        with pytest.raises(ContractNotFound, match="no contract with id 'missing'"):
            await call("missing")


# -- activating the newest version (what a load of contract files does) ----------
LOADER = "a loader"


async def status_of(cm: ContractManager) -> dict[str, str]:
    history = await cm.get_contract_history("team_001", "APIContract")
    return {h.version: h.status.value for h in history}


async def activate_if_newest(cm: ContractManager, version: str) -> Contract | None:
    return await lifecycle.activate_if_newest(cm, "team_001", "APIContract", version, LOADER)


async def test_activate_if_newest_activates_the_newest_and_deprecates_the_active_one(
    cm: ContractManager,
) -> None:
    v1 = await make(cm, "v1.0")
    await cm.activate_contract(v1.id, activated_by="someone")
    await make(cm, "v1.1")
    activated = await activate_if_newest(cm, "v1.1")
    assert activated is not None
    assert (activated.version, activated.status) == ("v1.1", ContractStatus.ACTIVE)
    assert await status_of(cm) == {"v1.0": "deprecated", "v1.1": "active"}
    history = await cm.get_contract_history("team_001", "APIContract")
    assert [e.actor for e in history[1].events if e.event == "activated"] == [LOADER]


async def test_activate_if_newest_leaves_a_version_that_is_no_longer_the_newest(
    cm: ContractManager,
) -> None:
    await make(cm, "v1.0")
    await make(cm, "v1.1")
    assert await activate_if_newest(cm, "v1.0") is None
    assert await status_of(cm) == {"v1.0": "draft", "v1.1": "draft"}


async def test_activate_if_newest_keeps_what_someone_else_decided_since_it_was_created(
    cm: ContractManager,
) -> None:
    v1 = await make(cm, "v1.0")
    v2 = await make(cm, "v1.1")
    await cm.activate_contract(v2.id, activated_by=LOADER)
    await cm.activate_contract(v1.id, activated_by="release-manager")  # a rollback
    assert await activate_if_newest(cm, "v1.1") is None
    assert await status_of(cm) == {"v1.0": "active", "v1.1": "deprecated"}


async def test_activate_if_newest_undoes_an_older_activation_of_its_own_actor(
    cm: ContractManager,
) -> None:
    v1 = await make(cm, "v1.0")
    await cm.activate_contract(v1.id, activated_by="release-manager")  # before v1.1 existed
    v2 = await make(cm, "v1.1")
    await cm.activate_contract(v2.id, activated_by=LOADER)
    await cm.activate_contract(v1.id, activated_by=LOADER)  # a late loader's mistake
    activated = await activate_if_newest(cm, "v1.1")
    assert activated is not None
    assert await status_of(cm) == {"v1.0": "deprecated", "v1.1": "active"}


async def test_activate_if_newest_leaves_an_active_or_retired_newest_version(
    cm: ContractManager,
) -> None:
    await make(cm, "v1.0")
    v2 = await make(cm, "v1.1")
    await cm.activate_contract(v2.id, activated_by=LOADER)
    assert await activate_if_newest(cm, "v1.1") is None
    await cm.deprecate_contract(v2.id, deprecated_by=LOADER)
    await cm.retire_contract(v2.id, retired_by=LOADER)
    assert await activate_if_newest(cm, "v1.1") is None
    assert await activate_if_newest(cm, "v1.0") is None  # older than a retired v1.1
    assert await status_of(cm) == {"v1.0": "draft", "v1.1": "retired"}


async def test_activate_if_newest_of_a_contract_without_versions_changes_nothing(
    cm: ContractManager,
) -> None:
    assert await activate_if_newest(cm, "v1.0") is None
    assert await cm.list_contracts("team_001") == []


# -- evolving -------------------------------------------------------------------
async def test_evolve_links_to_the_replaced_version_and_records_the_change(
    cm: ContractManager,
) -> None:
    v1 = await make(cm, description="first")
    await cm.activate_contract(v1.id)
    v2 = await cm.evolve_contract(
        "team_001",
        "APIContract",
        "v2.0",
        {"type": "object"},
        evolved_by="backend_dev",
        breaking_change=True,
    )
    assert v2.previous_version_id == v1.id
    assert v2.breaking_change is True
    assert v2.evolved_by == "backend_dev"
    assert v2.status is ContractStatus.DRAFT  # evolving does not activate by default
    assert (v2.contract_type, v2.owner_agent, v2.description) == (
        ContractType.REST_API,
        "backend_dev",
        "first",
    )
    assert v2.revision == 2
    active = await cm.get_active_contract("team_001", "APIContract")
    assert active is not None
    assert active.id == v1.id


async def test_evolve_with_activate_switches_the_active_version_at_once(
    cm: ContractManager,
) -> None:
    v1 = await make(cm)
    await cm.activate_contract(v1.id)
    assert (await cm.get_active_contract("team_001", "APIContract")) is not None  # cached
    v2 = await cm.evolve_contract(
        "team_001", "APIContract", "v2.0", SCHEMA, evolved_by="dev", activate=True
    )
    assert v2.status is ContractStatus.ACTIVE
    assert v2.breaking_change is False
    active = await cm.get_active_contract("team_001", "APIContract")
    assert active is not None
    assert active.id == v2.id
    assert (await cm.get_contract(v1.id)).status is ContractStatus.DEPRECATED


async def test_evolve_without_an_active_version_builds_on_the_newest(cm: ContractManager) -> None:
    await make(cm)
    v2 = await make(cm, "v2.0")
    v3 = await cm.evolve_contract("team_001", "APIContract", "v3.0", SCHEMA, "dev")
    assert v3.previous_version_id == v2.id


async def test_evolve_checks_schema_and_existence(cm: ContractManager) -> None:
    with pytest.raises(ContractNotFound, match="create the first one with create_contract"):
        await cm.evolve_contract("team_001", "APIContract", "v2.0", SCHEMA, "dev")
    await make(cm)
    with pytest.raises(InvalidSchema, match=r"version 'v2\.0'"):
        await cm.evolve_contract("team_001", "APIContract", "v2.0", {"type": 5}, "dev")
    with pytest.raises(DuplicateContract):
        await cm.evolve_contract("team_001", "APIContract", "v1.0", SCHEMA, "dev")


# -- round trips ---------------------------------------------------------------
async def test_writes_take_few_statements_on_sqlite(tmp_path: Any) -> None:
    """Each statement is a round trip to SQLite's thread: creating a version
    reads once and writes the row and its events; activating one deprecates
    the version it replaces and activates itself with an UPDATE each, then
    writes the events in one INSERT."""
    async with await StateManager.create(sqlite_url(tmp_path / "r.db")) as state:
        cm = ContractManager(state)
        with counting_sql(state) as create:
            v1 = await cm.create_contract("team", "Orders", "v1", "REST_API", SCHEMA)
        v2 = await cm.create_contract("team", "Orders", "v2", "REST_API", SCHEMA)
        with counting_sql(state) as first:
            await cm.activate_contract(v1.id)
        with counting_sql(state) as replacing:
            await cm.activate_contract(v2.id)
        kinds = [[statement.split()[0] for statement in run] for run in (create, first, replacing)]
        assert kinds == [
            ["BEGIN", "SELECT", "INSERT", "INSERT"],
            ["BEGIN", "UPDATE", "UPDATE", "INSERT"],
            ["BEGIN", "UPDATE", "UPDATE", "INSERT"],
        ]
        events = [
            (entry.version, [event.event for event in entry.events])
            for entry in await cm.get_contract_history("team", "Orders")
        ]
        assert events == [
            ("v1", ["created", "activated", "deprecated"]),
            ("v2", ["created", "activated"]),
        ]
