"""Compatibility of two JSON Schema versions: what changed, and whom it breaks.

:func:`compare` walks an old and a new schema side by side and reports every
change as a :class:`Change` with a stable dotted ``kind``, a JSON Pointer, the
old and new values and two effects:

* ``readers`` (the BACKWARD question): does the new schema still accept every
  document the old one accepted? Readers built on the new version must read
  data written under the old one.
* ``writers`` (the FORWARD question): is every document the new schema accepts
  still accepted by the old one? Readers still on the old version must read
  data written under the new one.

Each effect is SAFE (proved), BREAKING (a document exists, or is assumed to
exist, that crosses the line) or UNKNOWN (the engine cannot tell). SAFE is only
claimed where it holds for every document, with one deliberate exception: the
LENIENT policy accepts adding or removing an optional property in an open
object, which in theory could clash with data that already used that name.

Nothing here imports pytest, and no reference is ever fetched: a ``$ref``
outside the schema's own document is compared by its text only.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any, Final, TypeVar
from urllib.parse import unquote

import jsonschema
import jsonschema.exceptions
import referencing.exceptions
from jsonschema_specifications import REGISTRY as _METASCHEMAS

from .errors import InvalidArgument, InvalidSchema
from .jsondata import escape_pointer_token, pointer
from .schemas import check_specification, validator_class_for

__all__ = [
    "DEFAULT_MODE",
    "DEFAULT_POLICY",
    "Change",
    "CompatReport",
    "DocumentVerdict",
    "Effect",
    "Mode",
    "Policy",
    "compare",
    "document_compatible",
    "is_subset",
]

_E = TypeVar("_E", bound=enum.StrEnum)


def _parse_enum(cls: type[_E], value: Any, what: str, normalise: Callable[[str], str]) -> _E:
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls(normalise(value.strip().replace("-", "_").replace(" ", "_")))
        except ValueError:
            pass
    raise InvalidArgument(
        f"unknown {what} {value!r}; use one of: " + ", ".join(member.value for member in cls)
    )


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
        return _parse_enum(cls, value, "compatibility mode", str.upper)


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
        return _parse_enum(cls, value, "compatibility policy", str.lower)


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

# (readers, writers) pairs for the common cases.
_NARROWS: Final = (BREAKING, SAFE)
_WIDENS: Final = (SAFE, BREAKING)
_BREAKS_BOTH: Final = (BREAKING, BREAKING)
_NEUTRAL: Final = (SAFE, SAFE)
_OPAQUE_EFFECT: Final = (UNKNOWN, UNKNOWN)

_CHANGE_FIELDS: Final = ("kind", "location", "old", "new", "readers", "writers", "message")


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
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        if not isinstance(data, Mapping) or set(data) != set(_CHANGE_FIELDS):
            raise InvalidArgument(
                f"a stored change must have exactly the keys {', '.join(_CHANGE_FIELDS)}; "
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
            readers=_parse_enum(Effect, data["readers"], "effect", str.lower),
            writers=_parse_enum(Effect, data["writers"], "effect", str.lower),
            message=data["message"],
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

    def render(self, width: int = 80) -> list[str]:
        """Lines for a human, none longer than ``width`` (at least 20): a
        summary, then one entry per change, labelled by its effect."""
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
            lines.extend(
                textwrap.wrap(
                    text,
                    width,
                    subsequent_indent="    ",
                    break_long_words=True,
                    break_on_hyphens=False,
                )
            )
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


# --------------------------------------------------------------------------
# Keyword families


#: Keywords that describe a schema without constraining documents.
_METADATA: Final = frozenset(
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
_DEFINITIONS: Final = frozenset({"$defs", "definitions"})

#: Keywords whose changes the engine does not reason about. Adding one only
#: ever narrows (writers SAFE, readers UNKNOWN), removing one only widens.
_OPAQUE: Final = {
    "not": "not",
    "if": "if",
    "then": "then",
    "else": "else",
    "contains": "contains",
    "propertyNames": "property_names",
    "dependentSchemas": "dependent_schemas",
    "dependentRequired": "dependent_required",
    "dependencies": "dependencies",
    "unevaluatedProperties": "unevaluated_properties",
    "unevaluatedItems": "unevaluated_items",
}

#: Keywords whose value is a schema, a list of schemas or a map of schemas
#: (used to compare subschemas while following their references).
_SCHEMA_VALUED: Final = frozenset(
    {
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "additionalItems",
        "items",
    }
)
_SCHEMA_LISTS: Final = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_SCHEMA_MAPS: Final = frozenset(
    {"properties", "patternProperties", "dependentSchemas", "dependencies"}
)

#: Size bounds: keyword -> (group, is a lower bound).
_SIZES: Final = {
    "minLength": True,
    "maxLength": False,
    "minItems": True,
    "maxItems": False,
    "minProperties": True,
    "maxProperties": False,
    "minContains": True,
    "maxContains": False,
}

_HANDLED: Final = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "pattern",
        "format",
        "uniqueItems",
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "allOf",
        "anyOf",
        "oneOf",
        *_SIZES,
    }
)

_NUMBER_ATOMS: Final = frozenset({"integer", "fraction"})
_ALL_ATOMS: Final = frozenset({"null", "boolean", "object", "array", "string"}) | _NUMBER_ATOMS


def _type_atoms(schema: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types the ``type`` keyword allows, "number" split into
    "integer" and "fraction" so that integer is a subset of number."""
    declared = schema.get("type")
    if declared is None:
        return _ALL_ATOMS
    names = [declared] if isinstance(declared, str) else list(declared)
    atoms: set[str] = set()
    for name in names:
        atoms |= _NUMBER_ATOMS if name == "number" else {name}
    return frozenset(atoms)


