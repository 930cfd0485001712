"""Sections 2 and 3: registry lookups and writes against the raw operation on
the same client or database."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import sqlalchemy as sa

from . import _data
from ._backends import Backend, Servers, registry
from ._report import Figure
from ._timing import pair_async

TEAM = "bench"
NAME = _data.boundary_name(("requirements", "design"))
SPEC = _data.schema(("requirements", "design"))

scratch_metadata = sa.MetaData()
scratch = sa.Table(
    "bench_scratch",
    scratch_metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
)


def active_query(team: str, name: str) -> Any:
    from pytest_contracts.registry.tables import contracts as c

    return sa.select(c).where(
        c.c.team_id == team, c.c.contract_name == name, c.c.status == "active"
    )


async def run(servers: Servers, quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for backend in servers.backends():
        url = await servers.database(backend.database, f"bench_contracts_{backend.database}")
        async with registry(url, backend) as (state, manager):
            figures += await _lookups(state, manager, backend, quick)
            figures += await _writes(state, manager, backend, quick)
        figures.append(await _start(url, backend, quick))
    if not servers.redis_url:
        figures.append(
            Figure(
                key="lookup.warm.redis",
                section=2,
                label="lookup warm, real Redis",
                skipped="no real Redis: set REDIS_URL or pass --redis-url",
            )
        )
    if not servers.database_url:
        figures.append(
            Figure(
                key="registry.postgresql",
                section=3,
                label="lookup/create/activate on PostgreSQL",
                skipped="no PostgreSQL: set DATABASE_URL or pass --database-url",
            )
        )
    figures.sort(key=lambda f: f.section)
    return figures


async def _lookups(state: Any, manager: Any, backend: Backend, quick: bool) -> list[Figure]:
    draft = await manager.create_contract(TEAM, NAME, "v1.0", "PHASE_TRANSITION", SPEC)
    await manager.activate_contract(draft.id)
    assert (await manager.get_active_contract(TEAM, NAME)) is not None
    _, active_key = state.cache._keys(TEAM, NAME)  # the entry the lookup reads
    assert await state.redis.get(active_key) is not None, "the cache must be warm"
    reps = 5 if quick else 15

    warm = await pair_async(
        lambda: manager.get_active_contract(TEAM, NAME),
        lambda: state.redis.get(active_key),  # the raw client StateManager wraps
        reps=reps,
        inner=20 if quick else 200,
    )
    query = active_query(TEAM, NAME)

    async def raw_select() -> Any:
        async with state.read() as conn:
            return (await conn.execute(query)).first()

    cold = await pair_async(
        lambda: manager.get_active_contract(TEAM, NAME),
        raw_select,
        reps=reps,
        inner=10 if quick else 60,
        # A new generation: the next lookup misses, as after any write.
        prepare_subject=lambda: state.cache.invalidate(TEAM, NAME),
    )
    return [
        Figure(
            key=f"lookup.warm.{backend.label}",
            section=2,
            label=f"lookup warm, {backend.label}",
            **warm.as_ms(),
            max_ratio=1.5,
            replaced="cached lookup",
        ),
        Figure(
            key=f"lookup.cold.{backend.label}",
            section=2,
            label=f"lookup cold, {backend.label}",
            **cold.as_ms(),
            max_ratio=2.0,
        ),
    ]


async def _writes(state: Any, manager: Any, backend: Backend, quick: bool) -> list[Figure]:
    async with state.engine.begin() as conn:
        await conn.run_sync(scratch_metadata.create_all)
    spec_text = _data.json.dumps(SPEC)
    counter = itertools.count()

    async def raw_insert() -> None:
        # The building block: one row, one commit, on the registry's own engine.
        async with state.engine.begin() as conn:
            await conn.execute(sa.insert(scratch).values(id=str(uuid.uuid4()), payload=spec_text))

    async def create() -> None:
        await manager.create_contract(
            TEAM, f"bench-create-{next(counter)}", "v1.0", "PHASE_TRANSITION", SPEC
        )

    reps, inner = (5, 4) if quick else (11, 20)
    created = await pair_async(create, raw_insert, reps=reps, inner=inner)

    versions = itertools.count(1)
    pending: list[str] = []

    async def new_draft() -> None:
        draft = await manager.create_contract(
            TEAM, "bench-activate", f"v1.{next(versions)}", "PHASE_TRANSITION", SPEC
        )
        pending.append(draft.id)

    async def activate() -> None:
        await manager.activate_contract(pending.pop())

    activated = await pair_async(
        activate, raw_insert, reps=reps, inner=inner, prepare_subject=new_draft
    )
    return [
        Figure(
            key=f"create.{backend.label}",
            section=3,
            label=f"create_contract, {backend.label}",
            **created.as_ms(),
            max_ratio=3.0,
            replaced="create",
        ),
        Figure(
            key=f"activate.{backend.label}",
            section=3,
            label=f"activate_contract, {backend.label}",
            **activated.as_ms(),
            max_ratio=3.0,
        ),
    ]


async def _start(url: str, backend: Backend, quick: bool) -> Figure:
    """Opening an existing registry (StateManager.create, then close) against
    opening the same database raw (engine, connect, SELECT 1, dispose)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    async def open_registry() -> None:
        async with registry(url, backend):
            pass

    async def open_raw() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        finally:
            await engine.dispose()

    pair = await pair_async(open_registry, open_raw, reps=3 if quick else 9, inner=2, warmup=1)
    return Figure(
        key=f"start.{backend.label}",
        section=3,
        label=f"open registry, {backend.label}",
        **pair.as_ms(),
        replaced="startup",
        extra={"target": "-"},
    )
