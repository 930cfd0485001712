"""The checker on its own, without a pytest run: verdicts against a real SQLite
registry, versions, records, the circuit breaker, and what it tells the summary."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts.bridge import RegistryLoop
from pytest_contracts.checker import Checker, CircuitBreaker, Tally
from pytest_contracts.config import sqlite_url
from pytest_contracts.errors import ConfigurationError, RegistryUnavailable
from pytest_contracts.registry.connections import StateManager
from pytest_contracts.registry.manager import ContractManager

TEAM = "billing"
ORDER = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}


class Registry:
    """A real SQLite registry on a loop of its own, as the plugin opens it."""

    def __init__(self, path: Path, **options: Any) -> None:
        self.loop = RegistryLoop()
        self.state = self.loop.run(StateManager.create(sqlite_url(path), **options))
        self.manager = ContractManager(self.state)
        self.opened = 0

    def __call__(self) -> tuple[RegistryLoop, ContractManager]:
        self.opened += 1
        return self.loop, self.manager

    def run(self, coroutine: Any) -> Any:
        return self.loop.run(coroutine)

    def active(self, name: str, version: str, schema: Any = ORDER) -> Any:
        contract = self.run(self.manager.create_contract(TEAM, name, version, "EVENT", schema))
        return self.run(self.manager.activate_contract(contract.id))

    def close(self) -> None:
        try:
            self.run(self.state.close())
        finally:
            self.loop.close()


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    opened = Registry(tmp_path / "registry.db")
    yield opened
    opened.close()


def test_a_valid_output_passes_and_its_record_reaches_the_registry(registry: Registry) -> None:
    v1 = registry.active("Orders", "v1")
    checker = Checker(registry)
    result = checker.check(TEAM, "Orders", {"id": 7}, subject="job-1")
    assert (result.outcome, result.version, result.contract_id) == ("passed", "v1", v1.id)
    assert (result.test, result.team, result.contract) == ("job-1", TEAM, "Orders")
    assert (result.kind, result.boundary, result.output_index) == ("contract", None, 0)
    assert result.violations == ()
    assert result.message is None
    checker.flush()
    (row,) = registry.run(registry.manager.get_validations(subject="job-1"))
    assert (row.passed, row.contract_id, row.errors) == (True, v1.id, [])
    assert checker.tally() == Tally()


def test_an_output_that_breaks_the_contract_fails_with_each_violation(
    registry: Registry,
) -> None:
    registry.active("Orders", "v1")
    checker = Checker(registry)
    result = checker.check(TEAM, "Orders", {"id": "seven", "extra": 1}, subject="job-2")
    assert result.outcome == "failed"
    assert result.violations == (
        {
            "pointer": "/id",
            "keyword": "type",
            "schema_path": "/properties/id/type",
            "message": "'seven' is not of type 'integer'",
        },
    )
    checker.flush()
    (row,) = registry.run(registry.manager.get_validations(subject="job-2"))
    assert row.passed is False
    assert [error["keyword"] for error in row.errors] == ["type"]


def test_the_labels_of_a_boundary_are_carried_into_the_result(registry: Registry) -> None:
    registry.active("phase_boundary_design_to_testing", "v1")
    result = Checker(registry).check(
        TEAM,
        "phase_boundary_design_to_testing",
        {"id": 1},
        subject="job-3",
        kind="phase_boundary",
        boundary="design -> testing",
        output_index=2,
    )
    assert (result.outcome, result.kind, result.boundary) == (
        "passed",
        "phase_boundary",
        "design -> testing",
    )
    assert (result.output_index, result.label) == (2, "design -> testing")


def test_a_contract_without_an_active_version_is_missing_and_nothing_is_recorded(
    registry: Registry,
) -> None:
    checker = Checker(registry)
    result = checker.check(TEAM, "Nowhere", {"id": 1}, subject="job-4")
    assert (result.outcome, result.version, result.contract_id) == ("missing", None, None)
    assert result.message == (
        f"no active version of contract 'Nowhere' for team '{TEAM}'; define one with a "
        "contract file in --contracts-dir, or with contract_manager.create_contract(...) "
        "and activate_contract(...)"
    )
    assert checker.writer is None  # no record: there was nothing to check against


def test_a_pinned_version_is_used_even_when_another_is_active(registry: Registry) -> None:
    v1 = registry.active("Orders", "v1")
    loose = {"type": "object"}
    registry.active("Orders", "v2", loose)
    checker = Checker(registry)
    pinned = checker.check(TEAM, "Orders", {"name": "no id"}, subject="job-5", version="v1")
    assert (pinned.outcome, pinned.version, pinned.contract_id) == ("failed", "v1", v1.id)
    active = checker.check(TEAM, "Orders", {"name": "no id"}, subject="job-5")
    assert (active.outcome, active.version) == ("passed", "v2")
    unknown = checker.check(TEAM, "Orders", {}, subject="job-5", version="v9")
    assert (unknown.outcome, unknown.version) == ("missing", "v9")
    assert unknown.message == (
        f"version 'v9' of contract 'Orders' (team '{TEAM}') does not exist; create it, or "
        "drop version= to use the active one"
    )


def test_a_declaration_without_output_is_checked_for_existence_only(
    registry: Registry,
) -> None:
    registry.active("Orders", "v1")
    checker = Checker(registry)
    assert checker.check_defined(TEAM, "Orders", subject="job-6") is None
    missing = checker.check_defined(
        TEAM, "Invoices", subject="job-6", kind="phase_boundary", boundary="a -> b"
    )
    assert missing is not None
    assert (missing.outcome, missing.boundary, missing.output_index) == ("missing", "a -> b", 0)
    assert checker.writer is None  # existence is not a validation: nothing to record


def test_the_active_version_is_looked_up_again_once_another_is_activated(
    registry: Registry,
) -> None:
    registry.active("Orders", "v1")
    calls: list[str] = []
    original = registry.manager.get_active_contract

    async def counting(team_id: str, contract_name: str) -> Any:
        calls.append(contract_name)
        return await original(team_id, contract_name)

    registry.manager.get_active_contract = counting  # type: ignore[method-assign]
    checker = Checker(registry)
    versions = [checker.check(TEAM, "Orders", {"id": n}, subject="s").version for n in range(4)]
    assert versions == ["v1"] * 4
    assert len(calls) == 1  # the cache's stamp did not change: not asked again
    registry.active("Orders", "v2")
    assert checker.check(TEAM, "Orders", {"id": 1}, subject="s").version == "v2"
    assert len(calls) == 2


def test_a_resolved_version_is_kept_no_longer_than_the_cache_entry_it_came_from(
    tmp_path: Path,
) -> None:
    """A write the counter cannot see (another machine on a shared database)
    is seen once the cache entry expires: the checker must not keep its copy
    for a further cache_ttl from the moment it asked."""
    import sqlalchemy as sa

    from pytest_contracts.registry.tables import contracts

    ttl = 1.0
    registry = Registry(tmp_path / "r.db", cache_ttl=ttl)
    try:
        state, manager = registry.state, registry.manager
        v1 = registry.run(manager.create_contract("team", "Orders", "v1", "EVENT", {}))
        v2 = registry.run(manager.create_contract("team", "Orders", "v2", "EVENT", {}))
        registry.run(manager.activate_contract(v1.id))
        checker = Checker(registry)

        def resolve() -> str:
            found = checker.resolve("team", "Orders")
            assert found is not None
            return found.version

        filled = time.monotonic()
        assert registry.run(manager.get_active_contract("team", "Orders")).version == "v1"
        time.sleep(0.6 * ttl)
        assert resolve() == "v1"  # from the cache entry filled 0.6 ttl ago

        async def switch_behind_the_counter() -> None:
            async with state.write() as conn:
                for version, status in ((v1, "deprecated"), (v2, "active")):
                    await conn.execute(
                        sa.update(contracts)
                        .where(contracts.c.id == version.id)
                        .values(status=status)
                    )

        registry.run(switch_behind_the_counter())
        # The entry expires at about filled + ttl; a copy kept for ttl from the
        # resolve above (at filled + 0.6 ttl or later) would last past 1.6 ttl.
        time.sleep(max(0.0, filled + 1.5 * ttl - time.monotonic()))
        assert resolve() == "v2"
    finally:
        registry.close()


# -- a registry that fails -------------------------------------------------------------
class Unreachable:
    """A registry that cannot be opened: counts the attempts."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def __call__(self) -> tuple[RegistryLoop, ContractManager]:
        self.calls += 1
        raise self.error


