"""Checking that a specification is a JSON Schema the registry can use."""

from __future__ import annotations

import importlib
import re
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators

from .compat.refs import REFERENCE_KEYWORDS, lookup, subschemas
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

    A ``pattern`` (or ``patternProperties`` key) that can backtrack
    catastrophically is refused (see :func:`backtracking_risk`). With
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
        _check_references_and_patterns(specification, cls, context, self_contained)
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
        meta = _META[cls] = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    return meta


# -- references: resolved within the specification, never fetched (see compat.refs) ------


def _check_references_and_patterns(
    specification: Any, cls: Any, context: str, self_contained: bool
) -> None:
    # Schema -> the schemas applied to the same instance location ("allOf",
    # "not", "if", a "$ref" target...), with the reference that leads there.
    in_place: dict[int, list[tuple[Any, tuple[str, str, str] | tuple[()]]]] = {}
    for path, contents, resolver in subschemas(specification, cls):
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
        found: list[tuple[tuple[str | int, ...], str]] = []
        if isinstance(contents.get("pattern"), str):
            found.append(((*path, "pattern"), contents["pattern"]))
        if isinstance(contents.get("patternProperties"), dict):
            found.extend(
                ((*path, "patternProperties", key), key) for key in contents["patternProperties"]
            )
        for place, regex in found:
            reason = backtracking_risk(regex)
            if reason is not None:
                where = pointer(place)
                raise InvalidSchema(
                    f"{context}: the pattern {_short(regex)} at {where!r} is refused: {reason}",
                    path=where,
                )
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


# -- patterns: catastrophic backtracking ------------------------------------------------
# A conservative static check on the parse tree Python's own re module builds
# (re._parser: private, so anything unexpected from it means "not refused").
# A repetition (max > 1) is refused when its body can match one text in more
# than one way -- a variable-length repetition inside it, or alternatives that
# can start with the same character -- unless the body also holds a required
# character that none of those ambiguous parts can match, which separates one
# repetition from the next: "([a-z0-9-]+\.)+" passes, "(a+)+", "(a|aa)+",
# "(\w+\s?)+" and "(.*a){20}" do not. Polynomial cases ("\d+\d+\d+x") are not
# refused.
try:
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - a future Python without it
    _parser = None

