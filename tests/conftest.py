"""Shared fixtures: every registry test runs on each back end that is available.

- ``sqlite``: a SQLite file in the test's tmp_path and an in-process fakeredis
  (always).
- ``redis``: the same SQLite file with a real Redis; runs when ``REDIS_URL`` is
  set or ``--real-redis`` is given.
- ``postgresql``: PostgreSQL at ``DATABASE_URL`` with fakeredis; runs when
  ``DATABASE_URL`` is set.
- ``postgresql-redis``: PostgreSQL with the real Redis; runs when both are set.

A back end this run cannot reach is not generated at all; the terminal summary
says once what to set to include it.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

# Imported before the first test freezes the heap (see no_asyncio_errors): at
# import, hypothesis asks gc.get_referrers whether each random generator
# registered with it is referenced, and frozen referrers are not counted.
import hypothesis  # noqa: F401
import pytest
from fakeredis import FakeServer
from sqlalchemy.ext.asyncio import create_async_engine

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.config import resolve_database_url, sqlite_url

# Imported once, here: pytester's in-process runs restore sys.modules
# afterwards, and importing asyncpg's C extension a second time crashes.
with contextlib.suppress(ImportError):  # without the postgres extra, nothing to do
    import asyncpg  # noqa: F401

pytest_plugins = ["pytester"]


def pytest_configure(config: pytest.Config) -> None:
    # The suite starts many Python processes (pytest sessions, xdist workers,
    # processes killed mid-write); with PYTHONDONTWRITEBYTECODE set, each would
    # compile and assertion-rewrite the same plugins' modules again (about
    # half a second a process). They may keep what they compiled.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    # Counters of server databases go to a folder of this run, inherited by
    # the processes the tests start, instead of the machine's temporary folder.
    from pytest_contracts.registry.counter import DIRECTORY_VARIABLE

    if not os.environ.get(DIRECTORY_VARIABLE):
        folder = Path(tempfile.mkdtemp(prefix="pytest-contracts-counters-"))
        os.environ[DIRECTORY_VARIABLE] = str(folder)
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


class _AsyncioErrors(logging.Handler):
    """Collects what asyncio logs at ERROR: "Task was destroyed but it is
    pending", unclosed transports, exceptions nobody retrieved."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


LAST_TEST = pytest.StashKey[str]()
LEFT_AT_THE_END = pytest.StashKey[list[str]]()


def collect_garbage() -> list[str]:
    """A garbage collection, and what asyncio logged at ERROR during it."""
    handler = _AsyncioErrors()
    logging.getLogger("asyncio").addHandler(handler)
    try:
        gc.collect()
    finally:
        logging.getLogger("asyncio").removeHandler(handler)
    return handler.messages


