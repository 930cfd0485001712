"""Checking outputs while a pipeline runs: the run-time API.

An orchestrator (or an agent framework) hands each phase output on only when
it passes its contract: :meth:`RunTimeChecks.validate` and
:meth:`RunTimeChecks.validate_phase_boundary` return a
:class:`~pytest_contracts.verdict.ContractVerdict`, and
:meth:`RunTimeChecks.validate_with_repair` sends an agent the verdict's
feedback until its output passes or the attempts run out.

The checks are the plugin's own: one :class:`~pytest_contracts.checker.Checker`
per manager, with the same JSON-data rules, output size limit, engines, time
budget, ``format`` checking, compiled-validator cache and validation records.
Only how the registry is reached differs: here on the manager's own event
loop, awaited, instead of the plugin's registry thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import math
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .. import jsondata
from ..defaults import CHECK_TIMEOUT, DEFAULT_ENGINE, DEFAULT_PHASES, MAX_OUTPUT_BYTES
from ..errors import InvalidArgument, MarkerError, NotJSONData, OutputTooLarge
from ..markers import parse_phase_boundary
from ..verdict import ContractVerdict
from .arguments import check_key, check_text
from .base import RegistryPart
from .records import MAX_SUBJECT_LENGTH, metadata_text

if TYPE_CHECKING:
    from ..checker import Checker
    from ..journal import Replay
    from ..reporting import CheckResult
    from .manager import ContractManager

T = TypeVar("T")

#: What ``produce`` may be: a function of the feedback (None on the first
#: call) that returns the output, or an awaitable of it.
Producer = Callable[[str | None], Any]
#: The subject stored with a check when the caller names none.
DEFAULT_SUBJECT = "run-time"
#: How long closing the registry waits for the run-time checks' records.
CLOSE_TIMEOUT = 30.0


class _ThisLoop:
    """The manager's own event loop, as the validation writer reaches a loop:
    records are written by tasks on it, and nothing ever blocks it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)


