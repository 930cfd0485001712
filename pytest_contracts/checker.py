"""Checking outputs against the registry's contracts, without pytest.

A :class:`Checker` resolves a contract (its active version, or the version
asked for), validates an output with a compiled validator, queues the
validation record for the registry and returns a
:class:`~pytest_contracts.reporting.CheckResult`. A registry that keeps
failing is left alone for a while (:class:`CircuitBreaker`), so that a
session with a dead database does not wait for it at every check.

The plugin keeps one checker per process; any program can make one, given a
way to reach the registry. Nothing here imports pytest, and nothing heavy is
imported until the first check.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .defaults import CHECK_TIMEOUT, DEFAULT_ENGINE
from .errors import ContractError, ContractNotFound, RegistryUnavailable
from .reporting import CheckResult

if TYPE_CHECKING:
    from .bridge import RegistryLoop
    from .models import Contract
    from .registry.manager import ContractManager
    from .registry.records import ValidationInput
    from .validation import ValidatorCache
    from .writer import ValidationWriter

#: How many registry failures in a row open the circuit breaker, and how long
#: it then leaves the registry alone before trying once more.
BREAKER_THRESHOLD = 3
BREAKER_COOLDOWN = 30.0
#: The longest a check waits for the registry.
CALL_TIMEOUT = 60.0

#: Reaches the registry, opening it on the first call: its event loop and its
#: ContractManager. Raises what opening it raises.
Registry = Callable[[], "tuple[RegistryLoop, ContractManager]"]

#: Errors of a registry that cannot be reached right now, as opposed to one
#: that answers with an error about the request.
_UNREACHABLE = (RegistryUnavailable, OSError, TimeoutError, RuntimeError)


class CircuitBreaker:
    """Stops calling a registry that failed several times in a row."""

    def __init__(self, threshold: int = BREAKER_THRESHOLD, cooldown: float = BREAKER_COOLDOWN):
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at: float | None = None
        self.times_opened = 0
        self.skipped = 0
        self.last_error: str | None = None

    def allow(self) -> bool:
        if self.opened_at is None:
            return True
        if time.monotonic() - self.opened_at >= self.cooldown:
            self.opened_at = time.monotonic()  # one trial call, then wait again
            return True
        self.skipped += 1
        return False

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def failure(self, error: str) -> None:
        self.failures += 1
        self.last_error = error
        if self.failures >= self.threshold and self.opened_at is None:
            self.opened_at = time.monotonic()
            self.times_opened += 1


@dataclasses.dataclass(frozen=True, slots=True)
class Tally:
    """What a checker could not do: the validation records it could not store,
    and how its circuit breaker fared. Under pytest-xdist each worker sends
    its tally to the controller (:meth:`to_dict`), which adds them up."""

    unstored: int = 0
    #: The last error of the writer, even if a retry stored the records since.
    unstored_error: str | None = None
    #: Registry failures in a row when the tally was taken.
    breaker_failures: int = 0
    breaker_opened: bool = False
    #: The breaker's last registry error; only this process's own report names it.
    breaker_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """What a worker sends: everything but :attr:`breaker_error`."""
        return {
            "unstored": self.unstored,
            "unstored_error": self.unstored_error,
            "breaker_failures": self.breaker_failures,
            "breaker_opened": self.breaker_opened,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tally:
        return cls(
            unstored=int(data.get("unstored", 0)),
            unstored_error=data.get("unstored_error") or None,
            breaker_failures=int(data.get("breaker_failures", 0)),
            breaker_opened=bool(data.get("breaker_opened")),
        )

    def combined(self, later: Tally) -> Tally:
        """Both tallies as one: records added up, the breaker at its worst, and
        the error of ``later`` where it has one."""
        return Tally(
            unstored=self.unstored + later.unstored,
            unstored_error=later.unstored_error or self.unstored_error,
            breaker_failures=max(self.breaker_failures, later.breaker_failures),
            breaker_opened=self.breaker_opened or later.breaker_opened,
            breaker_error=later.breaker_error or self.breaker_error,
        )


class Checker:
    """Checks outputs against contracts of the registry ``registry`` reaches.

    Lookups of a pinned version are kept for the checker's life (a version
    never changes); an active version is kept while the registry's cache says
    nothing can have changed. Validators are compiled once per version with
    ``engine``; records are written in batches (:meth:`flush` waits for them).
    One check may take ``check_timeout`` seconds (None or 0: no limit); past
    that it is stopped and its result is an ``error`` that says so. With
    ``keep_outputs``, a check that does not pass carries an excerpt of its
    output (:mod:`pytest_contracts.excerpt`), for the HTML report.
    """

    def __init__(
        self,
        registry: Registry,
        *,
        engine: str = DEFAULT_ENGINE,
        breaker: CircuitBreaker | None = None,
        timeout: float = CALL_TIMEOUT,
        check_timeout: float | None = CHECK_TIMEOUT,
        keep_outputs: bool = False,
    ) -> None:
        self._registry = registry
        self.keep_outputs = keep_outputs
        self.engine = engine
        self.check_timeout = check_timeout
        self.breaker = breaker if breaker is not None else CircuitBreaker()
        self.timeout = timeout
        #: Created on the first validation, and the writer on the first record.
        self.validators: ValidatorCache | None = None
        self.writer: ValidationWriter | None = None
        self._pinned: dict[tuple[str, str, str], Contract] = {}
        self._active: dict[tuple[str, str], tuple[int, float, Contract | None]] = {}

    def check(
        self,
        team: str,
        contract: str,
        output: Any,
        *,
        subject: str,
        version: str | None = None,
        kind: str = "contract",
        boundary: str | None = None,
        output_index: int = 0,
    ) -> CheckResult:
        """Check ``output`` against ``contract`` of ``team``: the active
        version, or ``version``. ``subject`` names what produced the output
        (the plugin: the test's node id) and is stored with the record;
        ``kind``, ``boundary`` and ``output_index`` are carried into the
        result for the reports."""
        result = _result_for(subject, kind, boundary, team, contract, output_index)
        found = self._find(team, contract, version, result)
        if isinstance(found, CheckResult):
            return found
        return self._validate(found, output, subject, result)

    async def check_async(
        self,
        manager: ContractManager,
        team: str,
        contract: str,
        output: Any,
        *,
        subject: str,
        version: str | None = None,
        record: bool = True,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[CheckResult, Contract | None]:
        """:meth:`check` for code on ``manager``'s own event loop (the
        run-time API): the same validators, budget, caches and records. The
        registry's errors are raised, not turned into results; the version
        checked against comes back with the result (None when missing)."""
        result = _result_for(subject, "contract", None, team, contract, 0)
        found = await self.resolve_async(manager, team, contract, version)
        if found is None:
            missing = result(
                version=version,
                contract_id=None,
                outcome="missing",
                message=_missing_message(team, contract, version),
            )
            return missing, None
        checked = self._validate(found, output, subject, result, record=record, metadata=metadata)
        return checked, found

    def check_defined(
        self,
        team: str,
        contract: str,
        *,
        subject: str,
        version: str | None = None,
        kind: str = "contract",
        boundary: str | None = None,
    ) -> CheckResult | None:
        """For a declaration with no output: None when the contract exists,
        else the result that says why nothing could be checked."""
        result = _result_for(subject, kind, boundary, team, contract, 0)
        found = self._find(team, contract, version, result)
        return found if isinstance(found, CheckResult) else None

    def check_unrecorded(
        self,
        team: str,
        contract: str,
        *,
        subject: str,
        advice: str,
        version: str | None = None,
        kind: str = "contract",
        boundary: str | None = None,
    ) -> CheckResult:
        """For a declaration that needed an output and got none: the result that
        says why the contract could not be checked (none active, the registry
        down), else a ``not_recorded`` result naming the version the output
        would have been checked against, whose message ends with ``advice``
        (what the producer should do). Nothing is stored: nothing was validated."""
        result = _result_for(subject, kind, boundary, team, contract, 0)
        found = self._find(team, contract, version, result)
        if isinstance(found, CheckResult):
            return found
        return result(
            version=found.version,
            contract_id=found.id,
            outcome="not_recorded",
            message=f"no output was recorded for contract {contract!r} {found.version} "
            f"(team {team!r}), so nothing was checked; {advice}",
        )

    def _find(
        self, team: str, name: str, version: str | None, result: Callable[..., CheckResult]
    ) -> Contract | CheckResult:
        """The contract version to check against, or the result of a check
        that cannot be made (no such version, the registry down)."""
        if not self.breaker.allow():
            return result(
                version=version,
                contract_id=None,
                outcome="unavailable",
                message=f"not checked: the registry failed {self.breaker.failures} times in a "
                f"row and the circuit breaker stopped calling it ({self.breaker.last_error})",
            )
        try:
            contract = self.resolve(team, name, version)
        except _UNREACHABLE as exc:
            self.breaker.failure(str(exc))
            return result(
                version=version,
                contract_id=None,
                outcome="unavailable",
                message=f"the registry is unavailable: {exc}",
            )
        except ContractError as exc:
            return result(version=version, contract_id=None, outcome="error", message=str(exc))
        self.breaker.success()
        if contract is None:
            return result(
                version=version,
                contract_id=None,
                outcome="missing",
                message=_missing_message(team, name, version),
            )
        return contract

    def _validate(
        self,
        contract: Contract,
        output: Any,
        subject: str,
        result: Callable[..., CheckResult],
        *,
        record: bool = True,
        metadata: dict[str, Any] | None = None,
    ) -> CheckResult:
        if self.validators is None:
            from .validation import ValidatorCache

            self.validators = ValidatorCache(engine=self.engine, check_timeout=self.check_timeout)
        verdict = self.validators.validate(contract, output)
        violations = tuple(v.to_dict() for v in verdict.violations)
        errors: list[Any] = list(violations)
        if verdict.error:
            errors.append({"error": verdict.error})
        outcome = "passed" if verdict.passed else ("error" if verdict.error else "failed")
        if record:
            now, ValidationInput = _record_parts()
            self._writer().add(
                ValidationInput(
                    contract=contract,
                    subject=subject,
                    passed=verdict.passed,
                    errors=errors,
                    duration_ms=verdict.duration_ms,
                    validated_at=now(),
                    outcome=outcome,
                    metadata=metadata,
                    enforcement=contract.enforcement,
                )
            )
        message = verdict.error
        if verdict.truncated:
            message = (
                f"more than {len(violations)} violations were found; the first "
                f"{len(violations)} are listed"
            )
        if outcome != "passed" and contract.enforcement == "warn":
            # Shadow enforcement: reported and recorded, never failing.
            shadow = f"would have failed: {contract.version} is in warn enforcement"
            message = f"{shadow}; {message}" if message else shadow
            outcome = "would_fail"
        shown: dict[str, Any] = {}
        if outcome != "passed" and self.keep_outputs:
            from .excerpt import excerpt

            cut = excerpt(output, (v["pointer"] for v in violations))
            shown = {"output": cut.text, "output_marks": cut.marks, "output_note": cut.note}
        return result(
            version=contract.version,
            contract_id=contract.id,
            outcome=outcome,
            violations=violations,
            message=message,
            duration_ms=verdict.duration_ms,
            **shown,
        )

    def resolve(self, team: str, name: str, version: str | None = None) -> Contract | None:
        """The version to check against: the active one, or ``version``; None
        when there is none. Raises what the registry raises."""
        loop, manager = self._registry()
        if version is None:
            stamp, known = self._known_active(manager, team, name)
            if known is not None:
                return known[0]
            contract = loop.run(manager.get_active_contract(team, name), self.timeout)
            self._keep_active(manager, team, name, stamp, contract)
            return contract
        key = (team, name, version)
        if key not in self._pinned:
            try:
                self._pinned[key] = loop.run(
                    manager.get_contract_version(team, name, version), self.timeout
                )
            except ContractNotFound:
                return None
        return self._pinned[key]

    async def resolve_async(
        self, manager: ContractManager, team: str, name: str, version: str | None = None
    ) -> Contract | None:
        """:meth:`resolve` for code on the manager's own event loop (the
        run-time API), with the same caches."""
        if version is None:
            stamp, known = self._known_active(manager, team, name)
            if known is not None:
                return known[0]
            contract = await manager.get_active_contract(team, name)
            self._keep_active(manager, team, name, stamp, contract)
            return contract
        key = (team, name, version)
        if key not in self._pinned:
            try:
                self._pinned[key] = await manager.get_contract_version(team, name, version)
            except ContractNotFound:
                return None
        return self._pinned[key]

    def _known_active(
        self, manager: ContractManager, team: str, name: str
    ) -> tuple[int | None, tuple[Contract | None] | None]:
        """The cache's stamp, and the active version kept under it, if any.

        The registry is not asked again while the stamp says nothing can have
        changed (see ActiveCache.stamp): a round trip to the registry's loop
        costs more than the rest of a check."""
        state = manager.state
        stamp = state.cache.stamp()
        if stamp is not None:
            known = self._active.get((team, name))
            if known is not None and known[0] == stamp and known[1] > time.monotonic():
                state.ensure_open()
                return stamp, (known[2],)
        return stamp, None

    def _keep_active(
        self,
        manager: ContractManager,
        team: str,
        name: str,
        stamp: int | None,
        contract: Contract | None,
    ) -> None:
        if stamp is not None:
            # Kept only as long as the cache's own entry, read under the same stamp.
            expires = manager.state.cache.expires_at(team, name, stamp)
            if expires is not None:
                self._active[(team, name)] = (stamp, expires, contract)

    def _writer(self) -> ValidationWriter:
        if self.writer is None:
            from .writer import ValidationWriter

            loop, manager = self._registry()
            self.writer = ValidationWriter(loop, manager)
        return self.writer

    def flush(self) -> None:
        """Wait until the queued records are in the registry. What cannot be
        stored is counted (:meth:`tally`), not raised."""
        writer = self.writer
        if writer is None:
            return
        try:
            writer.close(self.timeout)
        except Exception as exc:  # the registry broke while flushing: keep the count
            writer.last_error = str(exc)

    def tally(self) -> Tally:
        writer = self.writer
        return Tally(
            unstored=len(writer.failed) if writer is not None else 0,
            unstored_error=writer.last_error if writer is not None else None,
            breaker_failures=self.breaker.failures,
            breaker_opened=self.breaker.times_opened > 0,
            breaker_error=self.breaker.last_error,
        )


def _result_for(
    subject: str, kind: str, boundary: str | None, team: str, contract: str, output_index: int
) -> Callable[..., CheckResult]:
    """A CheckResult with what is known before the check; the outcome fills in the rest."""
    return functools.partial(
        CheckResult,
        test=subject,
        kind=kind,
        boundary=boundary,
        team=team,
        contract=contract,
        output_index=output_index,
    )


def _missing_message(team: str, name: str, version: str | None) -> str:
    if version is not None:
        return (
            f"version {version!r} of contract {name!r} (team "
            f"{team!r}) does not exist; create it, or drop version= to use the active one"
        )
    return (
        f"no active version of contract {name!r} for team {team!r}; "
        "define one with a contract file in --contracts-dir, or with "
        "contract_manager.create_contract(...) and activate_contract(...)"
    )


@functools.cache
def _record_parts() -> tuple[Callable[[], Any], type[ValidationInput]]:
    """What a recorded check needs, imported on the first one: a check that is
    not recorded imports nothing for records."""
    from .registry.base import now
    from .registry.records import ValidationInput

    return now, ValidationInput
