"""jsonschema validator classes whose patterns are ECMA 262, run by :mod:`.patterns`.

jsonschema matches ``pattern``, ``patternProperties`` (and the properties
``additionalProperties`` leaves to them) and ``format: regex`` with Python's
``re``. The classes made here replace those keywords and that format with
ones that use :func:`~pytest_contracts.patterns.compile_pattern`: RE2 where it
can run the pattern, and ECMA 262's reading of it everywhere.
``unevaluatedProperties`` still finds the properties ``patternProperties``
evaluated with Python's ``re`` (jsonschema does that deep inside its own
code): it is matched under the check's time budget.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema.validators
from jsonschema.exceptions import ValidationError

from .patterns import PatternError, compile_pattern, is_regex

__all__ = ["ecma_class", "format_checker"]


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not compile_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        compiled = compile_pattern(pattern)
        for key, value in instance.items():
            if compiled.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional(instance: Any, schema: Any) -> Iterator[str]:
    properties = schema.get("properties", {})
    patterns = [compile_pattern(p) for p in schema.get("patternProperties", {})]
    for key in instance:
        if key not in properties and not any(p.search(key) for p in patterns):
            yield key


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    # jsonschema's own, with the pattern match replaced.
    if not validator.is_type(instance, "object"):
        return
    extras = set(_additional(instance, schema))
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        joined = ", ".join(repr(each) for each in sorted(extras, key=str))
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(
                f"Additional properties are not allowed ({joined} {verb} unexpected)"
            )


@functools.cache
def format_checker(cls: Any) -> jsonschema.FormatChecker:
    """``cls``'s format checker with ``regex`` checked as ECMA 262."""
    checker = jsonschema.FormatChecker()
    checker.checkers = dict(cls.FORMAT_CHECKER.checkers)
    checker.checkers["regex"] = (is_regex, (PatternError,))
    return checker


@functools.cache
def ecma_class(cls: Any) -> Any:
    """``cls`` with ECMA 262 patterns (for the keywords its dialect has)."""
    replaced = {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    }
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        cls,
        validators={k: v for k, v in replaced.items() if k in cls.VALIDATORS},
        format_checker=format_checker(cls),
    )
