"""The plugin's session object: settings, the registry, checks and reports.

``plugin.py`` builds one :class:`ContractsSession` per pytest run and hands
every hook to it. Heavy imports (SQLAlchemy, redis, jsonschema) happen only
when a check or a fixture first needs the registry.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import time
import warnings
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .defaults import (
    DEFAULT_ENGINE,
    DEFAULT_PHASES,
    DEFAULT_SQLITE_PATH,
    DEFAULT_TEAM,
    MAX_NAME_LENGTH,
    MAX_OUTPUT_BYTES,
)
from .errors import MarkerError, PhaseOutputError
from .markers import Target, parse_phases, targets_of
from .reporting import (
    PROPERTY,
    CheckResult,
    build_report,
    compat_lines,
    failure_text,
    summary_lines,
    totals,
    write_json_atomically,
)

if TYPE_CHECKING:
    import asyncio

    from .bridge import ContractManagerClient, RegistryLoop, StateManagerClient
    from .contracts import ContractManager, ValidationInput
    from .models import Contract
    from .state import StateManager
    from .validation import ValidatorCache

#: How many registry failures in a row open the circuit breaker, and how long
#: it then leaves the registry alone before trying once more.
BREAKER_THRESHOLD = 3
BREAKER_COOLDOWN = 30.0
#: The longest a check waits for the registry.
CALL_TIMEOUT = 60.0

TARGETS = pytest.StashKey[tuple[Target, ...]]()
RECORDER = pytest.StashKey["PhaseOutput"]()


class ContractWarning(pytest.PytestWarning):
    """A declared contract could not be checked (none active, registry down),
    outside gate mode. The test's own outcome stands."""


@dataclasses.dataclass(frozen=True)
class Settings:
    use_real_redis: bool
    redis_url: str | None
    database_url: str
    team: str
    contracts_dir: Path | None
    gate: bool
    report_path: Path | None
    phases: tuple[str, ...]
    #: A setting from the environment the registry cannot use; raised when
    #: the registry is first needed, so a session that never needs it runs.
    configuration_error: str | None = None
    #: The validation engine: "jsonschema" or "jsonschema-rs" (the fast extra).
    engine: str = DEFAULT_ENGINE
    #: The largest output ``record`` takes, in bytes of JSON; 0: no limit.
    max_output_bytes: int = MAX_OUTPUT_BYTES


def _get(config: pytest.Config, option: str, ini: str) -> Any:
    value = config.getoption(option)
    if value is not None:
        return value
    try:
        value = config.getini(ini)
    except ValueError as exc:
        raise pytest.UsageError(f"ini option {ini}: {exc}") from None
    return value if value not in ("", []) else None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _flag(config: pytest.Config, name: str) -> bool:
    """A boolean flag: the command line, else its ini twin (true/false, yes/no, on/off, 1/0)."""
    value = _get(config, name, name)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise pytest.UsageError(
        f"ini option {name} = {value!r}: use true or false (also yes/no, on/off, 1/0)"
    )


def _path(config: pytest.Config, name: str) -> Path | None:
    """A path option: relative to the current folder on the command line, to the
    ini file's folder in the ini file."""
    value = _get(config, name, name)
    if value is None:
        return None
    if config.getoption(name):
        base = Path.cwd()
    else:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
    return (base / str(value)).resolve()


