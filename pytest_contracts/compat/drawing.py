"""Values a schema allows, drawn to build witnesses (see :mod:`.witness`).

:class:`Drawing` draws values for a place, plainest first: the values a
change names, each enum member, both sides of every bound, one value of each
type, objects with each optional property and with one no version declares,
arrays with repeated items; and builds a document that reaches a path. The
schemas at each place come from :mod:`.sides`, numbers and strings from
:mod:`.scalars`, what to try first from :mod:`.hints`. Every validation is
counted against a budget, weighed by its document.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any, Final

from .hints import Hints, declared_names
from .keywords import key
from .scalars import is_number, numbers, strings, tidy, unique
from .sides import MAX_DEPTH, Node, Path, Side

#: A validation costs one unit, plus one per COST_UNIT characters of its document.
COST_UNIT: Final = 64
#: Values drawn per place before a candidate is built from them.
VALUES_PER_PLACE: Final = 48
#: Values kept per place to build larger values (array items) from.
POOL: Final = 8


class Drawing:
    """Draws values for the places of a schema, within a budget of
    validations shared by everything drawn for one comparison."""

    def __init__(self, checks: int) -> None:
        #: Units left for the comparison, and for the change at hand.
        self.left = checks
        self.budget = 0
        self.hints = Hints()
        #: The first values of each place, shared by every change: the parts
        #: documents are built of (the values tried at a change's own place
        #: are drawn afresh, with that change's hints).
        self._pools: dict[tuple[Any, ...], list[Any]] = {}

    @property
    def spent(self) -> bool:
        return self.budget <= 0 or self.left <= 0

    def spend(self, value: Any) -> bool:
        """Count the validation of ``value``, by its size (a validation costs
        what the document weighs); False, and nothing counted, once the
        change or the comparison has spent its share: every candidate fails
        then."""
        if self.spent:
            return False
        cost = 1 + len(json.dumps(value, default=repr)) // COST_UNIT
        self.budget -= cost
        self.left -= cost
        return True

    def documents(self, side: Side, path: Path) -> Iterator[Any]:
        """Documents ``side`` allows that reach ``path``, plainest first."""
        return self._values(side, (("", side.root),), path, 0)

    # -- values -------------------------------------------------------------------------------

    def _values(self, side: Side, node: Node, path: Path, depth: int) -> Iterator[Any]:
        """Values ``node`` allows that reach ``path``, first the plainest."""
        if depth > MAX_DEPTH:
            return
        for alternative in side.alternatives(node):
            if path:
                found = self._reaching(side, alternative, path, depth)
            else:
                found = self._candidates(side, alternative, depth)
            for value in found:
                if self.spent:
                    return
                if side.allows(node, value):
                    yield value

    def _minimal(self, side: Side, node: Node, depth: int) -> list[Any]:
        """The first value ``node`` allows, in a list; empty when none is found."""
        return self._pool(side, node, depth)[:1]

    def _pool(self, side: Side, node: Node, depth: int) -> list[Any]:
        """The first values ``node`` allows, worked out once per place: the
        parts that documents are built of. Empty for a place met again while
        its own values are worked out (a recursive schema)."""
        memo = (id(side), tuple((where, id(schema)) for where, schema in node))
        if memo in self._pools:
            return self._pools[memo]
        self._pools[memo] = []
        found = list(itertools.islice(self._values(side, node, (), depth), POOL))
        if self.spent:
            del self._pools[memo]  # cut short: worked out again for the next change
        else:
            self._pools[memo] = found
        return found

    def _reaching(
        self,
        side: Side,
        schemas: list[tuple[str | None, dict[str, Any]]],
        path: Path,
        depth: int,
    ) -> Iterator[Any]:
        step, rest = path[0], path[1:]
        types = _types(schemas)
        inner = side.child(schemas, step)
        if isinstance(step, str):
            if types is not None and "object" not in types:
                return
            base = self._object(side, schemas, depth, leave_out=step)
            if base is None:
                return
            for value in itertools.islice(
                self._values(side, inner, rest, depth + 1), VALUES_PER_PLACE
            ):
                yield {**base, step: value}
        else:
            if types is not None and "array" not in types:
                return
            length = max(_largest(schemas, "minItems", 0), step + 1)
            items: list[Any] = []
            for index in range(length):
                if index == step:
                    items.append(None)
                    continue
                found = self._minimal(side, side.child(schemas, index), depth + 1)
                if not found:
                    return
                items.append(found[0])
            for value in itertools.islice(
                self._values(side, inner, rest, depth + 1), VALUES_PER_PLACE
            ):
                yield [*items[:step], value, *items[step + 1 :]]

    def _candidates(
        self, side: Side, schemas: list[tuple[str | None, dict[str, Any]]], depth: int
    ) -> Iterator[Any]:
        for _, schema in schemas:
            if "const" in schema:
                yield schema["const"]
                return
        for _, schema in schemas:
            if isinstance(schema.get("enum"), list):
                # The members the change names first: those it removed.
                favoured = {key(value) for value in self.hints.favoured}
                members = schema["enum"]
                yield from (value for value in members if key(value) in favoured)
                yield from (value for value in members if key(value) not in favoured)
                return
        if not any(keyword in _SHAPING for _, schema in schemas for keyword in schema):
            yield from _ANYTHING
            # Sizes and numbers the change names, without building deeper.
            for length in _near(self.hints.lengths):
                if 0 <= length <= 16:
                    yield [None] * length
                    yield "a" * length
                    yield {f"p{index}": None for index in range(length)}
            for number in self.hints.numbers:
                yield from (tidy(number + delta) for delta in (0, 1, -1, 0.5, -0.5))
            yield from self.hints.strings
            return
        types = _types(schemas)
        order = types if types is not None else _TYPE_ORDER
        for name in order:
            if name == "null":
                yield None
            elif name == "boolean":
                yield from (False, True)
            elif name in ("integer", "number"):
                yield from itertools.islice(
                    numbers(schemas, name == "integer", self.hints.numbers, self.hints.steps),
                    VALUES_PER_PLACE,
                )
            elif name == "string":
                yield from itertools.islice(
                    strings(schemas, self.hints.strings, self.hints.lengths), VALUES_PER_PLACE
                )
            elif name == "array":
                yield from self._arrays(side, schemas, depth)
            elif name == "object":
                yield from self._objects(side, schemas, depth)

    def _arrays(
        self, side: Side, schemas: list[tuple[str | None, dict[str, Any]]], depth: int
    ) -> Iterator[list[Any]]:
        least = _largest(schemas, "minItems", 0)
        lengths = [least, *_near(self.hints.lengths), least + 1, 1, 2, 0]
        for _, schema in schemas:
            if is_number(schema.get("maxItems")):
                lengths += [int(schema["maxItems"]), int(schema["maxItems"]) + 1]
        for length in unique(lengths):
            if not 0 <= length <= 16:
                continue
            first = self._minimal(side, side.child(schemas, 0), depth + 1)
            if length and not first:
                continue
            distinct: list[Any] = []
            plainest: list[Any] = []
            inners = [side.child(schemas, index) for index in range(length)]
            for inner in inners:
                options = [
                    value
                    for value in self._pool(side, inner, depth + 1)
                    if all(key(value) != key(other) for other in distinct)
                ]
                if options:
                    distinct.append(options[0])
                plainest.extend(self._minimal(side, inner, depth + 1))
            if len(plainest) == length:
                yield plainest
            # The same value everywhere, where one fits every position.
            for value in first:
                if all(side.allows(inner, value) for inner in inners[1:]):
                    yield [value] * length
            if len(distinct) == length:
                yield distinct

    def _objects(
        self, side: Side, schemas: list[tuple[str | None, dict[str, Any]]], depth: int
    ) -> Iterator[dict[str, Any]]:
        base = self._object(side, schemas, depth)
        if base is None:
            return
        yield base
        names = [name for name in self._names(schemas) if name not in base]
        full = dict(base)
        for name in names:
            found = self._minimal(side, side.child(schemas, name), depth + 1)
            if found:
                full[name] = found[0]
                yield {**base, name: found[0]}
        if len(full) > len(base) + 1:
            yield full

    def _names(self, schemas: list[tuple[str | None, dict[str, Any]]]) -> list[str]:
        names = declared_names(schemas)
        names.extend(self.hints.names)
        names.append(self.hints.fresh)
        return list(dict.fromkeys(names))

    def _object(
        self,
        side: Side,
        schemas: list[tuple[str | None, dict[str, Any]]],
        depth: int,
        leave_out: str | None = None,
    ) -> dict[str, Any] | None:
        """The plainest object: the required properties, each with its plainest
        value, and more while ``minProperties`` asks; None if one has none."""
        required: list[str] = []
        for _, schema in schemas:
            listed = schema.get("required")
            if isinstance(listed, list):
                required.extend(name for name in listed if isinstance(name, str))
        document: dict[str, Any] = {}
        for name in dict.fromkeys(required):
            if name == leave_out:
                continue
            found = self._minimal(side, side.child(schemas, name), depth + 1)
            if not found:
                return None
            document[name] = found[0]
        least = _largest(schemas, "minProperties", 0) - (leave_out is not None)
        for name in self._names(schemas):
            if len(document) >= least:
                break
            if name not in document and name != leave_out:
                found = self._minimal(side, side.child(schemas, name), depth + 1)
                if found:
                    document[name] = found[0]
        return document


#: Keywords that say what a value may look like; a place with none of them
#: takes one value of each type.
_SHAPING: Final = frozenset(
    {
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "patternProperties",
        "additionalProperties",
        "minProperties",
        "items",
        "prefixItems",
        "minItems",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "format",
    }
)
_ANYTHING: Final[tuple[Any, ...]] = (None, False, True, 0, 0.5, -1, "", "a", [], {})

_TYPE_ORDER: Final = ("null", "boolean", "integer", "number", "string", "array", "object")


def _types(schemas: list[tuple[str | None, dict[str, Any]]]) -> list[str] | None:
    """The JSON types every schema allows, in the first one's order; None
    when no schema names one."""
    allowed: list[str] | None = None
    for _, schema in schemas:
        declared = schema.get("type")
        if isinstance(declared, str):
            declared = [declared]
        if not isinstance(declared, list):
            continue
        names = [name for name in declared if name in _TYPE_ORDER]
        if "number" in names and "integer" not in names:
            names.append("integer")
        if allowed is None:
            allowed = names
        else:
            allowed = [
                name
                for name in allowed
                if name in names or (name == "integer" and "number" in names)
            ]
    return allowed


def _largest(schemas: list[tuple[str | None, dict[str, Any]]], keyword: str, least: int) -> int:
    values = [schema.get(keyword) for _, schema in schemas]
    return max([least, *(int(v) for v in values if is_number(v) and 0 <= v <= 64)])


def _near(lengths: Iterable[int]) -> list[int]:
    """Each length, one more and one less: both sides of a size bound."""
    return unique(near for length in lengths for near in (length, length + 1, length - 1))
