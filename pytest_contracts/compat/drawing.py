"""Values a schema allows, drawn to build witnesses (see :mod:`.witness`).

A :class:`Side` is one schema with its validator: the schemas that apply at
a place of a document (``$ref`` and ``allOf`` followed, one branch of each
``anyOf``/``oneOf`` per alternative), and whether a value is allowed there.
:class:`Drawing` draws values for a place, plainest first: the values a
change names, each enum member, both sides of every bound, one value of each
type, objects with each optional property and with one no version declares,
arrays with repeated items; and builds a document that reaches a path.
Every validation is counted against a budget, weighed by its document.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any, Final, TypeGuard

import jsonschema
import jsonschema.exceptions
import referencing.exceptions

from ..schemas import validator_class_for
from .keywords import child, key
from .refs import BUNDLED, LocalDocument
from .report import Change

#: A validation costs one unit, plus one per COST_UNIT characters of its document.
COST_UNIT: Final = 64
#: How deep documents are built.
MAX_DEPTH: Final = 8
#: Alternatives (choices of anyOf / oneOf branches) kept per instance place.
MAX_ALTERNATIVES: Final = 8
#: Values drawn per place before a candidate is built from them.
VALUES_PER_PLACE: Final = 48
#: Values kept per place to build larger values (array items) from.
POOL: Final = 8

Path = tuple[str | int, ...]
#: The schemas that apply at one place of a document: (pointer, schema);
#: the pointer is None for an implied schema.
Node = tuple[tuple[str | None, Any], ...]


# -- one side -------------------------------------------------------------------------------


class Side:
    """One schema: its validator, its local references and its dialect."""

    def __init__(self, root: Any, search: Drawing) -> None:
        cls = validator_class_for(root)
        self.root = root
        self.search = search
        self.validator = cls(root, format_checker=cls.FORMAT_CHECKER, registry=BUNDLED)
        self.document = LocalDocument(
            root,
            ref_overrides_siblings=cls
            in (jsonschema.Draft4Validator, jsonschema.Draft6Validator, jsonschema.Draft7Validator),
        )
        #: Draft 2019-09 and earlier: "items" may be a list, with "additionalItems".
        self.items_arrays = cls is not jsonschema.Draft202012Validator
        self._validators: dict[int, Any] = {}

    def accepts(self, document: Any) -> bool:
        if not self.search.spend(document):
            return False
        try:
            return bool(self.validator.is_valid(document))
        except _SCHEMA_TROUBLE:
            return False

    def refusals(self, document: Any) -> list[tuple[str | int, ...]] | None:
        """Where the schema finds ``document`` wrong (every place in the error
        tree, anyOf's reasons included); None when it accepts it, or when
        the search has spent its validations."""
        if not self.search.spend(document):
            return None
        try:
            errors = list(self.validator.iter_errors(document))
        except _SCHEMA_TROUBLE:
            return None
        if not errors:
            return None
        places: list[tuple[str | int, ...]] = []
        stack = errors
        while stack:
            error = stack.pop()
            places.append(tuple(error.absolute_path))
            stack.extend(error.context or ())
        return places

    def allows(self, node: Node, value: Any) -> bool:
        """Whether each schema of ``node``, taken alone, accepts ``value``;
        True when that cannot be told (the whole document is checked anyway),
        False once the search has spent its validations."""
        for _, schema in node:
            if schema is True or (isinstance(schema, dict) and not schema):
                continue
            validator = self._validators.get(id(schema))
            if validator is None:
                validator = self._validators[id(schema)] = self.validator.evolve(schema=schema)
            if not self.search.spend(value):
                return False
            try:
                if not validator.is_valid(value):
                    return False
            except _SCHEMA_TROUBLE:
                continue
        return True

    # -- the schemas at a place ---------------------------------------------------------------

    def alternatives(self, node: Node) -> list[list[tuple[str | None, dict[str, Any]]]]:
        """Each way ``node`` can be satisfied: the schemas that apply together,
        ``$ref`` and ``allOf`` followed, one branch of each ``anyOf``/``oneOf``.
        Empty when a schema is ``false``."""
        found: list[list[tuple[str | None, dict[str, Any]]]] = [[]]
        for where, schema in node:
            found = _product(found, self._expand(schema, where, frozenset()))
        return found

    def _expand(
        self, schema: Any, where: str | None, seen: frozenset[str]
    ) -> list[list[tuple[str | None, dict[str, Any]]]]:
        if schema is False:
            return []
        if not isinstance(schema, dict):
            return [[]]
        found: list[list[tuple[str | None, dict[str, Any]]]] = [[(where, schema)]]
        target = self.document.resolve(schema.get("$ref"))
        if target is not None and target[0] not in seen and len(seen) < MAX_DEPTH:
            found = _product(found, self._expand(target[1], target[0], seen | {target[0]}))
        branches = schema.get("allOf")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                found = _product(found, self._expand(branch, _below(where, "allOf", index), seen))
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                choices = [
                    choice
                    for index, branch in enumerate(branches)
                    for choice in self._expand(branch, _below(where, keyword, index), seen)
                ]
                found = _product(found, choices)
        return found

    def child(self, schemas: Iterable[tuple[str | None, dict[str, Any]]], step: str | int) -> Node:
        """The schemas that apply to one property or item of a place."""
        found: list[tuple[str | None, Any]] = []
        for where, schema in schemas:
            if isinstance(step, str):
                found.extend(_property_schemas(schema, where, step))
            else:
                found.extend(self._item_schemas(schema, where, step))
        return tuple(found)

    def _item_schemas(
        self, schema: dict[str, Any], where: str | None, index: int
    ) -> list[tuple[str | None, Any]]:
        prefix_keyword, rest_keyword = (
            ("items", "additionalItems") if self.items_arrays else ("prefixItems", "items")
        )
        prefix = schema.get(prefix_keyword)
        if isinstance(prefix, list):
            if index < len(prefix):
                return [(_below(where, prefix_keyword, index), prefix[index])]
            if rest_keyword in schema:
                return [(_below(where, rest_keyword), schema[rest_keyword])]
            return []
        items = schema.get("items")
        if isinstance(items, dict | bool):
            return [(_below(where, "items"), items)]
        return []

    def node_at(self, path: Path) -> Node:
        node: Node = (("", self.root),)
        for step in path:
            node = self.child(flat(self.alternatives(node)), step)
        return node


def _property_schemas(
    schema: dict[str, Any], where: str | None, name: str
) -> list[tuple[str | None, Any]]:
    found: list[tuple[str | None, Any]] = []
    properties = schema.get("properties")
    if isinstance(properties, dict) and name in properties:
        found.append((_below(where, "properties", name), properties[name]))
    patterns = schema.get("patternProperties")
    if isinstance(patterns, dict):
        for pattern, subschema in patterns.items():
            if _search(pattern, name):
                found.append((_below(where, "patternProperties", pattern), subschema))
    if not found:
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            if keyword in schema:
                found.append((_below(where, keyword), schema[keyword]))
                break
    return found


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _below(where: str | None, *tokens: str | int) -> str | None:
    return None if where is None else child(where, *tokens)


def _product(
    left: list[list[tuple[str | None, dict[str, Any]]]],
    right: list[list[tuple[str | None, dict[str, Any]]]],
) -> list[list[tuple[str | None, dict[str, Any]]]]:
    return [a + b for a, b in itertools.islice(itertools.product(left, right), MAX_ALTERNATIVES)]


def flat(
    alternatives: list[list[tuple[str | None, dict[str, Any]]]],
) -> list[tuple[str | None, dict[str, Any]]]:
    seen: set[int] = set()
    flat = []
    for alternative in alternatives:
        for item in alternative:
            if id(item[1]) not in seen:
                seen.add(id(item[1]))
                flat.append(item)
    return flat


_SCHEMA_TROUBLE: Final = (
    referencing.exceptions.Unresolvable,
    jsonschema.exceptions.SchemaError,
    jsonschema.exceptions.FormatError,
    re.error,
    RecursionError,
    ValueError,
    TypeError,
    OverflowError,
)


# -- drawing values -------------------------------------------------------------------------


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
                yield from (_tidy(number + delta) for delta in (0, 1, -1, 0.5, -0.5))
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
                    self._numbers(schemas, integer=name == "integer"), VALUES_PER_PLACE
                )
            elif name == "string":
                yield from itertools.islice(self._strings(schemas), VALUES_PER_PLACE)
            elif name == "array":
                yield from self._arrays(side, schemas, depth)
            elif name == "object":
                yield from self._objects(side, schemas, depth)

    def _numbers(
        self, schemas: list[tuple[str | None, dict[str, Any]]], integer: bool
    ) -> Iterator[Any]:
        # The change's own numbers first: a lowered maximum is shown by the old one.
        constants: list[float] = list(self.hints.numbers)
        steps: list[float] = [1, *self.hints.steps]
        for _, schema in schemas:
            for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = schema.get(keyword)
                if _is_number(value):
                    constants.append(value)
            if _is_number(schema.get("multipleOf")):
                steps.append(schema["multipleOf"])
        constants.append(0)
        seen: set[Any] = set()
        for base in _unique(constants):
            for delta in (0, 1, -1, 0.5, -0.5):
                for value in self._around(base + delta, steps):
                    if integer and not float(value).is_integer():
                        continue
                    identity = key(value)
                    if identity not in seen and math.isfinite(value):
                        seen.add(identity)
                        yield _tidy(value)

    @staticmethod
    def _around(value: float, steps: list[float]) -> Iterator[float]:
        yield value
        for step in _unique(steps):
            if step > 0 and _is_number(value / step):
                below = math.floor(value / step) * step
                yield below
                yield below + step
                yield below - step
                yield below + step / 2  # off the grid: shows a multipleOf added

    def _strings(self, schemas: list[tuple[str | None, dict[str, Any]]]) -> Iterator[str]:
        lengths = list(self.hints.lengths)
        samples = list(self.hints.strings)
        for _, schema in schemas:
            for keyword in ("minLength", "maxLength"):
                if _is_number(schema.get(keyword)):
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
        for length in _unique(lengths):
            if not 0 <= length <= 64:
                continue
            for near in (length, length + 1, length - 1):
                for filler in ("a", "b", *samples[:4]):
                    text = (filler * (near + 1))[:near] if filler else ""
                    if near >= 0 and text not in seen and len(text) == near:
                        seen.add(text)
                        yield text

    def _arrays(
        self, side: Side, schemas: list[tuple[str | None, dict[str, Any]]], depth: int
    ) -> Iterator[list[Any]]:
        least = _largest(schemas, "minItems", 0)
        lengths = [least, *_near(self.hints.lengths), least + 1, 1, 2, 0]
        for _, schema in schemas:
            if _is_number(schema.get("maxItems")):
                lengths += [int(schema["maxItems"]), int(schema["maxItems"]) + 1]
        for length in _unique(lengths):
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
    return max([least, *(int(v) for v in values if _is_number(v) and 0 <= v <= 64)])


def _is_number(value: Any) -> TypeGuard[float]:
    """A JSON number this module can do arithmetic on: finite, and no
    integer too large for a float."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return abs(value) < _LARGEST


#: Numbers beyond this are left alone: a float cannot hold their neighbours.
_LARGEST: Final = 1e15


def _tidy(value: float) -> float | int:
    """Whole numbers as integers, other floats rounded to what was meant."""
    if float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return round(value, 12)


def _near(lengths: Iterable[int]) -> list[int]:
    """Each length, one more and one less: both sides of a size bound."""
    return _unique(near for length in lengths for near in (length, length + 1, length - 1))


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


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
    return [text for text in _unique(samples) if _search(pattern, text)]


# -- what a change suggests -----------------------------------------------------------------


_SIZES: Final = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
)