def read_settings(config: pytest.Config) -> Settings:
    """The plugin's settings: command line, then ini, then environment, then
    defaults. Anything that cannot work is a :class:`pytest.UsageError`."""
    from .config import resolve_database_url, resolve_redis_url, sqlite_url
    from .errors import ConfigurationError

    use_real_redis = _flag(config, "contracts_redis")
    explicit_redis = _get(config, "contracts_redis_url", "contracts_redis_url")
    explicit_db = _get(config, "contracts_db", "contracts_db")
    default_db = sqlite_url(config.rootpath / DEFAULT_SQLITE_PATH)
    deferred_error = None
    try:
        # The Redis settings of the environment matter only with --contracts-redis.
        redis_url = resolve_redis_url(explicit_redis) if use_real_redis or explicit_redis else None
        database_url = resolve_database_url(explicit_db) if explicit_db else None
    except ConfigurationError as exc:
        raise pytest.UsageError(f"pytest-contracts: {exc}") from None
    if database_url is None:
        # DATABASE_URL may belong to the application under test: a value the
        # registry cannot use stops only a session that needs the registry.
        try:
            database_url = resolve_database_url(os.environ.get("DATABASE_URL") or default_db)
        except ConfigurationError as exc:
            deferred_error = (
                f"{exc} (from the DATABASE_URL environment variable; give the registry "
                "its own with --contracts-db or contracts_db)"
            )
            database_url = resolve_database_url(default_db)
    team = _get(config, "contracts_team", "contracts_team")
    team = DEFAULT_TEAM if team is None else team
    if not team.strip() or len(team) > MAX_NAME_LENGTH:
        raise pytest.UsageError(
            f"--contracts-team / contracts_team must be 1 to {MAX_NAME_LENGTH} characters, "
            f"not {team!r}"
        )
    contracts_dir = _path(config, "contracts_dir")
    if contracts_dir is not None and not contracts_dir.is_dir():
        raise pytest.UsageError(
            f"--contracts-dir / contracts_dir: {contracts_dir} is not a directory"
        )
    report_path = _path(config, "contracts_report")
    if report_path is not None and report_path.is_dir():
        raise pytest.UsageError(
            f"--contracts-report / contracts_report: {report_path} is a directory; "
            "give a file name such as contracts-report.json"
        )
    try:
        phases = parse_phases(config.getini("contracts_phases") or list(DEFAULT_PHASES))
    except MarkerError as exc:
        raise pytest.UsageError(str(exc)) from None
    from .config import check_engine
    from .errors import InvalidArgument

    try:
        engine = check_engine(
            _get(config, "contracts_engine", "contracts_engine") or DEFAULT_ENGINE
        )
    except InvalidArgument as exc:
        raise pytest.UsageError(f"--contracts-engine / contracts_engine: {exc}") from None

    limit = _get(config, "contracts_max_output_bytes", "contracts_max_output_bytes")
    try:
        max_output_bytes = MAX_OUTPUT_BYTES if limit in (None, "") else int(str(limit).strip())
        if max_output_bytes < 0:
            raise ValueError
    except ValueError:
        raise pytest.UsageError(
            f"--contracts-max-output-bytes / contracts_max_output_bytes: {limit!r} is not a "
            "whole number of bytes >= 0 (0 means no limit)"
        ) from None
    return Settings(
        use_real_redis=use_real_redis,
        redis_url=redis_url,
        database_url=database_url,
        team=team,
        contracts_dir=contracts_dir,
        gate=_flag(config, "contracts_gate"),
        report_path=report_path,
        phases=phases,
        configuration_error=deferred_error,
        engine=engine,
        max_output_bytes=max_output_bytes,
    )


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


#: The longest a validation record waits for others before it is written
#: (seconds). Records are written in batches, each costing a transaction.
WRITE_DELAY = 1.0
#: A batch this large is written at once, and the test that completes it
#: waits for the write, for at most WRITE_WAIT seconds (see ValidationWriter).
WRITE_BATCH = 200
WRITE_WAIT = 5.0


