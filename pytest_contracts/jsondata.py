"""Strict JSON data: what may be stored as a specification or checked as output.

``json.dumps`` quietly turns tuples into lists and writes ``NaN``; a contract
registry must not, or what comes back would differ from what went in. The
walk here accepts exactly the JSON data model and names the first offending
value by its JSON Pointer.
"""

from __future__ import annotations

import contextlib
import json
import json.encoder
import math
import re
import sys
from typing import Any, NoReturn

from .defaults import MAX_OUTPUT_BYTES
from .errors import NotJSONData, OutputTooLarge

try:  # the fast check of check_output; without it, the json module's
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency; kept for a platform without it
    _orjson = None  # type: ignore[assignment]

#: Integers of up to this many decimal digits are JSON data: the most that any
#: Python with the default limit (sys.int_info.default_max_str_digits) can
#: write and read back, whatever this process's own limit is, so that what
#: one process stores every other can read.
MAX_INT_DIGITS = sys.int_info.default_max_str_digits or 4300
_INT_BOUND: int = 10**MAX_INT_DIGITS
_MAX_INT_BITS = 14_000  # about 4,200 digits: below the bound, no comparison needed

#: The deepest Python recursion limit under which check_output uses the json
#: module's C code: it recurses on the C stack up to that limit, and a limit
#: raised far above the default (some suites do) would let deeply nested data
#: overflow the stack instead of raising RecursionError.
_C_DEPTH_LIMIT = 4_000

# MAX_OUTPUT_BYTES, the largest phase output checked by default, in bytes of
# compact UTF-8 JSON: a phase output is a document (requirements, a design, a test plan): a large
#: one is about 100 KB, so 16 MiB leaves a 100-fold margin while bounding what
#: one test can cost: jsonschema needs about a second and a few hundred MB of
# Python objects to validate 16 MiB, and every violation it finds is kept.


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
            # Python refuses to write integers of more than 4300 digits as text
            # (by default; sys.set_int_max_str_digits): only big ones are compared.
            if item.bit_length() > _MAX_INT_BITS and not _writable(item):
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


def _writable(number: int) -> bool:
    return -_INT_BOUND < number < _INT_BOUND


def _int_size(number: int) -> int:
    """Characters of ``str(number)``, without converting it: a process may
    have lowered its limit below MAX_INT_DIGITS."""
    if number.bit_length() <= 3_000:  # under 904 digits: any allowed limit writes it
        return len(int.__repr__(number))
    magnitude = abs(number)
    digits = int((magnitude.bit_length() - 1) * 0.30102999566398120) + 1
    while magnitude >= 10**digits:
        digits += 1
    while digits > 1 and magnitude < 10 ** (digits - 1):
        digits -= 1
    return digits + (number < 0)


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


# The characters json.dumps escapes when ensure_ascii is False (each becomes
# two to six characters); everything else is written as it is.
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\\"]')


def _string_size(text: str) -> int:
    size = len(text) + 2  # the quotes
    if not text.isascii():
        # Lone surrogates are counted as dumps writes them (three bytes each).
        size += len(text.encode("utf-8", "surrogatepass")) - len(text)
    if _NEEDS_ESCAPE.search(text) is not None:
        size += len(json.encoder.encode_basestring(text)) - len(text) - 2
    return size


def json_size(value: Any, *, stop_above: int | None = None) -> int:
    """The size in bytes of ``dumps(value).encode()``, without building it.

    ``value`` must be JSON data (see :func:`ensure_json`). The walk is
    iterative, so any depth is fine; with ``stop_above``, it stops as soon as
    the count passes it and returns the count so far (then only a lower
    bound, but larger than ``stop_above``): a string longer than the room left
    is not even scanned.
    """
    total = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if item is None or item is True:
            total += 4
        elif item is False:
            total += 5
        elif isinstance(item, str):
            if stop_above is not None and total + len(item) + 2 > stop_above:
                return total + len(item) + 2  # each character is at least one byte
            total += _string_size(item)
        elif isinstance(item, int):
            total += _int_size(item)
        elif isinstance(item, float):
            total += len(float.__repr__(item))
        elif isinstance(item, dict):
            # Braces, a colon per member, a comma between members.
            total += 2 + 2 * len(item) - (1 if item else 0)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            total += 2 + len(item) - (1 if item else 0)
            stack.extend(item)
        else:
            raise NotJSONData(
                f"a {type(item).__qualname__} is not JSON data; check values with ensure_json",
                pointer="",
                type_name=type(item).__qualname__,
            )
        if stop_above is not None and total > stop_above:
            return total
    return total