def test_the_breaker_opens_after_three_failures_and_then_skips_the_registry() -> None:
    registry = Unreachable(OSError("connection refused"))
    checker = Checker(registry)
    results = [checker.check(TEAM, "Orders", {}, subject=f"job-{n}") for n in range(5)]
    assert [r.outcome for r in results] == ["unavailable"] * 5
    assert [r.message for r in results[:3]] == [
        "the registry is unavailable: connection refused"
    ] * 3
    assert results[3].message == (
        "not checked: the registry failed 3 times in a row and the circuit breaker stopped "
        "calling it (connection refused)"
    )
    assert registry.calls == 3  # the last two checks did not call the registry
    assert checker.breaker.skipped == 2
    assert checker.tally() == Tally(
        breaker_failures=3, breaker_opened=True, breaker_error="connection refused"
    )


def test_a_closed_registry_is_unavailable_not_an_error(registry: Registry) -> None:
    registry.active("Orders", "v1")
    checker = Checker(registry)
    assert checker.check(TEAM, "Orders", {"id": 1}, subject="before").outcome == "passed"
    registry.run(registry.state.close())
    after = checker.check(TEAM, "Orders", {"id": 1}, subject="after")
    assert after.outcome == "unavailable"
    assert "this StateManager is closed" in (after.message or "")
    assert checker.breaker.failures == 1