class ValidationWriter:
    """Writes validation records to the registry in batches on the registry
    loop, so that a test does not wait for a commit of its own.

    A batch written while the tests keep the main thread busy is slow: every
    step of the write (a round trip to the database driver's thread) must
    wait for the GIL, which a busy thread gives up only every few
    milliseconds, so a batch of 250 took 0.8 s of wall time for 20 ms of
    work, and slowed the tests meanwhile. So the test that completes a batch
    waits for it to be written: the registry thread then runs without
    contention and the batch costs what its work costs. Fewer records than a
    batch are written after WRITE_DELAY in the background, and the rest when
    the session ends."""

    def __init__(self, loop: RegistryLoop, manager: ContractManager) -> None:
        self._loop = loop
        self._manager = manager
        self._queue: deque[ValidationInput] = deque()
        self._inflight: concurrent.futures.Future[None] | None = None
        self.written = 0
        self.failed: list[ValidationInput] = []
        self.last_error: str | None = None
        self._closing = False
        self._wake: asyncio.Event | None = None  # set on the loop: write now
        # False once a write outlasted WRITE_WAIT: the registry is slow or
        # stuck, and tests stop waiting for it.
        self._patient = True

    def add(self, record: ValidationInput) -> None:
        self._queue.append(record)
        inflight = self._inflight
        if inflight is None or inflight.done():
            inflight = self._inflight = self._loop.submit(self._drain())
        if len(self._queue) >= WRITE_BATCH:
            self._hurry()
            if self._patient:
                done, _ = concurrent.futures.wait([inflight], timeout=WRITE_WAIT)
                self._patient = bool(done)

    def _hurry(self) -> None:
        """Wake a drain that is waiting for more records (thread-safe)."""
        self._loop.loop.call_soon_threadsafe(self._set_wake)

    def _set_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _drain(self, delay: float | None = None) -> None:
        import asyncio

        if delay is None:
            delay = WRITE_DELAY
        if delay and not self._closing and len(self._queue) < WRITE_BATCH:
            self._wake = asyncio.Event()
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass
            finally:
                self._wake = None
        while self._queue:
            batch = [self._queue.popleft() for _ in range(min(500, len(self._queue)))]
            await self._write(batch)

    async def _write(self, batch: list[ValidationInput]) -> None:
        from .errors import ContractError, RegistryUnavailable

        try:
            self.written += await self._manager.record_validations(batch)
        except Exception as exc:  # whatever the cause, nothing is dropped unseen
            if (
                len(batch) > 1
                and isinstance(exc, ContractError)
                and not isinstance(exc, RegistryUnavailable)
            ):
                # A record the registry refuses (its contract was pruned meanwhile,
                # say) must not take the rest of its batch with it.
                for record in batch:
                    await self._write([record])
                return
            self.failed.extend(batch)
            self.last_error = f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        """Wait for what is queued; retry what failed once."""
        self._closing = True
        if self._inflight is not None:
            self._hurry()
            self._inflight.result(CALL_TIMEOUT)
        retry, self.failed = self.failed, []
        self._queue.extend(retry)
        if self._queue:  # nothing more will come: no reason to wait
            self._loop.run(self._drain(delay=0), CALL_TIMEOUT)


