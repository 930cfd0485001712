"""Compiled validators and the violations they report.

A validator is compiled once per contract version (a version's schema never
changes) and kept in a bounded cache for the session. Every error is
collected, not only the first, each with where it sits in the output (a JSON
Pointer), the keyword that failed, where that keyword sits in the schema, and
the message.
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from typing import Any

import jsonschema.exceptions
import referencing.exceptions
from jsonschema_specifications import REGISTRY as _METASCHEMAS

from .jsondata import pointer
from .models import Contract, Record
from .schemas import validator_class_for


@dataclasses.dataclass(frozen=True, slots=True)
class Violation(Record):
    """One way an output breaks a contract."""

    #: JSON Pointer to the offending value in the output ("" is the root).
    pointer: str
    #: The schema keyword that failed, e.g. "required" or "type".
    keyword: str
    #: JSON Pointer to that keyword in the schema, e.g. "/properties/id/type".
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

    @property
    def passed(self) -> bool:
        return not self.violations and self.error is None


def _message(error: jsonschema.exceptions.ValidationError) -> str:
    text = error.message
    return text if len(text) <= 500 else text[:497] + "..."


class ValidatorCache:
    """Compiled validators by contract id, least recently used dropped first."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._validators: OrderedDict[str, Any] = OrderedDict()
        self.compiled = 0

    def __len__(self) -> int:
        return len(self._validators)

    def validator(self, contract: Contract) -> Any:
        found = self._validators.get(contract.id)
        if found is not None:
            self._validators.move_to_end(contract.id)
            return found
        cls = validator_class_for(contract.specification)
        # An explicit registry that cannot retrieve anything: jsonschema's
        # default would still fetch a remote $ref over the network.
        found = cls(
            contract.specification,
            format_checker=cls.FORMAT_CHECKER,
            registry=_METASCHEMAS,
        )
        self.compiled += 1
        self._validators[contract.id] = found
        if len(self._validators) > self.maxsize:
            self._validators.popitem(last=False)
        return found

    def validate(self, contract: Contract, instance: Any) -> Verdict:
        started = time.perf_counter()
        validator = self.validator(contract)
        try:
            violations = tuple(
                Violation(
                    pointer=pointer(error.absolute_path),
                    keyword=str(error.validator),
                    schema_path=pointer(error.absolute_schema_path),
                    message=_message(error),
                )
                for error in validator.iter_errors(instance)
            )
            error = None
        except (referencing.exceptions.Unresolvable, jsonschema.exceptions.SchemaError) as exc:
            violations, error = (), f"the schema cannot be applied: {exc}"
        except RecursionError:
            violations, error = (), "the output is nested too deeply to validate"
        return Verdict(violations, error, (time.perf_counter() - started) * 1000)