class RunTimeChecks(RegistryPart):
    """Checking outputs against the registry's contracts at run time."""

    #: The engine, the time budget of one check (seconds; None: none) and
    #: the output size limit (bytes; 0: none) of the run-time checks. Set
    #: them before the first check (``ContractManager(state)`` then
    #: :meth:`configure_checks`).
    check_engine: str = DEFAULT_ENGINE
    check_timeout: float | None = CHECK_TIMEOUT
    max_output_bytes: int = MAX_OUTPUT_BYTES
    phases: tuple[str, ...] = DEFAULT_PHASES
    #: What the replay of journals left behind did, when the first check ran.
    last_replay: Replay | None = None

    def configure_checks(
        self,
        *,
        engine: str | None = None,
        check_timeout: float | Literal["default"] | None = "default",
        max_output_bytes: int | None = None,
        phases: Sequence[str] | None = None,
    ) -> None:
        """Choose the run-time checks' engine (``"jsonschema"`` or
        ``"jsonschema-rs"``), time budget of one check in seconds (None or 0:
        none), output size limit in bytes (0: none) and phase order (what
        :meth:`validate_phase_boundary` accepts). Only before the first check:
        a checker in use keeps its settings."""
        from ..config import check_engine
        from ..markers import parse_phases

        if getattr(self, "_checker", None) is not None:
            raise InvalidArgument(
                "configure_checks() must come before the first validate(); make a new "
                "ContractManager for other settings"
            )
        if engine is not None:
            self.check_engine = check_engine(engine)
        if check_timeout != "default":
            if check_timeout is not None and (
                isinstance(check_timeout, bool)
                or not isinstance(check_timeout, int | float)
                or not 0 <= check_timeout < math.inf
            ):
                raise InvalidArgument(
                    f"check_timeout must be a number of seconds (0 or None: no budget), "
                    f"not {check_timeout!r}"
                )
            self.check_timeout = check_timeout or None
        if max_output_bytes is not None:
            if isinstance(max_output_bytes, bool) or not isinstance(max_output_bytes, int):
                raise InvalidArgument(
                    f"max_output_bytes must be a whole number of bytes, not {max_output_bytes!r}"
                )
            if max_output_bytes < 0:
                raise InvalidArgument(
                    f"max_output_bytes must be 0 (no limit) or more, not {max_output_bytes}"
                )
            self.max_output_bytes = max_output_bytes
        if phases is not None:
            try:
                self.phases = parse_phases(list(phases))
            except MarkerError as exc:
                raise InvalidArgument(str(exc)) from None

    async def _runtime_checker(self) -> Checker:
        """This manager's checker, made on the first check: its records go
        through this process's journal for the registry, and what earlier
        processes left in journals is stored first."""
        checker: Checker | None = getattr(self, "_checker", None)
        if checker is not None:
            return checker
        from ..checker import Checker
        from ..journal import journal_directory, replay
        from ..writer import ValidationWriter

        manager: ContractManager = self  # type: ignore[assignment]
        loop = _ThisLoop(asyncio.get_running_loop())
        checker = Checker(
            lambda: (loop, manager),  # type: ignore[arg-type,return-value]
            engine=self.check_engine,
            check_timeout=self.check_timeout,
        )
        journal = journal_directory(self.state)
        checker.writer = ValidationWriter(
            loop,  # type: ignore[arg-type]
            manager,
            journal,
            on_this_loop=True,
        )
        self._checker = checker
        self.state.before_close(self._close_checks)
        self.last_replay = await replay(manager, journal)
        return checker

    async def _close_checks(self) -> None:
        checker: Checker | None = getattr(self, "_checker", None)
        if checker is not None and checker.writer is not None:
            await checker.writer.close_async(CLOSE_TIMEOUT)

    # -- checking ----------------------------------------------------------------
    async def validate(
        self,
        team_id: str,
        contract_name: str,
        output: Any,
        *,
        version: str | None = None,
        subject: str | None = None,
        record: bool = True,
        metadata: Mapping[str, Any] | None = None,
    ) -> ContractVerdict:
        """Check ``output`` against a contract of ``team_id``: its active
        version, or ``version``.

        Returns a :class:`ContractVerdict`; never raises for the output itself
        (an output that is not JSON data, or is over the size limit, is an
        ``error`` verdict that says so). Raises :class:`InvalidArgument` for a
        bad name or argument and :class:`RegistryUnavailable` when the
        registry cannot be reached. With ``record`` the check is stored as a
        validation record (batched, like the plugin's: :meth:`flush_validations`
        waits for them), under ``subject`` (default ``"run-time"``) and with
        ``metadata`` (a JSON object: agent, model, prompt hash, ...), which
        :meth:`get_validations` can filter on."""
        return await self._validate(
            team_id, contract_name, output, version, subject, record, metadata, attempt=None
        )

    async def validate_phase_boundary(
        self,
        team_id: str,
        phase_from: str,
        phase_to: str,
        output: Any,
        *,
        version: str | None = None,
        subject: str | None = None,
        record: bool = True,
        metadata: Mapping[str, Any] | None = None,
    ) -> ContractVerdict:
        """:meth:`validate` against the contract of the boundary from
        ``phase_from`` to ``phase_to``: ``phase_boundary_<from>_to_<to>``,
        named and checked exactly as the ``phase_boundary`` marker does (both
        phases known, in order; see :meth:`configure_checks` for the order)."""
        name = self.boundary_contract(phase_from, phase_to)
        return await self.validate(
            team_id,
            name,
            output,
            version=version,
            subject=subject,
            record=record,
            metadata=metadata,
        )

    def boundary_contract(self, phase_from: str, phase_to: str) -> str:
        """The contract name of a phase boundary, as the ``phase_boundary``
        marker derives it; :class:`InvalidArgument` for an unknown phase or a
        boundary that goes backwards."""
        try:
            return parse_phase_boundary((phase_from, phase_to), {}, self.phases).contract_name
        except MarkerError as exc:
            message = (
                str(exc)
                .split(": ", 1)[-1]
                .replace(
                    "(set them with the contracts_phases ini option)",
                    "(set them with configure_checks(phases=...))",
                )
            )
            raise InvalidArgument(f"boundary {phase_from!r} -> {phase_to!r}: {message}") from None

    async def validate_with_repair(
        self,
        team_id: str,
        contract_name: str,
        produce: Producer,
        *,
        max_attempts: int = 3,
        version: str | None = None,
        subject: str | None = None,
        record: bool = True,
        metadata: Mapping[str, Any] | None = None,
        max_violations: int = 10,
    ) -> ContractVerdict:
        """Ask ``produce`` for an output until one passes, at most
        ``max_attempts`` times, and return the last verdict (its ``attempts``
        is how many were made, its ``output`` the last output).

        ``produce(feedback)`` may be sync or async; ``feedback`` is None on
        the first call and then the last verdict's :meth:`~ContractVerdict.feedback`
        (at most ``max_violations`` instructions). Every attempt is checked
        against the same version (the one active at the first attempt, unless
        ``version`` is given) and stored with its number in its metadata
        (``"attempt"``). An output that cannot be judged (an ``error`` or
        ``missing`` verdict) ends the attempts: feedback cannot fix it."""
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise InvalidArgument(
                f"max_attempts must be a whole number of 1 or more, not {max_attempts!r}"
            )
        if not callable(produce):
            raise InvalidArgument(f"produce must be a function of the feedback, not {produce!r}")
        feedback: str | None = None
        verdict: ContractVerdict | None = None
        for attempt in range(1, max_attempts + 1):
            output = produce(feedback)
            if inspect.isawaitable(output):
                output = await output
            verdict = await self._validate(
                team_id, contract_name, output, version, subject, record, metadata, attempt=attempt
            )
            if verdict.version is not None:
                version = verdict.version  # every attempt against the same version
            if verdict.outcome != "failed":
                break
            feedback = verdict.feedback(max_violations)
        assert verdict is not None
        return verdict

    async def flush_validations(self, max_wait: float | None = 60.0) -> int:
        """Wait until the run-time checks' records are in the registry (at
        most ``max_wait`` seconds); how many are not. Those wait in this
        process's journal, and the next session, command or manager on this
        registry stores them. Closing the :class:`StateManager` flushes too."""
        checker: Checker | None = getattr(self, "_checker", None)
        if checker is None or checker.writer is None:
            return 0
        await checker.writer.drain(max_wait)
        return checker.writer.unstored

    async def _validate(
        self,
        team_id: str,
        contract_name: str,
        output: Any,
        version: str | None,
        subject: str | None,
        record: bool,
        metadata: Mapping[str, Any] | None,
        *,
        attempt: int | None,
    ) -> ContractVerdict:
        check_key(team_id, contract_name)
        if version is not None:
            check_text(version, "version", 200)
        if subject is None:
            subject = DEFAULT_SUBJECT
        check_text(subject, "subject", MAX_SUBJECT_LENGTH)
        if not isinstance(record, bool):
            raise InvalidArgument(f"record must be True or False, not {record!r}")
        extra = _metadata(metadata, attempt)
        checker = await self._runtime_checker()
        problem = _output_problem(output, self.max_output_bytes)
        if problem is not None:
            contract = await checker.resolve_async(self, team_id, contract_name, version)  # type: ignore[arg-type]
            return ContractVerdict(
                outcome="error" if contract is not None else "missing",
                team_id=team_id,
                contract_name=contract_name,
                version=contract.version if contract is not None else version,
                contract_id=contract.id if contract is not None else None,
                message=problem,
                attempts=attempt or 1,
                output=output,
            )
        result, contract = await checker.check_async(
            self,  # type: ignore[arg-type]
            team_id,
            contract_name,
            output,
            subject=subject,
            version=version,
            record=record,
            metadata=extra,
        )
        return _verdict(result, contract, output, attempt or 1)