class PhaseOutput:
    """The ``phase_output`` fixture: records what a test produces.

    ``record(data)`` records an output for the boundary or contract the test's
    marker declares; with several declared, say which with ``contract=`` (the
    contract name) or ``boundary=`` (``("design", "implementation")`` or
    ``"design -> implementation"``). The data must be JSON data; it is checked
    when the test body returns.
    """

    def __init__(self, nodeid: str, targets: Sequence[Target], max_bytes: int = 0):
        self._nodeid = nodeid
        self._targets = tuple(targets)
        self._max_bytes = max_bytes
        self._store: list[tuple[Target, Any]] = []
        self._closed = False

    def close(self) -> list[tuple[Target, Any]]:
        """End recording (the test body has returned) and hand over the outputs."""
        self._closed = True
        outputs, self._store = self._store, []
        return outputs

    @property
    def targets(self) -> tuple[Target, ...]:
        return self._targets

    def record(self, data: Any, *, contract: str | None = None, boundary: Any = None) -> None:
        __tracebackhide__ = True  # a user mistake shows as the test's line, not ours
        from .errors import NotJSONData, OutputTooLarge
        from .jsondata import check_output

        if self._closed:
            raise PhaseOutputError(
                f"{self._nodeid} records a phase output after its test body returned (from a "
                "fixture's teardown or another thread?); outputs are checked when the body "
                "returns, so record them inside the test function"
            )
        target = self._choose(contract, boundary)
        what = f"the phase output for {target.label}"
        # Raised again from here, so that the user's line is where the error shows.
        try:
            check_output(data, limit=self._max_bytes, what=what)
        except NotJSONData as exc:
            raise NotJSONData(str(exc), pointer=exc.pointer, type_name=exc.type_name) from None
        except OutputTooLarge as exc:
            raise OutputTooLarge(str(exc), size=exc.size, limit=exc.limit) from None
        self._store.append((target, data))

    def _choose(self, contract: str | None, boundary: Any) -> Target:
        __tracebackhide__ = True
        if contract is not None and not isinstance(contract, str):
            raise PhaseOutputError(
                f"contract= must be a contract name (a string), not {contract!r}"
            )
        if boundary is not None and not (
            isinstance(boundary, str)
            or (
                isinstance(boundary, list | tuple)
                and len(boundary) == 2
                and all(isinstance(p, str) for p in boundary)
            )
        ):
            raise PhaseOutputError(
                "boundary= must be two phase names, ('design', 'implementation'), or "
                f"'design -> implementation', not {boundary!r}"
            )
        if not self._targets:
            raise PhaseOutputError(
                f"{self._nodeid} records a phase output but declares no contract: mark the "
                "test with @pytest.mark.phase_boundary('requirements', 'design') or "
                "@pytest.mark.contract('ContractName')"
            )
        matching = [t for t in self._targets if t.matches(contract, boundary)]
        declared = ", ".join(sorted(repr(t.label) for t in self._targets))
        if not matching:
            wanted = contract if contract is not None else boundary
            raise PhaseOutputError(
                f"{self._nodeid} records an output for {wanted!r}, which none of its markers "
                f"declares; declared: {declared}"
            )
        if len(matching) > 1:
            raise PhaseOutputError(
                f"{self._nodeid} declares several contracts ({declared}); say which this "
                "output is for: phase_output.record(data, contract='...') or "
                "phase_output.record(data, boundary=('design', 'implementation'))"
            )
        return matching[0]

    def __len__(self) -> int:
        return len(self._store)


