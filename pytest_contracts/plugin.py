"""The pytest11 entry point of pytest-contracts: options, markers, fixtures, hooks.

Thin on purpose: each hook hands off to the
:class:`~pytest_contracts.session.ContractsSession` kept in ``config.stash``;
the reporting process's :class:`~pytest_contracts.summary.ContractsSummary`
receives its hooks itself. Nothing heavy is imported here, so a suite that
uses no contract pays almost nothing for the plugin being installed.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from .recorder import ContractWarning
from .session import ContractsSession
from .settings import read_settings

if TYPE_CHECKING:
    from .bridge import ContractManagerClient, StateManagerClient
    from .recorder import PhaseOutput

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
    option(
        "--contracts-redis-url",
        "string",
        "use a real Redis at this URL for the registry cache (implies --contracts-redis)",
        metavar="URL",
    )
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
        "CI gate: fail on any violation, missing contract, unavailable registry, or "
        "declared contract with no recorded output",
        action="store_true",
    )
    option(
        "--contracts-report", "string", "write the JSON report of every check here", metavar="PATH"
    )
    option(
        "--contracts-html",
        "string",
        "write the HTML report of the session here (one self-contained file)",
        metavar="PATH",
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
    option(
        "--contracts-check-timeout",
        "string",
        "stop a check that takes longer than this many seconds and report it as an error "
        "(default 10; 0 or none: no limit)",
        metavar="SECONDS",
    )
    option(
        "--contracts-format",
        "string",
        "extra output for CI: github (workflow annotations at the tests and contract files, "
        "and a table in $GITHUB_STEP_SUMMARY; the default when GITHUB_ACTIONS=true) or none",
        metavar="NAME",
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
        "contract (default name phase_boundary_<source>_to_<destination>); add "
        "required=False when the test may legitimately record nothing",
    )
    config.addinivalue_line(
        "markers",
        "contract(name, team=None, version=None): the test's recorded outputs are checked "
        "against this contract (the active version, or the pinned one); add required=False "
        "when the test may legitimately record nothing",
    )
    contracts = ContractsSession(config, read_settings(config))
    config.stash[SESSION] = contracts
    for name, plugin in contracts.plugins.items():
        config.pluginmanager.register(plugin, name)
    # A cleanup, not pytest_unconfigure: it runs even when an unconfigure hook fails.
    config.add_cleanup(contracts.close)


def _session(config: pytest.Config) -> ContractsSession:
    return config.stash[SESSION]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # tryfirst: contract files are loaded before pytest-xdist starts workers.
    _session(session.config).start()


def pytest_report_header(config: pytest.Config) -> list[str]:
    return _session(config).header_lines()


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    report = yield
    _session(collector.config).check_markers(report)
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
