"""The comparer of arrays: tuple positions and the items past them.

Draft 2020-12 spells a tuple ``prefixItems`` with ``items`` for the rest;
earlier drafts spell it as a list in ``items`` with ``additionalItems`` for
the rest. Each side is read in its own dialect, so the two spellings compare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, NamedTuple

from .direction import ADDED, REMOVED
from .keywords import below, child
from .slots import compare_rest, compare_slot, decides_unevaluated, rest_keyword

if TYPE_CHECKING:
    from .walk import Context, Pair, Side

KEYWORDS: Final = frozenset({"prefixItems", "items", "additionalItems"})
#: What starts the comparer: its keywords, or the one that may stand in for the rest.
TRIGGERS: Final = KEYWORDS | {"unevaluatedItems"}
#: Besides the tuple and the rest, draft 2020-12's ``contains`` evaluates items.
_EVALUATING: Final = frozenset({"contains"})


class _Form(NamedTuple):
    """How one side spells its array: the tuple schemas, their keyword, the
    keyword for the rest, and the keywords it gives meaning to."""

    prefix: list[Any]
    prefix_keyword: str
    rest_keyword: str
    used: frozenset[str]


def _form(side: Side, schema: dict[str, Any]) -> _Form:
    if side.items_arrays:
        items = schema.get("items")
        if isinstance(items, list):
            return _Form(items, "items", "additionalItems", frozenset({"items", "additionalItems"}))
        return _Form([], "items", "items", frozenset({"items"}))
    prefix = schema.get("prefixItems")
    return _Form(
        prefix if isinstance(prefix, list) else [],
        "prefixItems",
        "items",
        frozenset({"prefixItems", "items"}),
    )


def keywords_in_use(ctx: Context, pair: Pair) -> frozenset[str]:
    """The array keywords either side's dialect gives meaning to; any other
    (``additionalItems`` next to a schema in ``items``, ``prefixItems`` in
    draft 7) is an unknown keyword."""
    used = _form(ctx.old, pair.old).used | _form(ctx.new, pair.new).used
    if decides_unevaluated(ctx, _rest(ctx.old, pair.old), _rest(ctx.new, pair.new)):
        used |= {"unevaluatedItems"}  # it is the schema for the rest, or inert
    return used


def _rest(side: Side, schema: dict[str, Any]) -> str | None:
    return rest_keyword(
        side, schema, _form(side, schema).rest_keyword, "unevaluatedItems", _EVALUATING
    )


def compare_arrays(ctx: Context, pair: Pair) -> None:
    forms = _form(ctx.old, pair.old), _form(ctx.new, pair.new)
    old_form, new_form = forms
    for index in range(max(len(old_form.prefix), len(new_form.prefix))):
        in_old, in_new = index < len(old_form.prefix), index < len(new_form.prefix)
        where = child(pair.loc, (new_form if in_new else old_form).prefix_keyword, index)
        if in_old and in_new:
            ctx.descend(
                old_form.prefix[index],
                new_form.prefix[index],
                below(pair.old_at, old_form.prefix_keyword, index),
                below(pair.new_at, new_form.prefix_keyword, index),
                where,
            )
            continue
        direction = ADDED if in_new else REMOVED
        lacking = direction.sides(pair.old, pair.new)[0]
        lacking_at, having_at = direction.sides(pair.old_at, pair.new_at)
        lacking_form, having_form = direction.sides(*forms)
        lacking_side = direction.sides(ctx.old, ctx.new)[0]
        rest = _rest(lacking_side, lacking)
        compare_slot(
            ctx,
            direction,
            "prefix_items",
            f"tuple item {index}",
            having_form.prefix[index],
            below(having_at, having_form.prefix_keyword, index),
            None if rest is None else lacking.get(rest, True),
            below(lacking_at, rest or lacking_form.rest_keyword),
            where,
            lenient=False,
        )
    compare_rest(
        ctx,
        pair,
        "items",
        "items",
        (old_form.rest_keyword, new_form.rest_keyword),
        "unevaluatedItems",
        _EVALUATING,
    )
