"""Compiled validators and the violations they report.

A validator is compiled once per contract version (a version's schema never
changes) and kept in a bounded cache for the session. Every error is
collected, not only the first, each with where it sits in the output (a JSON
Pointer), the keyword that failed, where that keyword sits in the schema, and
the message.

Two engines compile and run the validators: ``jsonschema`` (the default) and
``jsonschema-rs`` (the ``fast`` extra). Both pick the dialect from ``$schema``
the same way, check ``format``, never fetch a remote ``$ref``, and report
violations with the same fields. Nothing heavy is imported until a validator
is first needed, so the plugin can check an engine name at start for free.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from .budget import CheckTimedOut, Runner, can_interrupt, time_budget
from .config import check_engine
from .defaults import CHECK_TIMEOUT, DEFAULT_ENGINE
from .errors import SchemaUnusable
from .jsondata import pointer
from .models import Contract, Record

#: The validation engines, by the name ``--contracts-engine`` takes.
#: Messages longer than this are cut, so one huge value cannot flood a report.
MESSAGE_LIMIT = 500


@dataclasses.dataclass(frozen=True, slots=True)
class Violation(Record):
    """One way an output breaks a contract."""

    #: JSON Pointer to the offending value in the output ("" is the root).
    pointer: str
    #: The schema keyword that failed, e.g. "required" or "type".
    keyword: str
    #: JSON Pointer to that keyword in the schema, e.g. "/properties/id/type".
    #: A ``$ref`` on the way is left out, as jsonschema does: the path is the
    #: keywords evaluated, from the root, e.g. "/properties/a/minLength".
    schema_path: str
    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """The result of validating one output against one contract version."""

    violations: tuple[Violation, ...]
    #: Set when the schema itself could not be applied (an unresolvable
    #: ``$ref``, say): then the output could not be judged at all.
    error: str | None
    duration_ms: float
    #: More violations were found than :data:`MAX_VIOLATIONS`, which are listed.
    truncated: bool = False

    @property
    def passed(self) -> bool:
        return not self.violations and self.error is None


#: Violations listed per output; one more is read to know that there are more.
#: A 50 MB output that fails everywhere would otherwise put hundreds of
#: thousands of them in the registry, the report and the terminal.
MAX_VIOLATIONS = 100


def _first(errors: Any) -> Any:
    return itertools.islice(errors, MAX_VIOLATIONS + 1)


def _clip(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."


class _Engine(Protocol):
    #: Whether the engine runs native code a timer signal cannot stop.
    native: bool

    def compile(self, specification: Any) -> Any: ...

    def violations(self, validator: Any, instance: Any) -> tuple[Violation, ...]: ...

    def valid(self, validator: Any, instance: Any) -> bool: ...


class _JsonschemaEngine:
    """The default: the jsonschema package."""

    native = False

    def __init__(self) -> None:
        import jsonschema.exceptions
        import referencing.exceptions
        from jsonschema_specifications import REGISTRY

        self._metaschemas = REGISTRY
        self._schema_errors = (
            referencing.exceptions.Unresolvable,
            jsonschema.exceptions.SchemaError,
        )

    def compile(self, specification: Any) -> Any:
        from .ecma import ecma_class
        from .schemas import validator_class_for

        cls = ecma_class(validator_class_for(specification))
        # An explicit registry that cannot retrieve anything: jsonschema's
        # default would still fetch a remote $ref over the network.
        return cls(specification, format_checker=cls.FORMAT_CHECKER, registry=self._metaschemas)

    def valid(self, validator: Any, instance: Any) -> bool:
        return not self.violations(validator, instance)

    def violations(self, validator: Any, instance: Any) -> tuple[Violation, ...]:
        try:
            return tuple(
                Violation(
                    pointer=pointer(error.absolute_path),
                    keyword=str(error.validator),
                    schema_path=pointer(error.absolute_schema_path),
                    message=_clip(error.message),
                )
                for error in _first(validator.iter_errors(instance))
            )
        except self._schema_errors as exc:
            # Unresolvable references are only found when they are followed.
            raise SchemaUnusable(str(exc)) from None


def _refuse_retrieval(refused: list[str]) -> Callable[[str], Any]:
    def retrieve(uri: str) -> Any:
        refused.append(uri)
        raise ValueError(f"{uri}: a remote $ref is never fetched")

    return retrieve


class _RustEngine:
    """jsonschema-rs: the same verdicts, compiled to native code."""

    native = True

    def __init__(self) -> None:
        import jsonschema_rs

        self._rs = jsonschema_rs
        self._backtracking = jsonschema_rs.FancyRegexOptions(backtrack_limit=BACKTRACK_LIMIT)

    def compile(self, specification: Any) -> Any:
        from .schemas import validator_class_for

        # One place decides the dialect for both engines: validator_class_for,
        # whose Draft*Validator names jsonschema-rs shares.
        cls = getattr(self._rs, validator_class_for(specification).__name__)
        refused: list[str] = []
        problem = ""
        # The regex crate first: its matching time is linear in the text.
        # Only a pattern with lookaround or a backreference, which it cannot
        # compile, needs fancy-regex, whose backtracking is capped.
        for options in (self._rs.RegexOptions(), self._backtracking):
            try:
                # The retriever refuses every URI, so jsonschema-rs never opens a
                # connection or a file; the meta-schemas are built in.
                return cls(
                    specification,
                    validate_formats=True,
                    retriever=_refuse_retrieval(refused),
                    pattern_options=options,
                )
            except self._rs.ValidationError as exc:
                # jsonschema-rs resolves every $ref when it compiles.
                problem = f"Unresolvable: {refused[0]}" if refused else _clip(exc.message)
                if refused or '"regex"' not in exc.message:
                    break
        raise SchemaUnusable(problem) from None

    def valid(self, validator: Any, instance: Any) -> bool:
        return bool(validator.is_valid(instance))

    def violations(self, validator: Any, instance: Any) -> tuple[Violation, ...]:
        if validator.is_valid(instance):
            # Stops at the first failure: far cheaper than collecting none.
            return ()
        return tuple(
            Violation(
                pointer=pointer(error.instance_path),
                keyword=self._keyword(error),
                schema_path=pointer(_evaluated_keywords(error.evaluation_path)),
                message=_clip(error.message),
            )
            for error in _first(validator.iter_errors(instance))
        )

    def _keyword(self, error: Any) -> str:
        if isinstance(error.kind, self._rs.ValidationErrorKind.FalseSchema):
            # No keyword failed: a subschema that is just `false` did.
            return "false"
        return str(error.evaluation_path[-1])


#: The most steps fancy-regex may take on one match of a pattern the regex
#: crate cannot run (jsonschema-rs then treats the string as not matching).
BACKTRACK_LIMIT = 1_000_000


def _evaluated_keywords(path: list[str | int]) -> list[str | int]:
    # jsonschema leaves "$ref" out of the schema path of an error (and keeps
    # "$dynamicRef"): the same here, so both engines give the same path.
    return [part for part in path if part != "$ref"]


@dataclasses.dataclass(frozen=True, slots=True)
class _Unusable:
    reason: str


_ENGINES: dict[str, Callable[[], _Engine]] = {
    "jsonschema": _JsonschemaEngine,
    "jsonschema-rs": _RustEngine,
}


class ValidatorCache:
    """Compiled validators by contract id, least recently used dropped first."""

    def __init__(
        self,
        maxsize: int = 256,
        engine: str = DEFAULT_ENGINE,
        check_timeout: float | None = CHECK_TIMEOUT,
    ) -> None:
        self.maxsize = maxsize
        self.engine = check_engine(engine)
        #: Seconds one check (compiling included) may take; None or 0: no limit.
        self.check_timeout = check_timeout
        self._engine: _Engine = _ENGINES[engine]()
        #: A compiled validator, or why the schema cannot be applied.
        self._validators: OrderedDict[str, Any] = OrderedDict()
        self.compiled = 0
        self._runner = Runner()

    def __len__(self) -> int:
        return len(self._validators)

    def validator(self, contract: Contract) -> Any:
        """The compiled validator of a contract version; a
        :class:`SchemaUnusable` when its schema cannot be applied."""
        found = self._validators.get(contract.id)
        if found is None:
            try:
                found = self._engine.compile(contract.specification)
            except SchemaUnusable as exc:
                # Kept: the schema never changes, so neither does the outcome.
                found = _Unusable(str(exc))
            self.compiled += 1
            self._validators[contract.id] = found
            if len(self._validators) > self.maxsize:
                self._validators.popitem(last=False)
        else:
            self._validators.move_to_end(contract.id)
        if isinstance(found, _Unusable):
            raise SchemaUnusable(found.reason)
        return found

    def validate(self, contract: Contract, instance: Any) -> Verdict:
        started = time.perf_counter()
        try:
            violations = self._run(contract, instance)
            error = None
        except CheckTimedOut:
            violations, error = (), self._over_budget(contract)
        except SchemaUnusable as exc:
            violations, error = (), f"the schema cannot be applied: {exc}"
        except RecursionError:
            violations, error = (
                (),
                (
                    "the output is nested too deeply to validate, or the schema refers "
                    "to itself without end"
                ),
            )
        except Exception as exc:
            # A stored schema whose $ref points into something that is not a
            # schema (a "const", say) fails inside the engine: a verdict, not a crash.
            violations, error = (
                (),
                _clip(f"the schema cannot be applied: {type(exc).__name__}: {exc}"),
            )
        except BaseException as exc:
            # Rust extensions (rpds, jsonschema-rs) panic as a BaseException
            # on runaway recursion; anything else (KeyboardInterrupt) goes on.
            if type(exc).__name__ != "PanicException":
                raise
            violations, error = (), _clip(f"the schema cannot be applied: {exc}")
        truncated = len(violations) > MAX_VIOLATIONS
        return Verdict(
            violations[:MAX_VIOLATIONS], error, (time.perf_counter() - started) * 1000, truncated
        )

    def _run(self, contract: Contract, instance: Any) -> tuple[Violation, ...]:
        """The violations, within the budget (see budget.py for how)."""

        def check() -> tuple[Violation, ...]:
            return self._engine.violations(self.validator(contract), instance)

        if not self.check_timeout:
            return check()
        if not can_interrupt():
            return self._runner.run(check, self.check_timeout)
        if self._engine.native:
            # jsonschema-rs: "is it valid?" stops at the first failure and is
            # the whole check of a valid output, so it runs here (a thread
            # handoff costs more than most checks; the timer ends it as an
            # error once it returns). Collecting the errors of an invalid
            # output is what can run away (every branch of every anyOf): in
            # the worker thread, abandoned at the deadline.
            started = time.monotonic()
            with time_budget(self.check_timeout):
                validator = self.validator(contract)
                valid = self._engine.valid(validator, instance)
            if valid:
                return ()
            left = self.check_timeout - (time.monotonic() - started)
            return self._runner.run(check, max(left, 1e-3))
        with time_budget(self.check_timeout):
            return check()

    def _over_budget(self, contract: Contract) -> str:
        return (
            f"the check against contract {contract.contract_name!r} {contract.version} "
            f"(team {contract.team_id!r}) ran past its time budget of {self.check_timeout:g} s "
            "and was stopped; if the output is that large on purpose, raise the budget "
            "(--contracts-check-timeout SECONDS or the ini option contracts_check_timeout; "
            "0 turns it off)"
        )