class ContractsSession:
    """Everything the plugin does in one pytest run."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.is_controller = not hasattr(config, "workerinput")
        self.started_at = datetime.now(UTC)
        self._loop: RegistryLoop | None = None
        self._state: StateManager | None = None
        self._manager: ContractManager | None = None
        self._validators: ValidatorCache | None = None
        self._writer: ValidationWriter | None = None
        self._pinned: dict[tuple[str, str, str], Contract] = {}
        self._active: dict[tuple[str, str], tuple[int, float, Contract | None]] = {}
        self.breaker = CircuitBreaker()
        self.results: list[CheckResult] = []
        self.load_summary: str | None = None
        #: Why the session could not start (a contract file, the registry).
        self.start_error: str | None = None
        #: Compatibility findings of the contract files loaded at start.
        self.compat_findings: list[dict[str, Any]] = []
        self.gate_reason: str | None = None
        self.report_written = False
        self.report_error: str | None = None
        self.workers = 0
        # What the xdist workers could not store, and whether their breakers opened.
        self.worker_unstored = 0
        self.worker_breaker_failures = 0
        self.worker_breaker_opened = False
        self.last_record_error: str | None = None
        # --markers, --fixtures, --help and --collect-only run no tests: writing
        # a report then would overwrite the last real one.
        option = config.option
        self.test_run = not any(
            getattr(option, name, False)
            for name in ("markers", "showfixtures", "show_fixtures_per_test", "help", "collectonly")
        )

    # -- the registry, started on first need -----------------------------------
    def registry(self) -> tuple[RegistryLoop, ContractManager]:
        if self._loop is None or self._manager is None:
            from .bridge import RegistryLoop
            from .contracts import ContractManager
            from .errors import ConfigurationError
            from .state import StateManager

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
            self._loop, self._state, self._manager = loop, state, ContractManager(state)
        return self._loop, self._manager

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
        from .errors import ContractError

        if not self.is_controller:
            return
        if not (self.settings.use_real_redis or self.settings.contracts_dir):
            return
        try:
            loop, manager = self.registry()
            if self.settings.contracts_dir is not None:
                from .loader import load_contract_files, read_contract_dir

                files = read_contract_dir(self.settings.contracts_dir, self.settings.team)
                result = loop.run(
                    load_contract_files(manager, files, gate=self.settings.gate), CALL_TIMEOUT
                )
                self.load_summary = f"{result.summary()} from {self.settings.contracts_dir}"
                self.compat_findings = result.findings
        except ContractError as exc:
            self.start_error = str(exc).splitlines()[0]
            raise pytest.UsageError(f"pytest-contracts: {exc}") from None
        except OSError as exc:
            self.start_error = (
                f"the registry at {mask_url(self.settings.database_url)} cannot be used: {exc}"
            )
            raise pytest.UsageError(f"pytest-contracts: {self.start_error}") from None

    # -- collection -------------------------------------------------------------
    def collect_targets(self, item: pytest.Item) -> str | None:
        """Parse the item's markers into its targets; the problem, if any."""
        try:
            item.stash[TARGETS] = targets_of(item.iter_markers(), self.settings.phases)
        except MarkerError as exc:
            return f"{item.nodeid}: {exc}"
        return None

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

    # -- checking ---------------------------------------------------------------
    def _resolve(self, target: Target, team: str) -> Contract | None:
        from .errors import ContractNotFound

        loop, manager = self.registry()
        if target.version is None:
            # The registry thread is not asked again while the cache's stamp
            # says nothing can have changed (see ActiveCache.stamp): a round
            # trip to that thread costs more than the rest of a check.
            state, name = manager.state, target.contract_name
            stamp = state.cache.stamp()
            if stamp is not None:
                known = self._active.get((team, name))
                if known is not None and known[0] == stamp and known[1] > time.monotonic():
                    state.ensure_open()
                    return known[2]
            contract = loop.run(manager.get_active_contract(team, name), CALL_TIMEOUT)
            if stamp is not None:
                # Kept only as long as the cache's own entry, read under the same stamp.
                expires = state.cache.expires_at(team, name, stamp)
                if expires is not None:
                    self._active[(team, name)] = (stamp, expires, contract)
            return contract
        key = (team, target.contract_name, target.version)
        if key not in self._pinned:
            try:
                self._pinned[key] = loop.run(
                    manager.get_contract_version(team, target.contract_name, target.version),
                    CALL_TIMEOUT,
                )
            except ContractNotFound:
                return None
        return self._pinned[key]

    def check_item(self, item: pytest.Item) -> list[CheckResult]:
        recorder = item.stash.get(RECORDER, None)
        outputs = recorder.close() if recorder is not None else []
        declared = recorder.targets if recorder is not None else item.stash.get(TARGETS, ())
        results = []
        seen: dict[Target, int] = {}
        for target, data in outputs:
            index = seen[target] = seen.get(target, -1) + 1
            result = self._check_one(item.nodeid, target, index, data)
            if result is not None:
                results.append(result)
        # A declared boundary whose test recorded nothing still needs a
        # contract: the gate must not pass a boundary nobody defined.
        for target in declared:
            if target not in seen:
                result = self._check_one(item.nodeid, target, 0, _NOTHING)
                if result is not None:
                    results.append(result)
        return results

    def _check_one(self, nodeid: str, target: Target, index: int, data: Any) -> CheckResult | None:
        """The check of one output; with ``_NOTHING`` for the output, only
        whether the contract exists (None when it does)."""
        from .contracts import ValidationInput
        from .errors import ContractError, RegistryUnavailable
        from .validation import ValidatorCache

        team = target.team or self.settings.team

        def result(
            outcome: str,
            message: str | None = None,
            contract: Contract | None = None,
            violations: tuple[dict[str, str], ...] = (),
            duration_ms: float = 0.0,
        ) -> CheckResult:
            return CheckResult(
                test=nodeid,
                kind=target.kind,
                boundary=target.boundary,
                team=team,
                contract=target.contract_name,
                version=contract.version if contract is not None else target.version,
                contract_id=contract.id if contract is not None else None,
                outcome=outcome,
                violations=violations,
                message=message,
                duration_ms=duration_ms,
                output_index=index,
            )

        if not self.breaker.allow():
            return result(
                "unavailable",
                f"not checked: the registry failed {self.breaker.failures} times in a row "
                f"and the circuit breaker stopped calling it ({self.breaker.last_error})",
            )
        try:
            contract = self._resolve(target, team)
        except (RegistryUnavailable, OSError, TimeoutError, RuntimeError) as exc:
            self.breaker.failure(str(exc))
            return result("unavailable", f"the registry is unavailable: {exc}")
        except ContractError as exc:
            return result("error", str(exc))
        self.breaker.success()
        if contract is None:
            return result("missing", self._missing_message(target, team))
        if data is _NOTHING:
            return None
        if self._validators is None:
            self._validators = ValidatorCache(engine=self.settings.engine)
        verdict = self._validators.validate(contract, data)
        violations = tuple(v.to_dict() for v in verdict.violations)
        errors: list[Any] = list(violations)
        if verdict.error:
            errors.append({"error": verdict.error})
        self._validation_writer().add(
            ValidationInput(
                contract=contract,
                subject=nodeid,
                passed=verdict.passed,
                errors=errors,
                duration_ms=verdict.duration_ms,
            )
        )
        outcome = "passed" if verdict.passed else ("error" if verdict.error else "failed")
        message = verdict.error
        if verdict.truncated:
            message = (
                f"more than {len(violations)} violations were found; the first "
                f"{len(violations)} are listed"
            )
        return result(outcome, message, contract, violations, verdict.duration_ms)

    def _missing_message(self, target: Target, team: str) -> str:
        if target.version is not None:
            return (
                f"version {target.version!r} of contract {target.contract_name!r} (team "
                f"{team!r}) does not exist; create it, or drop version= to use the active one"
            )
        return (
            f"no active version of contract {target.contract_name!r} for team {team!r}; "
            "define one with a contract file in --contracts-dir, or with "
            "contract_manager.create_contract(...) and activate_contract(...)"
        )

    def _validation_writer(self) -> ValidationWriter:
        if self._writer is None:
            loop, manager = self.registry()
            self._writer = ValidationWriter(loop, manager)
        return self._writer

    def conclude_call(self, item: pytest.Item, results: list[CheckResult]) -> None:
        """Attach the results to the test, then warn or fail as the mode says."""
        for result in results:
            item.user_properties.append((PROPERTY, result.to_json()))
            item.user_properties.append(("contract", result.contract))
            item.user_properties.append(("contract_version", result.version or ""))
            item.user_properties.append(("contract_result", result.outcome))
        failing = {"failed", "error"} | (
            {"missing", "unavailable"} if self.settings.gate else set()
        )
        if any(r.outcome in failing for r in results):
            pytest.fail(failure_text([r for r in results if r.outcome != "passed"]), pytrace=False)
        path, line, _ = item.location
        for result in results:
            if result.outcome in ("missing", "unavailable"):
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

    # -- the controller's view ----------------------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_controller:
            self.collect_report(report)

    def collect_report(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name != PROPERTY:
                continue
            result = CheckResult.from_dict(_loads(value))
            self.results.append(result)
            hook = self.config.hook
            hook.pytest_contracts_validation_result(result=result, config=self.config)
            for violation in result.violations:
                hook.pytest_contracts_violation(
                    violation=violation, result=result, config=self.config
                )

    def unstored(self) -> int:
        own = len(self._writer.failed) if self._writer is not None else 0
        return own + self.worker_unstored

    def worker_summary(self) -> dict[str, Any]:
        """What a worker tells the controller when it finishes (xdist's workeroutput)."""
        writer = self._writer
        return {
            "unstored": len(writer.failed) if writer is not None else 0,
            "unstored_error": writer.last_error if writer is not None else None,
            "breaker_failures": self.breaker.failures,
            "breaker_opened": self.breaker.times_opened > 0,
        }

    def merge_worker(self, data: dict[str, Any]) -> None:
        self.worker_unstored += int(data.get("unstored", 0))
        self.last_record_error = data.get("unstored_error") or self.last_record_error
        self.worker_breaker_failures = max(
            self.worker_breaker_failures, int(data.get("breaker_failures", 0))
        )
        self.worker_breaker_opened |= bool(data.get("breaker_opened"))

    def gate_verdict(self) -> str | None:
        counts = totals(self.results)
        reasons = []
        if counts["failed"]:
            reasons.append(f"{counts['failed']} check(s) found contract violations")
        if counts["error"]:
            reasons.append(f"{counts['error']} check(s) could not apply their schema")
        if counts["missing"]:
            reasons.append(f"{counts['missing']} declared contract(s) had no active version")
        if counts["unavailable"]:
            reasons.append(f"the registry was unavailable for {counts['unavailable']} check(s)")
        if self.unstored():
            reasons.append(
                f"{self.unstored()} validation record(s) could not be stored in the registry"
            )
        return "; ".join(reasons) or None

    def flush_records(self) -> None:
        """Wait until the validation records are in the registry; what cannot be
        stored is counted (the summary says so; the JSON report has the checks)."""
        writer = self._writer
        if writer is None:
            return
        try:
            writer.close()
        except Exception as exc:  # the registry broke while flushing: keep the count
            writer.last_error = str(exc)

    def finish(self, session: pytest.Session, exitstatus: int) -> None:
        self.flush_records()
        if not self.is_controller:
            workeroutput = getattr(self.config, "workeroutput", None)
            if workeroutput is not None:
                workeroutput["pytest_contracts"] = self.worker_summary()
            return
        if self.settings.gate:
            self.gate_reason = self.gate_verdict()
            if self.gate_reason and session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        self.write_report(int(session.exitstatus), interrupted=interrupted)

    def registry_info(self) -> dict[str, Any]:
        from .config import backend_of, mask_url

        return {
            "unstored_validations": self.unstored(),
            "database": backend_of(self.settings.database_url),
            "database_url": mask_url(self.settings.database_url),
            "cache": "redis" if self.settings.use_real_redis else "fakeredis",
            "redis_url": mask_url(self.settings.redis_url)
            if self.settings.use_real_redis and self.settings.redis_url
            else None,
        }

    def write_report(self, exitstatus: int, *, interrupted: bool) -> None:
        path = self.settings.report_path
        if path is None or not self.is_controller or not self.test_run:
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
        try:
            write_json_atomically(path, data)
        except OSError as exc:
            self.report_error = f"the JSON report could not be written to {path}: {exc}"
            return
        self.report_written = True

    def circuit_info(self) -> dict[str, Any]:
        skipped = [r for r in self.results if r.message and "circuit breaker" in r.message]
        opened = bool(skipped) or self.breaker.times_opened > 0 or self.worker_breaker_opened
        return {
            "opened": opened,
            "failures": max(self.breaker.failures, self.worker_breaker_failures),
            "skipped_calls": len(skipped),
            "reason": skipped[0].message if skipped else self.breaker.last_error,
        }

    def terminal_summary(self, reporter: Any) -> None:
        if not self.is_controller:
            return
        verbosity = self.config.get_verbosity()
        if verbosity < -1:
            return
        something = (
            self.results
            or self.settings.gate
            or self.unstored()
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
        circuit = self.circuit_info()
        if circuit["skipped_calls"]:
            reporter.write_line(
                f"circuit breaker: the registry kept failing, so {circuit['skipped_calls']} "
                "check(s) were not made",
                yellow=True,
            )
        if self.unstored():
            error = (self._writer.last_error if self._writer else None) or self.last_record_error
            reporter.write_line(
                f"{self.unstored()} validation record(s) could not be stored in the "
                f"registry ({error}); the JSON report has the checks",
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
        if self.settings.report_path is not None and self.report_written:
            reporter.write_line(f"report: {self.settings.report_path}")

    def close(self) -> None:
        """Flush validation records and release the registry."""
        loop, self._loop = self._loop, None
        if loop is None:
            return
        try:
            self.flush_records()
            if self._state is not None:
                loop.run(self._state.close(), CALL_TIMEOUT)
        finally:
            loop.close()


#: Stands for "no output was recorded" (None is an output: JSON null).
_NOTHING: Any = object()


def _loads(value: Any) -> dict[str, Any]:
    import json

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