@pytest.fixture(autouse=True)
def no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sessions a test runs are not GitHub Actions jobs, even when this
    one is: they print no annotations and append to no step summary unless
    the test says so."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def no_asyncio_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test in whose time asyncio complained: warnings-as-errors does
    not catch these, because asyncio logs them instead of warning.

    Most complaints come from a finaliser, so only a garbage collection brings
    them out: one after the test, and one before it for what the previous
    test's fixtures left once pytest let go of them. Each looks only at objects
    made since the previous test began, because everything older is frozen out
    of the collector's reach: a collection of the whole heap costs a tenth of a
    second, and this fixture runs for every test. What was frozen is collected
    once more at the end of the run (pytest_sessionfinish).
    """
    left = collect_garbage()
    if left:
        previous = request.config.stash.get(LAST_TEST, "an earlier test")
        pytest.fail(f"garbage left by {previous}: {left}")
    gc.freeze()
    request.config.stash[LAST_TEST] = request.node.nodeid
    handler = _AsyncioErrors()
    logging.getLogger("asyncio").addHandler(handler)
    try:
        yield
        gc.collect()
    finally:
        logging.getLogger("asyncio").removeHandler(handler)
    assert handler.messages == []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # Last, after the session's own fixtures are torn down: whatever was frozen
    # while alive and became garbage later (a module or session fixture's
    # objects) is collected under the same watch, and fails the run.
    gc.unfreeze()
    left = collect_garbage()
    if left:
        session.config.stash[LEFT_AT_THE_END] = left
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--real-redis",
        action="store_true",
        help=f"run the real-Redis tests against REDIS_URL, or {LOCAL_REDIS} when it is unset",
    )


# Read once, before any test's monkeypatch clears the environment.
ENV_REDIS_URL = os.environ.get("REDIS_URL")
ENV_DATABASE_URL = os.environ.get("DATABASE_URL")


def real_redis_url(config: pytest.Config) -> str | None:
    url = ENV_REDIS_URL
    if url:
        return url
    return LOCAL_REDIS if config.getoption("--real-redis") else None


def postgres_url() -> str | None:
    url = ENV_DATABASE_URL
    if url and resolve_database_url(url).startswith("postgresql"):
        return url
    return None


SKIP_REDIS = (
    "real Redis not configured: set REDIS_URL=redis://127.0.0.1:6379/0 (or pass --real-redis)"
)
SKIP_POSTGRES = (
    "PostgreSQL not configured: set DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test"
)


def available_backends(config: pytest.Config) -> list[str]:
    """The back ends this run can reach, in the order their tests run."""
    redis = real_redis_url(config) is not None
    postgres = postgres_url() is not None
    candidates = [
        ("sqlite", True),
        ("redis", redis),
        ("postgresql", postgres),
        ("postgresql-redis", postgres and redis),
    ]
    return [name for name, reachable in candidates if reachable]


def available_databases() -> list[str]:
    """The databases this run can reach, for tests that take the cache's default."""
    return ["sqlite", "postgresql"] if postgres_url() is not None else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Unreachable back ends are left out here rather than skipped one test at
    # a time: hundreds of skips cost their setup and fill the summary.
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", available_backends(metafunc.config), indirect=True)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    left = config.stash.get(LEFT_AT_THE_END, [])
    if left:
        terminalreporter.write_line(f"asyncio complained at the end of the run: {left}", red=True)
    missing = [
        reason
        for reason, reachable in (
            (SKIP_REDIS + " to run the redis back ends", real_redis_url(config) is not None),
            (SKIP_POSTGRES + " to run the postgresql back ends", postgres_url() is not None),
        )
        if not reachable
    ]
    if missing:
        terminalreporter.write_line(
            f"back ends run: {', '.join(available_backends(config))}; not run:"
        )
        for reason in missing:
            terminalreporter.write_line(f"  {reason}")


@pytest.fixture
def redis_url(request: pytest.FixtureRequest) -> str:
    url = real_redis_url(request.config)
    if url is None:
        pytest.skip(SKIP_REDIS)
    return url


@pytest.fixture
def pg_url() -> str:
    url = postgres_url()
    if url is None:
        pytest.skip(SKIP_POSTGRES)
    return url


