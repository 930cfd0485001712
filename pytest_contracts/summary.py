"""The controller's view of the run: every check result, the gate verdict, the
JSON report and the terminal section.

:class:`ContractsSummary` is a plugin object of its own, registered only in
the process that reports (the only process of a plain run, the controller
under pytest-xdist), as pytest-xdist registers its ``TerminalDistReporter``.
Results reach it as JSON in the reports' ``user_properties``, wherever the
test ran; what the checkers could not do reaches it as a
:class:`~pytest_contracts.checker.Tally`: this process's own, and each xdist
worker's through :class:`XdistWorkerHooks` and :class:`XdistControllerHooks`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .annotations import (
    Location,
    check_annotations,
    file_annotations,
    step_summary,
    workflow_command,
    workspace_path,
)
from .checker import Tally
from .reporting import (
    PROPERTY,
    CheckResult,
    build_report,
    compat_lines,
    summary_lines,
    totals,
    write_json_atomically,
    write_text_atomically,
)
from .settings import Settings

if TYPE_CHECKING:
    from .journal import Replay

#: Where an xdist worker leaves its tally in ``workeroutput``.
WORKEROUTPUT_KEY = "pytest_contracts"
#: The tally's companion: how many of the worker's records wait in its journal.
JOURNAL_KEY = "journal_waiting"

#: Options under which pytest runs no test (--markers, --fixtures, --help,
#: --collect-only): a report then would overwrite the last real one.
_LISTING_OPTIONS = ("markers", "showfixtures", "show_fixtures_per_test", "help", "collectonly")


def _ends_a_line(path: str) -> bool:
    """Whether the file is empty, missing or ends with a line break."""
    try:
        with open(path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"
    except OSError:  # empty (no byte before the end), missing, unreadable
        return True


def report_header(settings: Settings, load_summary: str | None) -> list[str]:
    """The lines under pytest's own header: where the registry is, and what
    the contract files loaded."""
    info = settings.describe_registry()
    line = (
        f"contracts: registry {info['database']} ({info['database_url']}) + {info['cache']}, "
        f"team {settings.team!r}, gate {'on' if settings.gate else 'off'}"
    )
    if settings.engine != "jsonschema":
        line += f", engine {settings.engine}"
    if settings.output_format != "none":
        line += f", format {settings.output_format}"
    return [line] + ([f"contracts: loaded {load_summary}"] if load_summary else [])


class ContractsSummary:
    """Gathers the checks of the session and reports them.

    ``local`` returns this process's own tally, once its validation records
    are settled (written, or counted as unstored): the gate counts records
    that could not be stored.
    """

    def __init__(
        self,
        config: pytest.Config,
        settings: Settings,
        local: Callable[[], Tally],
        unresolved: Callable[[set[tuple[str, str]]], list[str]] | None = None,
    ):
        self.config = config
        self.settings = settings
        self._local = local
        #: The registry's unresolved breaks of these (team, contract) pairs, one line each.
        self._unresolved = unresolved
        self.started_at = datetime.now(UTC)
        self.results: list[CheckResult] = []
        #: Set at session start by whoever loads the contract files.
        self.load_summary: str | None = None
        self.compat_findings: list[dict[str, Any]] = []
        #: Why the session could not start (a contract file, the registry).
        self.start_error: str | None = None
        self.workers = 0
        self._from_workers = Tally()
        #: Records the xdist workers said they left in their journals.
        self.journal_waiting = 0
        #: What replays of journals left behind did (the session fills it).
        self.replays: list[Replay] = []
        #: The registry's journal folder, once known (the session sets it).
        self.journal: Callable[[], Path | None] = lambda: None
        self.gate_reason: str | None = None
        self.report_written = False
        #: Each report written, with the word the terminal names it by.
        self.written: list[tuple[str, Path]] = []
        self.report_error: str | None = None
        #: Each checked test's place (file and line), by node id: for annotations.
        self.locations: dict[str, Location] = {}
        self._annotated = False
        self._step_summary_written = False
        option = config.option
        self.test_run = not any(getattr(option, name, False) for name in _LISTING_OPTIONS)

    # -- gathering ------------------------------------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        hook = self.config.hook
        for name, value in report.user_properties:
            if name != PROPERTY:
                continue
            result = CheckResult.from_dict(_loads(value))
            self.results.append(result)
            if result.test not in self.locations:
                self.locations[result.test] = self._location(report)
            hook.pytest_contracts_validation_result(result=result, config=self.config)
            for violation in result.violations:
                hook.pytest_contracts_violation(
                    violation=violation, result=result, config=self.config
                )

    def _location(self, report: pytest.TestReport) -> Location:
        """A test's file (as the repository names it) and line, from its report."""
        path, line, _ = report.location
        return Location(self._path(str(path)), None if line is None else line + 1)

    def _path(self, path: str) -> str:
        root = self.config.rootpath
        return workspace_path(root / path, os.environ.get("GITHUB_WORKSPACE"), root)

    def merge_worker(self, data: dict[str, Any]) -> None:
        """Add what an xdist worker could not do (its ``workeroutput``)."""
        self._from_workers = self._from_workers.combined(Tally.from_dict(data))
        self.journal_waiting += int(data.get(JOURNAL_KEY, 0))

    def tally(self) -> Tally:
        """Every process's tally as one; this process's own errors come first."""
        return self._from_workers.combined(self._local())

    # -- the verdict and the report -------------------------------------------------
    def gate_verdict(self) -> str | None:
        """Why the gate fails, or None when it passes."""
        counts = totals(self.results)
        reasons = []
        if counts["failed"]:
            reasons.append(f"{counts['failed']} check(s) found contract violations")
        if counts["error"]:
            reasons.append(f"{counts['error']} check(s) could not apply their schema")
        if counts["missing"]:
            reasons.append(f"{counts['missing']} declared contract(s) had no active version")
        if counts["not_recorded"]:
            reasons.append(
                f"{counts['not_recorded']} declared contract(s) had no output recorded by "
                "their test"
            )
        if counts["unavailable"]:
            reasons.append(f"the registry was unavailable for {counts['unavailable']} check(s)")
        unstored = self.tally().unstored
        if unstored:
            reasons.append(f"{unstored} validation record(s) could not be stored in the registry")
        # When the registry failed, the gate fails for that already: it is not asked again.
        if self._unresolved is not None and self.results and not counts["unavailable"]:
            breaks = self._unresolved({(r.team, r.contract) for r in self.results})
            if breaks:
                reasons.append(
                    f"{len(breaks)} undeclared break(s) of a declared contract nobody accepted: "
                    + "; ".join(breaks)
                )
        return "; ".join(reasons) or None

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # trylast: other plugins may still change the exit status the report gives.
        if self.settings.gate:
            self.gate_reason = self.gate_verdict()
            if self.gate_reason and session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        if self.settings.gate and interrupted and self.gate_reason is None:
            # Part of a run vouches for nothing: what did not run was not checked.
            self.gate_reason = "the session was interrupted before every test ran"
        self.write_report(int(session.exitstatus), interrupted=interrupted)
        self.write_step_summary()

    @pytest.hookimpl(tryfirst=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # tryfirst: before the registry is closed. No report yet means the
        # session stopped before it finished (a usage error at start): nothing
        # was checked, so a gate cannot have passed.
        try:
            if self.report_written or self.report_error is not None:
                return
            if self.settings.gate and self.gate_reason is None:
                self.gate_reason = "the session stopped before its contracts were checked" + (
                    f": {self.start_error}" if self.start_error else ""
                )
            self.write_report(int(pytest.ExitCode.USAGE_ERROR), interrupted=True)
            if self.report_error:
                sys.stderr.write(f"pytest-contracts: {self.report_error}\n")
        finally:
            # What the terminal summary did not print (the session stopped at
            # start, or runs without the terminal plugin) is printed now.
            self.annotate(self.config.pluginmanager.get_plugin("terminalreporter"))
            self.write_step_summary()

    def registry_info(self) -> dict[str, Any]:
        journal = self.journal()
        return {
            "unstored_validations": self.tally().unstored,
            "replayed_validations": sum(replay.stored for replay in self.replays),
            "journal": str(journal) if journal is not None else None,
            **self.settings.describe_registry(),
        }

    def circuit_info(self) -> dict[str, Any]:
        skipped = [r for r in self.results if r.message and "circuit breaker" in r.message]
        tally = self.tally()
        return {
            "opened": bool(skipped) or tally.breaker_opened,
            "failures": tally.breaker_failures,
            "skipped_calls": len(skipped),
            "reason": skipped[0].message if skipped else tally.breaker_error,
        }

    def write_report(self, exitstatus: int, *, interrupted: bool) -> None:
        """Write the JSON and the HTML report, each that was asked for, in one piece."""
        json_path, html_path = self.settings.report_path, self.settings.html_path
        if (json_path is None and html_path is None) or not self.test_run:
            return
        finished = datetime.now(UTC)
        data = build_report(
            results=self.results,
            session={
                "started_at": self.started_at.isoformat(),
                "finished_at": finished.isoformat(),
                "duration_s": (finished - self.started_at).total_seconds(),
                "exitstatus": exitstatus,
                "interrupted": interrupted,
                "pytest_version": pytest.__version__,
                "plugin_version": _plugin_version(),
                "rootdir": str(self.config.rootpath),
                "team": self.settings.team,
                "workers": self.workers,
            },
            registry=self.registry_info(),
            gate={
                "enabled": self.settings.gate,
                "passed": self.gate_reason is None,
                "reason": self.gate_reason,
            },
            circuit=self.circuit_info(),
            compatibility=self.compat_findings,
        )
        errors = []
        if json_path is not None:
            try:
                write_json_atomically(json_path, data)
                self.written.append(("report", json_path))
            except (OSError, UnicodeError) as exc:
                errors.append(f"the JSON report could not be written to {json_path}: {exc}")
        if html_path is not None:
            from .htmlreport.session import render_session

            text = render_session(data, self.results, self.settings.phases)
            try:
                write_text_atomically(html_path, text)
                self.written.append(("html report", html_path))
            except (OSError, UnicodeError) as exc:
                errors.append(f"the HTML report could not be written to {html_path}: {exc}")
        if errors:
            self.report_error = "; ".join(errors)
        else:
            self.report_written = True

    # -- GitHub Actions ---------------------------------------------------------------
    @property
    def github(self) -> bool:
        return self.settings.output_format == "github" and self.test_run

    def annotate(self, reporter: Any) -> None:
        """Print the workflow annotations (once): each check that did not pass,
        at its test; each contract file with an undeclared break. They go to
        stdout, where GitHub Actions reads them, whatever the verbosity."""
        if not self.github or self._annotated:
            return
        self._annotated = True
        lines = file_annotations(
            self.compat_findings, gate=self.settings.gate, path_of=self._path
        ) + check_annotations(self.results, self.locations, gate=self.settings.gate)
        if self.start_error and not any(line.startswith("::error") for line in lines):
            # The session stopped at start, and nothing above says why at error level.
            lines.insert(0, workflow_command("error", self.start_error, title="pytest-contracts"))
        for line in lines:
            if reporter is not None:
                reporter.write_line(line)
            else:
                sys.stdout.write(line + "\n")

    def write_step_summary(self) -> None:
        """Append the run's table and verdict to ``$GITHUB_STEP_SUMMARY`` (once;
        appended, as every step's summary is)."""
        target = os.environ.get("GITHUB_STEP_SUMMARY")
        if not self.github or not target or self._step_summary_written:
            return
        self._step_summary_written = True
        text = step_summary(
            self.results,
            gate=self.settings.gate,
            gate_reason=self.gate_reason,
            findings=self.compat_findings,
            start_error=self.start_error,
            path_of=self._path,
        )
        if not _ends_a_line(target):  # what the step before wrote keeps its last line
            text = "\n" + text
        try:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            sys.stderr.write(
                f"pytest-contracts: the step summary could not be written to {target}: {exc}\n"
            )

    # -- the terminal -----------------------------------------------------------------
    # trylast: the contracts section comes after the sections of conftests and
    # other plugins, as it did when this hook lived in the plugin module.
    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        try:
            self._terminal_section(terminalreporter)
        finally:
            # After the section: the annotations are for GitHub to read, not for people.
            self.annotate(terminalreporter)

    def _terminal_section(self, reporter: Any) -> None:
        verbosity = self.config.get_verbosity()
        if verbosity < -1:
            return
        tally = self.tally()
        something = (
            self.results
            or any(replay.stored or replay.dropped for replay in self.replays)
            or self.settings.gate
            or tally.unstored
            or self.report_error
            or (self.load_summary and verbosity >= 0)
        )
        if not something:
            return
        reporter.write_sep("=", "contracts")
        if self.load_summary and verbosity >= 0:
            reporter.write_line(f"loaded {self.load_summary}")
        for line in compat_lines(self.compat_findings, verbosity):
            reporter.write_line(line, yellow=line.startswith("BREAKING"))
        if self.results:
            for line in summary_lines(self.results, verbosity):
                reporter.write_line(line)
        for replay in self.replays:
            if replay.stored or replay.dropped:
                replay_line = dataclasses.replace(replay, waiting=0).describe()
                reporter.write_line(f"journal: {replay_line}")
        circuit = self.circuit_info()
        if circuit["skipped_calls"]:
            reporter.write_line(
                f"circuit breaker: the registry kept failing, so {circuit['skipped_calls']} "
                "check(s) were not made",
                yellow=True,
            )
        if tally.unstored:
            reporter.write_line(
                f"{tally.unstored} validation record(s) are not in the registry "
                f"({tally.unstored_error}); the JSON report has the checks",
                yellow=True,
            )
        if self.report_error:
            reporter.write_line(self.report_error, red=True)
        if self.settings.gate:
            if self.gate_reason:
                reporter.write_line(
                    f"contracts gate: FAILED: {self.gate_reason}", red=True, bold=True
                )
            else:
                reporter.write_line("contracts gate: passed", green=True)
        for label, path in self.written:
            reporter.write_line(f"{label}: {path}")


class XdistControllerHooks:
    """The controller's side of pytest-xdist: counts the workers and adds up
    their tallies. Registered only when xdist is installed: its hooks exist
    only then."""

    def __init__(self, summary: ContractsSummary) -> None:
        self.summary = summary

    def pytest_testnodeready(self, node: Any) -> None:
        self.summary.workers += 1

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        data = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
        if data:
            self.summary.merge_worker(data)


class XdistWorkerHooks:
    """A worker's side of pytest-xdist: at the end of its session, it settles
    its validation records and leaves its tally for the controller."""

    def __init__(self, local: Callable[[], Tally], waiting: Callable[[], int]) -> None:
        self._local = local
        self._waiting = waiting

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # xdist sends workeroutput after every pytest_sessionfinish has run.
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            data = self._local().to_dict()
            data[JOURNAL_KEY] = self._waiting()
            workeroutput[WORKEROUTPUT_KEY] = data


def _loads(value: Any) -> dict[str, Any]:
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict):
        raise TypeError(f"unexpected {PROPERTY} value: {value!r}")
    return data


def _plugin_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pytest-contracts")
    except PackageNotFoundError:
        return "unknown"