class Hints:
    """Values taken from the change and from both sides at one path: the
    numbers, strings, lengths and property names to try first."""

    def __init__(self) -> None:
        self.numbers: list[float] = []
        self.steps: list[float] = []
        self.strings: list[str] = []
        self.lengths: list[int] = []
        self.names: list[str] = []
        self.fresh = "extra"
        #: The values the change itself names (an enum's removed members...).
        self.favoured: list[Any] = []

    @classmethod
    def of(cls, change: Change, old: Side, new: Side, path: Path) -> Hints:
        hints = cls()
        values: list[Any] = [change.old, change.new]
        for value in values:
            hints.favoured.extend(value if isinstance(value, list) else [value])
        for side in (old, new):
            for _, schema in flat(side.alternatives(side.node_at(path))):
                values.append(schema)
        hints._collect(values)
        hints.fresh = fresh(hints.names)
        return hints

    def _collect(self, values: list[Any]) -> None:
        for value in values:
            if _is_number(value):
                self.numbers.append(value)
            elif isinstance(value, str):
                self.strings.append(value)
            elif isinstance(value, list):
                for item in value:
                    if _is_number(item) or isinstance(item, str):
                        self._collect([item])
            elif isinstance(value, dict):
                for keyword, inner in value.items():
                    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                        self._collect([inner])
                    elif keyword == "multipleOf" and _is_number(inner):
                        self.steps.append(inner)
                    elif keyword in (
                        "minLength",
                        "maxLength",
                        "minItems",
                        "maxItems",
                    ) and _is_number(inner):
                        self.lengths.append(int(inner))
                    elif keyword in ("enum", "const"):
                        self._collect(
                            [inner]
                            if keyword == "const"
                            else list(inner)
                            if isinstance(inner, list)
                            else []
                        )
                    elif keyword == "pattern" and isinstance(inner, str):
                        self.strings.extend(pattern_samples(inner))
                    elif keyword == "properties" and isinstance(inner, dict):
                        self.names.extend(inner)
                    elif keyword == "required" and isinstance(inner, list):
                        self.names.extend(n for n in inner if isinstance(n, str))
        self.numbers = _unique(self.numbers)[:24]
        self.strings = _unique(self.strings)[:24]
        self.lengths = _unique(self.lengths)[:12]
        self.names = _unique(self.names)[:24]


def fresh(names: list[str]) -> str:
    taken = set(names)
    candidates = itertools.chain(["extra"], (f"extra{n}" for n in itertools.count(1)))
    return next(name for name in candidates if name not in taken)


def declared_names(schemas: list[tuple[str | None, dict[str, Any]]]) -> list[str]:
    """The property names the schemas declare, and one name that matches each
    of their patterns."""
    names: list[str] = []
    for _, schema in schemas:
        properties = schema.get("properties")
        if isinstance(properties, dict):
            names.extend(properties)
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern in patterns:
                names.extend(pattern_samples(pattern)[:1])
    return names
