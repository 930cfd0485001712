"""The schemas that apply at each place of a document, for drawing values
(see :mod:`.drawing`).

A :class:`Side` is one schema with its validator: the schemas that apply at
a place of a document (``$ref`` and ``allOf`` followed, one branch of each
``anyOf``/``oneOf`` per alternative), and whether a value is allowed there.
Every validation is counted against the budget of the search it serves.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any, Final, Protocol

import jsonschema
import jsonschema.exceptions
import referencing.exceptions

from ..schemas import validator_class_for
from .keywords import child
from .refs import BUNDLED, LocalDocument

#: How deep documents are built.
MAX_DEPTH: Final = 8
#: Alternatives (choices of anyOf / oneOf branches) kept per instance place.
MAX_ALTERNATIVES: Final = 8

Path = tuple[str | int, ...]
#: The schemas that apply at one place of a document: (pointer, schema);
#: the pointer is None for an implied schema.
Node = tuple[tuple[str | None, Any], ...]


class Budget(Protocol):
    """What a side counts its validations against (a :class:`.drawing.Drawing`)."""

    def spend(self, value: Any) -> bool: ...


# -- one side -------------------------------------------------------------------------------


class Side:
    """One schema: its validator, its local references and its dialect."""

    def __init__(self, root: Any, search: Budget) -> None:
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
            if matches(pattern, name):
                found.append((_below(where, "patternProperties", pattern), subschema))
    if not found:
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            if keyword in schema:
                found.append((_below(where, keyword), schema[keyword]))
                break
    return found


def matches(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches in ``text``; False for a pattern Python cannot read."""
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
