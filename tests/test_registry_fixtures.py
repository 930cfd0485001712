"""The contract_manager and state_manager fixtures, from sync tests and from
async tests on any event loop (pytest-asyncio, anyio on asyncio and trio)."""

from __future__ import annotations

import pytest

from .conftest import Project

REGISTRY_CALLS = """
import pytest

SCHEMA = {"type": "object", "required": ["id"]}


def test_sync(contract_manager, state_manager):
    c = contract_manager.create_contract("t", "SyncAPI", "v1", "REST_API", SCHEMA).result()
    contract_manager.activate_contract(c["id"], "sync").result()
    assert contract_manager.get_active_contract("t", "SyncAPI").result().version == "v1"
    assert state_manager.health_check().result()["status"] == "ok"
    assert state_manager.backend == "sqlite"
"""


def test_sync_tests_reach_the_registry_without_any_async_plugin(project: Project) -> None:
    project.pytester.makepyfile(REGISTRY_CALLS)
    result = project.run("-p", "no:asyncio", "-p", "no:anyio")
    result.assert_outcomes(passed=1)


def test_async_tests_on_pytest_asyncio_loops_reach_the_registry(project: Project) -> None:
    project.pytester.makepyfile(
        REGISTRY_CALLS
        + """
import asyncio

@pytest.mark.asyncio
async def test_async_first(contract_manager):
    c = await contract_manager.create_contract("t", "AsyncAPI", "v1", "EVENT", SCHEMA)
    ticks = []

    async def ticker():
        for _ in range(3):
            ticks.append(1)
            await asyncio.sleep(0)

    # The test's own loop keeps running while the registry works on its loop.
    await asyncio.gather(contract_manager.activate_contract(c.id, "a"), ticker())
    assert ticks == [1, 1, 1]
    assert (await contract_manager.get_active_contract("t", "AsyncAPI")).version == "v1"


@pytest.mark.asyncio
async def test_async_second_on_a_new_loop(contract_manager, state_manager):
    first = asyncio.get_running_loop()
    assert (await contract_manager.get_active_contract("t", "AsyncAPI")).version == "v1"
    assert (await state_manager.health_check())["status"] == "ok"
    assert asyncio.get_running_loop() is first
"""
    )
    project.run("-p", "no:anyio").assert_outcomes(passed=3)


def test_async_tests_under_anyio_reach_the_registry(project: Project) -> None:
    project.pytester.makepyfile(
        REGISTRY_CALLS
        + """
@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_anyio(contract_manager):
    c = await contract_manager.create_contract("t", "AnyioAPI", "v1", "EVENT", SCHEMA)
    await contract_manager.activate_contract(c.id, "anyio")
    assert (await contract_manager.get_active_contract("t", "AnyioAPI")).version == "v1"
"""
    )
    project.run("-p", "no:asyncio").assert_outcomes(passed=2)


def test_async_tests_under_anyio_with_trio_reach_the_registry(project: Project) -> None:
    pytest.importorskip("trio")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "trio"

        @pytest.mark.anyio
        async def test_trio(contract_manager):
            c = await contract_manager.create_contract("t", "TrioAPI", "v1", "EVENT", {})
            await contract_manager.activate_contract(c.id, "trio")
            assert (await contract_manager.get_active_contract("t", "TrioAPI")).version == "v1"
        """
    )
    project.run("-p", "no:asyncio").assert_outcomes(passed=1)


def test_pending_calls_explain_themselves(project: Project) -> None:
    project.pytester.makepyfile(
        """
        def test_repr(contract_manager):
            call = contract_manager.list_contracts("t")
            assert call.result() == []
            assert "await it or call .result()" in repr(call)
            assert contract_manager.raw.__class__.__name__ == "ContractManager"
        """
    )
    project.run().assert_outcomes(passed=1)


def test_an_unreachable_registry_fails_the_fixture_in_one_line(project: Project) -> None:
    project.pytester.makepyfile("def test_registry(contract_manager):\n    pass\n")
    result = project.run("--contracts-db", "postgresql://postgres@127.0.0.1:1/test")
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "pytest-contracts: the registry cannot be used:" in out
    assert "127.0.0.1:1" in out
    assert "Traceback" not in out
    assert "state.py" not in out
