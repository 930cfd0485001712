"""Comparers of bounds: numbers (``minimum``... ``multipleOf``), sizes
(``minLength``... ``maxContains``, ``uniqueItems``) and strings (``pattern``,
``format``).

A bound constrains only the values of its type: ``minimum`` says nothing of a
string. Where either side accepts no value of that type (by ``type``,
``const`` or ``enum``), a change of the bound has no effect of its own: what
the other side accepts of that type is judged by the comparer of types and
values (the types of its ``allOf``, ``anyOf`` and ``oneOf`` branches count)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from .direction import ADDED, REMOVED
from .inclusion import accepted_atoms
from .keywords import child, key, short
from .report import BREAKING, NARROWS, OPAQUE_EFFECT, SAFE, Change
from .values import NUMBER_ATOMS

if TYPE_CHECKING:
    from .walk import Context, Pair

#: Size bounds: keyword -> is a lower bound.
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
_LOWER_NUMBER: Final = ("minimum", "exclusiveMinimum")
_UPPER_NUMBER: Final = ("maximum", "exclusiveMaximum")

NUMBER_KEYWORDS: Final = frozenset({*_LOWER_NUMBER, *_UPPER_NUMBER, "multipleOf"})
SIZE_KEYWORDS: Final = frozenset({*_SIZES, "uniqueItems"})
STRING_KEYWORDS: Final = frozenset({"pattern", "format"})

#: Each bound keyword -> the types of value it constrains.
_APPLIES_TO: Final = {
    **dict.fromkeys((*_LOWER_NUMBER, *_UPPER_NUMBER, "multipleOf"), NUMBER_ATOMS | {"integer"}),
    **dict.fromkeys(("minLength", "maxLength", "pattern", "format"), frozenset({"string"})),
    **dict.fromkeys(
        ("minItems", "maxItems", "minContains", "maxContains", "uniqueItems"),
        frozenset({"array"}),
    ),
    **dict.fromkeys(("minProperties", "maxProperties"), frozenset({"object"})),
}

#: ``tighter(a, b)``: whether value b allows less than value a (True), more
#: (False) or neither (None); an absent keyword is passed as None.
Order = Callable[[Any, Any], bool | None]


def _bound(ctx: Context, pair: Pair, keyword: str, tighter: Order) -> Change | None:
    """One bound keyword, judged by its order ``tighter``."""
    old, new = pair.old, pair.new
    in_old, in_new = keyword in old, keyword in new
    a, b = old.get(keyword), new.get(keyword)
    if in_old == in_new and (not in_old or key(a) == key(b)):
        return None
    where = child(pair.loc, keyword)
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
        text = f"{keyword} {short(b)} added"
    elif not in_new:
        text = f"{keyword} {short(a)} removed"
    else:
        x, y = _number(a), _number(b)
        if x is not None and y is not None and keyword != "multipleOf":
            how = "raised" if y > x else "lowered"
        text = f"{keyword} {how} {short(a)} -> {short(b)}"
    if verdict is None and not (a is not None and b is not None):
        text += " (no effect)"
    return ctx.add(kind, where, a, b, (readers, writers), text)


def _no_effect_where_inapplicable(ctx: Context, pair: Pair, start: int) -> None:
    """Mark safe the changes since ``start`` to bounds whose type one side
    accepts no value of."""
    old_atoms = accepted_atoms(ctx.old, pair.old)
    new_atoms = accepted_atoms(ctx.new, pair.new)
    for index in range(start, len(ctx.changes)):
        change = ctx.changes[index]
        applies = _APPLIES_TO.get(change.location.rsplit("/", 1)[-1])
        if applies is None or (old_atoms & applies and new_atoms & applies):
            continue
        side = "old" if not old_atoms & applies else "new"
        ctx.changes[index] = dataclasses.replace(
            change,
            readers=SAFE,
            writers=SAFE,
            message=f"{change.message} (no effect: the {side} schema accepts no value it bounds)",
        )


def compare_numbers(ctx: Context, pair: Pair) -> None:
    start = len(ctx.changes)
    _compare_numbers(ctx, pair)
    _no_effect_where_inapplicable(ctx, pair, start)


def compare_sizes(ctx: Context, pair: Pair) -> None:
    start = len(ctx.changes)
    for keyword, lower in _SIZES.items():
        _bound(ctx, pair, keyword, _size_order(lower))
    _bound(ctx, pair, "uniqueItems", _compare_flag)
    _no_effect_where_inapplicable(ctx, pair, start)


def compare_strings(ctx: Context, pair: Pair) -> None:
    start = len(ctx.changes)
    _compare_strings(ctx, pair)
    _no_effect_where_inapplicable(ctx, pair, start)


def _compare_numbers(ctx: Context, pair: Pair) -> None:
    """Each side's lower and upper bound keyword by keyword, then each bound
    as a whole (``minimum`` 3 replaced by ``exclusiveMinimum`` 2 keeps it)."""
    for lower, keywords in ((True, _LOWER_NUMBER), (False, _UPPER_NUMBER)):
        found: list[Change] = []
        for keyword in keywords:
            change = _bound(ctx, pair, keyword, _number_order(lower))
            if change is not None:
                found.append(change)
        if found:
            before, after = _numeric_bound(pair.old, lower), _numeric_bound(pair.new, lower)
            readers_safe = _bound_within(before, after, lower)
            writers_safe = _bound_within(after, before, lower)
            ctx.refine(found, readers_safe, writers_safe)
    _bound(ctx, pair, "multipleOf", _multiple_order)


def _compare_strings(ctx: Context, pair: Pair) -> None:
    """``pattern`` and ``format``: adding one narrows, removing one widens,
    and a change is not reasoned about."""
    for keyword in ("pattern", "format"):
        in_old, in_new = keyword in pair.old, keyword in pair.new
        a, b = pair.old.get(keyword), pair.new.get(keyword)
        where = child(pair.loc, keyword)
        if in_old and in_new and a != b:
            ctx.add(
                f"{keyword}.changed",
                where,
                a,
                b,
                OPAQUE_EFFECT,
                f"{keyword} changed {short(a, 30)} -> {short(b, 30)}",
            )
        elif in_old != in_new:
            direction = ADDED if in_new else REMOVED
            value = b if in_new else a
            ctx.add_directed(
                direction,
                f"{keyword}.{direction.verb}",
                where,
                value,
                NARROWS,
                f"{keyword} {short(value)} {direction.verb}",
            )


# -- orders -----------------------------------------------------------------------------


def _number(value: Any) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def _number_order(lower: bool) -> Order:
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


def _size_order(lower: bool) -> Order:
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
    inclusive, exclusive = _LOWER_NUMBER if lower else _UPPER_NUMBER
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
