"""Regular expressions as JSON Schema reads them, on an engine that cannot backtrack.

JSON Schema's ``pattern``, ``patternProperties`` and ``format: regex`` are
ECMA 262 regular expressions. Python's ``re`` reads them differently (its
``\\d`` matches every Unicode digit, its ``$`` matches before a trailing
newline, its ``.`` matches a carriage return) and backtracks: a pattern such
as ``^(a*,a*)+$`` takes exponential time on a near-miss.

:func:`compile_pattern` translates an ECMA 262 pattern and compiles it with
RE2 (the ``google-re2`` package), whose matching time is linear in the text.
RE2 has no backreferences and no lookaround; a pattern that needs them is
translated for Python's ``re`` instead, with the same ECMA 262 reading, and
is matched under the check's time budget (see ``budget.py``): such a pattern
is legal JSON Schema, and refusing it would refuse real contracts (password
rules written with lookahead, say).

The differences handled, ECMA 262 against Python's ``re``:

* ``\\d``, ``\\w`` and ``\\b`` are ASCII only;
* ``\\s`` is ECMA's own set of white space (with U+FEFF, without U+001C..U+001F);
* ``.`` matches anything but ``\\n``, ``\\r``, U+2028 and U+2029;
* ``$`` matches only at the very end (not before a trailing newline);
* ``\\uXXXX``, ``\\u{X...}``, ``\\cX``, ``\\0`` and ``(?<name>...)`` / ``\\k<name>``
  are ECMA's spellings; ``[]`` matches nothing and ``[^]`` anything;
* a letter escape ECMA does not define (Python's ``\\A``, ``\\Z``, ``\\z``) is
  refused as an invalid pattern rather than read one way or the other.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import Any, Final

import re2

from .errors import NeedsBacktracking, PatternError

__all__ = ["PatternError", "RegularExpression", "compile_pattern", "is_regex"]


#: ECMA 262 white space and line terminators: what its ``\s`` matches.
_SPACE: Final = (
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
)
_MAX: Final = 0x10FFFF


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    found: list[tuple[int, int]] = []
    start = 0
    for low, high in ranges:
        if low > start:
            found.append((start, low - 1))
        start = high + 1
    if start <= _MAX:
        found.append((start, _MAX))
    return tuple(found)


_NOT_SPACE: Final = _complement(_SPACE)
_LINE_TERMINATORS: Final = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))


def _char(code: int, target: str) -> str:
    if target == "re2":
        return f"\\x{{{code:X}}}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def _ranges(ranges: tuple[tuple[int, int], ...], target: str) -> str:
    return "".join(
        _char(low, target) if low == high else f"{_char(low, target)}-{_char(high, target)}"
        for low, high in ranges
    )


#: Letters ECMA 262 defines as escapes (outside ``\c`` and ``\x`` forms).
_CLASS_ESCAPES: Final = frozenset("dDwW")
_CONTROL_ESCAPES: Final = {"t": 0x09, "n": 0x0A, "v": 0x0B, "f": 0x0C, "r": 0x0D}
_HEX: Final = frozenset("0123456789abcdefABCDEF")


def _translate(source: str, target: str) -> str:
    """``source`` (ECMA 262) in the syntax of ``target`` ("re2" or "re").
    Raises :class:`PatternError` for what ECMA 262 does not define, and
    :class:`NeedsBacktracking` (for "re2") for backreferences and lookaround."""
    out: list[str] = []
    i, n = 0, len(source)
    in_class = False
    class_start = False  # just after "[" or "[^"
    while i < n:
        c = source[i]
        if c == "\\":
            i, text = _escape(source, i + 1, in_class, target)
            out.append(text)
            class_start = False
            continue
        if in_class:
            if c == "]" and not class_start:
                in_class = False
                out.append("]")
            elif c == "^" and class_start and out[-1] == "[":
                out.append("^")
                i += 1
                continue
            elif c == "-":
                out.append("-")
            elif c.isalnum() or ord(c) > 0x7F:
                out.append(c if target == "re" or c.isascii() else _char(ord(c), target))
            else:
                out.append(_literal(c, target))
            class_start = False
            i += 1
            continue
        if c == "[":
            if source.startswith("[]", i):
                out.append("[^\\x00-\\x{10FFFF}]" if target == "re2" else "(?!)")
                i += 2
                continue
            if source.startswith("[^]", i):
                out.append("[\\x00-\\x{10FFFF}]" if target == "re2" else "(?s:.)")
                i += 3
                continue
            in_class, class_start = True, True
            out.append("[")
        elif c == ".":
            out.append(f"[^{_ranges(_LINE_TERMINATORS, target)}]")
        elif c == "$":
            out.append("$" if target == "re2" else "\\Z")
        elif c == "(" and source.startswith("(?", i):
            i = _group(source, i, out, target)
            continue
        else:
            out.append(c)
        i += 1
    if in_class:
        raise PatternError("a character class ([...]) is not closed")
    return "".join(out)


def _literal(c: str, target: str) -> str:
    if target == "re2" and not c.isascii():
        return _char(ord(c), target)
    return re.escape(c)


def _group(source: str, i: int, out: list[str], target: str) -> int:
    """A group opening with ``(?`` at ``i``; returns where its body starts."""
    for opening in ("(?=", "(?!", "(?<=", "(?<!"):
        if source.startswith(opening, i):
            if target == "re2":
                raise NeedsBacktracking(f"lookaround {opening}...)")
            out.append(opening)
            return i + len(opening)
    named = re.match(r"\(\?<([A-Za-z_$][A-Za-z0-9_$]*)>", source[i:])
    if named:
        out.append(f"(?P<{_group_name(named.group(1))}>")
        return i + named.end()
    out.append("(?")
    return i + 2


def _group_name(name: str) -> str:
    # "$" is legal in an ECMA group name, not in Python's or RE2's.
    return name.replace("$", "_S_")


#: ECMA 262's long names of the general categories, as RE2 spells them.
_PROPERTY_NAMES: Final = {
    "Letter": "L", "Cased_Letter": "L", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll",
    "Titlecase_Letter": "Lt", "Modifier_Letter": "Lm", "Other_Letter": "Lo",
    "Mark": "M", "Combining_Mark": "M", "Nonspacing_Mark": "Mn", "Spacing_Mark": "Mc",
    "Enclosing_Mark": "Me", "Number": "N", "Decimal_Number": "Nd", "digit": "Nd",
    "Letter_Number": "Nl", "Other_Number": "No", "Punctuation": "P", "punct": "P",
    "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd", "Open_Punctuation": "Ps",
    "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi", "Final_Punctuation": "Pf",
    "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm", "Currency_Symbol": "Sc",
    "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z", "Space_Separator": "Zs",
    "Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Other": "C", "Control": "Cc",
    "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co", "Unassigned": "Cn",
}  # fmt: skip


def _escape(source: str, i: int, in_class: bool, target: str) -> tuple[int, str]:
    """The escape whose letter is at ``i``: (where the next token starts, its translation)."""
    if i >= len(source):
        raise PatternError("the pattern ends with a lone backslash")
    c = source[i]
    if c in _CLASS_ESCAPES:
        return i + 1, "\\" + c
    if c in "sS":
        ranges = _ranges(_SPACE if c == "s" else _NOT_SPACE, target)
        return i + 1, ranges if in_class else f"[{ranges}]"
    if c in "bB":
        if in_class:
            return i + 1, _char(0x08, target) if c == "b" else "B"
        return i + 1, "\\" + c
    if c in _CONTROL_ESCAPES:
        return i + 1, _char(_CONTROL_ESCAPES[c], target)
    if c == "c" and i + 1 < len(source) and source[i + 1].isascii() and source[i + 1].isalpha():
        return i + 2, _char(ord(source[i + 1]) % 32, target)
    if c == "x" and all(ch in _HEX for ch in source[i + 1 : i + 3]) and i + 3 <= len(source):
        return i + 3, _char(int(source[i + 1 : i + 3], 16), target)
    if c == "u":
        return _unicode_escape(source, i, target)
    if c == "0" and not source[i + 1 : i + 2].isdigit():
        return i + 1, _char(0, target)
    if c.isdigit():
        if in_class:
            raise PatternError(f"\\{c} in a character class is not an ECMA 262 escape")
        digits = re.match(r"[0-9]+", source[i:])
        assert digits is not None
        if target == "re2":
            raise NeedsBacktracking("a backreference")
        return i + digits.end(), f"(?:\\{digits.group()})"
    if c == "k" and not in_class:
        named = re.match(r"k<([A-Za-z_$][A-Za-z0-9_$]*)>", source[i:])
        if named is None:
            raise PatternError("\\k must name a group: \\k<name>")
        if target == "re2":
            raise NeedsBacktracking("a backreference")
        return i + named.end(), f"(?P={_group_name(named.group(1))})"
    if c in "pP":
        # A Unicode property (\p{L}): RE2 reads these; Python's re does not.
        prop = re.match(
            r"[pP]\{(?:(?:General_Category|gc|Script|sc|Script_Extensions|scx)=)?"
            r"([A-Za-z_]+)\}",
            source[i:],
        )
        if prop is None or target == "re":
            raise PatternError(f"\\{c} is only understood as a property: \\{c}{{Name}}")
        name = _PROPERTY_NAMES.get(prop.group(1), prop.group(1))
        return i + prop.end(), f"\\{c}{{{name}}}"
    if c.isascii() and c.isalnum():
        raise PatternError(
            f"\\{c} is not an ECMA 262 escape (JSON Schema patterns are ECMA 262, "
            "not Python); write the character itself, or $ for the end of the text"
        )
    if 0xD800 <= ord(c) <= 0xDFFF and target == "re2":
        raise NeedsBacktracking("a lone surrogate")
    return i + 1, _literal(c, target)


def _unicode_escape(source: str, i: int, target: str) -> tuple[int, str]:
    braced = re.match(r"u\{([0-9a-fA-F]{1,6})\}", source[i:])
    if braced:
        code, end = int(braced.group(1), 16), i + braced.end()
    else:
        four = source[i + 1 : i + 5]
        if len(four) != 4 or not all(ch in _HEX for ch in four):
            raise PatternError("\\u must be followed by four hexadecimal digits or {...}")
        code, end = int(four, 16), i + 5
        # A surrogate pair spelt as two escapes is one character.
        low = re.match(r"\\u(d[c-f][0-9a-f]{2})", source[end:], re.IGNORECASE)
        if 0xD800 <= code <= 0xDBFF and low:
            code = 0x10000 + ((code - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00)
            end += 6
    if code > _MAX:
        raise PatternError(f"\\u{{{code:X}}} is beyond the last Unicode character")
    if 0xD800 <= code <= 0xDFFF and target == "re2":
        raise NeedsBacktracking("a lone surrogate")
    return end, _char(code, target)


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True  # only "is there a match" is asked
    return options


#: The compiled program's own match call, without the wrapper's work of
#: mapping byte offsets back to characters: four times faster, and only a
#: yes or no is needed. The wrapper's search is used if it ever goes away.
_UNANCHORED: Final = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)


_RE2_OPTIONS: Final = _re2_options()


class RegularExpression:
    """One compiled pattern: RE2 when it can run it, else Python's ``re``."""

    __slots__ = ("_fallback", "_linear", "_match", "engine", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._linear: Any = None
        self._fallback: re.Pattern[str] | None = None
        with contextlib.suppress(NeedsBacktracking, re2.error):
            self._linear = re2.compile(_translate(source, "re2"), _RE2_OPTIONS)
        try:
            self._fallback = re.compile(_translate(source, "re"), re.ASCII)
        except (PatternError, re.error, OverflowError, RecursionError) as exc:
            # Only what RE2 cannot run either is refused (\p{...} is RE2's alone).
            if self._linear is None:
                raise PatternError(str(exc)) from None
        #: "re2", or "re" for a pattern only a backtracking engine runs.
        self.engine = "re2" if self._linear is not None else "re"
        self._match: Any = getattr(getattr(self._linear, "_regexp", None), "Match", None)
        if _UNANCHORED is None:
            self._match = None

    def search(self, text: str) -> bool:
        """Whether the pattern matches somewhere in ``text``."""
        if self._linear is not None:
            try:
                if self._match is not None:
                    encoded = text.encode("utf-8")
                    return bool(self._match(_UNANCHORED, encoded, 0, len(encoded))[0][0] >= 0)
                return self._linear.search(text) is not None
            except UnicodeEncodeError:
                # A lone surrogate, which UTF-8 (and so RE2) cannot hold.
                if self._fallback is None:
                    return False
        assert self._fallback is not None
        return self._fallback.search(text) is not None


@functools.lru_cache(maxsize=1024)
def compile_pattern(source: str) -> RegularExpression:
    """``source``, an ECMA 262 pattern, compiled; :class:`PatternError` when
    it is not one."""
    return RegularExpression(source)


def is_regex(source: object) -> bool:
    """The ``format: regex`` check: True for anything but a string that is
    not a pattern (formats apply to strings only)."""
    if not isinstance(source, str):
        return True
    compile_pattern(source)
    return True
