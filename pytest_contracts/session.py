"""One pytest run's contracts: wires the registry, the checker and the summary.

``plugin.py`` builds one :class:`ContractsSession` per run and hands each
hook to it. The session opens the registry on first need (a suite that never
uses a contract never opens it), parses each test's markers, hands the
outputs a test recorded to the :class:`~pytest_contracts.checker.Checker`
when its body returns, and attaches the results to the test, where the
:class:`~pytest_contracts.summary.ContractsSummary` of the reporting process
finds them. Heavy imports (SQLAlchemy, redis, jsonschema) happen only when
the registry or a validator is first needed.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .checker import CALL_TIMEOUT, Checker, Tally
from .errors import BreakingChangeError, ContractError, MarkerError
from .interrupts import Interrupts
from .markers import Target, targets_of
from .recorder import ContractWarning, PhaseOutput
from .reporting import PROPERTY, CheckResult, failure_text
from .settings import Settings
from .summary import ContractsSummary, XdistControllerHooks, XdistWorkerHooks, report_header

if TYPE_CHECKING:
    from .bridge import ContractManagerClient, RegistryLoop, StateManagerClient
    from .journal import Replay
    from .registry.connections import StateManager
    from .registry.manager import ContractManager

#: A test's targets, parsed from its markers at collection.
TARGETS = pytest.StashKey[tuple[Target, ...]]()
#: A test's ``phase_output`` recorder, when it asked for one.
RECORDER = pytest.StashKey[PhaseOutput]()
#: Outcomes of a declared contract that was not checked: a ContractWarning
#: outside the gate, a failure of the test under it.
UNCHECKED = ("missing", "unavailable", "not_recorded")


def _record_advice(target: Target) -> str:
    """What to do about a declared contract whose test recorded nothing."""
    if target.source is not None:
        marker = f"phase_boundary({target.source!r}, {target.destination!r}, required=False)"
    else:
        marker = f"contract({target.contract_name!r}, required=False)"
    return (
        "record one with phase_output.record(...) in the test, or, if recording nothing is "
        f"legitimate, mark it @pytest.mark.{marker}"
    )


class ContractsSession:
    """The plugin's state for one pytest run, in every process of the run."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.is_controller = not hasattr(config, "workerinput")
        self._loop: RegistryLoop | None = None
        self._state: StateManager | None = None
        self._manager: ContractManager | None = None
        self._settled = False
        #: The registry's journal folder, known once the registry is open.
        self.journal: Path | None = None
        #: What the replays of journals left behind did, at start and at the end.
        self.replays: list[Replay] = []
        #: Records that wait in a journal when the session ends (controller).
        self._waiting: Replay | None = None
        self.checker = Checker(
            self.registry,
            engine=settings.engine,
            check_timeout=settings.check_timeout,
            keep_outputs=settings.html_path is not None,
        )
        #: Only the reporting process has a summary.
        self.summary = (
            ContractsSummary(config, settings, self.settle, self.unresolved_breaks)
            if self.is_controller
            else None
        )
        #: The plugin objects to register besides plugin.py, by name.
        self.plugins: dict[str, object] = {}
        if self.summary is not None:
            self.summary.replays = self.replays
            self.summary.journal = lambda: self.journal
            self.plugins["pytest_contracts_summary"] = self.summary
        if config.pluginmanager.hasplugin("xdist"):
            # Only when pytest-xdist is installed: its hooks exist only then.
            self.plugins["pytest_contracts_xdist"] = (
                XdistControllerHooks(self.summary)
                if self.summary is not None
                else XdistWorkerHooks(self.settle, self.journal_waiting)
            )
        #: SIGTERM and SIGHUP interrupt the run as Ctrl-C does, in the reporting process.
        self.interrupts = Interrupts()
        if self.is_controller:
            self.interrupts.install()

    # -- the registry, opened on first need ------------------------------------------
    def registry(self) -> tuple[RegistryLoop, ContractManager]:
        if self._loop is None or self._manager is None:
            from .bridge import RegistryLoop
            from .errors import ConfigurationError
            from .registry.connections import StateManager
            from .registry.manager import ContractManager

            if self.settings.configuration_error is not None:
                raise ConfigurationError(self.settings.configuration_error)

            loop = RegistryLoop()
            try:
                state = loop.run(
                    StateManager.create(
                        self.settings.database_url,
                        redis_url=self.settings.redis_url if self.settings.use_real_redis else None,
                        use_real_redis=self.settings.use_real_redis,
                    )
                )
            except BaseException:
                loop.close()
                raise
            manager = ContractManager(state)
            self._loop, self._state, self._manager = loop, state, manager
            self._open_journal(loop, manager)
        return self._loop, self._manager

    # -- the journal --------------------------------------------------------------------
    def _open_journal(self, loop: RegistryLoop, manager: ContractManager) -> None:
        """Write this process's records through a journal, and (in the
        reporting process) store what earlier processes left in one."""
        from .journal import journal_directory
        from .writer import ValidationWriter

        self.journal = journal_directory(manager.state, self.config.rootpath)
        if self.checker.writer is None:
            self.checker.writer = ValidationWriter(loop, manager, self.journal)
        if self.is_controller:
            self.replays.append(self._replay(loop, manager))

    def _replay(self, loop: RegistryLoop, manager: ContractManager) -> Replay:
        from .journal import Replay, replay

        try:
            return loop.run(replay(manager, self.journal), CALL_TIMEOUT)
        except Exception as exc:  # the registry broke meanwhile: the files stay
            return Replay(self.journal, error=f"{type(exc).__name__}: {exc}")

    def journal_waiting(self) -> int:
        """How many of this process's records wait in its journal (after settle)."""
        writer = self.checker.writer
        return writer.waiting if writer is not None else 0

    def _replay_at_end(self) -> Replay | None:
        """Store what the processes of this run (a killed xdist worker, this
        process when the registry failed) left in journals; what stays there
        is counted. None when the registry cannot even be opened."""
        if self._loop is None and not (self.summary is not None and self.summary.results):
            return None  # nothing was checked: no records
        try:
            loop, manager = self.registry()
        except (ContractError, OSError):
            return None
        done = self._replay(loop, manager)
        self.replays.append(done)
        if done.error is not None:
            from .journal import waiting_records

            done.waiting = waiting_records(self.journal)
        return done

    def state_client(self) -> StateManagerClient:
        from .bridge import StateManagerClient

        loop, _ = self.registry()
        return StateManagerClient(self._state, loop)

    def manager_client(self) -> ContractManagerClient:
        from .bridge import ContractManagerClient

        loop, manager = self.registry()
        return ContractManagerClient(manager, loop)

    def start(self) -> None:
        """Session start: connect at once when real Redis was asked for (so an
        unreachable one stops the run now), and load contract files."""
        from .config import mask_url

        summary = self.summary
        if summary is None:  # an xdist worker: the controller did this
            return
        if not (self.settings.use_real_redis or self.settings.contracts_dir):
            return
        try:
            loop, manager = self.registry()
            if self.settings.contracts_dir is not None:
                from .registry.files import read_contract_dir
                from .registry.loading import load_contract_files

                files = read_contract_dir(
                    self.settings.contracts_dir,
                    self.settings.team,
                    warn=lambda text: self.config.issue_config_time_warning(
                        ContractWarning(text), stacklevel=2
                    ),
                )
                # Without the gate, an undeclared break is loaded as a draft, with a warning.
                result = loop.run(
                    load_contract_files(manager, files, gate=self.settings.gate), CALL_TIMEOUT
                )
                counts, *warned = result.summary().splitlines()
                summary.load_summary = "\n".join(
                    [f"{counts} from {self.settings.contracts_dir}", *warned]
                )
                summary.compat_findings = result.findings
                for text in result.warnings:  # an error under -W error: stop the run
                    self.config.issue_config_time_warning(ContractWarning(text), stacklevel=2)
        except (ContractError, ContractWarning) as exc:
            summary.start_error = self._redact(str(exc).splitlines()[0])
            if isinstance(exc, BreakingChangeError):  # the gate refused these files
                summary.compat_findings = list(exc.findings)
            raise pytest.UsageError(f"pytest-contracts: {self._redact(str(exc))}") from None
        except OSError as exc:
            summary.start_error = (
                f"the registry at {mask_url(self.settings.database_url)} cannot be used: "
                f"{self._redact(str(exc))}"
            )
            raise pytest.UsageError(f"pytest-contracts: {summary.start_error}") from None

    def _redact(self, text: str) -> str:
        from .config import redact

        return redact(text, self.settings.database_url, self.settings.redis_url)

    def unresolved_breaks(self, contracts: set[tuple[str, str]]) -> list[str]:
        """The registry's undeclared, unaccepted breaks of these contracts
        (the gate fails on them), one line each; a line saying so when the
        registry cannot tell."""
        from .config import mask_url
        from .registry.loading import unresolved_breaks

        try:
            loop, manager = self.registry()
            return loop.run(unresolved_breaks(manager, contracts), CALL_TIMEOUT)
        except (ContractError, OSError) as exc:
            where = mask_url(self.settings.database_url)
            return [f"the registry at {where} could not be asked about them: {exc}"]

    def header_lines(self) -> list[str]:
        loaded = self.summary.load_summary if self.summary is not None else None
        return report_header(self.settings, loaded)

    # -- collection ---------------------------------------------------------------------
    def check_markers(self, report: pytest.CollectReport) -> None:
        """Parse the markers of the collected tests; a test whose markers cannot
        be used fails the collection, naming the test and the marker."""
        if not (report.passed and report.result):
            return
        problems = [
            problem
            for node in report.result
            if isinstance(node, pytest.Item) and (problem := self._collect_targets(node))
        ]
        if problems:
            report.outcome = "failed"
            report.longrepr = "invalid contract marker:\n" + "\n".join(problems)
            report.result = []

    def _collect_targets(self, item: pytest.Item) -> str | None:
        try:
            item.stash[TARGETS] = targets_of(item.iter_markers(), self.settings.phases)
        except MarkerError as exc:
            return f"{item.nodeid}: {exc}"
        return None

    # -- a test's outputs -----------------------------------------------------------------
    def phase_output(self, item: pytest.Item) -> PhaseOutput:
        # Parsed again here: a conftest may have added markers after collection.
        try:
            targets = targets_of(item.iter_markers(), self.settings.phases)
        except MarkerError as exc:
            pytest.fail(f"{item.nodeid}: {exc}", pytrace=False)
        recorder = item.stash[RECORDER] = PhaseOutput(
            item.nodeid, targets, self.settings.max_output_bytes
        )
        return recorder

    def discard_outputs(self, item: pytest.Item) -> None:
        recorder = item.stash.get(RECORDER, None)
        if recorder is not None:
            recorder.close()

    def check_item(self, item: pytest.Item) -> list[CheckResult]:
        """Check what the test recorded, and that each declared contract exists."""
        recorder = item.stash.get(RECORDER, None)
        outputs = recorder.close() if recorder is not None else []
        declared = recorder.targets if recorder is not None else item.stash.get(TARGETS, ())
        results = []
        seen: dict[Target, int] = {}
        for target, data in outputs:
            index = seen[target] = seen.get(target, -1) + 1
            results.append(
                self.checker.check(
                    target.team or self.settings.team,
                    target.contract_name,
                    data,
                    subject=item.nodeid,
                    version=target.version,
                    kind=target.kind,
                    boundary=target.boundary,
                    output_index=index,
                )
            )
        # A declared contract whose test recorded nothing was not checked: the
        # gate must not pass it (not_recorded), unless the marker says that
        # recording nothing is legitimate; even then it needs a contract.
        for target in declared:
            if target in seen:
                continue
            check = self.checker.check_defined
            if target.required:
                check = functools.partial(
                    self.checker.check_unrecorded, advice=_record_advice(target)
                )
            result = check(
                target.team or self.settings.team,
                target.contract_name,
                subject=item.nodeid,
                version=target.version,
                kind=target.kind,
                boundary=target.boundary,
            )
            if result is not None:
                results.append(result)
        return results

    def conclude_call(self, item: pytest.Item, results: list[CheckResult]) -> None:
        """Attach the results to the test, then warn or fail as the mode says."""
        for result in results:
            item.user_properties.append((PROPERTY, result.to_json()))
            item.user_properties.append(("contract", result.contract))
            item.user_properties.append(("contract_version", result.version or ""))
            item.user_properties.append(("contract_result", result.outcome))
        failing = {"failed", "error"} | (set(UNCHECKED) if self.settings.gate else set())
        if any(r.outcome in failing for r in results):
            pytest.fail(failure_text([r for r in results if r.outcome != "passed"]), pytrace=False)
        path, line, _ = item.location
        for result in results:
            if result.outcome in UNCHECKED:
                warning = ContractWarning(
                    f"{result.label}: {result.message} (the test's own outcome stands; "
                    "--contracts-gate makes this a failure)"
                )
                try:
                    # Attributed to the test, not to this module.
                    warnings.warn_explicit(
                        warning,
                        category=ContractWarning,
                        filename=str(item.config.rootpath / path),
                        lineno=(line or 0) + 1,
                    )
                except ContractWarning:  # a warnings filter made it an error
                    pytest.fail(f"ContractWarning: {warning}", pytrace=False)

    # -- the end ---------------------------------------------------------------------------
    def settle(self) -> Tally:
        """This process's tally, once its validation records are written or
        counted as unstored; they are waited for once (at session finish)."""
        if not self._settled:
            self._settled = True
            self.checker.flush()
            if self.is_controller:
                self._waiting = self._replay_at_end()
        tally = self.checker.tally()
        if not self.is_controller:
            return tally  # what waits in its journal goes with the tally (journal_waiting)
        waiting = self._waiting
        if waiting is None:
            # The journals could not be looked at: count what each process
            # said it left there.
            left = self.journal_waiting()
            if self.summary is not None:
                left += self.summary.journal_waiting
            if left:
                where = f"{left} wait in the journal folder {self.journal or 'of the registry'}"
                return dataclasses.replace(
                    tally,
                    unstored=tally.unstored + left,
                    unstored_error=f"{tally.unstored_error}; {where}"
                    if tally.unstored_error
                    else where,
                )
            return tally
        if waiting.waiting:
            return dataclasses.replace(
                tally,
                unstored=tally.unstored + waiting.waiting,
                unstored_error=(
                    f"{waiting.waiting} wait in the journal folder {waiting.directory} "
                    f"({waiting.error or tally.unstored_error}); the next session or "
                    "pytest-contracts command on this registry stores them"
                ),
            )
        return tally

    def close(self) -> None:
        """Unregister the plugin objects, flush what is left and release the registry."""
        self.interrupts.restore()
        manager = self.config.pluginmanager
        for name in self.plugins:
            plugin = manager.get_plugin(name)
            if plugin is not None:
                manager.unregister(plugin)
        loop, self._loop = self._loop, None
        if loop is None:
            return
        try:
            self.checker.flush()
            if self._state is not None:
                loop.run(self._state.close(), CALL_TIMEOUT)
        finally:
            loop.close()
