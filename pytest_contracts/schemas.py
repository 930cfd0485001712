"""Checking that a specification is a JSON Schema the registry can use."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators

from .compat.refs import REFERENCE_KEYWORDS, lookup, subschemas
from .defaults import MAX_EXPANDED_SCHEMAS
from .ecma import format_checker
from .errors import InvalidSchema, NotJSONData
from .jsondata import canonical, ensure_json, pointer

_VALIDATOR_CLASSES: tuple[Any, ...] = (
    jsonschema.Draft202012Validator,
    jsonschema.Draft201909Validator,
    jsonschema.Draft7Validator,
    jsonschema.Draft6Validator,
    jsonschema.Draft4Validator,
)


def _normalise_dialect(uri: str) -> str:
    return uri.rstrip("#")


_BY_DIALECT: dict[str, Any] = {
    _normalise_dialect(cls.META_SCHEMA["$schema"]): cls for cls in _VALIDATOR_CLASSES
}

SUPPORTED_DIALECTS = tuple(sorted(_BY_DIALECT))


def validator_class_for(specification: Any) -> Any:
    """The validator class the specification's ``$schema`` names; draft 2020-12
    when it names none. An unknown ``$schema`` is an :class:`InvalidSchema`."""
    if isinstance(specification, dict) and "$schema" in specification:
        dialect = specification["$schema"]
        cls = _BY_DIALECT.get(_normalise_dialect(dialect)) if isinstance(dialect, str) else None
        if cls is None:
            raise InvalidSchema(
                f"unknown $schema {dialect!r}; supported dialects: "
                + ", ".join(SUPPORTED_DIALECTS)
                + " (or leave $schema out for draft 2020-12)",
                path="/$schema",
            )
        return cls
    return jsonschema.Draft202012Validator


def check_specification(
    specification: Any, *, context: str = "specification", self_contained: bool = False
) -> None:
    """Raise :class:`InvalidSchema` unless ``specification`` is JSON data and a
    valid JSON Schema for its dialect. The error names the path of the
    offending part of the schema.

    A ``pattern`` (or ``patternProperties`` key) must be an ECMA 262 regular
    expression (see :mod:`.patterns`). A specification whose references
    expand to more than :data:`MAX_EXPANDED_SCHEMAS` subschemas is refused:
    applying it would take time exponential in its size. With
    ``self_contained`` -- what the registry stores -- every ``$ref``,
    ``$dynamicRef`` and ``$recursiveRef`` must also resolve, to a schema, within
    the specification (its ``$defs``, anchors and embedded ``$id``s) or to a
    meta-schema bundled with jsonschema: nothing is ever fetched, so a remote
    or dangling reference could never be applied."""
    try:
        ensure_json(specification, what=context)
    except NotJSONData as exc:
        raise InvalidSchema(str(exc), path=exc.pointer) from None
    if not isinstance(specification, dict | bool):
        raise InvalidSchema(
            f"{context} must be a JSON Schema (an object, or true/false), "
            f"not {type(specification).__name__}",
            path="",
        )
    try:
        cls = validator_class_for(specification)
    except InvalidSchema as exc:
        raise InvalidSchema(f"{context}: {exc}", path=exc.path) from None
    try:
        key: tuple[str, bool] | None = (canonical(specification), self_contained)
    except RecursionError:
        key = None  # too deep to serialise: the checks below say so
    if key is not None and key in _PASSED:
        _PASSED.move_to_end(key)
        return
    meta = _meta_validator(cls)
    try:
        error = jsonschema.exceptions.best_match(meta.iter_errors(specification))
    except RecursionError:
        raise InvalidSchema(
            f"{context} is nested too deeply to check; flatten it with $defs and $ref",
            path="",
        ) from None
    if error is not None:
        where = pointer(error.absolute_path)
        location = f"at {where!r}" if where else "at the root"
        raise InvalidSchema(
            f"{context} is not a valid JSON Schema: {location}: {error.message}",
            path=where,
        )
    try:
        _check_references(specification, cls, context, self_contained)
    except RecursionError:
        raise InvalidSchema(
            f"{context} is nested too deeply to check; flatten it with $defs and $ref",
            path="",
        ) from None
    if key is None:
        return
    _PASSED[key] = None
    if len(_PASSED) > 256:
        _PASSED.popitem(last=False)


#: Specifications that passed, most recently checked last: a schema checked
#: once (by create, then by evolve, by a contract file at every session) is
#: not walked again. Only successes are kept: an error names its context.
_PASSED: OrderedDict[tuple[str, bool], None] = OrderedDict()
_META: dict[Any, Any] = {}


def _meta_validator(cls: Any) -> Any:
    """As check_schema does: the meta-schema with its format checker, so that
    a "pattern" that is not a regular expression is refused here, not later.
    Built once per dialect: building one costs more than most checks."""
    meta = _META.get(cls)
    if meta is None:
        meta = _META[cls] = cls(cls.META_SCHEMA, format_checker=format_checker(cls))
    return meta


# -- references: resolved within the specification, never fetched (see compat.refs) ------


def _check_references(specification: Any, cls: Any, context: str, self_contained: bool) -> None:
    # Schema -> the schemas applied to the same instance location ("allOf",
    # "not", "if", a "$ref" target...), with the reference that leads there.
    in_place: dict[int, list[tuple[Any, tuple[str, str, str] | tuple[()]]]] = {}
    # Every subschema by its path, and the targets of each one's references.
    places: dict[tuple[str | int, ...], Any] = {}
    targets: dict[int, list[Any]] = {}
    for path, contents, resolver in subschemas(specification, cls):
        places[path] = contents
        if not isinstance(contents, dict):
            continue
        steps = in_place.setdefault(id(contents), [])
        steps.extend((child, ()) for child in _in_place_children(contents))
        for keyword in REFERENCE_KEYWORDS:
            ref = contents.get(keyword)
            if not isinstance(ref, str):
                continue
            target, problem = lookup(resolver, ref)
            where = pointer((*path, keyword))
            if problem is not None and self_contained:
                raise InvalidSchema(
                    f"{context}: {keyword} {ref!r} at {where!r} {problem}", path=where
                )
            if target is not None:
                steps.append((target, (where, keyword, ref)))
                targets.setdefault(id(contents), []).append(target)
    loop = _endless_reference(in_place)
    if loop is not None:
        where, keyword, ref = loop
        raise InvalidSchema(
            f"{context}: {keyword} {ref!r} at {where!r} leads back to a schema that "
            "contains it without going down into the document (through allOf, anyOf, "
            "oneOf, not, if/then/else or another reference), so applying it never ends; "
            'make the reference go through "properties", "items" or the like',
            path=where,
        )
    if targets:
        _check_expansion(places, targets, context)


def _check_expansion(
    places: dict[tuple[str | int, ...], Any], targets: dict[int, list[Any]], context: str
) -> None:
    """Refuse a specification whose references expand to more than
    MAX_EXPANDED_SCHEMAS subschemas: the size of the schema tree with each
    reference replaced by its target, where a reference back to a schema it
    is inside counts once (recursion is bounded by the output's depth)."""
    children: dict[int, list[Any]] = {}
    where: dict[int, tuple[str | int, ...]] = {}
    for path, contents in places.items():
        where.setdefault(id(contents), path)
        if len(path) >= 2 and path[-2] in ("$defs", "definitions"):
            continue  # a definition is applied only where something refers to it
        for cut in (1, 2):
            parent = places.get(path[:-cut]) if len(path) >= cut else None
            if parent is not None:
                children.setdefault(id(parent), []).append(contents)
                break
    size: dict[int, int] = {}
    root = places.get(())
    if root is None:
        return
    # Iterative post-order walk: (node, the nodes it applies, next one to visit).
    on_path: set[int] = {id(root)}
    stack: list[tuple[Any, list[Any], int]] = [(root, _applied(root, children, targets), 0)]
    while stack:
        node, applied, index = stack[-1]
        if index < len(applied):
            stack[-1] = (node, applied, index + 1)
            child = applied[index]
            if id(child) not in size and id(child) not in on_path:
                on_path.add(id(child))
                stack.append((child, _applied(child, children, targets), 0))
            continue
        stack.pop()
        on_path.discard(id(node))
        size[id(node)] = 1 + sum(size.get(id(child), 1) for child in applied)
    if size[id(root)] <= MAX_EXPANDED_SCHEMAS:
        return
    # Where the expansion first passes the bound: the smallest schema past it.
    worst = min(
        (item for item in places.values() if size.get(id(item), 0) > MAX_EXPANDED_SCHEMAS),
        key=lambda item: size[id(item)],
    )
    at = pointer(where[id(worst)])
    raise InvalidSchema(
        f"{context}: the schema at {at!r} expands to {size[id(worst)]:,} subschemas once "
        f"its references are followed (the limit is {MAX_EXPANDED_SCHEMAS:,}), so checking "
        "an output against it could take exponential time; a reference that is used several "
        "times in one place (allOf, anyOf, oneOf...) at every level doubles the work per "
        "level: refer to each definition once per level",
        path=at,
    )


def _applied(node: Any, children: dict[int, list[Any]], targets: dict[int, list[Any]]) -> list[Any]:
    return [*children.get(id(node), ()), *targets.get(id(node), ())]


def _in_place_children(contents: dict[str, Any]) -> Iterator[Any]:
    """The subschemas applied to the same place in the document as ``contents``."""
    for keyword in ("allOf", "anyOf", "oneOf"):
        if isinstance(contents.get(keyword), list):
            yield from contents[keyword]
    for keyword in ("not", "if", "then", "else"):
        if keyword in contents:
            yield contents[keyword]
    if isinstance(contents.get("dependentSchemas"), dict):
        yield from contents["dependentSchemas"].values()


def _endless_reference(
    in_place: dict[int, list[tuple[Any, tuple[str, str, str] | tuple[()]]]],
) -> tuple[str, str, str] | None:
    """A reference on a cycle of in-place steps (a schema applied to the same
    document location as itself, forever), or None. Iterative DFS."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in in_place:
        if start in state:
            continue
        stack: list[tuple[int, int]] = [(start, 0)]
        trail: list[tuple[str, str, str] | tuple[()]] = []
        state[start] = 1
        while stack:
            node, index = stack[-1]
            steps = in_place.get(node, [])
            if index == len(steps):
                state[node] = 2
                stack.pop()
                if trail:
                    trail.pop()
                continue
            stack[-1] = (node, index + 1)
            child, via = steps[index]
            child_id = id(child)
            if state.get(child_id) == 1:
                refs = [step for step in (*trail, via) if step]
                if refs:
                    return refs[-1]
                continue  # a cycle of plain containment is impossible in a tree
            if child_id not in state and child_id in in_place:
                state[child_id] = 1
                trail.append(via)
                stack.append((child_id, 0))
    return None


def _short(text: str, limit: int = 80) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")
