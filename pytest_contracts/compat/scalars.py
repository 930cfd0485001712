"""Numbers and strings drawn for a place (see :mod:`.drawing`): both sides of
every bound and step the schemas and the change name, the samples of each
pattern and format; and the arithmetic on JSON numbers that goes with them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from typing import Any, Final, TypeGuard

from .keywords import key
from .sides import matches


def numbers(
    schemas: list[tuple[str | None, dict[str, Any]]],
    integer: bool,
    hinted: list[float],
    hinted_steps: list[float],
) -> Iterator[Any]:
    """Numbers near each bound of ``schemas`` and each of ``hinted``, on and
    off each step; whole ones only when ``integer``."""
    # The change's own numbers first: a lowered maximum is shown by the old one.
    constants: list[float] = list(hinted)
    steps: list[float] = [1, *hinted_steps]
    for _, schema in schemas:
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            value = schema.get(keyword)
            if is_number(value):
                constants.append(value)
        if is_number(schema.get("multipleOf")):
            steps.append(schema["multipleOf"])
    constants.append(0)
    seen: set[Any] = set()
    for base in unique(constants):
        for delta in (0, 1, -1, 0.5, -0.5):
            for value in _around(base + delta, steps):
                if integer and not float(value).is_integer():
                    continue
                identity = key(value)
                if identity not in seen and math.isfinite(value):
                    seen.add(identity)
                    yield tidy(value)


def _around(value: float, steps: list[float]) -> Iterator[float]:
    yield value
    for step in unique(steps):
        if step > 0 and is_number(value / step):
            below = math.floor(value / step) * step
            yield below
            yield below + step
            yield below - step
            yield below + step / 2  # off the grid: shows a multipleOf added


def strings(
    schemas: list[tuple[str | None, dict[str, Any]]],
    hinted: list[str],
    hinted_lengths: list[int],
) -> Iterator[str]:
    """The plainest strings, the samples of each pattern and format and each of
    ``hinted``, then strings of each length bound and one either side."""
    lengths = list(hinted_lengths)
    samples = list(hinted)
    for _, schema in schemas:
        for keyword in ("minLength", "maxLength"):
            if is_number(schema.get(keyword)):
                lengths.append(int(schema[keyword]))
        if isinstance(schema.get("pattern"), str):
            samples.extend(pattern_samples(schema["pattern"]))
        if isinstance(schema.get("format"), str):
            samples.extend(_FORMATS.get(schema["format"], ()))
    seen: set[str] = set()
    for text in ("", "a", "b", *samples, "ab", "x"):
        if text not in seen:
            seen.add(text)
            yield text
    for length in unique(lengths):
        if not 0 <= length <= 64:
            continue
        for near in (length, length + 1, length - 1):
            for filler in ("a", "b", *samples[:4]):
                text = (filler * (near + 1))[:near] if filler else ""
                if near >= 0 and text not in seen and len(text) == near:
                    seen.add(text)
                    yield text


_FORMATS: Final[dict[str, tuple[str, ...]]] = {
    "date": ("2024-01-31",),
    "date-time": ("2024-01-31T12:00:00Z",),
    "time": ("12:00:00Z",),
    "duration": ("P1D",),
    "email": ("someone@example.com",),
    "idn-email": ("someone@example.com",),
    "hostname": ("example.com",),
    "idn-hostname": ("example.com",),
    "ipv4": ("192.0.2.1",),
    "ipv6": ("2001:db8::1",),
    "uri": ("https://example.com/a",),
    "uri-reference": ("/a",),
    "iri": ("https://example.com/a",),
    "iri-reference": ("/a",),
    "uuid": ("123e4567-e89b-12d3-a456-426614174000",),
    "json-pointer": ("/a",),
    "relative-json-pointer": ("0",),
    "regex": ("^a$",),
}


def pattern_samples(pattern: str) -> list[str]:
    """A few strings that may match ``pattern``, drawn from its literal parts."""
    literal = re.sub(r"\\(.)", r"\1", re.sub(r"^\^|\$$", "", pattern))
    samples = [literal, "a" + literal, literal + "a"]
    return [text for text in unique(samples) if matches(pattern, text)]


def is_number(value: Any) -> TypeGuard[float]:
    """A JSON number this module can do arithmetic on: finite, and no
    integer too large for a float."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return abs(value) < _LARGEST


#: Numbers beyond this are left alone: a float cannot hold their neighbours.
_LARGEST: Final = 1e15


def tidy(value: float) -> float | int:
    """Whole numbers as integers, other floats rounded to what was meant."""
    if float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return round(value, 12)


def unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))
