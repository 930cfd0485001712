"""Witnesses: for each breaking change, a document that shows the break.

A change that breaks readers gets a document the old schema accepts and the
new one refuses; one that breaks only writers, a document the new schema
accepts and the old one refuses. A witness is searched for, never assumed:

1. The change's location is a JSON Pointer into a schema. The instance paths
   of both schemas are listed (properties, array positions, a property no
   version declares...), each with the schema places that apply there, so
   the paths where the changed subschema applies are known, through
   ``$ref``, ``allOf``, ``anyOf`` and ``oneOf`` too.
2. At those paths, values are drawn that the accepting side's subschema
   allows: the change's own values, each enum member, the boundaries of
   every bound of both sides, one value of each type, each optional property
   and a property no version declares, arrays with repeated items... Each is
   set in a minimal document the accepting schema allows as a whole.
3. A candidate is kept only when the accepting schema's validator accepts it
   and the refusing schema's validator refuses it *at* the changed place
   (an error at or below the instance where the change applies), both with
   the schema's own dialect and format checking, as contract checks run.
   When the change's place cannot be reached, any path is searched, and any
   refusal counts.

The work is bounded by counts (validations per change and per comparison,
paths, depth), never by time: the same schemas always get the same witnesses,
and a big schema gets fewer witnesses, never a slow comparison.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from typing import Any, Final

from .drawing import VALUES_PER_PLACE, Drawing
from .hints import Hints, declared_names, fresh
from .keywords import child
from .report import BREAKING, DEFAULT_POLICY, UNKNOWN, Change, CompatReport, Policy, Witness
from .sides import MAX_DEPTH, Node, Path, Side, flat
from .walk import compare as walk

#: Validations spent looking for one change's witness, at most, in units
#: (see :data:`.drawing.COST_UNIT`).
CHECKS_PER_CHANGE: Final = 600
#: Validations spent on one comparison, at most: later changes go without.
CHECKS_PER_COMPARISON: Final = 20_000
#: Instance paths listed per comparison.
MAX_PATHS: Final = 300


def compare(old: Any, new: Any, *, policy: Policy | str = DEFAULT_POLICY) -> CompatReport:
    """Every change from ``old`` to ``new``, with its effect on readers and
    writers, judged under ``policy``, each breaking change with a
    :class:`Witness` when one was found. Raises :class:`InvalidSchema` when
    either is not a JSON Schema. Nothing is fetched: a ``$ref`` outside the
    schema's own document is compared by its text.

    >>> report = compare({"type": "number"}, {"type": "integer"})
    >>> report.changes[0].witness
    Witness(direction='readers', document=0.5)
    """
    return with_witnesses(walk(old, new, policy=policy), old, new)


def with_witnesses(report: CompatReport, old: Any, new: Any) -> CompatReport:
    """``report`` with a witness on each change that breaks readers or
    writers, where one is found; other changes are left as they are."""
    if not any(change.breaking or change.unknown for change in report.changes):
        return report
    search = _Search(old, new)
    changes = tuple(
        _decided(change, search) if change.unknown else change for change in report.changes
    )
    changes = tuple(
        dataclasses.replace(change, witness=search.witness(change)) if change.breaking else change
        for change in changes
    )
    return CompatReport(changes, report.policy)


#: What a message says of an effect the walk left unknown, dropped once a
#: document decides it.
_UNDECIDED: Final = re.compile(r"(;|,)? (the |its )?effect (is )?unknown")


def _decided(change: Change, search: _Search) -> Change:
    """``change`` with each UNKNOWN side searched: a document found that one
    schema accepts and the other refuses there decides that side BREAKING,
    and becomes the change's witness. A side the search cannot show stays
    UNKNOWN (not found is not proved safe)."""
    readers, writers, found = change.readers, change.writers, None
    for direction in ("readers", "writers"):
        if getattr(change, direction) is not UNKNOWN or search.left <= 0:
            continue
        shown = search.find(change, direction)
        if shown is None:
            continue
        found = found or shown
        if direction == "readers":
            readers = BREAKING
        else:
            writers = BREAKING
    if found is None:
        return change
    return dataclasses.replace(
        change,
        readers=readers,
        writers=writers,
        message=_UNDECIDED.sub("", change.message) + "; a document shows it breaks",
        witness=found,
    )


# -- where a change applies -----------------------------------------------------------------

_SCHEMA_KEYWORDS: Final = frozenset(
    {
        "items",
        "additionalItems",
        "unevaluatedItems",
        "additionalProperties",
        "unevaluatedProperties",
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
    }
)
_SCHEMA_MAPS: Final = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)
_SCHEMA_LISTS: Final = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})


def _places(location: str) -> tuple[str, str]:
    """The deepest schema a change's location lies in, and the schema whose
    keyword it names (the property's object, for ``/properties/a``)."""
    tokens = location.split("/")[1:] if location else []
    schema, owner, at = "", "", 0
    while at < len(tokens):
        token = tokens[at]
        following = tokens[at + 1] if at + 1 < len(tokens) else None
        if following is not None and (
            token in _SCHEMA_MAPS or (token in _SCHEMA_LISTS and following.isdigit())
        ):
            step = 2
        elif token in _SCHEMA_KEYWORDS:
            step = 1
        else:
            return schema, schema
        owner = schema if token not in ("$defs", "definitions") else child(schema, *tokens[at:])
        schema = "/" + "/".join(tokens[: at + step])
        at += step
    return schema, owner


# -- the search -----------------------------------------------------------------------------


class _Search(Drawing):
    """What the witnesses of one comparison share: the two sides, the instance
    paths, and the validations left."""

    def __init__(self, old: Any, new: Any) -> None:
        super().__init__(CHECKS_PER_COMPARISON)
        self.old = Side(old, self)
        self.new = Side(new, self)
        self._paths: list[tuple[Path, frozenset[str]]] | None = None

    def witness(self, change: Change) -> Witness | None:
        if change.witness is not None:
            return change.witness
        directions = []
        if change.readers is BREAKING:
            directions.append("readers")
        if change.writers is BREAKING:
            directions.append("writers")
        for direction in directions:
            if self.left <= 0:
                return None  # the comparison spent its validations
            found = self.find(change, direction, CHECKS_PER_CHANGE // len(directions))
            if found is not None:
                return found
        return None

    def find(
        self, change: Change, direction: str, budget: int = CHECKS_PER_CHANGE
    ) -> Witness | None:
        """A document that shows ``change`` breaking ``direction``, within
        ``budget`` validations; None if none was found."""
        self.budget = budget
        try:
            return self._find(change, direction)
        except (ArithmeticError, RecursionError):
            # Numbers past what floats hold, nesting past the stack: a
            # witness is an example, and its search never fails a comparison.
            return None

    def paths(self) -> list[tuple[Path, frozenset[str]]]:
        """Instance paths of both schemas, shortest first, each with the
        pointers of the schemas that apply there (on either side)."""
        if self._paths is None:
            budget, self.budget = self.budget, 10**9
            try:
                self._paths = _list_paths(self.old, self.new)
            finally:
                self.budget = budget
        return self._paths

    def _find(self, change: Change, direction: str) -> Witness | None:
        source, target = (self.old, self.new) if direction == "readers" else (self.new, self.old)
        schema_at, owner_at = _places(change.location)
        paths = self.paths()
        focus = [path for path, pointers in paths if schema_at in pointers]
        owners = [path for path, pointers in paths if owner_at in pointers]
        if not owners:
            owners = [()]
        # The places the change applies first, then every place: a change
        # may show at another (a property removed by wrapping the object
        # in a oneOf shows at the root).
        order = [*focus, *(path for path, _ in paths if path not in focus)]
        tried: set[str] = set()
        for path in order:
            if self.spent:
                return None
            self.hints = Hints.of(change, self.old, self.new, path)
            for document in itertools.islice(self.documents(source, path), VALUES_PER_PLACE * 2):
                if self.spent:
                    return None
                text = json.dumps(document, sort_keys=True)
                if text in tried:
                    continue
                tried.add(text)
                # The accepting side allowed it already (see _values); it is
                # checked once more, as a whole, before it is kept.
                refusals = target.refusals(document)
                if (
                    refusals is not None
                    and any(_under(place, owner) for place in refusals for owner in owners)
                    and source.accepts(document)
                ):
                    return Witness(direction, document)
        return None


def _under(place: tuple[str | int, ...], owner: Path) -> bool:
    """Whether an error at ``place`` lies at or below ``owner`` (any array
    position standing for any other)."""
    if len(place) < len(owner):
        return False
    return all(
        a == b or (isinstance(a, int) and isinstance(b, int))
        for a, b in zip(place, owner, strict=False)
    )


def _list_paths(old: Side, new: Side) -> list[tuple[Path, frozenset[str]]]:
    """Instance paths of both schemas, breadth first, with the pointers of the
    schemas that apply at each."""
    found: list[tuple[Path, frozenset[str]]] = []
    queue: list[tuple[Path, Node, Node]] = [((), (("", old.root),), (("", new.root),))]
    while queue and len(found) < MAX_PATHS:
        path, old_node, new_node = queue.pop(0)
        old_flat = flat(old.alternatives(old_node))
        new_flat = flat(new.alternatives(new_node))
        pointers = {where for where, _ in (*old_flat, *new_flat) if where is not None}
        pointers |= {where for where, _ in (*old_node, *new_node) if where is not None}
        found.append((path, frozenset(pointers)))
        if len(path) >= MAX_DEPTH:
            continue
        for step in _steps(old_flat + new_flat):
            queue.append(((*path, step), old.child(old_flat, step), new.child(new_flat, step)))
    return found


def _steps(schemas: list[tuple[str | None, dict[str, Any]]]) -> list[str | int]:
    """Where a document may go below a place: each declared property, one
    that matches each pattern, one no version declares, and array positions."""
    names = declared_names(schemas)
    positions = 0
    open_object = False
    for _, schema in schemas:
        if "additionalProperties" in schema or "unevaluatedProperties" in schema:
            open_object = True
        for keyword in ("prefixItems", "items"):
            if isinstance(schema.get(keyword), list):
                positions = max(positions, len(schema[keyword]) + 1)
        if isinstance(schema.get("items"), dict | bool) or "additionalItems" in schema:
            positions = max(positions, 1)
    steps: list[str | int] = list(dict.fromkeys(names))
    if open_object:
        steps.append(fresh(names))
    steps.extend(range(positions))
    return steps
