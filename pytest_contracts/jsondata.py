"""Strict JSON data: what may be stored as a specification or checked as output.

``json.dumps`` quietly turns tuples into lists and writes ``NaN``; a contract
registry must not, or what comes back would differ from what went in. The
walk here accepts exactly the JSON data model and names the first offending
value by its JSON Pointer.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import ContractError

_MAX_INT_BITS = 14_000  # about 4,200 decimal digits


class NotJSONData(ContractError, TypeError):
    """A value is not JSON data. ``pointer`` locates it, ``type_name`` names its type."""

    def __init__(self, message: str, *, pointer: str, type_name: str) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.type_name = type_name


def escape_pointer_token(token: str | int) -> str:
    """One JSON Pointer reference token, escaped as RFC 6901 requires."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(path: Any) -> str:
    """The JSON Pointer for a sequence of keys and indexes (``""`` is the root)."""
    return "".join("/" + escape_pointer_token(part) for part in path)


_EXIT = object()


def _find_non_json(value: Any) -> tuple[str, Any, str | None] | None:
    """The pointer and value of the first non-JSON value, and what is wrong if
    it is not its type ("key" for a dict key, "cycle" for a container that
    contains itself), or None when all is JSON data.

    Iterative, so deeply nested data cannot exhaust the Python stack; paths are
    kept as links to the parent, so the walk stays linear in the data's size.
    """
    links: list[tuple[int, str | int]] = []  # node -> (parent node, key)

    def where(node: int) -> str:
        parts: list[str | int] = []
        while node >= 0:
            node, key = links[node]
            parts.append(key)
        return pointer(reversed(parts))

    on_path: set[int] = set()  # containers between the root and the current item
    stack: list[tuple[Any, int]] = [(value, -1)]
    while stack:
        item, node = stack.pop()
        if item is _EXIT:
            on_path.discard(node)
            continue
        if item is None or isinstance(item, bool | str):
            continue
        if isinstance(item, int):
            # Python refuses to write integers of more than 4300 digits as text.
            if item.bit_length() > _MAX_INT_BITS:
                return where(node), item, None
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                return where(node), item, None
            continue
        if isinstance(item, dict | list):
            if id(item) in on_path:
                return where(node), item, "cycle"
            on_path.add(id(item))
            stack.append((_EXIT, id(item)))
            if isinstance(item, dict):
                for key, child in item.items():
                    if not isinstance(key, str):
                        return where(node), key, "key"
                    links.append((node, key))
                    stack.append((child, len(links) - 1))
            else:
                for index, child in enumerate(item):
                    links.append((node, index))
                    stack.append((child, len(links) - 1))
            continue
        return where(node), item, None
    return None


def ensure_json(value: Any, *, what: str = "value") -> None:
    """Raise :class:`NotJSONData` unless ``value`` is JSON data exactly:
    dicts with string keys, lists, strings, finite numbers, booleans and None."""
    found = _find_non_json(value)
    if found is None:
        return
    where, bad, problem = found
    is_key = problem == "key"
    location = f"at {where!r}" if where else "at the root"
    if problem == "cycle":
        type_name = type(bad).__qualname__
        reason = f"a {type_name} that contains itself"
    elif is_key:
        type_name = type(bad).__qualname__
        reason = f"a dict key of type {type_name} ({bad!r}); JSON object keys are strings"
    elif isinstance(bad, float):
        reason = f"{bad!r}, which is not a JSON number"
        type_name = "float"
    elif isinstance(bad, int):
        reason = f"an integer of {bad.bit_length()} bits, too large to write as JSON"
        type_name = "int"
    else:
        type_name = type(bad).__qualname__
        reason = f"a {type_name}, which JSON cannot represent"
    hint = {
        "tuple": "use a list",
        "set": "use a sorted list",
        "frozenset": "use a sorted list",
        "bytes": "decode it to str",
        "datetime": "use .isoformat()",
        "date": "use .isoformat()",
        "Decimal": "use float or str",
        "UUID": "use str()",
        "int": "store it as a string",
    }.get(type_name, "convert it to dict, list, str, int, float, bool or None")
    if is_key:
        hint = "use str keys"
    elif problem == "cycle":
        hint = "JSON data is a tree: copy the shared part instead of referencing it"
    raise NotJSONData(
        f"{what} is not JSON data: {location} there is {reason} ({hint})",
        pointer=where,
        type_name=type_name,
    )


def dumps(value: Any) -> str:
    """Compact JSON text of data already checked by :func:`ensure_json`."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical(value: Any) -> str:
    """Key-sorted JSON text: equal data gives equal text (for hashing)."""
    return json.dumps(
        value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, sort_keys=True
    )
