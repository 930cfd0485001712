"""Property tests of the compatibility engine: where it says SAFE, no document disagrees.

Schemas come from a family built here (objects with typed properties, required
lists, content open, closed by ``additionalProperties`` or by
``unevaluatedProperties``; numeric and string bounds, enums; arrays with items,
tuples with ``items`` or ``unevaluatedItems`` for the rest, size bounds;
``anyOf``, ``oneOf``, ``allOf`` and ``not``); a new version is the old one with
one to three random edits. Documents are drawn to fit either version or none,
then kept only if they validate.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_contracts.compat import CompatReport, Mode, Policy, compare

NAMES = ("a", "b", "c", "d")
#: Patterns of patternProperties: one matches a single name, one several.
PATTERNS = ("^a", "^[cd]")
#: 120 examples a run (seeds differ from run to run, so every CI build adds
#: its own); the precision figures in the notes were measured with 1,500.
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# -- schemas ---------------------------------------------------------------------------------

_small = st.integers(-4, 4)
_NUMERIC_TYPES = ["integer", "number", ["integer", "null"]]
_STRING_TYPES = ["string", ["string", "null"]]
_ENUM_VALUES = ["x", "y", "z", 1, 2, None]

numbers = st.fixed_dictionaries(
    {"type": st.sampled_from(_NUMERIC_TYPES)},
    optional={
        "minimum": _small,
        "maximum": _small,
        "exclusiveMinimum": _small,
        "exclusiveMaximum": _small,
        "multipleOf": st.sampled_from([1, 2, 3, 4, 0.5]),
    },
)
strings = st.fixed_dictionaries(
    {"type": st.sampled_from(_STRING_TYPES)},
    optional={
        "minLength": st.integers(0, 3),
        "maxLength": st.integers(0, 5),
        "pattern": st.sampled_from(["^a", "b"]),
    },
)
enums = st.fixed_dictionaries(
    {"enum": st.lists(st.sampled_from(_ENUM_VALUES), min_size=1, max_size=4, unique=True)}
)
# A new dict each time: st.just would hand every draw the same one, and the
# edits below change schemas in place.
leaves = st.one_of(numbers, strings, enums, st.builds(lambda: {"type": "boolean"}))


def _arrays(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"type": st.just("array"), "items": inner},
        optional={
            "minItems": st.integers(0, 2),
            "maxItems": st.integers(0, 3),
            "uniqueItems": st.booleans(),
        },
    )


@st.composite
def _objects(draw: st.DrawFn, inner: st.SearchStrategy[Any]) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: draw(inner) for name in names},
    }
    required = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    if required:
        schema["required"] = required
    closed = draw(st.sampled_from(["open", "additional", "unevaluated", "schema", "patterns"]))
    if closed == "additional":
        schema["additionalProperties"] = False
    elif closed == "patterns":
        # Partly open: names a pattern matches meet its schema, others are refused.
        schema["patternProperties"] = {draw(st.sampled_from(PATTERNS)): draw(inner)}
        schema["additionalProperties"] = False
    elif closed == "unevaluated":
        schema["unevaluatedProperties"] = False
    elif closed == "schema":
        schema["additionalProperties"] = draw(leaves)
    return schema


def _tuples(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"type": st.just("array"), "prefixItems": st.lists(inner, min_size=1, max_size=3)},
        optional={
            "items": st.just(False) | inner,
            "unevaluatedItems": st.just(False) | inner,
            "minItems": st.integers(0, 2),
        },
    )


def _combined(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.fixed_dictionaries({"anyOf": st.lists(inner, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"oneOf": st.lists(inner, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"allOf": st.lists(inner, min_size=1, max_size=2)}),
        st.fixed_dictionaries({"not": leaves}),
    )


schemas = st.recursive(
    leaves,
    lambda inner: st.one_of(_arrays(inner), _tuples(inner), _objects(inner), _combined(inner)),
    max_leaves=5,
)

#: Schemas whose root holds others: where tuples, closed objects and branches meet.
containers = st.one_of(_tuples(schemas), _objects(schemas), _combined(schemas))

# -- edits -------------------------------------------------------------------------------------


def _children(schema: dict[str, Any]) -> list[Any]:
    found = [*schema.get("properties", {}).values(), *schema.get("patternProperties", {}).values()]
    for keyword in ("prefixItems", "anyOf", "oneOf", "allOf"):
        found.extend(schema.get(keyword, []))
    for keyword in ("items", "unevaluatedItems", "additionalProperties", "not"):
        found.append(schema.get(keyword))
    return [c for c in found if isinstance(c, dict)]


def _nodes(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema]
    for child in _children(schema):
        found.extend(_nodes(child))
    return found


def _toggle(schema: dict[str, Any], keyword: str, value: Any) -> None:
    if keyword in schema:
        del schema[keyword]
    else:
        schema[keyword] = value


def _edits_of(node: dict[str, Any]) -> list[str]:
    """The edits that apply to ``node``: an edit drawn at random mostly would not."""
    kinds = ["bound", "enum", "pattern", "wrap", "vendor"]
    if node.get("type") not in (None, "object", "array"):
        kinds.append("type")
    if node.get("type") == "object":
        kinds += ["property", "closed", "unevaluated", "patterns", "dependent"]
    if node.get("properties"):
        kinds.append("required")
    if node.get("type") == "array":
        kinds += ["unique", "unevaluated", "rest"]
    if "prefixItems" in node:
        kinds += ["tuple", "tuple"]
    if node.keys() & {"anyOf", "oneOf", "allOf"}:
        kinds += ["branch", "branch"]
    if "not" in node:
        kinds.append("not")
    return kinds


@st.composite
def _edit(draw: st.DrawFn, schema: dict[str, Any]) -> None:
    """Change one keyword somewhere in ``schema``, in place."""
    # The root half the time: that is where the structure an edit reshapes is.
    node = draw(st.just(schema) | st.sampled_from(_nodes(schema)))
    kind = draw(st.sampled_from(_edits_of(node)))
    if kind == "bound":
        keyword = draw(
            st.sampled_from(
                [
                    "minimum",
                    "maximum",
                    "exclusiveMinimum",
                    "exclusiveMaximum",
                    "multipleOf",
                    "minLength",
                    "maxLength",
                    "minItems",
                    "maxItems",
                ]
            )
        )
        if keyword == "multipleOf":
            value: Any = draw(st.sampled_from([1, 2, 3, 4, 0.5, 0.25]))
        elif keyword.startswith(("minL", "maxL", "minI", "maxI")):
            value = draw(st.integers(0, 5))
        else:
            value = draw(_small)
        if keyword in node and draw(st.booleans()):
            del node[keyword]
        else:
            node[keyword] = value
    elif kind == "type" and "type" in node and node["type"] not in ("object", "array"):
        node["type"] = draw(st.sampled_from([*_NUMERIC_TYPES, *_STRING_TYPES, "boolean"]))
    elif kind == "enum":
        values = list(node.get("enum", []))
        value = draw(st.sampled_from(_ENUM_VALUES))
        if value in values and len(values) > 1:
            values.remove(value)
        elif value not in values:
            values.append(value)
        if draw(st.integers(0, 4)) == 0:
            node.pop("enum", None)
        else:
            node["enum"] = values
    elif kind == "unique" and node.get("type") == "array":
        _toggle(node, "uniqueItems", True)
    elif kind == "pattern":
        _toggle(node, "pattern", draw(st.sampled_from(["^a", "b"])))
    elif kind == "property" and node.get("type") == "object":
        name = draw(st.sampled_from(NAMES))
        properties = node["properties"]
        if name in properties:
            del properties[name]
            node["required"] = [n for n in node.get("required", []) if n != name]
        else:
            properties[name] = draw(leaves)
    elif kind == "required" and node.get("properties"):
        name = draw(st.sampled_from(sorted(node["properties"])))
        required = node.setdefault("required", [])
        if name in required:
            required.remove(name)
        else:
            required.append(name)
    elif kind == "closed" and node.get("type") == "object":
        _toggle(node, "additionalProperties", False)
    elif kind == "unevaluated" and node.get("type") in ("object", "array"):
        keyword = "unevaluatedProperties" if node["type"] == "object" else "unevaluatedItems"
        _toggle(node, keyword, draw(st.just(False) | leaves))
    elif kind == "tuple" and "prefixItems" in node:
        if len(node["prefixItems"]) > 1 and draw(st.booleans()):
            node["prefixItems"].pop(draw(st.integers(0, len(node["prefixItems"]) - 1)))
        else:
            node["prefixItems"].append(draw(leaves))
    elif kind == "rest" and node.get("type") == "array":
        _toggle(
            node,
            draw(st.sampled_from(["items", "unevaluatedItems"])),
            draw(st.just(False) | leaves),
        )
    elif kind == "branch" and node.keys() & {"anyOf", "oneOf", "allOf"}:
        keyword = sorted(node.keys() & {"anyOf", "oneOf", "allOf"})[0]
        branches = node[keyword]
        how = draw(st.sampled_from(["add", "duplicate", "remove"]))
        if how == "remove" and len(branches) > 1:
            branches.pop(draw(st.integers(0, len(branches) - 1)))
        elif how == "duplicate":
            branches.append(copy.deepcopy(draw(st.sampled_from(branches))))
        else:
            branches.insert(draw(st.integers(0, len(branches))), draw(leaves))
    elif kind == "wrap":
        keyword = draw(st.sampled_from(["anyOf", "oneOf", "allOf"]))
        branches = [copy.deepcopy(node), draw(leaves)]
        if draw(st.booleans()):
            branches.reverse()
        node.clear()
        node[keyword] = branches
    elif kind == "not" and "not" in node:
        node["not"] = draw(leaves)
    elif kind == "patterns" and node.get("type") == "object":
        patterns = node.setdefault("patternProperties", {})
        pattern = draw(st.sampled_from(PATTERNS))
        if pattern in patterns:
            del patterns[pattern]
        else:
            patterns[pattern] = draw(leaves)
    elif kind == "dependent" and node.get("type") == "object":
        # What the presence of a name requires: nothing, another name, or a schema.
        name = draw(st.sampled_from(NAMES))
        if draw(st.booleans()):
            _toggle(node, "dependentRequired", {name: draw(st.sampled_from([[], ["b"], ["c"]]))})
        else:
            _toggle(node, "dependentSchemas", {name: draw(st.just(True) | leaves)})
    elif kind == "vendor":
        # A keyword no validator knows: an annotation, whatever its value.
        _toggle(node, draw(st.sampled_from(["x-note", "id"])), draw(leaves))


@st.composite
def pairs(
    draw: st.DrawFn, roots: st.SearchStrategy[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A schema (drawn from ``roots`` if given) and an edited copy, in either
    order: edits mostly narrow, and each question needs as many pairs that widen."""
    old = draw(roots if roots is not None else st.one_of(schemas, containers))
    new = copy.deepcopy(old)
    for _ in range(draw(st.integers(1, 3))):
        draw(_edit(new))
    for _ in range(10):  # many edits do not apply to the node drawn: edit until one does
        if new != old:
            break
        draw(_edit(new))
    return (new, old) if draw(st.booleans()) else (old, new)


