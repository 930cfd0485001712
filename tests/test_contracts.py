"""The registry's rules, on every available back end."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.exc

from pytest_contracts import (
    Contract,
    ContractError,
    ContractManager,
    ContractNotFound,
    ContractStatus,
    ContractType,
    DuplicateContract,
    InvalidArgument,
    InvalidSchema,
    InvalidTransition,
    RegistryUnavailable,
    StateManager,
    tables,
)
from pytest_contracts.contracts import MAX_NAME_LENGTH

from .conftest import SCHEMA


async def make(cm: ContractManager, version: str = "v1.0", **kwargs: Any) -> Contract:
    arguments: dict[str, Any] = {
        "team_id": "team_001",
        "contract_name": "APIContract",
        "version": version,
        "contract_type": "REST_API",
        "specification": SCHEMA,
        "owner_role": "Tech Lead",
        "owner_agent": "backend_dev",
    }
    arguments.update(kwargs)
    return await cm.create_contract(**arguments)


async def test_documented_calls_run_as_written(cm: ContractManager) -> None:
    contract_manager = cm
    contract = await contract_manager.create_contract(
        team_id="team_001", contract_name="APIContract", version="v1.0",
        contract_type="REST_API", specification=SCHEMA,
        owner_role="Tech Lead", owner_agent="backend_dev")  # fmt: skip
    await contract_manager.activate_contract(contract_id=contract["id"], activated_by="tech_lead")
    active = await contract_manager.get_active_contract(
        team_id="team_001", contract_name="APIContract"
    )
    new_version = await contract_manager.evolve_contract(
        team_id="team_001", contract_name="APIContract", new_version="v2.0",
        new_specification={"type": "object"}, evolved_by="backend_dev",
        breaking_change=True)  # fmt: skip
    history = await contract_manager.get_contract_history(
        team_id="team_001", contract_name="APIContract"
    )
    consumer = await contract_manager.register_consumer(
        contract_id=contract["id"], consumer_agent="frontend_dev",
        consumer_role="Frontend Developer")  # fmt: skip
    summary = await contract_manager.get_contract_summary("team_001")

    assert contract["id"] == contract.id
    assert active is not None
    assert (active.id, active["version"], active.status) == (contract.id, "v1.0", "active")
    assert new_version["previous_version_id"] == contract.id
    assert [entry["version"] for entry in history] == ["v1.0", "v2.0"]
    assert consumer["consumer_agent"] == consumer.consumer_agent == "frontend_dev"
    assert summary["consumers"] == summary.consumers == 1


async def test_record_is_a_read_only_mapping(cm: ContractManager) -> None:
    contract = await make(cm)
    as_dict = dict(contract)
    assert as_dict["contract_name"] == "APIContract"
    assert set(contract) == set(as_dict)
    assert contract.to_dict()["created_at"] == contract.created_at.isoformat()
    assert contract.to_dict()["contract_type"] == "REST_API"
    with pytest.raises(KeyError):
        contract["nope"]
    with pytest.raises(AttributeError):
        contract.version = "v9"  # type: ignore[misc]


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


async def test_specification_comes_back_equal_to_what_was_given(cm: ContractManager) -> None:
    spec = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": 'Ünïcødé ✓ "quoted"',
        "type": "object",
        "properties": {"n": {"type": "number", "minimum": 0.1, "maximum": 1e300}},
        "examples": [{"n": 0.5}, {"nested": [1, [2, [3, None, True, False]]]}],
    }
    created = await make(cm, specification=spec)
    assert created.specification == spec
    assert (await cm.get_contract(created.id)).specification == spec
    await cm.activate_contract(created.id)
    for _ in range(2):  # from the database, then from the cache
        active = await cm.get_active_contract("team_001", "APIContract")
        assert active is not None
        assert active.specification == spec
        assert list(active.specification) == list(spec)


@pytest.mark.parametrize("contract_type", list(ContractType))
async def test_every_contract_type_is_accepted_as_enum_or_string(
    cm: ContractManager, contract_type: ContractType
) -> None:
    by_enum = await make(cm, contract_name=f"{contract_type}-a", contract_type=contract_type)
    by_text = await make(cm, contract_name=f"{contract_type}-b", contract_type=contract_type.value)
    assert by_enum.contract_type is by_text.contract_type is contract_type


async def test_unknown_contract_type_is_refused_with_the_valid_ones(cm: ContractManager) -> None:
    with pytest.raises(InvalidArgument, match=r"unknown contract_type 'GRAPHQL'.*REST_API"):
        await make(cm, contract_type="GRAPHQL")


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


async def test_get_active_contract_is_none_without_an_active_version(cm: ContractManager) -> None:
    assert await cm.get_active_contract("team_001", "Nothing") is None
    await make(cm)
    assert await cm.get_active_contract("team_001", "APIContract") is None


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


async def test_history_lists_versions_oldest_first_with_events(cm: ContractManager) -> None:
    v1 = await make(cm)
    await cm.activate_contract(v1.id, "tech_lead")
    v2 = await cm.evolve_contract("team_001", "APIContract", "v2.0", SCHEMA, "backend_dev")
    await cm.activate_contract(v2.id, "tech_lead")
    await cm.retire_contract(v1.id, "janitor")
    history = await cm.get_contract_history("team_001", "APIContract")
    assert [(h.version, h.status) for h in history] == [
        ("v1.0", ContractStatus.RETIRED),
        ("v2.0", ContractStatus.ACTIVE),
    ]
    assert [(e.event, e.actor) for e in history[0].events] == [
        ("created", "backend_dev"),
        ("activated", "tech_lead"),
        ("deprecated", "tech_lead"),
        ("retired", "janitor"),
    ]
    assert [(e.event, e.actor) for e in history[1].events] == [
        ("created", "backend_dev"),
        ("evolved", "backend_dev"),
        ("activated", "tech_lead"),
    ]
    assert history[1].events[1].details["from_version"] == "v1.0"
    times = [e.at for h in history for e in h.events]
    assert all(t.tzinfo is not None for t in times)
    assert history[0].retired_at is not None
    assert history[1].previous_version_id == v1.id
    assert await cm.get_contract_history("team_001", "Unknown") == []


async def test_summary_counts_by_status_and_type_and_lists_active(cm: ContractManager) -> None:
    api = await make(cm)
    await cm.activate_contract(api.id)
    await make(cm, "v2.0")
    event = await make(cm, contract_name="OrderPlaced", contract_type="EVENT")
    await cm.retire_contract(event.id)
    await make(cm, team_id="other_team")
    await cm.register_consumer(api.id, "frontend_dev", "Frontend Developer")
    await cm.register_consumer(api.id, "mobile_dev")
    summary = await cm.get_contract_summary("team_001")
    assert summary.contracts == 2
    assert summary.versions == 3
    assert summary.by_status == {"draft": 1, "active": 1, "deprecated": 0, "retired": 1}
    assert summary.by_type["REST_API"] == 2
    assert summary.by_type["EVENT"] == 1
    assert summary.active == [
        {
            "contract_name": "APIContract",
            "version": "v1.0",
            "id": api.id,
            "contract_type": "REST_API",
        }
    ]
    assert summary.consumers == 2
    empty = await cm.get_contract_summary("nobody")
    assert (empty.contracts, empty.versions, empty.consumers, empty.active) == (0, 0, 0, [])


async def test_register_consumer_is_idempotent(cm: ContractManager) -> None:
    contract = await make(cm)
    first = await cm.register_consumer(contract.id, "frontend_dev", "Frontend Developer")
    again = await cm.register_consumer(contract.id, "frontend_dev")
    renamed = await cm.register_consumer(contract.id, "frontend_dev", "Web Developer")
    assert again.registered_at == first.registered_at
    assert again.consumer_role == "Frontend Developer"
    assert renamed.consumer_role == "Web Developer"
    consumers = await cm.list_consumers(contract.id)
    assert [c.consumer_agent for c in consumers] == ["frontend_dev"]
    with pytest.raises(ContractNotFound):
        await cm.register_consumer("missing", "x")


async def test_concurrent_register_consumer_calls_make_one_row(cm: ContractManager) -> None:
    contract = await make(cm)
    await asyncio.gather(*(cm.register_consumer(contract.id, "same") for _ in range(8)))
    assert len(await cm.list_consumers(contract.id)) == 1


async def test_list_contracts_filters_by_status_and_type(cm: ContractManager) -> None:
    v1 = await make(cm)
    await cm.activate_contract(v1.id)
    await make(cm, "v2.0")
    await make(cm, contract_name="Events", contract_type=ContractType.EVENT)
    assert [c.version for c in await cm.list_contracts("team_001", status="active")] == ["v1.0"]
    assert {
        c.contract_name for c in await cm.list_contracts("team_001", contract_type="EVENT")
    } == {"Events"}
    assert len(await cm.list_contracts("team_001")) == 3
    with pytest.raises(InvalidArgument, match="unknown status 'live'"):
        await cm.list_contracts("team_001", status="live")


async def test_get_contract_version_finds_by_name(cm: ContractManager) -> None:
    v1 = await make(cm)
    assert (await cm.get_contract_version("team_001", "APIContract", "v1.0")).id == v1.id
    with pytest.raises(ContractNotFound, match="version 'v9'"):
        await cm.get_contract_version("team_001", "APIContract", "v9")


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


async def test_names_with_separators_do_not_collide(cm: ContractManager) -> None:
    # "a:b" + "c" and "a" + "b:c" would share a naive "team:name" cache key.
    left = await make(cm, team_id="a:b", contract_name="c", specification={"title": "left"})
    right = await make(cm, team_id="a", contract_name="b:c", specification={"title": "right"})
    await cm.activate_contract(left.id)
    await cm.activate_contract(right.id)
    for _ in range(2):
        got_left = await cm.get_active_contract("a:b", "c")
        got_right = await cm.get_active_contract("a", "b:c")
        assert got_left is not None
        assert got_right is not None
        assert (got_left.id, got_right.id) == (left.id, right.id)


async def test_errors_form_one_hierarchy() -> None:
    for error in (ContractNotFound, DuplicateContract, InvalidSchema, InvalidTransition,
                  RegistryUnavailable, InvalidArgument):  # fmt: skip
        assert issubclass(error, ContractError)


# -- review findings: arguments that once slipped through ------------------------
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


async def test_validation_records_take_their_names_from_the_registry(cm: ContractManager) -> None:
    import dataclasses

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
    from pytest_contracts.contracts import ValidationInput

    contract = await make(cm)
    batch = [ValidationInput(contract, f"test_{n}", n % 2 == 0, [], 0.1) for n in range(3)]
    assert await cm.record_validations(batch) == 3
    assert len(await cm.get_validations(contract.id)) == 3
    with pytest.raises(ContractNotFound):
        await cm.record_validations([*batch, ValidationInput("missing-id", "t", True)])
    assert len(await cm.get_validations(contract.id)) == 3


async def test_a_batch_of_records_is_stored_exactly_and_in_order(cm: ContractManager) -> None:
    from pytest_contracts.contracts import ValidationInput

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
    from pytest_contracts.contracts import ValidationInput

    contract = await make(cm)
    errors = [{"pointer": "/\ud800", "message": "'\ud800' is not of type 'integer'"}]
    batch = [ValidationInput(contract, f"test_{n}", True) for n in range(3)]
    batch.append(ValidationInput(contract, "test_surrogate", False, errors))
    assert await cm.record_validations(batch) == 4
    (stored,) = await cm.get_validations(subject="test_surrogate")
    assert stored.errors == errors


async def test_a_batch_of_records_is_one_statement_on_sqlite(tmp_path: Any) -> None:
    import sqlite3

    from pytest_contracts.config import sqlite_url
    from pytest_contracts.contracts import ValidationInput

    from .test_cache import counting_sql

    if sqlite3.sqlite_version_info < (3, 38):
        pytest.skip(f"SQLite {sqlite3.sqlite_version} has no built-in JSON: executemany is used")
    async with await StateManager.create(sqlite_url(tmp_path / "r.db")) as state:
        cm = ContractManager(state)
        contract = await make(cm)
        batch = [ValidationInput(contract, f"test_{n}", True) for n in range(300)]
        with counting_sql(state) as statements:
            assert await cm.record_validations(batch) == 300
        inserts = [s for s in statements if s.lstrip().startswith("INSERT")]
        assert len(inserts) == 1
        assert "json_each" in inserts[0]
        assert len(await cm.get_validations(limit=1000)) == 300


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


async def test_writes_take_few_statements_on_sqlite(tmp_path: Any) -> None:
    """Each statement is a round trip to SQLite's thread: creating a version
    reads once and writes the row and its events; activating one deprecates
    the version it replaces and activates itself with an UPDATE each, then
    writes the events in one INSERT."""
    from pytest_contracts.config import sqlite_url

    from .test_cache import counting_sql

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