def check_output_size(
    value: Any, *, limit: int | None = MAX_OUTPUT_BYTES, what: str = "the phase output"
) -> int:
    """The size of ``value`` as compact UTF-8 JSON, in bytes; raise
    :class:`OutputTooLarge` when it is over ``limit`` (None or 0: no limit).

    ``value`` must already have passed :func:`ensure_json`. Over the limit,
    measuring stops early, so a huge output costs no more than the limit.
    """
    if not limit:
        return json_size(value)
    size = json_size(value, stop_above=limit)
    if size > limit:
        _too_large(what, size, limit)
    return size


def _too_large(what: str, size: int, limit: int) -> NoReturn:
    raise OutputTooLarge(
        f"{what} is over the size limit of {_bytes(limit)} as JSON (it has at least "
        f"{size:,} bytes); record a smaller output (a summary, or the part the contract is "
        "about), or raise the limit with --contracts-max-output-bytes / "
        "contracts_max_output_bytes (0 for no limit)",
        size=size,
        limit=limit,
    )


def _bytes(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count:,} bytes ({count / (1024 * 1024):.1f} MiB)"
    return f"{count:,} bytes"


#: What orjson must not write itself, so that it comes to _refuse: dataclasses,
#: dates and times, and subclasses of str, int, dict and list.
_ORJSON_PASS = (
    0
    if _orjson is None
    else _orjson.OPT_PASSTHROUGH_DATACLASS
    | _orjson.OPT_PASSTHROUGH_DATETIME
    | _orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _refuse(value: Any) -> NoReturn:
    raise TypeError(type(value).__name__)


def _round_trips(value: Any, limit: int | None) -> bool:
    """True when orjson shows ``value`` to be JSON data well within ``limit``;
    False when it cannot tell (check_output's exact path decides).

    orjson writes what it is given about ten times faster than the json
    module, and reads it back three times faster. It writes a tuple as an
    array, NaN as null and an enum or a UUID as its value: the text read
    back is then not equal to ``value``. It refuses what else is not JSON
    data (other types, non-string keys, lone surrogates, integers past 64
    bits, nesting past 254). Its text can be shorter than the json module's
    (it may write ``1e-7`` for ``1e-07``, never less than half as long), so
    only a text within half the limit is judged here: the size the limit
    means is the json module's, which the exact path measures.
    """
    if _orjson is None:
        return False
    try:
        text = _orjson.dumps(value, default=_refuse, option=_ORJSON_PASS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return False
    if limit and 2 * len(text) > limit:
        return False
    try:
        return bool(_orjson.loads(text) == value)
    except (ValueError, RecursionError):  # pragma: no cover - orjson reads what it wrote
        return False


def check_output(value: Any, *, limit: int | None = MAX_OUTPUT_BYTES, what: str = "value") -> None:
    """:func:`ensure_json` and :func:`check_output_size` in one: nothing when
    ``value`` is JSON data within ``limit`` bytes of compact UTF-8 JSON, else
    :class:`NotJSONData` / :class:`OutputTooLarge`.

    JSON data well within the limit is recognised by orjson (see
    :func:`_round_trips`). Otherwise the common case is checked by the json
    module's C code: the text ``dumps`` writes (which refuses other types, NaN
    and cycles) gives the size, and reading it back must give a value equal to
    ``value`` (which a tuple or a non-string key does not). Anything else
    (data nested deeper than the C code recurses, or data that is not JSON)
    takes the walks above, which name the offending value and have no depth
    limit. An output whose text is over ``limit`` is refused before it is
    read back. The walks do all of it when the recursion limit is raised far
    above the default, or this process's limit on integer digits is not the
    default.
    """
    if _round_trips(value, limit):
        return
    text: str | None = None
    if (
        sys.getrecursionlimit() <= _C_DEPTH_LIMIT and sys.get_int_max_str_digits() == MAX_INT_DIGITS
    ):  # else the C code could overflow the stack, or judge integers otherwise
        with contextlib.suppress(TypeError, ValueError, RecursionError):
            text = dumps(value)
    if text is None:
        ensure_json(value, what=what)
        check_output_size(value, limit=limit, what=what)
        return
    size = len(text)
    if not text.isascii() and not (limit and size > limit):
        size = len(text.encode("utf-8", "surrogatepass"))
    if limit and size > limit:
        ensure_json(value, what=what)  # what is not JSON data is named first, as by the walks
        _too_large(what, size, limit)
    try:
        same = json.loads(text) == value
    except (ValueError, RecursionError):
        same = False
    if not same:
        ensure_json(value, what=what)  # raises, naming what does not round-trip