def test_a_registry_that_answers_with_an_error_does_not_count_against_it() -> None:
    checker = Checker(Unreachable(ConfigurationError("database URL 'x' has no scheme")))
    result = checker.check(TEAM, "Orders", {}, subject="job")
    assert (result.outcome, result.message) == ("error", "database URL 'x' has no scheme")
    assert checker.breaker.failures == 0


def test_records_the_registry_could_not_store_are_counted_not_raised(
    registry: Registry,
) -> None:
    registry.active("Orders", "v1")
    checker = Checker(registry)
    checker.check(TEAM, "Orders", {"id": 1}, subject="job")  # queued, not yet written
    registry.run(registry.state.close())
    checker.flush()
    tally = checker.tally()
    assert tally.unstored == 1
    assert "this StateManager is closed" in (tally.unstored_error or "")


def test_an_open_breaker_lets_one_trial_call_through_after_its_cooldown() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=0.3)
    breaker.failure("down")
    assert breaker.allow()  # one failure: still calling
    breaker.failure("down again")
    assert (breaker.times_opened, breaker.last_error) == (1, "down again")
    assert not breaker.allow()
    time.sleep(0.35)
    assert breaker.allow()  # the trial call
    assert not breaker.allow()  # and then the wait starts over
    breaker.success()
    assert breaker.allow()
    assert (breaker.failures, breaker.skipped) == (0, 2)  # the two refusals


def test_tallies_travel_without_the_local_error_and_add_up() -> None:
    worker = Tally(3, "OSError: gone", 2, True, breaker_error="refused")
    sent = worker.to_dict()
    assert sent == {
        "unstored": 3,
        "unstored_error": "OSError: gone",
        "breaker_failures": 2,
        "breaker_opened": True,
    }
    received = Tally.from_dict(sent)
    assert received == Tally(3, "OSError: gone", 2, True)
    own = Tally(1, None, 4, False, breaker_error="timeout")
    assert received.combined(own) == Tally(4, "OSError: gone", 4, True, "timeout")
    assert own.combined(received) == Tally(4, "OSError: gone", 4, True, "timeout")
    assert Tally(unstored_error="first").combined(Tally(unstored_error="later")) == Tally(
        unstored_error="later"
    )


def test_checking_imports_no_pytest(tmp_path: Path) -> None:
    """The run-time API builds on the checker: a program that checks an output
    must not load pytest on the way."""
    program = f"""
import sys
from pytest_contracts.bridge import RegistryLoop
from pytest_contracts.checker import Checker
from pytest_contracts.config import sqlite_url
from pytest_contracts.registry.manager import ContractManager
from pytest_contracts.registry.connections import StateManager

loop = RegistryLoop()
state = loop.run(StateManager.create(sqlite_url({str(tmp_path / "r.db")!r})))
manager = ContractManager(state)
created = loop.run(manager.create_contract("t", "C", "v1", "EVENT", {{"type": "object"}}))
loop.run(manager.activate_contract(created.id))
checker = Checker(lambda: (loop, manager))
result = checker.check("t", "C", {{}}, subject="program")
checker.flush()
loop.run(state.close())
loop.close()
print(result.outcome, sorted(m for m in sys.modules if m.split(".")[0] in ("pytest", "_pytest")))
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "passed []"


def test_the_registry_is_not_opened_before_the_first_check() -> None:
    registry = Unreachable(RegistryUnavailable("not yet"))
    Checker(registry)
    assert registry.calls == 0