# -- documents ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | _small | _small.map(lambda v: v + 0.5) | st.text("ab", max_size=3),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(NAMES), inner),
    max_leaves=4,
)


def documents(schema: Any) -> st.SearchStrategy[Any]:
    """Values drawn to fit ``schema`` (most do; the caller keeps those that validate)."""
    if not isinstance(schema, dict) or not schema:
        return json_values
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in schema:
            return st.one_of([documents(branch) for branch in schema[keyword]])
    if "not" in schema:
        return json_values
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else declared or ["null"]
    return st.one_of([_of_type(schema, t) for t in types])


def _of_type(schema: dict[str, Any], name: str) -> st.SearchStrategy[Any]:
    if name == "null":
        return st.none()
    if name == "boolean":
        return st.booleans()
    if name in ("integer", "number"):
        low = max(schema.get("minimum", -6), schema.get("exclusiveMinimum", -7) + 1)
        high = min(schema.get("maximum", 6), schema.get("exclusiveMaximum", 7) - 1)
        if low > high:
            return st.integers(-6, 6)
        multiple = schema.get("multipleOf", 1)
        found = st.integers(low, high).map(lambda v: v - v % multiple if multiple >= 1 else v)
        if name == "number":
            halves = st.integers(2 * low, 2 * high).map(lambda v: v / 2)
            found = found | halves | st.floats(low, high, allow_nan=False)
        return found
    if name == "string":
        low = schema.get("minLength", 0)
        high = max(low, schema.get("maxLength", low + 4))
        text = st.text("abxy", min_size=low, max_size=high)
        return text | text.map(lambda s: "a" + s[1:] if s else s)
    if name == "array" and "prefixItems" in schema:
        rest = schema.get("items", schema.get("unevaluatedItems", True))
        return st.builds(
            lambda head, cut, tail: [*head[:cut], *tail] if cut < len(head) else [*head, *tail],
            st.tuples(*(documents(item) for item in schema["prefixItems"])),
            st.integers(0, len(schema["prefixItems"])),
            st.lists(documents(rest), max_size=0 if rest is False else 2),
        )
    if name == "array":
        low = schema.get("minItems", 0)
        high = max(low, schema.get("maxItems", low + 3))
        return st.lists(documents(schema.get("items", True)), min_size=low, max_size=high)
    return _object_documents(schema)