def _key(value: Any) -> Any:
    """A hashable key under which JSON values compare as JSON Schema compares
    them: 1 equals 1.0, True does not equal 1, object key order is ignored."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return ("number", value)
    if isinstance(value, list):
        return ("array", tuple(_key(item) for item in value))
    if isinstance(value, dict):
        return ("object", tuple(sorted((k, _key(v)) for k, v in value.items())))
    return ("other", repr(value))


def _short(value: Any, limit: int = 32) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    except ValueError:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_true(schema: Any) -> bool:
    """The schema accepts everything: ``true``, or an object with nothing but
    annotations and definitions."""
    if schema is True:
        return True
    return isinstance(schema, dict) and all(
        key in _METADATA or key in _DEFINITIONS for key in schema
    )


def _as_dict(schema: Any) -> dict[str, Any]:
    return {} if schema is True else schema if isinstance(schema, dict) else {}


def _child(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(token) for token in tokens)


def _pattern_matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True  # an unreadable pattern might match: do not assume it does not


class _Side:
    """One of the two schemas: its root, its dialect and its references."""

    def __init__(self, root: Any) -> None:
        self.root = root
        cls = validator_class_for(root)
        self.dialect = cls
        #: Draft 2019-09 and earlier: "items" may be a list, with "additionalItems".
        self.items_arrays = cls is not jsonschema.Draft202012Validator
        #: Draft 7 and earlier: a "$ref" makes its sibling keywords ignored.
        self.ref_overrides = cls in (
            jsonschema.Draft4Validator,
            jsonschema.Draft6Validator,
            jsonschema.Draft7Validator,
        )
        identifier = root.get("$id") if isinstance(root, dict) else None
        self.base = identifier.split("#", 1)[0] if isinstance(identifier, str) else ""
        self._anchors: dict[str, str] | None = None

    def resolve(self, ref: Any) -> tuple[str, Any] | None:
        """The pointer and subschema a local ``$ref`` names; None for anything
        else (remote, relative to another document, dangling): never fetched."""
        if not isinstance(ref, str):
            return None
        if ref.startswith("#"):
            fragment = ref[1:]
        else:
            base, _, fragment = ref.partition("#")
            if not self.base or not base or base != self.base:
                return None
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            found = self._anchor_map().get(fragment)
            if found is None:
                return None
            fragment = found
        node: Any = self.root
        for raw in fragment.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        if not isinstance(node, dict | bool):
            return None
        return fragment, node

    def referenced(self) -> frozenset[str]:
        """The pointers every local ``$ref`` in the document resolves to."""
        targets: set[str] = set()
        stack = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                target = self.resolve(node.get("$ref"))
                if target is not None:
                    targets.add(target[0])
                stack.extend(v for k, v in node.items() if k not in ("enum", "const"))
            elif isinstance(node, list):
                stack.extend(node)
        return frozenset(targets)

    def _anchor_map(self) -> dict[str, str]:
        if self._anchors is None:
            anchors: dict[str, str] = {}
            stack: list[tuple[Any, str]] = [(self.root, "")]
            while stack:
                node, where = stack.pop()
                if isinstance(node, dict):
                    anchor = node.get("$anchor")
                    if isinstance(anchor, str):
                        anchors.setdefault(anchor, where)
                    identifier = node.get("$id")
                    if isinstance(identifier, str) and identifier.startswith("#"):
                        anchors.setdefault(identifier[1:], where)
                    for key, value in node.items():
                        if key not in ("enum", "const", "default", "examples"):
                            stack.append((value, _child(where, key)))
                elif isinstance(node, list):
                    stack.extend((value, _child(where, i)) for i, value in enumerate(node))
            self._anchors = anchors
        return self._anchors

    def follow(self, schema: Any, where: str | None) -> tuple[Any, str | None]:
        """Replace a schema that is only a resolvable ``$ref`` (plus annotations)
        by its target, through chains of references."""
        seen: set[str] = set()
        while isinstance(schema, dict) and "$ref" in schema:
            if not self.ref_overrides and not all(
                key == "$ref" or key in _METADATA or key in _DEFINITIONS for key in schema
            ):
                break
            target = self.resolve(schema["$ref"])
            if target is None or target[0] in seen:
                break
            where, schema = target
            seen.add(where)
        if self.ref_overrides and isinstance(schema, dict) and "$ref" in schema:
            # The draft ignores every sibling of an unresolvable $ref, too.
            schema = {"$ref": schema["$ref"]}
        return schema, where


def _contains_key(value: Any, keys: frozenset[str]) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if keys & node.keys():
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


_DYNAMIC_REFS: Final = frozenset({"$dynamicRef", "$recursiveRef"})


class _Comparer:
    def __init__(self, old: Any, new: Any, policy: Policy) -> None:
        self.old = _Side(old)
        self.new = _Side(new)
        self.policy = policy
        self.changes: list[Change] = []
        self._compared: set[tuple[str, str]] = set()
        self._roots_differ = _key(old) != _key(new)
        self._definitions: list[tuple[str, Any, Any, str, str | None, str | None]] = []

    # -- recording ---------------------------------------------------------

    def add(
        self,
        kind: str,
        location: str,
        old: Any,
        new: Any,
        effects: tuple[Effect, Effect],
        message: str,
    ) -> Change:
        change = Change(kind, location, old, new, *effects, message)
        self.changes.append(change)
        return change

    # -- the walk ------------------------------------------------------------

    def run(self) -> list[Change]:
        self.node(self.old.root, self.new.root, "", "", "")
        self._unreferenced_definitions()
        return _ordered(self.changes)

    def node(self, old: Any, new: Any, old_at: str | None, new_at: str | None, loc: str) -> None:
        """Compare two subschemas. ``old_at``/``new_at`` are their pointers in
        their own documents (None for an implied schema, such as an absent
        ``additionalProperties``); ``loc`` is where changes are reported."""
        old, old_at = self.old.follow(old, old_at)
        followed, new_at_after = self.new.follow(new, new_at)
        if new_at_after != new_at and new_at_after is not None:
            loc = new_at_after
        new, new_at = followed, new_at_after
        if old_at is not None and new_at is not None:
            # Each pair of places is compared once: this ends recursive schemas.
            if (old_at, new_at) in self._compared:
                return
            self._compared.add((old_at, new_at))
        if old is False or new is False:
            if old is False and new is False:
                return
            if new is False:
                self.add(
                    "schema.narrowed",
                    loc,
                    old,
                    new,
                    _NARROWS,
                    "schema is now false: it rejects every value",
                )
            else:
                self.add(
                    "schema.widened",
                    loc,
                    old,
                    new,
                    _WIDENS,
                    "schema was false; now it accepts values",
                )
            return
        self.keywords(_as_dict(old), _as_dict(new), old_at, new_at, loc)

    def keywords(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        old_at: str | None,
        new_at: str | None,
        loc: str,
    ) -> None:
        self._ref(old, new, old_at, new_at, loc)
        self._types(old, new, loc)
        self._values(old, new, loc)
        self._numbers(old, new, loc)
        self._sizes(old, new, loc)
        self._strings(old, new, loc)
        self._objects(old, new, old_at, new_at, loc)
        consumed = self._arrays(old, new, old_at, new_at, loc)
        for keyword in ("allOf", "anyOf", "oneOf"):
            self._branches(keyword, old, new, old_at, new_at, loc)
        for keyword in sorted((old.keys() | new.keys()) - _HANDLED - consumed):
            where = _child(loc, keyword)
            in_old, in_new = keyword in old, keyword in new
            old_value, new_value = old.get(keyword), new.get(keyword)
            if keyword in _DEFINITIONS:
                self._definitions.append(
                    (
                        keyword,
                        old_value if isinstance(old_value, dict) else {},
                        new_value if isinstance(new_value, dict) else {},
                        loc,
                        None if old_at is None else _child(old_at, keyword),
                        None if new_at is None else _child(new_at, keyword),
                    )
                )
            elif keyword in _OPAQUE:
                self._opaque(keyword, old, new, old_at, new_at, where)
            elif keyword in _DYNAMIC_REFS and self._roots_differ:
                self.add(
                    "ref.unresolvable",
                    where,
                    old_value,
                    new_value,
                    _OPAQUE_EFFECT,
                    f"{keyword} is not followed; what it reaches may have changed",
                )
            elif in_old and in_new and _key(old_value) == _key(new_value):
                continue
            elif keyword == "$schema" and self.old.dialect is not self.new.dialect:
                self.add(
                    "dialect.changed",
                    where,
                    old_value,
                    new_value,
                    _OPAQUE_EFFECT,
                    f"$schema changed {_short(old_value, 45)} -> {_short(new_value, 45)}",
                )
            elif keyword in _METADATA:
                self.add(
                    "metadata.changed",
                    where,
                    old_value,
                    new_value,
                    _NEUTRAL,
                    f"{keyword} {_presence(in_old, in_new)}",
                )
            else:
                self.add(
                    "unknown",
                    where,
                    old_value,
                    new_value,
                    _OPAQUE_EFFECT,
                    f"keyword {keyword!r} {_presence(in_old, in_new)}; its effect is unknown",
                )

    # -- references ---------------------------------------------------------

    def _ref(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        old_at: str | None,
        new_at: str | None,
        loc: str,
    ) -> None:
        # Reached only with "$ref" next to assertions, or a $ref that does not resolve.
        if "$ref" not in old and "$ref" not in new:
            return
        where = _child(loc, "$ref")
        old_ref, new_ref = old.get("$ref"), new.get("$ref")
        old_target = self.old.resolve(old_ref) if old_ref is not None else None
        new_target = self.new.resolve(new_ref) if new_ref is not None else None
        unresolvable = (old_ref is not None and old_target is None) or (
            new_ref is not None and new_target is None
        )
        if old_target is not None and new_target is not None:
            self.node(old_target[1], new_target[1], old_target[0], new_target[0], new_target[0])
        elif unresolvable:
            if old_ref == new_ref and old_target is None and new_target is None:
                return  # the same outside document on both sides
            self.add(
                "ref.unresolvable",
                where,
                old_ref,
                new_ref,
                _OPAQUE_EFFECT,
                f"$ref {_short(old_ref, 30)} -> {_short(new_ref, 30)} is not followed",
            )
        elif new_ref is not None:
            self.add(
                "ref.added",
                where,
                None,
                new_ref,
                (UNKNOWN, SAFE),
                f"$ref {_short(new_ref, 40)} added next to other keywords",
            )
        else:
            self.add(
                "ref.removed",
                where,
                old_ref,
                None,
                (SAFE, UNKNOWN),
                f"$ref {_short(old_ref, 40)} removed from next to other keywords",
            )

    def _same(
        self, old: Any, new: Any, old_at: str | None, new_at: str | None, seen: set[Any]
    ) -> bool:
        """Whether two subschemas constrain alike, annotations aside, following
        local references on both sides (a pair met again is assumed alike)."""
        old, old_at = self.old.follow(old, old_at)
        new, new_at = self.new.follow(new, new_at)
        if old_at is not None and new_at is not None:
            if (old_at, new_at) in seen:
                return True
            seen.add((old_at, new_at))
        if old is False or new is False or not isinstance(old, dict | bool):
            return bool(_key(old) == _key(new))
        if not isinstance(new, dict | bool):
            return False
        old, new = _as_dict(old), _as_dict(new)
        ignored = _METADATA | _DEFINITIONS
        if old.keys() - ignored != new.keys() - ignored:
            return False

        def sub(parent: str | None, *tokens: str | int) -> str | None:
            return None if parent is None else _child(parent, *tokens)

        for keyword in old.keys() - ignored:
            a, b = old[keyword], new[keyword]
            if keyword == "$ref":
                ta, tb = self.old.resolve(a), self.new.resolve(b)
                if ta is not None and tb is not None:
                    if not self._same(ta[1], tb[1], ta[0], tb[0], seen):
                        return False
                elif a != b or ta is not None or tb is not None:
                    return False
            elif keyword in _SCHEMA_LISTS and isinstance(a, list):
                if not isinstance(b, list) or len(a) != len(b):
                    return False
                for i, (x, y) in enumerate(zip(a, b, strict=True)):
                    if not self._same(x, y, sub(old_at, keyword, i), sub(new_at, keyword, i), seen):
                        return False
            elif keyword in _SCHEMA_VALUED:
                if not self._same(a, b, sub(old_at, keyword), sub(new_at, keyword), seen):
                    return False
            elif keyword in _SCHEMA_MAPS:
                if not isinstance(a, dict) or not isinstance(b, dict) or a.keys() != b.keys():
                    return False
                for name in a:
                    if not self._same(
                        a[name],
                        b[name],
                        sub(old_at, keyword, name),
                        sub(new_at, keyword, name),
                        seen,
                    ):
                        return False
            elif keyword in ("enum", "required") and isinstance(a, list) and isinstance(b, list):
                if {_key(x) for x in a} != {_key(y) for y in b}:
                    return False
            elif _key(a) != _key(b):
                return False
        return True

    # -- type, enum and const -------------------------------------------------

    def _types(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        before, after = _type_atoms(old), _type_atoms(new)
        if before == after:
            return
        where = _child(loc, "type")
        old_value, new_value = old.get("type"), new.get("type")
        shown = f"{_short(old_value) if 'type' in old else 'any'} -> " + (
            _short(new_value) if "type" in new else "any"
        )
        if before < after:
            gained = _describe_atoms(after - before)
            self.add(
                "type.widened",
                where,
                old_value,
                new_value,
                _WIDENS,
                f"type widened {shown}: now accepts {gained}",
            )
        elif after < before:
            lost = _describe_atoms(before - after)
            self.add(
                "type.narrowed",
                where,
                old_value,
                new_value,
                _NARROWS,
                f"type narrowed {shown}: no longer accepts {lost}",
            )
        else:
            self.add("type.changed", where, old_value, new_value, _BREAKS_BOTH, f"type {shown}")

    def _values(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        found: list[Change] = []
        in_old, in_new = "const" in old, "const" in new
        old_const, new_const = old.get("const"), new.get("const")
        where = _child(loc, "const")
        if in_old and in_new and _key(old_const) != _key(new_const):
            found.append(
                self.add(
                    "const.changed",
                    where,
                    old_const,
                    new_const,
                    _BREAKS_BOTH,
                    f"const changed {_short(old_const)} -> {_short(new_const)}",
                )
            )
        elif in_new and not in_old:
            found.append(
                self.add(
                    "const.added",
                    where,
                    None,
                    new_const,
                    _NARROWS,
                    f"const {_short(new_const)} added",
                )
            )
        elif in_old and not in_new:
            found.append(
                self.add(
                    "const.removed",
                    where,
                    old_const,
                    None,
                    _WIDENS,
                    f"const {_short(old_const)} removed",
                )
            )
        old_enum, new_enum = old.get("enum"), new.get("enum")
        where = _child(loc, "enum")
        if isinstance(old_enum, list) and isinstance(new_enum, list):
            old_keys = {_key(v) for v in old_enum}
            new_keys = {_key(v) for v in new_enum}
            added = [v for v in new_enum if _key(v) not in old_keys]
            removed = [v for v in old_enum if _key(v) not in new_keys]
            if added:
                found.append(
                    self.add(
                        "enum.values_added",
                        where,
                        None,
                        added,
                        _WIDENS,
                        f"enum values added: {_short(added, 60)}",
                    )
                )
            if removed:
                found.append(
                    self.add(
                        "enum.values_removed",
                        where,
                        removed,
                        None,
                        _NARROWS,
                        f"enum values removed: {_short(removed, 60)}",
                    )
                )
        elif isinstance(new_enum, list):
            found.append(
                self.add(
                    "enum.added",
                    where,
                    None,
                    new_enum,
                    _NARROWS,
                    f"enum added: {_short(new_enum, 60)}",
                )
            )
        elif isinstance(old_enum, list):
            found.append(
                self.add(
                    "enum.removed",
                    where,
                    old_enum,
                    None,
                    _WIDENS,
                    f"enum removed: {_short(old_enum, 60)}",
                )
            )
        if found:
            # const and enum together allow one set of values: judge that set.
            before, after = _allowed_values(old), _allowed_values(new)
            self._refine(found, _set_effect(before, after), _set_effect(after, before))

    def _refine(self, found: list[Change], readers: bool, writers: bool) -> None:
        """Where a group of keywords, taken together, provably keeps a side
        safe, mark the group's changes safe for that side."""
        if not readers and not writers:
            return
        for change in found:
            index = next(i for i, c in enumerate(self.changes) if c is change)
            self.changes[index] = dataclasses.replace(
                change,
                readers=SAFE if readers else change.readers,
                writers=SAFE if writers else change.writers,
            )

    # -- bounds ----------------------------------------------------------------

    def _bound(
        self,
        keyword: str,
        old: dict[str, Any],
        new: dict[str, Any],
        loc: str,
        tighter: Callable[[Any, Any], bool | None],
    ) -> Change | None:
        """One bound keyword. ``tighter(a, b)`` says whether value b allows
        less than value a (True), more (False), or neither (None); an absent
        keyword is passed as None."""
        in_old, in_new = keyword in old, keyword in new
        a, b = old.get(keyword), new.get(keyword)
        if in_old == in_new and (not in_old or _key(a) == _key(b)):
            return None
        where = _child(loc, keyword)
        verdict = tighter(a, b)
        if verdict is None and a is not None and b is not None:
            readers, writers, how = BREAKING, BREAKING, "changed"
        elif verdict is None:
            readers, writers, how = SAFE, SAFE, "changed"
        elif verdict:
            readers, writers, how = BREAKING, SAFE, "tightened"
        else:
            readers, writers, how = SAFE, BREAKING, "loosened"
        kind = "bound.added" if not in_old else "bound.removed" if not in_new else f"bound.{how}"
        if not in_old:
            text = f"{keyword} {_short(b)} added"
        elif not in_new:
            text = f"{keyword} {_short(a)} removed"
        else:
            x, y = _number(a), _number(b)
            if x is not None and y is not None and keyword != "multipleOf":
                how = "raised" if y > x else "lowered"
            text = f"{keyword} {how} {_short(a)} -> {_short(b)}"
        if verdict is None and not (a is not None and b is not None):
            text += " (no effect)"
        return self.add(kind, where, a, b, (readers, writers), text)

    def _numbers(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        for lower, keywords in (
            (True, ("minimum", "exclusiveMinimum")),
            (False, ("maximum", "exclusiveMaximum")),
        ):
            found: list[Change] = []
            for keyword in keywords:
                change = self._bound(keyword, old, new, loc, _number_order(lower))
                if change is not None:
                    found.append(change)
            if found:
                before, after = _numeric_bound(old, lower), _numeric_bound(new, lower)
                readers_safe = _bound_within(before, after, lower)
                writers_safe = _bound_within(after, before, lower)
                self._refine(found, readers_safe, writers_safe)
        self._bound("multipleOf", old, new, loc, _multiple_order)

    def _sizes(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        for keyword, lower in _SIZES.items():
            self._bound(keyword, old, new, loc, _size_order(lower))
        self._bound("uniqueItems", old, new, loc, _compare_flag)

    def _strings(self, old: dict[str, Any], new: dict[str, Any], loc: str) -> None:
        for keyword in ("pattern", "format"):
            in_old, in_new = keyword in old, keyword in new
            a, b = old.get(keyword), new.get(keyword)
            where = _child(loc, keyword)
            if in_old and in_new and a != b:
                self.add(
                    f"{keyword}.changed",
                    where,
                    a,
                    b,
                    _OPAQUE_EFFECT,
                    f"{keyword} changed {_short(a, 30)} -> {_short(b, 30)}",
                )
            elif in_new and not in_old:
                self.add(
                    f"{keyword}.added", where, None, b, _NARROWS, f"{keyword} {_short(b)} added"
                )
            elif in_old and not in_new:
                self.add(
                    f"{keyword}.removed", where, a, None, _WIDENS, f"{keyword} {_short(a)} removed"
                )

    # -- objects -------------------------------------------------------------

    def _objects(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        old_at: str | None,
        new_at: str | None,
        loc: str,
    ) -> None:
        old_props = _mapping(old, "properties")
        new_props = _mapping(new, "properties")
        old_patterns = _mapping(old, "patternProperties")
        new_patterns = _mapping(new, "patternProperties")

        def at(parent: str | None, *tokens: str) -> str | None:
            return None if parent is None else _child(parent, *tokens)

        for name in sorted(old_props.keys() | new_props.keys()):
            where = _child(loc, "properties", name)
            if name in old_props and name in new_props:
                self.node(
                    old_props[name],
                    new_props[name],
                    at(old_at, "properties", name),
                    at(new_at, "properties", name),
                    where,
                )
                continue
            patterned = any(_pattern_matches(p, name) for p in (*old_patterns, *new_patterns))
            if name in new_props:
                self._slot_added(
                    "property.added",
                    f"property {name!r}",
                    None if patterned else _fallback(old),
                    at(old_at, "additionalProperties"),
                    new_props[name],
                    at(new_at, "properties", name),
                    where,
                    lenient=self.policy is Policy.LENIENT and _model(old) == "open",
                )
            else:
                self._slot_removed(
                    "property.removed",
                    f"property {name!r}",
                    old_props[name],
                    at(old_at, "properties", name),
                    None if patterned else _fallback(new),
                    at(new_at, "additionalProperties"),
                    where,
                    lenient=self.policy is Policy.LENIENT and _model(new) == "open",
                )
        old_required = _strings_list(old, "required")
        new_required = _strings_list(new, "required")
        for index, name in enumerate(new_required):
            if name not in old_required and name not in new_required[:index]:
                self.add(
                    "required.added",
                    _child(loc, "required", index),
                    None,
                    name,
                    _NARROWS,
                    f"property {name!r} is now required",
                )
        for index, name in enumerate(old_required):
            if name not in new_required and name not in old_required[:index]:
                self.add(
                    "required.removed",
                    _child(loc, "required", index),
                    name,
                    None,
                    _WIDENS,
                    f"property {name!r} is no longer required",
                )
        for pattern in sorted(old_patterns.keys() | new_patterns.keys()):
            where = _child(loc, "patternProperties", pattern)
            if pattern in old_patterns and pattern in new_patterns:
                self.node(
                    old_patterns[pattern],
                    new_patterns[pattern],
                    at(old_at, "patternProperties", pattern),
                    at(new_at, "patternProperties", pattern),
                    where,
                )
            elif pattern in new_patterns:
                self.add(
                    "pattern_properties.added",
                    where,
                    None,
                    new_patterns[pattern],
                    _OPAQUE_EFFECT,
                    f"patternProperties {_short(pattern, 40)} added",
                )
            else:
                self.add(
                    "pattern_properties.removed",
                    where,
                    old_patterns[pattern],
                    None,
                    _OPAQUE_EFFECT,
                    f"patternProperties {_short(pattern, 40)} removed",
                )
        self._rest(
            "additional_properties",
            "additionalProperties",
            old,
            new,
            old_at,
            new_at,
            "additionalProperties",
            "additionalProperties",
            loc,
        )

    def _slot_added(
        self,
        kind: str,
        what: str,
        fallback: Any,
        fallback_at: str | None,
        schema: Any,
        schema_at: str | None,
        loc: str,
        *,
        lenient: bool,
    ) -> None:
        """A property or tuple position the new schema declares and the old one
        left to its ``fallback`` (additionalProperties, items...; None when the
        engine cannot tell which schema applied)."""
        if fallback is None:
            self.add(kind, loc, None, schema, _OPAQUE_EFFECT, f"{what} added; effect unknown")
        elif fallback is False:
            writers = SAFE if schema is False else BREAKING
            self.add(
                kind, loc, None, schema, (SAFE, writers), f"{what} added where none were allowed"
            )
        elif _is_true(fallback):
            readers = SAFE if lenient or _is_true(schema) else BREAKING
            self.add(kind, loc, None, schema, (readers, SAFE), f"{what} added")
        else:
            self.add(kind, loc, None, schema, _NEUTRAL, f"{what} added; compared below")
            self.node(fallback, schema, fallback_at, schema_at, loc)

    def _slot_removed(
        self,
        kind: str,
        what: str,
        schema: Any,
        schema_at: str | None,
        fallback: Any,
        fallback_at: str | None,
        loc: str,
        *,
        lenient: bool,
    ) -> None:
        if fallback is None:
            self.add(kind, loc, schema, None, _OPAQUE_EFFECT, f"{what} removed; effect unknown")
        elif fallback is False:
            readers = SAFE if schema is False else BREAKING
            self.add(
                kind, loc, schema, None, (readers, SAFE), f"{what} removed; no others are allowed"
            )
        elif _is_true(fallback):
            writers = SAFE if lenient or _is_true(schema) else BREAKING
            self.add(kind, loc, schema, None, (SAFE, writers), f"{what} removed")
        else:
            self.add(kind, loc, schema, None, _NEUTRAL, f"{what} removed; compared below")
            self.node(schema, fallback, schema_at, fallback_at, loc)

    def _rest(
        self,
        family: str,
        what: str,
        old: dict[str, Any],
        new: dict[str, Any],
        old_at: str | None,
        new_at: str | None,
        old_keyword: str,
        new_keyword: str,
        loc: str,
    ) -> None:
        """The schema for whatever is not declared one by one: additional
        properties, or array items past the tuple."""
        before = old.get(old_keyword, True)
        after = new.get(new_keyword, True)
        where = _child(loc, new_keyword)
        if before is False and after is False:
            return
        if after is False:
            self.add(f"{family}.closed", where, before, after, _NARROWS, f"{what} now false")
        elif before is False:
            how = "opened" if _is_true(after) else "widened"
            message = f"{what} was false; now {'open' if how == 'opened' else 'a schema'}"
            self.add(f"{family}.{how}", where, before, after, _WIDENS, message)
        elif _is_true(before) and not _is_true(after):
            self.add(
                f"{family}.narrowed",
                where,
                before,
                after,
                _NARROWS,
                f"{what} narrowed from anything to a schema",
            )
        elif _is_true(after) and not _is_true(before):
            self.add(
                f"{family}.opened",
                where,
                before,
                after,
                _WIDENS,
                f"{what} opened from a schema to anything",
            )
        elif old_keyword in old or new_keyword in new:
            self.node(
                before,
                after,
                None if old_at is None or old_keyword not in old else _child(old_at, old_keyword),
                None if new_at is None or new_keyword not in new else _child(new_at, new_keyword),
                where,
            )

    # -- arrays ------------------------------------------------------------

    def _arrays(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        old_at: str | None,
        new_at: str | None,
        loc: str,
    ) -> frozenset[str]:
        old_prefix, old_prefix_kw, old_rest_kw, old_used = _array_form(self.old, old)
        new_prefix, new_prefix_kw, new_rest_kw, new_used = _array_form(self.new, new)
        for index in range(max(len(old_prefix), len(new_prefix))):
            where = _child(loc, new_prefix_kw if index < len(new_prefix) else old_prefix_kw, index)
            old_here = None if old_at is None else _child(old_at, old_prefix_kw, index)
            new_here = None if new_at is None else _child(new_at, new_prefix_kw, index)
            if index < len(old_prefix) and index < len(new_prefix):
                self.node(old_prefix[index], new_prefix[index], old_here, new_here, where)
            elif index < len(new_prefix):
                self._slot_added(
                    "prefix_items.added",
                    f"tuple item {index}",
                    old.get(old_rest_kw, True),
                    None if old_at is None else _child(old_at, old_rest_kw),
                    new_prefix[index],
                    new_here,
                    where,
                    lenient=False,
                )
            else:
                self._slot_removed(
                    "prefix_items.removed",
                    f"tuple item {index}",
                    old_prefix[index],
                    old_here,
                    new.get(new_rest_kw, True),
                    None if new_at is None else _child(new_at, new_rest_kw),
                    where,
                    lenient=False,
                )
        self._rest("items", "items", old, new, old_at, new_at, old_rest_kw, new_rest_kw, loc)
        return old_used | new_used

    # -- allOf, anyOf, oneOf -------------------------------------------------

    def _branches(
        self,
        keyword: str,
        old: dict[str, Any],
        new: dict[str, Any],
        old_at: str | None,
        new_at: str | None,
        loc: str,
    ) -> None:
        if keyword not in old and keyword not in new:
            return
        family = {"allOf": "all_of", "anyOf": "any_of", "oneOf": "one_of"}[keyword]
        where = _child(loc, keyword)
        before: list[Any] = old.get(keyword, [])
        after: list[Any] = new.get(keyword, [])
        start = len(self.changes)
        if keyword != "allOf" and (keyword not in old or keyword not in new):
            accepts_all = keyword == "anyOf" and any(_is_true(b) for b in (before or after))
            if keyword not in old:
                self.add(
                    f"{family}.added",
                    where,
                    None,
                    after,
                    (SAFE if accepts_all else BREAKING, SAFE),
                    f"{keyword} added with {len(after)} branches",
                )
            else:
                self.add(
                    f"{family}.removed",
                    where,
                    before,
                    None,
                    (SAFE, SAFE if accepts_all else BREAKING),
                    f"{keyword} with {len(before)} branches removed",
                )
            return

        def at(parent: str | None, index: int) -> str | None:
            return None if parent is None else _child(parent, keyword, index)

        unmatched_old = list(range(len(before)))
        unmatched_new: list[int] = []
        for j, branch in enumerate(after):
            match = next((i for i in unmatched_old if _key(before[i]) == _key(branch)), None)
            if match is None:
                unmatched_new.append(j)
                continue
            unmatched_old.remove(match)
            self.node(before[match], branch, at(old_at, match), at(new_at, j), _child(where, j))
        if len(unmatched_old) == len(unmatched_new):
            # As many branches edited as there were: compare them in order.
            for i, j in zip(unmatched_old, unmatched_new, strict=True):
                self.node(before[i], after[j], at(old_at, i), at(new_at, j), _child(where, j))
        else:
            both = bool(unmatched_old) and bool(unmatched_new)
            for j in unmatched_new:
                if keyword == "allOf":
                    readers = SAFE if _is_true(after[j]) else BREAKING
                    writers = SAFE
                else:
                    readers = SAFE
                    writers = SAFE if after[j] is False else UNKNOWN if both else BREAKING
                self.add(
                    f"{family}.branch_added",
                    _child(where, j),
                    None,
                    after[j],
                    (readers, writers),
                    f"{keyword} branch {j} added",
                )
            for i in unmatched_old:
                if keyword == "allOf":
                    readers = SAFE
                    writers = SAFE if _is_true(before[i]) else BREAKING
                else:
                    readers = SAFE if before[i] is False else UNKNOWN if both else BREAKING
                    writers = SAFE
                self.add(
                    f"{family}.branch_removed",
                    _child(where, i),
                    before[i],
                    None,
                    (readers, writers),
                    f"{keyword} branch {i} removed",
                )
        found = [c for c in self.changes[start:] if c.kind != "metadata.changed"]
        if keyword == "oneOf" and found:
            self._one_of_overlap(before, after, where, found)

    def _one_of_overlap(
        self,
        before: list[Any],
        after: list[Any],
        where: str,
        found: list[Change],
    ) -> None:
        """oneOf fails a document that matches two branches, so branch-wise
        reasoning only holds when the branches cannot overlap."""
        readers = writers = SAFE
        if not any(c.readers is BREAKING for c in found) and not _pairwise_disjoint(
            self.new, after
        ):
            readers = UNKNOWN
        if not any(c.writers is BREAKING for c in found) and not _pairwise_disjoint(
            self.old, before
        ):
            writers = UNKNOWN
        if UNKNOWN in (readers, writers):
            self.add(
                "one_of.overlap",
                where,
                None,
                None,
                (readers, writers),
                "oneOf changed and its branches may overlap; the effect is unknown",
            )

    # -- keywords the engine does not reason about --------------------------

    def _opaque(
        self,
        keyword: str,
        old: dict[str, Any],
        new: dict[str, Any],
        old_at: str | None,
        new_at: str | None,
        where: str,
    ) -> None:
        family = _OPAQUE[keyword]
        a, b = old.get(keyword), new.get(keyword)
        if keyword in old and keyword in new:
            same = self._same(
                {keyword: a},
                {keyword: b},
                old_at,
                new_at,
                set(),
            )
            if same:
                if _key(a) != _key(b):
                    self.add(
                        "metadata.changed",
                        where,
                        a,
                        b,
                        _NEUTRAL,
                        f"annotations inside {keyword} changed",
                    )
                return
            if isinstance(a, dict) and isinstance(b, dict) and keyword.startswith("depend"):
                # A map of per-property conditions: entries can come and go.
                for name in sorted(a.keys() | b.keys()):
                    if name in a and name in b:
                        if not self._same(
                            {keyword: {name: a[name]}},
                            {keyword: {name: b[name]}},
                            old_at,
                            new_at,
                            set(),
                        ):
                            self._opaque_change(
                                family,
                                f"{keyword} entry {name!r}",
                                _child(where, name),
                                a[name],
                                b[name],
                            )
                    else:
                        self._opaque_change(
                            family,
                            f"{keyword} entry {name!r}",
                            _child(where, name),
                            a.get(name),
                            b.get(name),
                        )
                return
        self._opaque_change(family, keyword, where, a, b)

    def _opaque_change(self, family: str, what: str, where: str, a: Any, b: Any) -> None:
        if a is None:
            self.add(
                f"{family}.added",
                where,
                None,
                b,
                (UNKNOWN, SAFE),
                f"{what} added; only narrows, by how much is unknown",
            )
        elif b is None:
            self.add(
                f"{family}.removed",
                where,
                a,
                None,
                (SAFE, UNKNOWN),
                f"{what} removed; only widens, by how much is unknown",
            )
        else:
            self.add(
                f"{family}.changed",
                where,
                a,
                b,
                _OPAQUE_EFFECT,
                f"{what} changed; its effect is unknown",
            )

    # -- definitions nothing reaches ------------------------------------------

    def _unreferenced_definitions(self) -> None:
        dynamic = _contains_key(self.old.root, _DYNAMIC_REFS) or _contains_key(
            self.new.root, _DYNAMIC_REFS
        )
        old_targets, new_targets = self.old.referenced(), self.new.referenced()
        for keyword, before, after, loc, old_at, new_at in self._definitions:
            for name in sorted(before.keys() | after.keys()):
                old_here = None if old_at is None else _child(old_at, name)
                new_here = None if new_at is None else _child(new_at, name)
                if _reaches(old_targets, old_here) or _reaches(new_targets, new_here):
                    continue
                a, b = before.get(name), after.get(name)
                if _key(a) == _key(b):
                    continue
                effect = UNKNOWN if dynamic else SAFE
                self.add(
                    "definition.changed",
                    _child(loc, keyword, name),
                    a,
                    b,
                    (effect, effect),
                    f"definition {name!r} {_presence(a is not None, b is not None)}; "
                    + ("dynamic references may reach it" if dynamic else "nothing references it"),
                )


# --------------------------------------------------------------------------
# Helpers for the comparer


def _reaches(targets: frozenset[str], where: str | None) -> bool:
    """Whether a reference targets the subschema at ``where`` or one inside it."""
    if where is None:
        return True
    return any(t == where or t.startswith(where + "/") for t in targets)


def _presence(in_old: bool, in_new: bool) -> str:
    return "added" if not in_old else "removed" if not in_new else "changed"


def _describe_atoms(atoms: Iterable[str]) -> str:
    names = set(atoms)
    if names >= _NUMBER_ATOMS and "integer" in names:
        names -= _NUMBER_ATOMS
        names.add("number")
    names = {"non-integer numbers" if n == "fraction" else n for n in names}
    return ", ".join(sorted(names))


def _allowed_values(schema: Mapping[str, Any]) -> frozenset[Any] | None:
    """The values const and enum together allow; None when they allow any."""
    allowed: frozenset[Any] | None = None
    if "const" in schema:
        allowed = frozenset({_key(schema["const"])})
    if isinstance(schema.get("enum"), list):
        values = frozenset(_key(v) for v in schema["enum"])
        allowed = values if allowed is None else allowed & values
    return allowed


def _set_effect(smaller: frozenset[Any] | None, larger: frozenset[Any] | None) -> bool:
    """Whether ``smaller`` is within ``larger`` (None is every value)."""
    if larger is None:
        return True
    return smaller is not None and smaller <= larger


def _number(value: Any) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def _number_order(lower: bool) -> Callable[[Any, Any], bool | None]:
    def tighter(a: Any, b: Any) -> bool | None:
        if isinstance(a, bool) or isinstance(b, bool):
            # Draft 4's boolean exclusiveMinimum/Maximum; mixed with a number, the
            # caller judges the bound as a whole.
            flags = all(v is None or isinstance(v, bool) for v in (a, b))
            return _compare_flag(a, b) if flags else None
        x, y = _number(a), _number(b)
        if x is None and y is None:
            return None
        if x is None:
            return True
        if y is None:
            return False
        return y > x if lower else y < x

    return tighter


def _size_order(lower: bool) -> Callable[[Any, Any], bool | None]:
    def tighter(a: Any, b: Any) -> bool | None:
        x = _number(a) if a is not None else None
        y = _number(b) if b is not None else None
        if lower:
            x, y = x or Fraction(0), y or Fraction(0)
            return None if x == y else y > x
        if x == y:
            return None
        return x is None or (y is not None and y < x)

    return tighter


def _compare_flag(a: Any, b: Any) -> bool | None:
    """uniqueItems, or a draft-4 boolean exclusiveMinimum/Maximum: true narrows."""
    return None if bool(a) == bool(b) else bool(b)


def _multiple_order(a: Any, b: Any) -> bool | None:
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return None if x is None and y is None else x is None
    if x == y:
        return None
    if (y / x).denominator == 1:
        return True  # every multiple of the new divisor is one of the old
    if (x / y).denominator == 1:
        return False
    return None


def _numeric_bound(schema: Mapping[str, Any], lower: bool) -> tuple[Fraction, int] | None:
    """The tightest lower (or upper) bound the keywords set, as (value, rank):
    rank 1 when the bound itself is excluded."""
    inclusive, exclusive = (
        ("minimum", "exclusiveMinimum") if lower else ("maximum", "exclusiveMaximum")
    )
    bounds: list[tuple[Fraction, int]] = []
    value = _number(schema.get(inclusive))
    flag = schema.get(exclusive)
    if value is not None:
        bounds.append((value, 1 if flag is True else 0))
    other = _number(flag)
    if other is not None:
        bounds.append((other, 1))
    if not bounds:
        return None
    if lower:
        return max(bounds)
    return min(bounds, key=lambda b: (b[0], -b[1]))


def _bound_within(
    inner: tuple[Fraction, int] | None, outer: tuple[Fraction, int] | None, lower: bool
) -> bool:
    """Whether every number within ``inner`` is within ``outer``."""
    if outer is None:
        return True
    if inner is None:
        return False
    if lower:
        return inner >= outer
    return (inner[0], -inner[1]) <= (outer[0], -outer[1])


def _mapping(schema: Mapping[str, Any], keyword: str) -> dict[str, Any]:
    value = schema.get(keyword)
    return value if isinstance(value, dict) else {}


def _strings_list(schema: Mapping[str, Any], keyword: str) -> list[str]:
    value = schema.get(keyword)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _model(schema: Mapping[str, Any]) -> str:
    """The object content model: "open", "closed" or "partial"."""
    if "patternProperties" in schema or "unevaluatedProperties" in schema:
        return "partial"
    rest = schema.get("additionalProperties", True)
    if rest is False:
        return "closed"
    return "open" if _is_true(rest) else "partial"


def _fallback(schema: Mapping[str, Any]) -> Any:
    """The schema an undeclared property meets; None when unevaluatedProperties
    decides it (the engine does not model which properties were evaluated)."""
    if "additionalProperties" not in schema and "unevaluatedProperties" in schema:
        return None
    return schema.get("additionalProperties", True)


def _array_form(
    side: _Side, schema: Mapping[str, Any]
) -> tuple[list[Any], str, str, frozenset[str]]:
    """(tuple schemas, their keyword, the keyword for the rest, keywords used)."""
    if side.items_arrays:
        items = schema.get("items")
        if isinstance(items, list):
            return items, "items", "additionalItems", frozenset({"items", "additionalItems"})
        return [], "items", "items", frozenset({"items"})
    prefix = schema.get("prefixItems")
    return (
        prefix if isinstance(prefix, list) else [],
        "prefixItems",
        "items",
        frozenset({"prefixItems", "items"}),
    )


def _disjoint(side: _Side, a: Any, b: Any) -> bool:
    """Whether no document can match both subschemas, by the simplest proofs:
    disjoint types, disjoint constants, or a required discriminator property."""
    a, _ = side.follow(a, None)
    b, _ = side.follow(b, None)
    if a is False or b is False:
        return True
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    types_a, types_b = _type_atoms(a), _type_atoms(b)
    values_a, values_b = _allowed_values(a), _allowed_values(b)
    if not types_a & types_b:
        return True
    if values_a is not None and values_b is not None and not values_a & values_b:
        return True
    for values, types in ((values_a, types_b), (values_b, types_a)):
        if values is not None and not {_atom_of_key(v) for v in values} & types:
            return True
    common = set(_strings_list(a, "required")) & set(_strings_list(b, "required"))
    props_a, props_b = _mapping(a, "properties"), _mapping(b, "properties")
    for name in common:
        if name in props_a and name in props_b and _disjoint(side, props_a[name], props_b[name]):
            return True
    return False


def _atom_of_key(key: Any) -> str:
    kind, value = key
    if kind == "number":
        return "integer" if isinstance(value, int) else "fraction"
    return {
        "NoneType": "null",
        "bool": "boolean",
        "str": "string",
        "array": "array",
        "object": "object",
    }.get(kind, "object")


def _pairwise_disjoint(side: _Side, branches: list[Any]) -> bool:
    return all(
        _disjoint(side, branches[i], branches[j])
        for i in range(len(branches))
        for j in range(i + 1, len(branches))
    )


def _location_key(location: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (0, int(token), "") if token.isdigit() else (1, 0, token) for token in location.split("/")
    )


def _ordered(changes: list[Change]) -> list[Change]:
    unique: dict[tuple[Any, ...], Change] = {}
    for change in changes:
        identity = (change.kind, change.location, _key(change.old), _key(change.new))
        unique.setdefault(identity, change)
    return sorted(
        unique.values(),
        key=lambda c: (_location_key(c.location), c.kind, _short(c.old, 200), _short(c.new, 200)),
    )


# --------------------------------------------------------------------------
# Public functions


def compare(old: Any, new: Any, *, policy: Policy | str = DEFAULT_POLICY) -> CompatReport:
    """Every change from ``old`` to ``new``, with its effect on readers and
    writers, judged under ``policy``. Raises :class:`InvalidSchema` when
    either is not a JSON Schema. Nothing is fetched: a ``$ref`` outside the
    schema's own document is compared by its text.

    >>> compare({"type": "integer"}, {"type": "number"}).breaks("FORWARD")
    True
    """
    policy = Policy.parse(policy)
    check_specification(old, context="old schema")
    check_specification(new, context="new schema")
    try:
        changes = _Comparer(old, new, policy).run()
    except RecursionError:
        raise InvalidSchema(
            "the schemas are nested too deeply to compare; flatten them with $defs and $ref",
            path="",
        ) from None
    return CompatReport(tuple(changes), policy)


def is_subset(narrow: Any, wide: Any, *, policy: Policy | str = Policy.STRICT) -> bool | None:
    """Whether every document valid under ``narrow`` is valid under ``wide``:
    True or False, or None when the engine cannot tell."""
    report = compare(wide, narrow, policy=policy)
    if any(change.writers is BREAKING for change in report.changes):
        return False
    if any(change.writers is UNKNOWN for change in report.changes):
        return None
    return True


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentVerdict:
    """Whether one document, checked against two schema versions, still holds."""

    valid_under_old: bool
    valid_under_new: bool
    #: What the new schema finds wrong, "pointer: message", in document order.
    errors_under_new: list[str]

    @property
    def compatible(self) -> bool:
        return self.valid_under_new


def _errors(document: Any, schema: Any, context: str) -> list[str]:
    cls = validator_class_for(schema)
    # An explicit registry that retrieves nothing: jsonschema's default would
    # still fetch a remote $ref over the network.
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER, registry=_METASCHEMAS)
    try:
        errors = list(validator.iter_errors(document))
    except (referencing.exceptions.Unresolvable, jsonschema.exceptions.SchemaError) as exc:
        raise InvalidSchema(
            f"{context} cannot be applied: {exc}; remote references are never fetched",
            path="",
        ) from None
    errors.sort(key=lambda e: (_location_key(pointer(e.absolute_path)), e.message))
    return [f"{pointer(e.absolute_path) or '(root)'}: {e.message}" for e in errors]


def document_compatible(document: Any, old: Any, new: Any) -> DocumentVerdict:
    """Check ``document`` against both versions (each with its own draft and
    format checking): is a document valid under ``old`` valid under ``new``?"""
    check_specification(old, context="old schema")
    check_specification(new, context="new schema")
    old_errors = _errors(document, old, "old schema")
    new_errors = _errors(document, new, "new schema")
    return DocumentVerdict(
        valid_under_old=not old_errors,
        valid_under_new=not new_errors,
        errors_under_new=new_errors,
    )
