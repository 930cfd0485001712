"""Is one subschema inside another, or apart from it: the questions that judge
combinators by what they accept rather than by their text.

``inside`` asks whether every document valid under a narrow schema is valid
under a wide one. It is a comparison of its own (:meth:`.walk.Context.aside`),
the narrow schema as the old side and the wide one as the new: inside when no
change breaks readers. On top of that, a narrow ``allOf`` is inside when one
of its branches is, and a narrow ``anyOf`` or ``oneOf`` when each branch is.
Questions nest (a branch compared with a branch that holds an ``anyOf``...);
past :data:`MAX_DEPTH` the answer is unknown.

``apart`` asks whether no document is valid under both, by the simplest
proofs: disjoint types, disjoint constants, a required property whose schemas
are apart. Each schema is read in its own document.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from .keywords import below, is_true, mapping, strings_list
from .report import BREAKING, SAFE, UNKNOWN, Effect
from .values import allowed_values, type_atoms

if TYPE_CHECKING:
    from .walk import Context, Side

#: How many questions may nest inside one another before the answer is unknown.
MAX_DEPTH: Final = 3


def worst(effects: Iterable[Effect]) -> Effect:
    """BREAKING if any effect is, else UNKNOWN if any is, else SAFE."""
    found = set(effects)
    return BREAKING if BREAKING in found else UNKNOWN if UNKNOWN in found else SAFE


def inside(
    ctx: Context,
    narrow: Any,
    narrow_at: str | None,
    wide: Any,
    wide_at: str | None,
    *,
    narrow_in_new: bool = False,
) -> Effect:
    """SAFE when the engine proves every document valid under ``narrow`` valid
    under ``wide``; otherwise the worst effect on readers it found. ``narrow``
    is in the old document and ``wide`` in the new, or the other way round
    when ``narrow_in_new``."""
    if ctx.depth >= MAX_DEPTH:
        return UNKNOWN
    question = ctx.aside(swapped=narrow_in_new)
    narrow, narrow_at = question.old.follow(narrow, narrow_at)
    if narrow is False or is_true(wide):
        return SAFE
    if _values_inside(question.new, narrow, wide, wide_at):
        return SAFE
    question.descend(narrow, wide, narrow_at, wide_at, "")
    found = worst(change.readers for change in question.changes)
    if found is SAFE or not isinstance(narrow, dict):
        return found

    def branch_inside(keyword: str, index: int, branch: Any) -> bool:
        at = below(narrow_at, keyword, index)
        return inside(ctx, branch, at, wide, wide_at, narrow_in_new=narrow_in_new) is SAFE

    all_of = narrow.get("allOf")
    if isinstance(all_of, list) and any(
        branch_inside("allOf", i, branch) for i, branch in enumerate(all_of)
    ):
        return SAFE
    for keyword in ("anyOf", "oneOf"):
        branches = narrow.get(keyword)
        if (
            isinstance(branches, list)
            and branches
            and all(branch_inside(keyword, i, branch) for i, branch in enumerate(branches))
        ):
            return SAFE
    return found


def _values_inside(wide_side: Side, narrow: Any, wide: Any, wide_at: str | None) -> bool:
    """Whether ``narrow`` lists the values it allows (``const``, ``enum``) and
    the wide schema's validator, formats checked, accepts every one of them:
    then nothing ``narrow`` accepts falls outside. Only for a wide schema that
    refers nowhere, so that it validates on its own."""
    if not isinstance(narrow, dict):
        return False
    if "const" in narrow:
        values = [narrow["const"]]
    elif isinstance(narrow.get("enum"), list):
        values = narrow["enum"]
    else:
        return False
    wide, _ = wide_side.follow(wide, wide_at)
    if not isinstance(wide, dict | bool) or _refers(wide):
        return False
    dialect = wide_side.dialect
    validator = dialect(wide, format_checker=dialect.FORMAT_CHECKER)
    try:
        return all(validator.is_valid(value) for value in values)
    except (ArithmeticError, RecursionError, ValueError):
        return False


def _refers(schema: Any) -> bool:
    """Whether a reference of any kind appears anywhere in ``schema``."""
    if isinstance(schema, dict):
        return any(
            k in ("$ref", "$dynamicRef", "$recursiveRef") or _refers(v) for k, v in schema.items()
        )
    if isinstance(schema, list):
        return any(_refers(item) for item in schema)
    return False


def accepted_atoms(side: Side, schema: Any, depth: int = 0) -> frozenset[str]:
    """The JSON types (as :func:`.values.type_atoms`) a schema may accept: by
    ``type``, ``const`` and ``enum``, and those of its ``allOf`` (all of
    them), ``anyOf`` and ``oneOf`` (any of them), following references."""
    schema, _ = side.follow(schema, None)
    if schema is False:
        return frozenset()
    if not isinstance(schema, dict):
        return type_atoms({})
    atoms = type_atoms(schema)
    values = allowed_values(schema)
    if values is not None:
        atoms &= {atom_of_key(v) for v in values}
    if depth >= 2 * MAX_DEPTH:
        return atoms
    for branch in schema.get("allOf", []) if isinstance(schema.get("allOf"), list) else []:
        atoms &= accepted_atoms(side, branch, depth + 1)
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list):
            atoms &= frozenset().union(*(accepted_atoms(side, b, depth + 1) for b in branches))
    return atoms


def accepts_nothing(side: Side, schema: Any) -> bool:
    """Whether no document is valid under ``schema``: no JSON type is left by
    its ``type``, ``const``, ``enum`` and branches, and by its own bounds.
    (:func:`accepted_atoms` leaves bounds out: whether a bound has an effect
    is judged by the types a side accepts without it.)"""
    followed, _ = side.follow(schema, None)
    atoms = accepted_atoms(side, followed)
    if isinstance(followed, dict):
        atoms -= bounded_out(followed)
    return not atoms


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _limit(schema: dict[str, Any], plain: str, exclusive: str, pick: Any) -> tuple[Any, bool]:
    """The tighter of a bound and its exclusive form: (value, strict), value
    None when there is none. Draft 4's boolean exclusive form makes the
    plain bound strict."""
    found: tuple[Any, bool] = (None, False)
    value, other = _number(schema.get(plain)), schema.get(exclusive)
    if value is not None:
        found = (value, other is True)
    other_value = _number(other)
    if other_value is not None and (found[0] is None or pick(other_value, found[0]) == other_value):
        found = (other_value, True)
    return found


def bounded_out(schema: dict[str, Any]) -> frozenset[str]:
    """The type atoms whose bounds leave no value: numbers below their
    minimum and above their maximum at once (integers too when no integer
    lies between), strings longer than they may be, arrays with more items
    than allowed, objects with more properties than allowed."""
    out: set[str] = set()
    low, low_strict = _limit(schema, "minimum", "exclusiveMinimum", max)
    high, high_strict = _limit(schema, "maximum", "exclusiveMaximum", min)
    if low is not None and high is not None:
        try:
            if low > high or (low == high and (low_strict or high_strict)):
                out |= {"integer", "fraction"}
            else:
                first = math.ceil(low) + (1 if low_strict and math.ceil(low) == low else 0)
                last = math.floor(high) - (1 if high_strict and math.floor(high) == high else 0)
                if first > last:
                    out.add("integer")
                if low == high and float(low).is_integer():
                    out.add("fraction")
        except (ArithmeticError, ValueError):
            pass  # numbers past what floats hold: assume values remain
    for atom, least, most in (
        ("string", "minLength", "maxLength"),
        ("array", "minItems", "maxItems"),
        ("object", "minProperties", "maxProperties"),
    ):
        fewest, most_of = _number(schema.get(least)), _number(schema.get(most))
        if fewest is not None and most_of is not None and fewest > most_of:
            out.add(atom)
    return frozenset(out)


def apart(a_side: Side, a: Any, b_side: Side, b: Any) -> bool:
    """Whether no document can be valid under both ``a`` (of ``a_side``) and
    ``b`` (of ``b_side``), by the simplest proofs."""
    a, _ = a_side.follow(a, None)
    b, _ = b_side.follow(b, None)
    if a is False or b is False:
        return True
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    types_a, types_b = accepted_atoms(a_side, a), accepted_atoms(b_side, b)
    values_a, values_b = allowed_values(a), allowed_values(b)
    if not types_a & types_b:
        return True
    if values_a is not None and values_b is not None and not values_a & values_b:
        return True
    for values, types in ((values_a, types_b), (values_b, types_a)):
        if values is not None and not {atom_of_key(v) for v in values} & types:
            return True
    common = set(strings_list(a, "required")) & set(strings_list(b, "required"))
    props_a, props_b = mapping(a, "properties"), mapping(b, "properties")
    return any(
        name in props_a and name in props_b and apart(a_side, props_a[name], b_side, props_b[name])
        for name in common
    )


def atom_of_key(value_key: Any) -> str:
    """The type atom (see :func:`.values.type_atoms`) of a value's key."""
    kind, value = value_key
    if kind == "number":
        return "integer" if isinstance(value, int) else "fraction"
    return {
        "NoneType": "null",
        "bool": "boolean",
        "str": "string",
        "array": "array",
        "object": "object",
    }.get(kind, "object")