_CATEGORIES = {
    "CATEGORY_DIGIT": re.compile(r"\d"),
    "CATEGORY_NOT_DIGIT": re.compile(r"\D"),
    "CATEGORY_WORD": re.compile(r"\w"),
    "CATEGORY_NOT_WORD": re.compile(r"\W"),
    "CATEGORY_SPACE": re.compile(r"\s"),
    "CATEGORY_NOT_SPACE": re.compile(r"\S"),
}
_ATOMS = frozenset({"LITERAL", "NOT_LITERAL", "ANY", "IN", "GROUPREF"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
#: Characters tried when asking whether two character sets share one, besides
#: the literals and range ends of the sets themselves: Latin-1 and a few of
#: the scripts whose digits, letters and spaces \d, \w and \s also match.
_PROBES = (*range(0x250), 0x660, 0x966, 0x2003, 0x3000, 0x4E00, 0xFF10, 0x1F600)

Atom = tuple[str, Any]
Node = tuple[Any, Any]


def _name(op: Any) -> str:
    return str(getattr(op, "name", op))


def _in_set(atom: Atom, char: int, ignore_case: bool) -> bool:
    if ignore_case:
        text = chr(char)
        return any(
            _in_set(atom, ord(c), False) for c in {text, text.lower(), text.upper()} if len(c) == 1
        )
    kind, value = atom
    if kind == "LITERAL":
        return bool(char == value)
    if kind == "NOT_LITERAL":
        return bool(char != value)
    if kind != "IN":  # ANY, GROUPREF: anything
        return True
    negate, hit = False, False
    for op, item in value:
        name = _name(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or char == item
        elif name == "RANGE":
            hit = hit or item[0] <= char <= item[1]
        elif name == "CATEGORY":
            pattern = _CATEGORIES.get(_name(item))
            hit = hit or pattern is None or pattern.match(chr(char)) is not None
        else:
            hit = True
    return hit != negate


def _ends(atom: Atom) -> list[int]:
    kind, value = atom
    if kind in ("LITERAL", "NOT_LITERAL"):
        return [value]
    if kind != "IN":
        return []
    ends: list[int] = []
    for op, item in value:
        if _name(op) == "LITERAL":
            ends.append(item)
        elif _name(op) == "RANGE":
            ends.extend(item)
    return ends


def _overlap(first: Atom, second: Atom, ignore_case: bool) -> bool:
    probes = {*_PROBES, *_ends(first), *_ends(second)}
    return any(_in_set(first, c, ignore_case) and _in_set(second, c, ignore_case) for c in probes)


def _children(op: str, value: Any) -> list[list[Node]]:
    """The subpatterns directly inside one node."""
    if op in _REPEATS:
        return [value[2]]
    if op == "SUBPATTERN":
        return [value[3]]
    if op == "ATOMIC_GROUP":
        return [value]
    if op == "BRANCH":
        return list(value[1])
    if op in ("ASSERT", "ASSERT_NOT"):
        return [value[1]]
    if op == "GROUPREF_EXISTS":
        return [part for part in value[1:] if part is not None]
    return []


def _chars(seq: list[Node]) -> list[Atom]:
    """Every character set anywhere in ``seq``."""
    found: list[Atom] = []
    for op, value in seq:
        name = _name(op)
        if name in _ATOMS:
            found.append((name, value))
        for child in _children(name, value):
            found.extend(_chars(child))
    return found


def _first(seq: list[Node]) -> tuple[list[Atom], bool]:
    """The character sets ``seq`` can start with, and whether it can match ""."""
    found: list[Atom] = []
    for op, value in seq:
        name = _name(op)
        if name in _ATOMS:
            found.append((name, value))
            return found, False
        if name in _REPEATS:
            inner, nullable = _first(value[2])
            found.extend(inner)
            if value[0] >= 1 and not nullable:
                return found, False
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            inner, nullable = _first(_children(name, value)[0])
            found.extend(inner)
            if not nullable:
                return found, False
        elif name in ("BRANCH", "GROUPREF_EXISTS"):
            alternatives = [_first(child) for child in _children(name, value)]
            for inner, _ in alternatives:
                found.extend(inner)
            if name == "BRANCH" and not any(nullable for _, nullable in alternatives):
                return found, False
    return found, True


def _ambiguous(seq: list[Node], ignore_case: bool) -> tuple[list[Atom], str | None]:
    """The character sets of the parts of ``seq`` that can match one text in
    several ways, and what makes the first of them ambiguous."""
    found: list[Atom] = []
    why: str | None = None
    for op, value in seq:
        name = _name(op)
        if name in _REPEATS and value[0] != value[1]:
            found.extend(_chars(value[2]))
            why = why or "it holds a variable-length repetition (a quantifier inside a quantifier)"
        elif name == "BRANCH":
            starts = [_first(child) for child in value[1]]
            clash = any(nullable for _, nullable in starts) or any(
                _overlap(a, b, ignore_case)
                for i, (first, _) in enumerate(starts)
                for second, _ in starts[i + 1 :]
                for a in first
                for b in second
            )
            if clash:
                found.extend(_chars([(op, value)]))
                why = why or "it holds alternatives that can match the same text"
                continue
            for child in value[1]:
                inner, reason = _ambiguous(child, ignore_case)
                found.extend(inner)
                why = why or reason
        elif name not in _ATOMS:
            for child in _children(name, value):
                inner, reason = _ambiguous(child, ignore_case)
                found.extend(inner)
                why = why or reason
    return found, why


def _required(seq: list[Node]) -> list[Atom]:
    """Character sets every match of ``seq`` must go through."""
    found: list[Atom] = []
    for op, value in seq:
        name = _name(op)
        if name in _ATOMS:
            found.append((name, value))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            found.extend(_required(_children(name, value)[0]))
        elif name in _REPEATS and value[0] >= 1:
            found.extend(_required(value[2]))
    return found


def _repetition_risk(seq: list[Node], ignore_case: bool) -> str | None:
    for op, value in seq:
        name = _name(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT") and value[1] > 1:
            body = value[2]
            parts, why = _ambiguous(body, ignore_case)
            if why is not None and not any(
                all(not _overlap(mark, part, ignore_case) for part in parts)
                for mark in _required(body)
            ):
                return (
                    f"a repeated group can match the same text in more than one way ({why}, "
                    "and nothing in it separates one repetition from the next), so a "
                    "near-miss makes Python's re module try exponentially many ways "
                    "(catastrophic backtracking); rewrite it so each repetition starts or ends "
                    'with a character the rest cannot match, e.g. "(a+)+" as "a+"'
                )
        for child in _children(name, value):
            reason = _repetition_risk(child, ignore_case)
            if reason is not None:
                return reason
    return None


def _flags(seq: list[Node]) -> int:
    flags = 0
    for op, value in seq:
        name = _name(op)
        if name == "SUBPATTERN":
            flags |= value[1]
        for child in _children(name, value):
            flags |= _flags(child)
    return flags


def backtracking_risk(regex: str) -> str | None:
    """Why matching ``regex`` can take exponential time (catastrophic
    backtracking), or None when this conservative check finds no such risk
    (or cannot parse the pattern: the meta-schema's "regex" format check
    refuses what Python cannot compile)."""
    if _parser is None:  # pragma: no cover
        return None
    try:
        parsed = _parser.parse(regex)
    except (re.error, ValueError, TypeError, OverflowError):
        return None
    seq = list(parsed)
    ignore_case = bool((parsed.state.flags | _flags(seq)) & re.IGNORECASE)
    return _repetition_risk(seq, ignore_case)
