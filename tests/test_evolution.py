"""Evolution in the registry: compatibility checks, version order, modes,
consumers and can_deploy, retention; on every available back end."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pytest_contracts import (
    ContractManager,
    DuplicateContract,
    IncompatibleChange,
    InvalidArgument,
    InvalidVersion,
    tables,
)
from pytest_contracts.compat import CompatReport

from .conftest import Backend

TEAM, NAME = "team_001", "OrderEvent"

V1: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "amount": {"type": "number", "maximum": 1000}},
    "required": ["id"],
}
#: Readers of V1 still accept everything: only a bound is loosened.
V1_LOOSER = {**V1, "properties": {**V1["properties"], "amount": {"type": "number"}}}
#: Breaks readers of V1: a new required property.
V1_NEEDS_CURRENCY = {
    **V1,
    "properties": {**V1["properties"], "currency": {"type": "string"}},
    "required": ["id", "currency"],
}
#: Breaks readers and writers of V1: id changes type.
V1_INTEGER_ID = {**V1, "properties": {**V1["properties"], "id": {"type": "integer"}}}


async def first(cm: ContractManager, spec: Any = V1, version: str = "v1.0") -> Any:
    contract = await cm.create_contract(TEAM, NAME, version, "EVENT", spec, owner_agent="dev")
    return await cm.activate_contract(contract.id, activated_by="lead")


async def test_compatible_evolution_records_its_report_with_the_version(
    cm: ContractManager,
) -> None:
    await first(cm)
    new = await cm.evolve_contract(TEAM, NAME, "v1.1", V1_LOOSER, evolved_by="dev")
    assert new.breaking_change is False
    compat = new.compatibility
    assert compat is not None
    assert (compat["mode"], compat["policy"], compat["breaking"]) == ("BACKWARD", "lenient", False)
    assert [item["version"] for item in compat["checked"]] == ["v1.0"]
    report = CompatReport.from_dict(compat["checked"][0]["report"])
    assert [change.location for change in report.changes] == ["/properties/amount/maximum"]
    history = await cm.get_contract_history(TEAM, NAME)
    assert history[0].compatibility is None
    assert history[1].compatibility == compat


async def test_found_break_is_recorded_when_the_major_version_goes_up(cm: ContractManager) -> None:
    await first(cm)
    new = await cm.evolve_contract(TEAM, NAME, "v2.0", V1_NEEDS_CURRENCY, evolved_by="dev")
    assert new.breaking_change is True
    assert new.compatibility is not None
    assert new.compatibility["breaking"] is True
    assert new.compatibility["breaking_against"] == ["v1.0"]
    assert new.compatibility["declared"] is None


async def test_break_declared_false_raises_with_the_report_and_creates_nothing(
    cm: ContractManager,
) -> None:
    await first(cm)
    with pytest.raises(IncompatibleChange) as caught:
        await cm.evolve_contract(TEAM, NAME, "v2.0", V1_NEEDS_CURRENCY, breaking_change=False)
    error = caught.value
    assert (error.team_id, error.contract_name, error.version, error.against) == (
        TEAM,
        NAME,
        "v2.0",
        "v1.0",
    )
    assert error.report.breaks("BACKWARD")
    assert "declared non-breaking" in str(error)
    assert "/required" in str(error) or "currency" in str(error)
    assert [h.version for h in await cm.get_contract_history(TEAM, NAME)] == ["v1.0"]


async def test_break_without_a_major_bump_is_refused_unless_forced(cm: ContractManager) -> None:
    await first(cm)
    with pytest.raises(
        IncompatibleChange, match=r"new major version: use v2\.0 instead of 'v1\.1'"
    ):
        await cm.evolve_contract(TEAM, NAME, "v1.1", V1_INTEGER_ID)
    forced = await cm.evolve_contract(TEAM, NAME, "v1.1", V1_INTEGER_ID, force=True)
    assert forced.breaking_change is True
    assert forced.compatibility is not None
    assert forced.compatibility["forced"] is True


async def test_declared_break_needs_a_major_bump_even_when_none_is_found(
    cm: ContractManager,
) -> None:
    await first(cm)
    with pytest.raises(IncompatibleChange, match="declared a breaking change"):
        await cm.evolve_contract(TEAM, NAME, "v1.1", V1_LOOSER, breaking_change=True)
    new = await cm.evolve_contract(TEAM, NAME, "v2.0", V1_LOOSER, breaking_change=True)
    assert new.breaking_change is True
    assert new.compatibility is not None
    assert new.compatibility["breaking"] is False  # what was found
    assert new.compatibility["declared"] is True  # what was said


async def test_versions_are_ordered_semantically_and_must_grow(cm: ContractManager) -> None:
    await first(cm, version="v1.9")
    await cm.evolve_contract(TEAM, NAME, "v1.10", V1_LOOSER)  # 1.10 > 1.9
    with pytest.raises(DuplicateContract, match="already exists"):
        await cm.evolve_contract(TEAM, NAME, "v1.10", V1_LOOSER)
    for stale in ("v1.2", "1.9.0", "1.10.0", "v0.5"):
        with pytest.raises(InvalidVersion, match=r"not greater than the newest version 'v1\.10'"):
            await cm.evolve_contract(TEAM, NAME, stale, V1_LOOSER)
    assert isinstance(InvalidVersion("x"), InvalidArgument)


async def test_without_an_active_version_the_greatest_version_is_the_base(
    cm: ContractManager,
) -> None:
    await first(cm)
    v11 = await cm.evolve_contract(TEAM, NAME, "v1.1", V1_LOOSER, activate=True)
    await cm.deprecate_contract(v11.id)
    # History added later: an older version, created after v1.1.
    await cm.create_contract(TEAM, NAME, "v0.5", "EVENT", V1_INTEGER_ID)
    new = await cm.evolve_contract(TEAM, NAME, "v1.2", V1_LOOSER, breaking_change=False)
    assert new.previous_version_id == v11.id
    assert new.compatibility is not None
    assert [c["version"] for c in new.compatibility["checked"]] == ["v1.1"]


async def test_mode_none_allows_a_break_and_still_reports_it(cm: ContractManager) -> None:
    await first(cm)
    await cm.set_compatibility(TEAM, NAME, mode="NONE")
    new = await cm.evolve_contract(TEAM, NAME, "v1.1", V1_INTEGER_ID, breaking_change=False)
    assert new.compatibility is not None
    assert new.compatibility["mode"] == "NONE"
    assert new.compatibility["breaking"] is False
    report = CompatReport.from_dict(new.compatibility["checked"][0]["report"])
    assert report.breaks_readers  # what was found stays visible


async def test_forward_mode_refuses_what_old_readers_cannot_read(cm: ContractManager) -> None:
    await first(cm)
    await cm.set_compatibility(TEAM, NAME, mode="FORWARD")
    # Loosening a bound is fine for new readers but not for old ones.
    with pytest.raises(IncompatibleChange, match="under FORWARD"):
        await cm.evolve_contract(TEAM, NAME, "v1.1", V1_LOOSER)
    # A new required property: data of the new writers is still valid for v1 readers.
    new = await cm.evolve_contract(TEAM, NAME, "v1.1", V1_NEEDS_CURRENCY)
    assert new.breaking_change is False


async def test_transitive_mode_checks_every_earlier_version(cm: ContractManager) -> None:
    await first(cm)
    # v2.0 breaks v1.0 on purpose; v3.0 is compatible with v2.0 only.
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_INTEGER_ID, breaking_change=True, activate=True)
    v3 = {**V1_INTEGER_ID, "description": "same as v2.0"}
    plain = await cm.evolve_contract(TEAM, NAME, "v3.0", v3, breaking_change=False)
    assert plain.compatibility is not None
    assert [c["version"] for c in plain.compatibility["checked"]] == ["v2.0"]
    await cm.set_compatibility(TEAM, NAME, mode="BACKWARD_TRANSITIVE")
    with pytest.raises(IncompatibleChange) as caught:
        await cm.evolve_contract(TEAM, NAME, "v3.1", v3, breaking_change=False)
    assert caught.value.against == "v1.0"
    assert list(caught.value.reports) == ["v1.0", "v2.0", "v3.0"]


async def test_compatibility_settings_default_and_persist(
    cm: ContractManager, backend: Backend
) -> None:
    default = await cm.get_compatibility(TEAM, NAME)
    assert (default.mode, default.policy, default.explicit) == ("BACKWARD", "lenient", False)
    await cm.set_compatibility(TEAM, NAME, mode="full_transitive", set_by="lead")
    await cm.set_compatibility(TEAM, NAME, policy="STRICT")
    other = ContractManager(await backend.state())
    stored = await other.get_compatibility(TEAM, NAME)
    assert (stored.mode, stored.policy, stored.explicit) == ("FULL_TRANSITIVE", "strict", True)
    with pytest.raises(InvalidArgument, match="BACKWARD_TRANSITIVE"):
        await cm.set_compatibility(TEAM, NAME, mode="SIDEWAYS")
    with pytest.raises(InvalidArgument, match="lenient"):
        await cm.set_compatibility(TEAM, NAME, policy="loose")


async def test_strict_policy_breaks_on_a_property_added_to_an_open_model(
    cm: ContractManager,
) -> None:
    await first(cm)
    optional_note = {**V1, "properties": {**V1["properties"], "note": {"type": "string"}}}
    lenient = await cm.evolve_contract(TEAM, NAME, "v1.1", optional_note)
    assert lenient.breaking_change is False
    await cm.set_compatibility(TEAM, NAME, policy="strict")
    with pytest.raises(IncompatibleChange, match="strict policy"):
        await cm.evolve_contract(
            TEAM,
            NAME,
            "v1.2",
            {
                **optional_note,
                "properties": {**optional_note["properties"], "x": {"type": "integer"}},
            },
        )


# -- consumers and can_deploy -----------------------------------------------------
async def test_consumers_register_by_name_and_version(cm: ContractManager) -> None:
    v1 = await first(cm)
    await cm.evolve_contract(TEAM, NAME, "v1.1", V1_LOOSER)
    by_id = await cm.register_consumer(contract_id=v1.id, consumer_agent="billing")
    by_name = await cm.register_consumer(
        consumer_agent="audit", team_id=TEAM, contract_name=NAME, version="v1.1"
    )
    active = await cm.register_consumer(consumer_agent="ui", team_id=TEAM, contract_name=NAME)
    assert (by_id.version, by_name.version, active.version) == ("v1.0", "v1.1", "v1.0")
    consumers = await cm.get_consumers(TEAM, NAME)
    assert [(c.consumer_agent, c.version) for c in consumers] == [
        ("audit", "v1.1"),
        ("billing", "v1.0"),
        ("ui", "v1.0"),
    ]
    with pytest.raises(InvalidArgument, match="not both"):
        await cm.register_consumer(v1.id, "x", team_id=TEAM)
    with pytest.raises(InvalidArgument, match="say which version"):
        await cm.register_consumer(consumer_agent="x")


async def test_can_deploy_answers_per_consumer(cm: ContractManager) -> None:
    await first(cm)
    await cm.register_consumer(consumer_agent="billing", team_id=TEAM, contract_name=NAME)
    # v2.0 writers add a required field (it breaks v1.0 *writers*, hence the
    # major version), yet v1.0 readers, an open model, still read its data.
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_NEEDS_CURRENCY)
    await cm.evolve_contract(TEAM, NAME, "v3.0", V1_INTEGER_ID)
    ok = await cm.can_deploy(TEAM, NAME, "v2.0")
    assert ok.deployable is True
    assert [(c.consumer_agent, c.compatible) for c in ok.consumers] == [("billing", True)]
    no = await cm.can_deploy(TEAM, NAME, "v3.0")
    assert no.deployable is False
    (verdict,) = no.consumers
    assert verdict.reads_version == "v1.0"
    assert "/properties/id" in verdict.reason
    # The consumer reads v3.0 as well now: that registration is fine.
    await cm.register_consumer(
        consumer_agent="billing", team_id=TEAM, contract_name=NAME, version="v3.0"
    )
    again = await cm.can_deploy(TEAM, NAME, "v3.0")
    assert [(c.reads_version, c.compatible) for c in again.consumers] == [
        ("v1.0", False),
        ("v3.0", True),
    ]


async def test_can_deploy_without_consumers_is_yes(cm: ContractManager) -> None:
    await first(cm)
    verdict = await cm.can_deploy(TEAM, NAME, "v1.0")
    assert (verdict.deployable, verdict.consumers) == (True, ())


async def test_consumers_of_retired_versions_do_not_block(cm: ContractManager) -> None:
    v1 = await first(cm)
    await cm.register_consumer(v1.id, "legacy")
    await cm.evolve_contract(TEAM, NAME, "v2.0", V1_INTEGER_ID, activate=True)
    await cm.retire_contract(v1.id)
    verdict = await cm.can_deploy(TEAM, NAME, "v2.0")
    assert verdict.deployable is True
    assert "retired" in verdict.consumers[0].reason


# -- retention ------------------------------------------------------------------
async def test_prune_keeps_the_newest_active_draft_and_read_versions(
    cm: ContractManager, backend: Backend
) -> None:
    await first(cm)
    for minor in range(1, 6):
        version = f"v1.{minor}"
        spec = {**V1, "description": version}
        await cm.evolve_contract(TEAM, NAME, version, spec, activate=minor < 5)
    # v1.0 .. v1.3 deprecated, v1.4 active, v1.5 draft.
    read = await cm.get_contract_version(TEAM, NAME, "v1.1")
    await cm.register_consumer(read.id, "billing")
    old = await cm.get_contract_version(TEAM, NAME, "v1.0")
    for index in range(3):
        await cm.record_validation(old.id, f"test_{index}", True)
    dry = await cm.prune(TEAM, keep_last=2, dry_run=True)
    assert dry.versions == (f"{NAME} v1.3", f"{NAME} v1.2", f"{NAME} v1.0")
    assert dry.validations == 3
    assert len(await cm.get_contract_history(TEAM, NAME)) == 6  # nothing removed
    done = await cm.prune(TEAM, keep_last=2)
    assert done.versions == dry.versions
    assert done.events > 0
    history = await cm.get_contract_history(TEAM, NAME)
    assert [h.version for h in history] == ["v1.1", "v1.4", "v1.5"]
    assert await cm.get_validations(team_id=TEAM) == []
    assert history[0].previous_version_id is None  # its predecessor is gone
    state = await backend.state()
    async with state.read() as conn:
        orphans = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(tables.events)
            .where(tables.events.c.contract_id.notin_(sa.select(tables.contracts.c.id)))
        )
    assert orphans == 0


async def test_prune_trims_validation_records_of_kept_versions(cm: ContractManager) -> None:
    contract = await first(cm)
    for index in range(5):
        await cm.record_validation(contract.id, f"test_{index}", index % 2 == 0)
    result = await cm.prune(TEAM, keep_last=1, keep_validations=2)
    assert (result.versions, result.validations) == ((), 3)
    kept = await cm.get_validations(contract.id)
    assert [v.subject for v in kept] == ["test_4", "test_3"]


async def test_prune_refuses_bad_limits(cm: ContractManager) -> None:
    with pytest.raises(InvalidArgument, match="keep_last must be a whole number >= 1"):
        await cm.prune(TEAM, keep_last=0)
    with pytest.raises(InvalidArgument, match="keep_validations"):
        await cm.prune(TEAM, keep_validations=-1)


# -- the schema-version 2 migration ----------------------------------------------
async def test_a_version_1_registry_is_migrated_and_keeps_its_contracts(backend: Backend) -> None:
    state = await backend.state()
    cm = ContractManager(state)
    await first(cm)
    async with state.write() as conn:
        await conn.execute(sa.text("ALTER TABLE contracts DROP COLUMN compatibility"))
        await conn.execute(sa.text("DROP TABLE contract_settings"))
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
    assert version == str(tables.SCHEMA_VERSION) == "2"


# -- paged history -----------------------------------------------------------------
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
