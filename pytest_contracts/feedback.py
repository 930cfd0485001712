"""Violations as instructions a producer can act on.

An agent that wrote a phase output that breaks its contract needs to know
where the output is wrong, what is wrong there, and what the contract expects
instead: the allowed types, the enum values, the required names, the bounds.
:func:`render_feedback` turns a check's violations into short numbered lines
that say exactly that, reading what the schema expects from the contract's
own schema (following its local ``$ref`` s) and what was found from the
output. The text is deterministic (the same violations give the same text),
capped, and free of internals: no schema paths, no engine names.

Nothing here imports pytest or touches the registry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

#: Violations rendered by default; the rest are counted in a last line.
DEFAULT_MAX_VIOLATIONS = 10
#: Longest rendering of one value (found or expected) in a line.
VALUE_LIMIT = 80
_MISSING = object()


def render_feedback(
    violations: Sequence[Any],
    *,
    specification: Any,
    output: Any,
    max_violations: int = DEFAULT_MAX_VIOLATIONS,
    contract: str | None = None,
) -> str:
    """Numbered instructions, one per violation (at most ``max_violations``),
    each saying where, what is wrong and what is expected. ``violations`` are
    :class:`~pytest_contracts.validation.Violation` objects or their dicts.
    An empty string when there is nothing to fix."""
    if isinstance(max_violations, bool) or not isinstance(max_violations, int):
        raise TypeError(f"max_violations must be an int, not {type(max_violations).__name__}")
    if max_violations < 1:
        raise ValueError(f"max_violations must be at least 1, not {max_violations}")
    # In document order, so that both engines give the same text.
    items = sorted((_as_dict(v) for v in violations), key=_order)
    if not items:
        return ""
    head = "The output does not match its contract"
    if contract:
        head += f" {contract}"
    lines = [f"{head}; fix {'this' if len(items) == 1 else 'these'}:"]
    for number, item in enumerate(items[:max_violations], 1):
        lines.append(f"{number}. {instruction(item, specification, output)}")
    left = len(items) - max_violations
    if left > 0:
        lines.append(f"... and {left} more violation{'s' if left != 1 else ''}.")
    return "\n".join(lines)


def instruction(violation: dict[str, Any], specification: Any, output: Any) -> str:
    """One violation as one line: ``at <where>: <what to do>``."""
    where = violation.get("pointer") or ""
    keyword = str(violation.get("keyword") or "")
    path = _tokens(str(violation.get("schema_path") or ""))
    expected = _resolve_schema(specification, path)
    parent = _resolve_schema(specification, path[:-1]) if path else _MISSING
    found = _resolve_instance(output, where)
    build = _INSTRUCTIONS.get(keyword)
    text = None
    if build is not None and expected is not _MISSING:
        text = build(expected, found, parent if isinstance(parent, dict) else {})
    if text is None:
        text = str(violation.get("message") or f"fails {keyword!r}")
    return f"at {_where(where)}: {text}"


# -- what each keyword asks for ------------------------------------------------
def _type(expected: Any, found: Any, _parent: dict[str, Any]) -> str:
    allowed = expected if isinstance(expected, list) else [expected]
    names = " or ".join(_type_name(t) for t in allowed)
    return f"must be {names}; found {_described(found)}"


def _enum(expected: Any, found: Any, _parent: dict[str, Any]) -> str | None:
    if not isinstance(expected, list):
        return None
    return f"must be one of {_values(expected)}; found {_value(found)}"


def _const(expected: Any, found: Any, _parent: dict[str, Any]) -> str:
    return f"must be exactly {_value(expected)}; found {_value(found)}"


def _required(expected: Any, found: Any, _parent: dict[str, Any]) -> str | None:
    if not isinstance(expected, list) or not isinstance(found, dict):
        return None
    missing = [name for name in expected if isinstance(name, str) and name not in found]
    if not missing:
        return None
    names = ", ".join(_value(name) for name in missing)
    return f"add the required propert{'y' if len(missing) == 1 else 'ies'} {names}"


def _closed(expected: Any, found: Any, parent: dict[str, Any]) -> str | None:
    if expected is not False or not isinstance(found, dict):
        return None
    known = parent.get("properties")
    allowed = sorted(known) if isinstance(known, dict) else []
    patterns = parent.get("patternProperties")
    extra = [name for name in found if name not in allowed]
    if isinstance(patterns, dict) and patterns:
        return (
            f"remove the properties the contract does not allow (allowed: "
            f"{_names(allowed) or 'none'}, or names matching {_values(sorted(patterns))})"
        )
    if not extra:
        return None
    return (
        f"remove the propert{'y' if len(extra) == 1 else 'ies'} {_names(extra)}: "
        f"not allowed here (allowed: {_names(allowed) or 'none'})"
    )


def _bound(words: str) -> Callable[[Any, Any, dict[str, Any]], str]:
    def build(expected: Any, found: Any, _parent: dict[str, Any]) -> str:
        return f"must be {words} {_value(expected)}; found {_value(found)}"

    return build


def _size(unit: str, least: bool) -> Callable[[Any, Any, dict[str, Any]], str]:
    def build(expected: Any, found: Any, _parent: dict[str, Any]) -> str:
        bound = "at least" if least else "at most"
        plural = unit if expected == 1 else _PLURALS.get(unit, unit + "s")
        have = f"; found {len(found)}" if isinstance(found, (str, list, dict)) else ""
        return f"must have {bound} {_value(expected)} {plural}{have}"

    return build


_PLURALS = {"property": "properties"}


def _pattern(expected: Any, found: Any, _parent: dict[str, Any]) -> str:
    return f"must match the pattern {_value(expected)}; found {_value(found)}"


def _format(expected: Any, found: Any, _parent: dict[str, Any]) -> str:
    return f"must be a valid {expected} value; found {_value(found)}"


def _multiple(expected: Any, found: Any, _parent: dict[str, Any]) -> str:
    return f"must be a multiple of {_value(expected)}; found {_value(found)}"


def _unique(_expected: Any, _found: Any, _parent: dict[str, Any]) -> str:
    return "must not repeat an item: every item must be different"


def _branches(word: str) -> Callable[[Any, Any, dict[str, Any]], str | None]:
    def build(expected: Any, found: Any, _parent: dict[str, Any]) -> str | None:
        if not isinstance(expected, list):
            return None
        return (
            f"must match {word} of the {len(expected)} alternatives the contract allows; "
            f"found {_described(found)}"
        )

    return build


def _false(_expected: Any, _found: Any, _parent: dict[str, Any]) -> str:
    return "no value is allowed here; remove it"


#: keyword -> what the instruction says, from the keyword's value in the
#: schema, the value found in the output, and the schema around the keyword.
#: A keyword left out is rendered with the validator's own message.
_INSTRUCTIONS: dict[str, Callable[[Any, Any, dict[str, Any]], str | None]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "required": _required,
    "additionalProperties": _closed,
    "unevaluatedProperties": _closed,
    "minimum": _bound("at least"),
    "maximum": _bound("at most"),
    "exclusiveMinimum": _bound("more than"),
    "exclusiveMaximum": _bound("less than"),
    "minLength": _size("character", least=True),
    "maxLength": _size("character", least=False),
    "minItems": _size("item", least=True),
    "maxItems": _size("item", least=False),
    "minProperties": _size("property", least=True),
    "maxProperties": _size("property", least=False),
    "pattern": _pattern,
    "format": _format,
    "multipleOf": _multiple,
    "uniqueItems": _unique,
    "oneOf": _branches("exactly one"),
    "anyOf": _branches("at least one"),
    "false": _false,
}


# -- reading the schema and the output ----------------------------------------
def _tokens(path: str) -> list[str]:
    if not path:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")[1:]]


def _resolve_schema(root: Any, tokens: list[str]) -> Any:
    """The value at ``tokens`` of the schema, following local ``$ref`` s
    where a token is not found (violation paths leave the ``$ref`` hops out)."""
    node = root
    for token in tokens:
        for _ in range(32):  # a chain of $refs, never a loop
            step = _step(node, token)
            if step is not _MISSING:
                node = step
                break
            target = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(target, str) or not target.startswith("#"):
                return _MISSING
            node = _resolve_schema(root, _tokens(target[1:])) if target != "#" else root
            if node is _MISSING:
                return _MISSING
        else:
            return _MISSING
    return node


def _step(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token, _MISSING)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return _MISSING


def _resolve_instance(output: Any, where: str) -> Any:
    node = output
    for token in _tokens(where):
        node = _step(node, token)
        if node is _MISSING:
            return _MISSING
    return node


# -- words ---------------------------------------------------------------------
_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _type_name(name: Any) -> str:
    return _TYPE_NAMES.get(name, repr(name)) if isinstance(name, str) else repr(name)


def _described(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if isinstance(value, int):
        return f"the integer {_value(value)}"
    if isinstance(value, float):
        return f"the number {_value(value)}"
    if isinstance(value, str):
        return f"the string {_value(value)}"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return f"an object with {len(value)} propert{'y' if len(value) == 1 else 'ies'}"
    return _value(value)


def _value(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > VALUE_LIMIT:
        text = text[: VALUE_LIMIT - 3] + "..."
    return text


def _values(values: Sequence[Any], limit: int = 10) -> str:
    shown = ", ".join(_value(v) for v in values[:limit])
    if len(values) > limit:
        shown += f", ... ({len(values) - limit} more)"
    return shown


def _names(names: Sequence[str]) -> str:
    return _values([str(n) for n in names])


def _where(pointer: str) -> str:
    return pointer or "the top level"


def _order(violation: dict[str, Any]) -> tuple[str, str, str]:
    return (
        str(violation.get("pointer") or ""),
        str(violation.get("schema_path") or ""),
        str(violation.get("message") or ""),
    )


def _as_dict(violation: Any) -> dict[str, Any]:
    if isinstance(violation, dict):
        return violation
    to_dict = getattr(violation, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    raise TypeError(f"not a violation: {violation!r}")
