"""Looking versions up (registry/lookup.py): by id and name, the active one,
a team's list, a contract's history, a team's summary; on every back end."""

from __future__ import annotations

import pytest

from pytest_contracts import (
    ContractManager,
    ContractNotFound,
    ContractStatus,
    ContractType,
    InvalidArgument,
)

from .conftest import SCHEMA
from .registry_cases import NAME, TEAM, V1, first, make


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


async def test_get_contract_version_finds_by_name(cm: ContractManager) -> None:
    v1 = await make(cm)
    assert (await cm.get_contract_version("team_001", "APIContract", "v1.0")).id == v1.id
    with pytest.raises(ContractNotFound, match="version 'v9'"):
        await cm.get_contract_version("team_001", "APIContract", "v9")


async def test_get_active_contract_is_none_without_an_active_version(cm: ContractManager) -> None:
    assert await cm.get_active_contract("team_001", "Nothing") is None
    await make(cm)
    assert await cm.get_active_contract("team_001", "APIContract") is None


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


async def test_history_comes_back_in_pages(cm: ContractManager) -> None:
    await first(cm)
    for minor in range(1, 25):
        await cm.evolve_contract(TEAM, NAME, f"v1.{minor}", {**V1, "title": str(minor)})
    whole = await cm.get_contract_history(TEAM, NAME)
    pages, after = [], None
    while True:
        page = await cm.get_contract_history(TEAM, NAME, limit=10, after=after)
        if not page:
            break
        pages.append(page)
        after = page[-1].revision
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [entry for page in pages for entry in page] == whole
    assert {e.contract_id for e in pages[1][0].events} == {pages[1][0].id}
    with pytest.raises(InvalidArgument, match="limit must be between 1 and 10000"):
        await cm.get_contract_history(TEAM, NAME, limit=0)
    with pytest.raises(InvalidArgument, match="after must be a whole number"):
        await cm.get_contract_history(TEAM, NAME, after=-1)


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


async def test_list_teams_counts_each_team(cm: ContractManager) -> None:
    assert await cm.list_teams() == []
    api = await make(cm)
    await cm.activate_contract(api.id)
    await make(cm, "v2.0")
    await make(cm, contract_name="OrderPlaced", contract_type="EVENT")
    await make(cm, team_id="other_team")
    teams = await cm.list_teams()
    assert [t.to_dict() for t in teams] == [
        {"team_id": "other_team", "contracts": 1, "versions": 1, "active": 0},
        {"team_id": "team_001", "contracts": 2, "versions": 3, "active": 1},
    ]
