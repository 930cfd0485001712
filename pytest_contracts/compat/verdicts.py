"""Questions answered on top of a comparison or of the validators: is one
schema a subset of another, and does one document still hold under a new
version."""

from __future__ import annotations

import dataclasses
from typing import Any

import jsonschema.exceptions
import referencing.exceptions

from ..errors import InvalidSchema
from ..jsondata import pointer
from ..schemas import check_specification, validator_class_for
from .keywords import location_key
from .refs import BUNDLED
from .report import BREAKING, UNKNOWN, Policy
from .walk import compare


def is_subset(narrow: Any, wide: Any, *, policy: Policy | str = Policy.STRICT) -> bool | None:
    """Whether every document valid under ``narrow`` is valid under ``wide``:
    True or False, or None when the engine cannot tell."""
    report = compare(wide, narrow, policy=policy)
    if any(change.writers is BREAKING for change in report.changes):
        return False
    if any(change.writers is UNKNOWN for change in report.changes):
        return None
    return True


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentVerdict:
    """Whether one document, checked against two schema versions, still holds."""

    valid_under_old: bool
    valid_under_new: bool
    #: What the new schema finds wrong, "pointer: message", in document order.
    errors_under_new: list[str]

    @property
    def compatible(self) -> bool:
        return self.valid_under_new


def _errors(document: Any, schema: Any, context: str) -> list[str]:
    cls = validator_class_for(schema)
    # An explicit registry that retrieves nothing: jsonschema's default would
    # still fetch a remote $ref over the network.
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER, registry=BUNDLED)
    try:
        errors = list(validator.iter_errors(document))
    except (referencing.exceptions.Unresolvable, jsonschema.exceptions.SchemaError) as exc:
        raise InvalidSchema(
            f"{context} cannot be applied: {exc}; remote references are never fetched",
            path="",
        ) from None
    errors.sort(key=lambda e: (location_key(pointer(e.absolute_path)), e.message))
    return [f"{pointer(e.absolute_path) or '(root)'}: {e.message}" for e in errors]


def document_compatible(document: Any, old: Any, new: Any) -> DocumentVerdict:
    """Check ``document`` against both versions (each with its own draft and
    format checking): is a document valid under ``old`` valid under ``new``?"""
    check_specification(old, context="old schema")
    check_specification(new, context="new schema")
    old_errors = _errors(document, old, "old schema")
    new_errors = _errors(document, new, "new schema")
    return DocumentVerdict(
        valid_under_old=not old_errors,
        valid_under_new=not new_errors,
        errors_under_new=new_errors,
    )
