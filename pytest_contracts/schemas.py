"""Checking that a specification is a JSON Schema the registry can use."""

from __future__ import annotations

from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators

from .errors import InvalidSchema
from .jsondata import NotJSONData, ensure_json, pointer

_VALIDATOR_CLASSES: tuple[Any, ...] = (
    jsonschema.Draft202012Validator,
    jsonschema.Draft201909Validator,
    jsonschema.Draft7Validator,
    jsonschema.Draft6Validator,
    jsonschema.Draft4Validator,
)


def _normalise_dialect(uri: str) -> str:
    return uri.rstrip("#")


_BY_DIALECT: dict[str, Any] = {
    _normalise_dialect(cls.META_SCHEMA["$schema"]): cls for cls in _VALIDATOR_CLASSES
}

SUPPORTED_DIALECTS = tuple(sorted(_BY_DIALECT))


def validator_class_for(specification: Any) -> Any:
    """The validator class the specification's ``$schema`` names; draft 2020-12
    when it names none. An unknown ``$schema`` is an :class:`InvalidSchema`."""
    if isinstance(specification, dict) and "$schema" in specification:
        dialect = specification["$schema"]
        cls = _BY_DIALECT.get(_normalise_dialect(dialect)) if isinstance(dialect, str) else None
        if cls is None:
            raise InvalidSchema(
                f"unknown $schema {dialect!r}; supported dialects: "
                + ", ".join(SUPPORTED_DIALECTS)
                + " (or leave $schema out for draft 2020-12)",
                path="/$schema",
            )
        return cls
    return jsonschema.Draft202012Validator


def check_specification(specification: Any, *, context: str = "specification") -> None:
    """Raise :class:`InvalidSchema` unless ``specification`` is JSON data and a
    valid JSON Schema for its dialect. The error names the path of the
    offending part of the schema."""
    try:
        ensure_json(specification, what=context)
    except NotJSONData as exc:
        raise InvalidSchema(str(exc), path=exc.pointer) from None
    if not isinstance(specification, dict | bool):
        raise InvalidSchema(
            f"{context} must be a JSON Schema (an object, or true/false), "
            f"not {type(specification).__name__}",
            path="",
        )
    try:
        cls = validator_class_for(specification)
    except InvalidSchema as exc:
        raise InvalidSchema(f"{context}: {exc}", path=exc.path) from None
    # As check_schema does: the meta-schema with its format checker, so that
    # a "pattern" that is not a regular expression is refused here, not later.
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    try:
        error = jsonschema.exceptions.best_match(meta.iter_errors(specification))
    except RecursionError:
        raise InvalidSchema(
            f"{context} is nested too deeply to check; flatten it with $defs and $ref",
            path="",
        ) from None
    if error is None:
        return
    where = pointer(error.absolute_path)
    location = f"at {where!r}" if where else "at the root"
    raise InvalidSchema(
        f"{context} is not a valid JSON Schema: {location}: {error.message}",
        path=where,
    )
