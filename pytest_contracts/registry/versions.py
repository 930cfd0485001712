"""Ordering contract versions: ``v1.0`` < ``v1.10`` < ``v2.0``.

A version is read as dot-separated numbers, with an optional leading ``v`` and
an optional pre-release (``-rc.1``) or build (``+build5``) part, as semantic
versioning orders them. A version that does not read that way sorts after all
that do, by its text, so ordering never fails.
"""

from __future__ import annotations

import re
from typing import Any

_VERSION = re.compile(
    r"^[vV]?(?P<numbers>\d+(?:\.\d+)*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?"
    r"(?:\+[0-9A-Za-z.-]+)?$"
)


def version_key(version: str) -> tuple[Any, ...]:
    """A sort key: numeric parts compared as numbers, trailing zeros ignored
    (``1.0`` == ``1.0.0``), a pre-release before its release."""
    match = _VERSION.match(version.strip())
    if match is None:
        return (1, version)
    numbers = [int(part) for part in match["numbers"].split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    pre = match["pre"]
    if pre is None:
        release: tuple[Any, ...] = (1,)
    else:
        release = (
            0,
            tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")),
        )
    return (0, tuple(numbers), release)


def is_semantic(version: str) -> bool:
    return _VERSION.match(version.strip()) is not None


def major(version: str) -> int | None:
    """The first number of a version, or None when it does not read as one."""
    match = _VERSION.match(version.strip())
    return None if match is None else int(match["numbers"].split(".")[0])
