"""What a version is, and how versions are ordered: ``v1.0`` < ``v1.10`` < ``v2.0``.

A new version (``create_contract``, ``evolve_contract``, a contract file, a
marker's ``version=``, a version argument of the command line) must have the
accepted form (:func:`check_version`): an optional ``v``, one to four
dot-separated whole numbers without leading zeros, and an optional
pre-release after a hyphen, dot-separated words of letters, digits and
hyphens (numbers without leading zeros): ``1``, ``v1.0``, ``2.1.3``,
``v2.0-rc.1``, ``3.0-beta``. Written without leading zeros, a version reads
back as exactly the text it came from (:func:`parse_version`).

Versions are ordered as semantic versioning orders them: number by number,
trailing zeros ignored (``1.0`` == ``1.0.0``, ``v`` ignored), a pre-release
before its release (``1.0-rc.1`` < ``1.0``), pre-release parts compared as
numbers when both are numbers, numbers before words, a shorter pre-release
first. Versions stored before the rule that do not fit keep being read and
ordered (:func:`version_key`): one that reads as dot-separated numbers (with
a ``V``, a ``+build`` part or leading zeros) takes its place among them; any
other sorts after every version, by its text, so ordering never fails.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..defaults import MAX_VERSION_LENGTH
from ..errors import InvalidVersion

#: The accepted forms, as every refusal shows them.
VERSION_FORMS = (
    "an optional v, one to four dot-separated whole numbers without leading zeros, and an "
    "optional pre-release after a hyphen (1, v1.0, 2.1.3, v2.0-rc.1, 3.0-beta)"
)

_NUMBER = r"(?:0|[1-9][0-9]*)"
_IDENTIFIER = rf"(?:{_NUMBER}|[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*)"
_ACCEPTED = re.compile(
    rf"(?P<v>v?)(?P<numbers>{_NUMBER}(?:\.{_NUMBER}){{0,3}})"
    rf"(?:-(?P<pre>{_IDENTIFIER}(?:\.{_IDENTIFIER})*))?"
)

#: How stored versions are read for ordering: wider than what is accepted now.

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


@dataclasses.dataclass(frozen=True, slots=True)
class Version:
    """A version of the accepted form, in its parts; ``str()`` gives back its text."""

    numbers: tuple[int, ...]
    pre: tuple[str, ...] = ()
    prefix: str = ""

    def __str__(self) -> str:
        text = self.prefix + ".".join(map(str, self.numbers))
        return text + ("-" + ".".join(self.pre) if self.pre else "")

    @property
    def key(self) -> tuple[Any, ...]:
        """Its place among versions: :func:`version_key` of its text."""
        return version_key(str(self))


def is_version(value: object) -> bool:
    """Whether ``value`` is a version of the accepted form."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_VERSION_LENGTH
        and _ACCEPTED.fullmatch(value) is not None
    )


def version_problem(value: object, field: str = "version") -> str | None:
    """Why ``value`` is not a version of the accepted form, in one line that
    names ``field``, shows the value and the accepted forms; None if it is one."""
    if is_version(value):
        return None
    if not isinstance(value, str):
        problem = f"{field} must be a string, not {type(value).__name__}"
    elif len(value) > MAX_VERSION_LENGTH:
        problem = (
            f"{field} {value[:20]!r}... is {len(value)} characters long; "
            f"a version has at most {MAX_VERSION_LENGTH}"
        )
    else:
        problem = f"{field} {value!r} is not a version"
    return f"{problem}: use {VERSION_FORMS}"


def check_version(value: object, field: str = "version") -> str:
    """``value`` if it is a version of the accepted form; else
    :class:`InvalidVersion` saying why (:func:`version_problem`)."""
    problem = version_problem(value, field)
    if problem is not None:
        raise InvalidVersion(problem)
    assert isinstance(value, str)
    return value


def parse_version(text: str) -> Version:
    """A version of the accepted form in its parts (:class:`InvalidVersion`
    for anything else)."""
    match = _ACCEPTED.fullmatch(check_version(text))
    assert match is not None
    return Version(
        numbers=tuple(int(part) for part in match["numbers"].split(".")),
        pre=tuple(match["pre"].split(".")) if match["pre"] else (),
        prefix=match["v"],
    )
