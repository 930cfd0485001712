"""The report of a comparison: modes, policies, effects, changes and their rendering.

A :class:`Change` says what one difference does to two sides: ``readers``
(BACKWARD: does the new schema accept all the old one accepted?) and
``writers`` (FORWARD: does the old schema accept all the new one accepts?).
A :class:`CompatReport` holds every change of a comparison and the
:class:`Policy` it is judged under; a :class:`Mode` picks the sides that count.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, Final

from ..errors import InvalidArgument
from ..models import parse_enum


def _loose(case: Callable[[str], str]) -> Callable[[str], str]:
    """Spellings a person writes: ``forward-transitive``, ``Forward Transitive``."""
    return lambda text: case(text.strip().replace("-", "_").replace(" ", "_"))


class Mode(enum.StrEnum):
    """Which side of a schema change must keep working.

    BACKWARD: readers on the new version read data written under the old one.
    FORWARD: readers on the old version read data written under the new one.
    FULL: both. The ``_TRANSITIVE`` forms ask the same question of every
    earlier version, not only the latest; on one pair they are the plain form.
    NONE checks nothing.
    """

    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def transitive(self) -> bool:
        return self.name.endswith("_TRANSITIVE")

    @property
    def checks_readers(self) -> bool:
        return self.name.startswith(("BACKWARD", "FULL"))

    @property
    def checks_writers(self) -> bool:
        return self.name.startswith(("FORWARD", "FULL"))

    @classmethod
    def parse(cls, value: str | Mode) -> Mode:
        """``"backward"``, ``"full-transitive"``, ``Mode.FULL``...: case does not
        matter. Anything else is an :class:`InvalidArgument` naming the choices."""
        return parse_enum(cls, value, "compatibility mode", _loose(str.upper))


class Policy(enum.StrEnum):
    """How optional properties in open objects, and unknown effects, are judged.

    STRICT follows Confluent Schema Registry's JSON Schema rules and counts an
    UNKNOWN effect as breaking. LENIENT lets an optional property come and go
    in an open object, and lists UNKNOWN effects without failing on them.
    """

    STRICT = "strict"
    LENIENT = "lenient"

    @classmethod
    def parse(cls, value: str | Policy) -> Policy:
        """``"strict"`` or ``"lenient"``, any case; anything else is an
        :class:`InvalidArgument` naming the choices."""
        return parse_enum(cls, value, "compatibility policy", _loose(str.lower))


DEFAULT_MODE: Final = Mode.BACKWARD
DEFAULT_POLICY: Final = Policy.LENIENT


class Effect(enum.StrEnum):
    """What one change does to one side."""

    SAFE = "safe"
    BREAKING = "breaking"
    UNKNOWN = "unknown"


SAFE: Final = Effect.SAFE
BREAKING: Final = Effect.BREAKING
UNKNOWN: Final = Effect.UNKNOWN

#: What a change does to (readers, writers).
Effects = tuple[Effect, Effect]

# The (readers, writers) pairs of the common cases.
NARROWS: Final[Effects] = (BREAKING, SAFE)
WIDENS: Final[Effects] = (SAFE, BREAKING)
BREAKS_BOTH: Final[Effects] = (BREAKING, BREAKING)
NEUTRAL: Final[Effects] = (SAFE, SAFE)
OPAQUE_EFFECT: Final[Effects] = (UNKNOWN, UNKNOWN)

_CHANGE_FIELDS: Final = ("kind", "location", "old", "new", "readers", "writers", "message")
#: Stored before changes carried a witness, a change may lack this key.
_OPTIONAL_FIELDS: Final = ("witness",)
#: Which side a witness shows broken: ``readers``, a document the old schema
#: accepts and the new one refuses; ``writers``, the other way round.
WITNESS_DIRECTIONS: Final = ("readers", "writers")


@dataclasses.dataclass(frozen=True, slots=True)
class Witness:
    """A document that shows a change breaking one side, checked with the
    validator of each schema's own dialect (formats checked) before it is kept.

    ``direction`` ``"readers"``: ``document`` is valid under the old schema and
    invalid under the new one. ``"writers"``: valid under the new schema and
    invalid under the old one.
    """

    direction: str
    document: Any

    def to_dict(self) -> dict[str, Any]:
        return {"direction": self.direction, "document": self.document}

    @classmethod
    def from_dict(cls, data: Any) -> Witness | None:
        """A stored witness, or None for ``null``."""
        if data is None:
            return None
        if (
            not isinstance(data, Mapping)
            or set(data) != {"direction", "document"}
            or data["direction"] not in WITNESS_DIRECTIONS
        ):
            raise InvalidArgument(
                'a stored witness must be null or {"direction": "readers" or "writers", '
                f'"document": ...}}; got {_brief(data)}'
            )
        return cls(direction=data["direction"], document=data["document"])

    def render(self) -> str:
        """The witness for a human: which schema accepts it, which refuses it."""
        accepts, refuses = ("old", "new") if self.direction == "readers" else ("new", "old")
        text = json.dumps(self.document, ensure_ascii=False, sort_keys=True)
        if len(text) > _SHOWN_DOCUMENT:
            text = text[: _SHOWN_DOCUMENT - 3] + "..."
        return f"e.g. {text} ({accepts} accepts it, {refuses} refuses it)"


#: Characters of a witness document a rendering shows; ``to_dict`` has it all.
_SHOWN_DOCUMENT: Final = 300


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """One difference between the old and the new schema.

    ``location`` is a JSON Pointer into the new schema (into the old one for
    what was removed); ``old``/``new`` are the values there, None when absent.
    """

    kind: str
    location: str
    old: Any
    new: Any
    #: BACKWARD: does the new schema still accept all the old one accepted?
    readers: Effect
    #: FORWARD: does the old schema accept all the new one accepts?
    writers: Effect
    message: str
    #: A document that shows the break (see :class:`Witness`); None when the
    #: change breaks no side, or when none was found: it still breaks then.
    witness: Witness | None = None

    @property
    def breaking(self) -> bool:
        """BREAKING for readers or writers (UNKNOWN does not count here)."""
        return BREAKING in (self.readers, self.writers)

    @property
    def unknown(self) -> bool:
        return UNKNOWN in (self.readers, self.writers)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data; :meth:`from_dict` reads it back unchanged."""
        return {
            "kind": self.kind,
            "location": self.location,
            "old": self.old,
            "new": self.new,
            "readers": self.readers.value,
            "writers": self.writers.value,
            "message": self.message,
            "witness": None if self.witness is None else self.witness.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        if not isinstance(data, Mapping) or not (
            set(_CHANGE_FIELDS) <= set(data) <= {*_CHANGE_FIELDS, *_OPTIONAL_FIELDS}
        ):
            raise InvalidArgument(
                f"a stored change must have the keys {', '.join(_CHANGE_FIELDS)} and "
                f"may have {', '.join(_OPTIONAL_FIELDS)}; "
                f"got {sorted(data) if isinstance(data, Mapping) else type(data).__name__}"
            )
        for name in ("kind", "location", "message"):
            if not isinstance(data[name], str):
                raise InvalidArgument(f"a stored change's {name} must be a string")
        return cls(
            kind=data["kind"],
            location=data["location"],
            old=data["old"],
            new=data["new"],
            readers=parse_enum(Effect, data["readers"], "effect", _loose(str.lower)),
            writers=parse_enum(Effect, data["writers"], "effect", _loose(str.lower)),
            message=data["message"],
            witness=Witness.from_dict(data.get("witness")),
        )


_REPORT_FORMAT: Final = 1


@dataclasses.dataclass(frozen=True, slots=True)
class CompatReport:
    """Every change between two schema versions, judged under one policy."""

    changes: tuple[Change, ...]
    policy: Policy

    def _counts(self, effect: Effect) -> bool:
        return effect is BREAKING or (effect is UNKNOWN and self.policy is Policy.STRICT)

    def breaking_changes(self, mode: Mode | str) -> list[Change]:
        """The changes that fail ``mode``: BREAKING on a side the mode checks,
        or UNKNOWN there under the STRICT policy. Empty for ``Mode.NONE``."""
        mode = Mode.parse(mode)
        return [
            change
            for change in self.changes
            if (mode.checks_readers and self._counts(change.readers))
            or (mode.checks_writers and self._counts(change.writers))
        ]

    def breaks(self, mode: Mode | str) -> bool:
        """Whether the new version fails ``mode`` against the old one."""
        return bool(self.breaking_changes(mode))

    def unknown_changes(self) -> list[Change]:
        """The changes whose effect on either side the engine cannot tell."""
        return [change for change in self.changes if change.unknown]

    @property
    def breaks_readers(self) -> bool:
        """Some change is BREAKING for readers (UNKNOWN does not count here)."""
        return any(change.readers is BREAKING for change in self.changes)

    @property
    def breaks_writers(self) -> bool:
        """Some change is BREAKING for writers (UNKNOWN does not count here)."""
        return any(change.writers is BREAKING for change in self.changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data; :meth:`from_dict` reads it back unchanged."""
        return {
            "format": _REPORT_FORMAT,
            "policy": self.policy.value,
            "changes": [change.to_dict() for change in self.changes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CompatReport:
        if not isinstance(data, Mapping) or data.get("format") != _REPORT_FORMAT:
            raise InvalidArgument(
                f"not a stored compatibility report of format {_REPORT_FORMAT}: "
                "expected a mapping with format, policy and changes"
            )
        changes = data.get("changes")
        if not isinstance(changes, list):
            raise InvalidArgument("a stored compatibility report's changes must be a list")
        return cls(
            changes=tuple(Change.from_dict(item) for item in changes),
            policy=Policy.parse(data.get("policy", "")),
        )

    def render(self, width: int = 80, *, witnesses: bool = True) -> list[str]:
        """Lines for a human, none longer than ``width`` (at least 20): a
        summary, one entry per change, labelled by its effect, then (unless
        ``witnesses`` is False) the witness of each breaking change."""
        width = max(width, 20)
        if not self.changes:
            return textwrap.wrap("no changes between the two schemas", width)
        lines = textwrap.wrap(self._summary(), width, subsequent_indent="  ")
        for change in self.changes:
            text = f"{_label(change):<15} {change.location or '(root)'}  {change.message}"
            if change.readers is UNKNOWN and change.writers is BREAKING:
                text += " [readers: unknown]"
            elif change.writers is UNKNOWN and change.readers is BREAKING:
                text += " [writers: unknown]"
            lines.extend(_wrap(text, width, "", "    "))
        if witnesses:
            lines.extend(self._witness_lines(width))
        return lines

    def _witness_lines(self, width: int) -> list[str]:
        """After the changes, a document for each breaking one: what a change
        code tells an expert, an example shows everyone."""
        breaking = [change for change in self.changes if change.breaking]
        if not breaking:
            return []
        lines = _wrap("witnesses (each checked against both schemas):", width, "", "  ")
        for change in breaking:
            shown = (
                change.witness.render()
                if change.witness is not None
                else "no example document found; it still breaks"
            )
            lines.extend(_wrap(f"{change.location or '(root)'}  {shown}", width, "  ", "    "))
        return lines

    def _summary(self) -> str:
        count = len(self.changes)
        sides = []
        for side, breaks in (("readers", self.breaks_readers), ("writers", self.breaks_writers)):
            unknown = any(getattr(change, side) is UNKNOWN for change in self.changes)
            sides.append(
                f"breaks {side}" if breaks else f"{side} unknown" if unknown else f"{side} safe"
            )
        text = f"{count} change{'s' if count != 1 else ''} (policy {self.policy}): " + "; ".join(
            sides
        )
        if self.unknown_changes():
            if self.policy is Policy.STRICT:
                text += " (unknown counts as breaking under strict)"
            else:
                text += " (unknown is listed, not failed, under lenient)"
        return text


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=True,
        break_on_hyphens=False,
    )


def _label(change: Change) -> str:
    readers, writers = change.readers is BREAKING, change.writers is BREAKING
    if readers and writers:
        return "BREAKS BOTH"
    if readers:
        return "BREAKS READERS"
    if writers:
        return "BREAKS WRITERS"
    if change.unknown:
        return "UNKNOWN"
    return "safe"
