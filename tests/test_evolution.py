"""Evolution (registry/evolution.py): whether a new version may follow the
versions a contract has, checked by the pure function and by the registry
on every available back end."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_contracts import (
    ContractManager,
    DuplicateContract,
    IncompatibleChange,
    InvalidArgument,
    InvalidVersion,
)
from pytest_contracts.compat import CompatReport, Mode, Policy
from pytest_contracts.registry.evolution import EvolutionCheck, ExistingVersion, check_evolution

from .registry_cases import NAME, TEAM, V1, V1_INTEGER_ID, V1_LOOSER, V1_NEEDS_CURRENCY, first


# -- the check itself: a pure function of the versions ----------------------------
def check(
    specification: Any,
    version: str = "v1.1",
    *,
    mode: Mode = Mode.BACKWARD,
    existing: list[ExistingVersion] | None = None,
    declared: bool | None = None,
    forced: bool = False,
) -> EvolutionCheck:
    """``specification`` as ``version`` after an active v1.0 (V1) by default."""
    return check_evolution(
        team_id=TEAM,
        contract_name=NAME,
        version=version,
        specification=specification,
        existing=existing if existing is not None else [ExistingVersion("v1.0", "active", V1)],
        base_version="v1.0",
        mode=mode,
        policy=Policy.LENIENT,
        declared=declared,
        forced=forced,
    )


#: Which of the three changes of V1 break it under each mode: loosening a bound
#: breaks old readers (FORWARD), a new required property breaks new readers of
#: old data (BACKWARD), a changed type breaks both; NONE counts nothing.
BREAKS = {
    Mode.BACKWARD: {"looser": False, "needs currency": True, "integer id": True},
    Mode.FORWARD: {"looser": True, "needs currency": False, "integer id": True},
    Mode.FULL: {"looser": True, "needs currency": True, "integer id": True},
    Mode.NONE: {"looser": False, "needs currency": False, "integer id": False},
}
CHANGES = {"looser": V1_LOOSER, "needs currency": V1_NEEDS_CURRENCY, "integer id": V1_INTEGER_ID}


@pytest.mark.parametrize(
    ("mode", "change"), [(mode, change) for mode in BREAKS for change in CHANGES]
)
def test_a_change_breaks_exactly_under_the_modes_that_check_its_side(
    mode: Mode, change: str
) -> None:
    result = check(CHANGES[change], mode=mode)
    assert result.breaking is BREAKS[mode][change]
    assert result.breaking_against == (["v1.0"] if BREAKS[mode][change] else [])
    assert list(result.reports) == ["v1.0"]  # compared even when nothing can break


def test_a_safe_change_may_follow_under_any_version() -> None:
    result = check(V1_LOOSER, "v1.1")
    assert (result.breaking, result.is_break, result.refusal()) == (False, False, None)
    assert result.to_dict()["breaking"] is False


def test_a_found_break_needs_a_new_major_version() -> None:
    refusal = check(V1_INTEGER_ID, "v1.1").refusal()
    assert isinstance(refusal, IncompatibleChange)
    assert "use v2.0 instead of 'v1.1'" in str(refusal)
    assert refusal.against == "v1.0"
    assert check(V1_INTEGER_ID, "v2.0").refusal() is None


def test_a_found_break_under_a_version_that_is_not_semantic_needs_force() -> None:
    refusal = check(V1_INTEGER_ID, "latest-and-greatest").refusal()
    assert refusal is not None
    assert "not a semantic version: pass force=True" in str(refusal)
    assert check(V1_INTEGER_ID, "latest-and-greatest", forced=True).refusal() is None


def test_a_declared_break_is_a_break_even_when_none_is_found() -> None:
    result = check(V1_LOOSER, "v1.1", declared=True)
    assert (result.breaking, result.is_break) == (False, True)
    refusal = result.refusal()
    assert refusal is not None
    assert "is declared a breaking change" in str(refusal)
    assert check(V1_LOOSER, "v2.0", declared=True).refusal() is None


def test_a_break_declared_impossible_is_refused_even_with_a_major_bump_or_force() -> None:
    for version, forced in (("v2.0", False), ("v1.1", True)):
        refusal = check(V1_INTEGER_ID, version, declared=False, forced=forced).refusal()
        assert refusal is not None
        assert "declared non-breaking (breaking_change=False)" in str(refusal)
    assert check(V1_LOOSER, "v1.1", declared=False).refusal() is None


def test_force_records_a_found_break_under_a_minor_version() -> None:
    result = check(V1_INTEGER_ID, "v1.1", forced=True)
    assert (result.breaking, result.refusal()) == (True, None)
    assert result.to_dict()["forced"] is True


def test_under_mode_none_nothing_is_a_break_not_even_a_declared_one() -> None:
    result = check(V1_INTEGER_ID, "v1.1", mode=Mode.NONE, declared=True)
    assert (result.breaking, result.is_break, result.refusal()) == (False, False, None)
    assert result.reports["v1.0"].breaks_readers  # what was found stays visible


def test_a_transitive_mode_compares_every_version_but_the_retired_ones() -> None:
    existing = [
        ExistingVersion("v2.0", "active", V1_INTEGER_ID),
        ExistingVersion("v0.9", "retired", {"type": "string"}),
        ExistingVersion("v1.0", "deprecated", V1),
    ]
    plain = check(V1_INTEGER_ID, "v3.0", existing=existing)
    assert list(plain.reports) == ["v2.0"]
    transitive = check(V1_INTEGER_ID, "v3.0", existing=existing, mode=Mode.BACKWARD_TRANSITIVE)
    assert list(transitive.reports) == ["v1.0", "v2.0"]  # oldest first
    assert transitive.breaking_against == ["v1.0"]


def test_only_the_compared_versions_stored_text_is_parsed() -> None:
    existing = [
        ExistingVersion("v0.9", "deprecated", specification_text="{not json"),
        ExistingVersion("v1.0", "active", specification_text=json.dumps(V1)),
    ]
    assert check(V1_LOOSER, "v1.1", existing=existing).breaking is False
    with pytest.raises(json.JSONDecodeError):
        check(V1_LOOSER, "v1.1", existing=existing, mode=Mode.BACKWARD_TRANSITIVE)


@pytest.mark.parametrize("version", ["v1.0", "1.0.0", "v0.9", "v1.0-rc.1"])
def test_a_version_not_greater_than_the_newest_is_refused(version: str) -> None:
    with pytest.raises(InvalidVersion, match=r"not greater than the newest version 'v1\.0'"):
        check(V1_LOOSER, version)


def test_there_is_nothing_to_evolve_from_without_a_version() -> None:
    with pytest.raises(ValueError, match="needs the versions that exist"):
        check(V1_LOOSER, existing=[])


# -- in the registry -----------------------------------------------------------
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