@st.composite
def _object_documents(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    document: dict[str, Any] = {}
    for name, subschema in properties.items():
        if name in required or draw(st.booleans()):
            document[name] = draw(documents(subschema))
    for pattern, subschema in schema.get("patternProperties", {}).items():
        # Names a pattern matches, declared or not: where its schema applies.
        matched = [name for name in (*NAMES, "e") if re.search(pattern, name)]
        for name in draw(st.lists(st.sampled_from(matched), unique=True, max_size=2)):
            document[name] = draw(documents(subschema))
    rest = schema.get("additionalProperties", schema.get("unevaluatedProperties", True))
    if rest is not False:
        # Properties no version declares, or that a later edit might declare.
        extras = [name for name in (*NAMES, "e") if name not in properties]
        for name in draw(st.lists(st.sampled_from(extras), unique=True, max_size=2)):
            document[name] = draw(documents(rest) if isinstance(rest, dict) else json_values)
    return document


def valid_documents(
    schema: dict[str, Any], *others: dict[str, Any], size: int = 8, least: int = 1
) -> st.SearchStrategy[list[Any]]:
    """Documents valid under ``schema``, drawn to fit it, to fit ``others``
    (the other version: where the two differ is where a break hides) or none."""
    validator = jsonschema.Draft202012Validator(schema)
    drawn = st.one_of([documents(schema), *(documents(other) for other in others), json_values])
    return st.lists(drawn, min_size=least, max_size=size).map(
        lambda docs: [doc for doc in docs if validator.is_valid(doc)]
    )


# -- properties ---------------------------------------------------------------------------------


#: Tuples and objects whose rest is left to unevaluatedItems or unevaluatedProperties.
unevaluated_roots = st.one_of(
    _tuples(leaves).map(
        lambda s: (
            {k: v for k, v in s.items() if k != "items"}
            | {"unevaluatedItems": s.get("unevaluatedItems", False)}
        )
    ),
    _objects(leaves).map(
        lambda s: (
            {k: v for k, v in s.items() if k != "additionalProperties"}
            | {"unevaluatedProperties": False}
        )
    ),
)


def _check_direction(
    mode: Mode,
    source: Callable[[tuple[Any, Any]], tuple[Any, Any]],
    roots: st.SearchStrategy[dict[str, Any]] | None = None,
) -> Counter[str]:
    """Run the property for one direction; return how much it actually checked."""
    seen: Counter[str] = Counter()

    @SETTINGS
    @given(pair=pairs(roots), data=st.data())
    def run(pair: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject) -> None:
        old, new = pair
        report = compare(old, new, policy=Policy.STRICT)
        seen["pairs"] += 1
        if report.breaks(mode):
            return
        written_under, read_under = source(pair)
        reader = jsonschema.Draft202012Validator(read_under)
        documents = data.draw(valid_documents(written_under, read_under), label="documents")
        for document in documents:
            assert reader.is_valid(document), (
                f"compare() found {mode} safe, yet {document!r} crosses it\n"
                f"old: {old}\nnew: {new}\n" + "\n".join(report.render(100))
            )
        seen["documents"] += len(documents)
        seen["safe changed pairs"] += bool(report.changes)

    run()
    return seen


def test_backward_safe_means_every_old_document_validates_under_new() -> None:
    seen = _check_direction(Mode.BACKWARD, lambda pair: pair)
    # The property must not hold vacuously: real edits, real documents.
    assert seen["safe changed pairs"] >= 10, seen
    assert seen["documents"] >= 10, seen


def test_forward_safe_means_every_new_document_validates_under_old() -> None:
    seen = _check_direction(Mode.FORWARD, lambda pair: (pair[1], pair[0]))
    assert seen["safe changed pairs"] >= 10, seen
    assert seen["documents"] >= 10, seen


@pytest.mark.parametrize("mode", [Mode.BACKWARD, Mode.FORWARD])
def test_safe_holds_where_unevaluated_keywords_decide_the_rest(mode: Mode) -> None:
    swap = mode is Mode.FORWARD
    seen = _check_direction(
        mode, lambda pair: (pair[1], pair[0]) if swap else pair, roots=unevaluated_roots
    )
    assert seen["safe changed pairs"] >= 10, seen


@SETTINGS
@given(schema=schemas)
def test_a_schema_compared_with_itself_has_no_changes(schema: dict[str, Any]) -> None:
    assert compare(schema, copy.deepcopy(schema), policy=Policy.STRICT).changes == ()


@SETTINGS
@given(pair=pairs(), policy=st.sampled_from(list(Policy)))
def test_every_report_round_trips_through_its_dict(
    pair: tuple[dict[str, Any], dict[str, Any]], policy: Policy
) -> None:
    report = compare(*pair, policy=policy)
    assert CompatReport.from_dict(report.to_dict()) == report
    assert compare(*copy.deepcopy(pair), policy=policy) == report
