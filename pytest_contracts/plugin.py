"""The pytest11 entry point of pytest-contracts: options, markers, fixtures, hooks.

Thin on purpose: each hook parses, checks and hands off to the
:class:`~pytest_contracts.session.ContractsSession` kept in ``config.stash``.
Nothing heavy is imported here, so a suite that uses no contract pays almost
nothing for the plugin being installed.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from .session import ContractsSession, ContractWarning, read_settings

if TYPE_CHECKING:
    from .bridge import ContractManagerClient, StateManagerClient
    from .session import PhaseOutput

__all__ = ["ContractWarning"]

SESSION = pytest.StashKey[ContractsSession]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contracts", "contract-checked phase boundaries (pytest-contracts)")

    def option(flag: str, ini_type: str, help: str, **kwargs: Any) -> None:
        dest = flag.lstrip("-").replace("-", "_")
        group.addoption(flag, dest=dest, default=None, help=help, **kwargs)
        parser.addini(dest, help=help, type=ini_type)  # type: ignore[arg-type]

    option(
        "--contracts-redis",
        "string",
        "use a real Redis for the registry cache (URL from --contracts-redis-url, "
        "REDIS_URL or REDIS_HOST/REDIS_PORT/REDIS_DB); without it, fakeredis",
        action="store_true",
    )
    option("--contracts-redis-url", "string", "the Redis URL for --contracts-redis", metavar="URL")
    option(
        "--contracts-db",
        "string",
        "SQLAlchemy async URL of the registry (else DATABASE_URL, else "
        "<rootdir>/.pytest_contracts/registry.db)",
        metavar="URL",
    )
    option(
        "--contracts-team",
        "string",
        "the team whose contracts apply (default: default)",
        metavar="NAME",
    )
    option(
        "--contracts-dir",
        "string",
        "load the contract files (*.json) in this folder at session start",
        metavar="PATH",
    )
    option(
        "--contracts-gate",
        "string",
        "CI gate: fail on any violation, missing contract or unavailable registry",
        action="store_true",
    )
    option(
        "--contracts-report", "string", "write the JSON report of every check here", metavar="PATH"
    )
    option(
        "--contracts-engine",
        "string",
        "the validation engine: jsonschema (default) or jsonschema-rs "
        '(faster; pip install "pytest-contracts[fast]")',
        metavar="NAME",
    )
    option(
        "--contracts-max-output-bytes",
        "string",
        "refuse a recorded phase output larger than this as JSON (default 16 MiB; 0: no limit)",
        metavar="N",
    )
    parser.addini(
        "contracts_phases",
        "the SDLC phases in order (default: requirements design implementation testing deployment)",
        type="linelist",
    )


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "phase_boundary(source, destination, contract=None, team=None, version=None): the "
        "test's recorded outputs cross this phase boundary and are checked against its "
        "contract (default name phase_boundary_<source>_to_<destination>)",
    )
    config.addinivalue_line(
        "markers",
        "contract(name, team=None, version=None): the test's recorded outputs are checked "
        "against this contract (the active version, or the pinned one)",
    )
    contracts = ContractsSession(config, read_settings(config))
    config.stash[SESSION] = contracts
    # The session object receives the test reports itself (as pytest-xdist's
    # DSession does), so it can gather every check, wherever it ran.
    config.pluginmanager.register(contracts, "pytest_contracts_session")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(contracts), "pytest_contracts_xdist")


class XdistHooks:
    """Registered only when pytest-xdist is installed: its hooks exist only then."""

    def __init__(self, contracts: ContractsSession) -> None:
        self.contracts = contracts

    def pytest_testnodeready(self, node: Any) -> None:
        self.contracts.workers += 1

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        data = getattr(node, "workeroutput", {}).get("pytest_contracts")
        if data:
            self.contracts.merge_worker(data)


def _session(config: pytest.Config) -> ContractsSession:
    return config.stash[SESSION]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # tryfirst: contract files are loaded before pytest-xdist starts workers.
    _session(session.config).start()


def pytest_report_header(config: pytest.Config) -> list[str]:
    contracts = _session(config)
    info = contracts.registry_info()
    line = (
        f"contracts: registry {info['database']} ({info['database_url']}) + {info['cache']}, "
        f"team {contracts.settings.team!r}, gate {'on' if contracts.settings.gate else 'off'}"
    )
    if contracts.settings.engine != "jsonschema":
        line += f", engine {contracts.settings.engine}"
    return [line] + (
        [f"contracts: loaded {contracts.load_summary}"] if contracts.load_summary else []
    )


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    report = yield
    if report.passed and report.result:
        contracts = _session(collector.config)
        problems = [
            problem
            for node in report.result
            if isinstance(node, pytest.Item) and (problem := contracts.collect_targets(node))
        ]
        if problems:
            report.outcome = "failed"
            report.longrepr = "invalid contract marker:\n" + "\n".join(problems)
            report.result = []
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    contracts = _session(item.config)
    try:
        yield  # the test body
    except BaseException:
        contracts.discard_outputs(item)  # it failed: there is nothing to check
        raise
    results = contracts.check_item(item)
    if results:
        contracts.conclude_call(item, results)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _session(session.config).finish(session, exitstatus)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    _session(config).terminal_summary(terminalreporter)


def pytest_unconfigure(config: pytest.Config) -> None:
    contracts = config.stash.get(SESSION, None)
    if contracts is None:
        return
    for name in ("pytest_contracts_session", "pytest_contracts_xdist"):
        plugin = config.pluginmanager.get_plugin(name)
        if plugin is not None:
            config.pluginmanager.unregister(plugin)
    try:
        if not contracts.report_written and contracts.report_error is None:
            # The session stopped before it finished (a usage error at start):
            # nothing was checked, so a gate cannot have passed.
            if contracts.settings.gate and contracts.gate_reason is None:
                contracts.gate_reason = "the session stopped before its contracts were checked" + (
                    f": {contracts.start_error}" if contracts.start_error else ""
                )
            contracts.write_report(int(pytest.ExitCode.USAGE_ERROR), interrupted=True)
            if contracts.report_error:
                sys.stderr.write(f"pytest-contracts: {contracts.report_error}\n")
    finally:
        contracts.close()


@pytest.fixture(scope="session")
def state_manager(pytestconfig: pytest.Config) -> StateManagerClient:
    """The session's StateManager. Coroutine methods (``health_check()``) return
    an awaitable that also has ``.result()`` for sync tests."""
    from .errors import ContractError

    try:
        return _session(pytestconfig).state_client()
    except (ContractError, OSError) as exc:
        _registry_unusable(exc)


@pytest.fixture(scope="session")
def contract_manager(pytestconfig: pytest.Config) -> ContractManagerClient:
    """The session's ContractManager: ``await contract_manager.create_contract(...)``
    from async tests on any loop, ``contract_manager.create_contract(...).result()``
    from sync tests."""
    from .errors import ContractError

    try:
        return _session(pytestconfig).manager_client()
    except (ContractError, OSError) as exc:
        _registry_unusable(exc)


def _registry_unusable(exc: BaseException) -> NoReturn:
    """A registry that cannot be reached fails the test in one line, not with
    a traceback through the plugin."""
    pytest.fail(f"pytest-contracts: the registry cannot be used: {exc}", pytrace=False)


@pytest.fixture
def phase_output(request: pytest.FixtureRequest) -> PhaseOutput:
    """Records this test's phase outputs: ``phase_output.record(data)``; they are
    checked against the contract its marker declares when the test body returns."""
    return _session(request.config).phase_output(request.node)
