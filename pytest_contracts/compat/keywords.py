"""What every comparer shares: the keywords that do not constrain, and small
helpers on JSON values and pointers.

:func:`key` is the identity under which the engine compares JSON values (as
JSON Schema compares them, not as Python does); :func:`short` is how a value
is shown in a message; :func:`child` and :func:`below` build the JSON
Pointers that changes are located by.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from ..jsondata import escape_pointer_token

#: Keywords that describe a schema without constraining documents.
METADATA: Final = frozenset(
    {
        "title",
        "description",
        "examples",
        "$comment",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$id",
        "$anchor",
        "$schema",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
    }
)
DEFINITIONS: Final = frozenset({"$defs", "definitions"})


def is_true(schema: Any) -> bool:
    """The schema accepts everything: ``true``, or an object with nothing but
    annotations and definitions."""
    if schema is True:
        return True
    return isinstance(schema, dict) and all(key in METADATA or key in DEFINITIONS for key in schema)


def as_dict(schema: Any) -> dict[str, Any]:
    return {} if schema is True else schema if isinstance(schema, dict) else {}


def key(value: Any) -> Any:
    """A hashable key under which JSON values compare as JSON Schema compares
    them: 1 equals 1.0, True does not equal 1, object key order is ignored."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return ("number", value)
    if isinstance(value, list):
        return ("array", tuple(key(item) for item in value))
    if isinstance(value, dict):
        return ("object", tuple(sorted((k, key(v)) for k, v in value.items())))
    return ("other", repr(value))


def short(value: Any, limit: int = 32) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    except ValueError:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def presence(in_old: bool, in_new: bool) -> str:
    return "added" if not in_old else "removed" if not in_new else "changed"


def mapping(schema: Mapping[str, Any], keyword: str) -> dict[str, Any]:
    value = schema.get(keyword)
    return value if isinstance(value, dict) else {}


def strings_list(schema: Mapping[str, Any], keyword: str) -> list[str]:
    value = schema.get(keyword)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


# -- pointers ---------------------------------------------------------------------------


def child(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(token) for token in tokens)


def below(parent: str | None, *tokens: str | int) -> str | None:
    """:func:`child`, for a place that may be implied (None): what lies below
    an implied schema is implied too."""
    return None if parent is None else child(parent, *tokens)


def location_key(location: str) -> tuple[tuple[int, int, str], ...]:
    """Sorts pointers token by token, array positions as numbers."""
    return tuple(
        (0, int(token), "") if token.isdigit() else (1, 0, token) for token in location.split("/")
    )