def _verdict(result: CheckResult, contract: Any, output: Any, attempts: int) -> ContractVerdict:
    from ..validation import Violation

    outcome = result.outcome
    if outcome == "would_fail":  # the verdict says it with its enforcement
        outcome = "failed" if result.violations else "error"
    elif outcome not in ("passed", "failed", "missing"):
        outcome = "error"
    return ContractVerdict(
        outcome=outcome,  # type: ignore[arg-type]
        team_id=result.team,
        contract_name=result.contract,
        version=result.version,
        contract_id=result.contract_id,
        violations=tuple(Violation(**v) for v in result.violations),
        message=result.message,
        enforcement=getattr(contract, "enforcement", "enforce") or "enforce",
        duration_ms=result.duration_ms,
        attempts=attempts,
        output=output,
        _specification=None if contract is None else contract.specification,
    )


def _output_problem(output: Any, limit: int) -> str | None:
    """Why ``output`` cannot be checked (not JSON data, too large), or None."""
    try:
        jsondata.check_output(output, limit=limit or None, what="the output")
    except (NotJSONData, OutputTooLarge) as exc:
        return str(exc)
    return None


def _metadata(metadata: Mapping[str, Any] | None, attempt: int | None) -> dict[str, Any] | None:
    """The metadata stored with a check, with the attempt's number; checked
    here, so that a bad one is the caller's error, not a lost record."""
    if metadata is None and attempt is None:
        return None
    if metadata is not None and not isinstance(metadata, Mapping):
        raise InvalidArgument(
            f"metadata must be a JSON object (a dict), not {type(metadata).__name__}"
        )
    values = dict(metadata or {})
    if attempt is not None:
        values["attempt"] = attempt
    metadata_text(values)  # raises InvalidArgument for what cannot be stored
    return values


__all__ = ["Producer", "RunTimeChecks"]