async def _admin(admin_url: str, *statements: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(admin_url)
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def scratch_database(pg_url: str, name: str) -> AsyncIterator[tuple[str, str]]:
    """A PostgreSQL database of the test's own, dropped afterwards, so that
    what the test does to its connections touches no other test: yields its
    URL and the URL of the server's own database, for admin statements."""
    admin_url = resolve_database_url(pg_url).replace("+asyncpg", "")
    await _admin(
        admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"
    )
    try:
        yield pg_url.rsplit("/", 1)[0] + f"/{name}", admin_url
    finally:
        await _admin(
            admin_url,
            f"ALTER DATABASE {name} ALLOW_CONNECTIONS true",
            f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        )


async def drop_registry_tables(database_url: str) -> None:
    """Start a PostgreSQL test from an empty registry."""
    from pytest_contracts.registry import tables

    engine = create_async_engine(resolve_database_url(database_url))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(tables.metadata.drop_all)
    finally:
        await engine.dispose()


@dataclass
class Backend:
    """One back end under test, and a factory for managers that share it."""

    name: str
    database_url: str
    redis_url: str | None
    key_prefix: str
    fake_server: FakeServer | None
    states: list[StateManager] = field(default_factory=list)

    async def state(self, **options: Any) -> StateManager:
        """A new StateManager on the same database and the same cache."""
        if self.redis_url is not None:
            options.setdefault("redis_url", self.redis_url)
        else:
            options.setdefault("fake_server", self.fake_server)
        state = await StateManager.create(
            database_url=self.database_url, key_prefix=self.key_prefix, **options
        )
        self.states.append(state)
        return state

    async def cleanup(self) -> None:
        for state in self.states:
            await state.close()
        if self.redis_url is not None:
            from redis.asyncio import Redis

            client = Redis.from_url(self.redis_url)
            try:
                keys = [key async for key in client.scan_iter(match=self.key_prefix + "*")]
                if keys:
                    await client.delete(*keys)
            finally:
                await client.aclose()


@pytest.fixture
async def backend(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Backend]:
    """One of the reachable back ends (see pytest_generate_tests)."""
    redis = real_redis_url(request.config)
    if request.param.startswith("postgresql"):
        pg = postgres_url()
        assert pg is not None, "generated only when DATABASE_URL is set"
        await drop_registry_tables(pg)
        database = pg
    else:
        database = sqlite_url(tmp_path / "registry.db")
    if not request.param.endswith("redis"):
        redis = None
    chosen = Backend(
        name=request.param,
        database_url=database,
        redis_url=redis,
        key_prefix=f"pytest_contracts_test:{uuid.uuid4().hex}:",
        fake_server=None if redis else FakeServer(),
    )
    yield chosen
    await chosen.cleanup()


@pytest.fixture
async def state(backend: Backend) -> StateManager:
    return await backend.state()


@pytest.fixture
def cm(state: StateManager) -> ContractManager:
    return ContractManager(state)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No registry settings inherited from the environment."""
    for name in ("DATABASE_URL", "REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_DB"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def run_command(capsys: pytest.CaptureFixture[str], *args: str) -> CompletedProcess[str]:
    """``pytest-contracts ARGS`` in this process: ``cli.main`` called as the
    console script calls it, with its exit code (argparse's exits too) and what
    it printed. What it logs at WARNING goes to its stderr, as Python's
    last-resort handler prints it in a process of its own."""
    from pytest_contracts.cli import main

    capsys.readouterr()
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
    try:
        code: Any = main(list(args))
    except SystemExit as exc:
        code = exc.code
    finally:
        logging.getLogger().removeHandler(handler)
    out, err = capsys.readouterr()
    assert isinstance(code, int) or code is None, code
    return CompletedProcess(["pytest-contracts", *args], code or 0, out, err)


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "items": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["title"],
}


def contract_record(specification: Any, contract_id: str = "c") -> Any:
    """A contract record as the registry returns it, without a registry."""
    from benchmarks._data import contract

    return contract(specification, f"contract-{contract_id}", "v1", contract_id=contract_id)


# -- plugin tests: a pytest project in a temporary folder ----------------------
# The outer suite turns warnings into errors; inner runs show the plugin's own.
PROJECT_INI = """\
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings =
    always::pytest_contracts.ContractWarning
"""


class Project:
    """A pytester project with contract files and a registry of its own."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.path = pytester.path
        pytester.makeini(PROJECT_INI)

    def contract(
        self,
        name: str,
        schema: Any,
        version: str = "v1.0",
        *,
        kind: str = "PHASE_TRANSITION",
        folder: str = "contracts",
        **extra: Any,
    ) -> Path:
        import json

        directory = self.path / folder
        directory.mkdir(exist_ok=True)
        team = extra.get("team")
        path = directory / f"{team + '-' if team else ''}{name}-{version}.json"
        document = {"name": name, "version": version, "type": kind, "schema": schema, **extra}
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    def boundary(self, source: str, destination: str, schema: Any, version: str = "v1.0") -> Path:
        return self.contract(f"phase_boundary_{source}_to_{destination}", schema, version)

    def run(self, *args: str) -> pytest.RunResult:
        extra = ["--contracts-dir", "contracts"] if (self.path / "contracts").is_dir() else []
        return self.pytester.runpytest(*extra, *args)

    def subprocess(self, *args: str, timeout: float = 300) -> pytest.RunResult:
        extra = ["--contracts-dir", "contracts"] if (self.path / "contracts").is_dir() else []
        # The project's tests use neither: a process (and each of its xdist
        # workers) starts about 0.15 s sooner without them.
        extra += ["-p", "no:hypothesispytest", "-p", "no:anyio"]
        return self.pytester.runpytest_subprocess(*extra, *args, timeout=timeout)

    @property
    def registry(self) -> Path:
        return self.path / ".pytest_contracts" / "registry.db"


@pytest.fixture
def project(pytester: pytest.Pytester, clean_env: pytest.MonkeyPatch) -> Project:
    return Project(pytester)


REQUIREMENTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["project", "requirements"],
    "properties": {
        "project": {"type": "string", "minLength": 1},
        "contact": {"type": "string", "format": "email"},
        "requirements": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "text"],
                "properties": {"id": {"type": "string", "pattern": "^REQ-[0-9]+$"}},
            },
        },
    },
}
