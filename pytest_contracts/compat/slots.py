"""What objects and arrays share: a slot (a property, a tuple position) one
side declares and the other leaves to the schema for the rest, and that
schema for the rest (``additionalProperties``, ``items`` past the tuple).

The schema for the rest is the declared keyword when present. When it is
absent, draft 2019-09 and later hand what no keyword evaluated to
``unevaluatedProperties`` / ``unevaluatedItems``: that is the schema for the
rest as long as nothing else next to it evaluates (no in-place applicator such
as ``allOf`` or ``$ref``, no ``contains`` for items). Next to such keywords the
engine does not model which members were evaluated, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from .keywords import child, is_true, key
from .report import BREAKING, NARROWS, NEUTRAL, OPAQUE_EFFECT, SAFE, WIDENS

if TYPE_CHECKING:
    from .direction import Direction
    from .walk import Context, Pair, Side

#: Keywords that apply subschemas to the instance itself: the members they
#: evaluate are not left to ``unevaluated*`` (``not`` keeps no annotations).
IN_PLACE: Final = frozenset(
    {
        "allOf",
        "anyOf",
        "oneOf",
        "if",
        "then",
        "else",
        "dependentSchemas",
        "$ref",
        "$dynamicRef",
        "$recursiveRef",
    }
)
UNEVALUATED: Final = ("unevaluatedProperties", "unevaluatedItems")


def rest_keyword(
    side: Side,
    schema: Mapping[str, Any],
    declared: str,
    unevaluated: str,
    also_evaluating: frozenset[str] = frozenset(),
) -> str | None:
    """The keyword whose schema a member no keyword declares meets on this
    side: ``declared`` (absent means ``true``), ``unevaluated``, or None when
    in-place applicators make that depend on the document."""
    if declared in schema or not side.unevaluated or unevaluated not in schema:
        return declared
    if is_true(schema[unevaluated]):
        return declared
    if (IN_PLACE | also_evaluating) & schema.keys():
        return None
    return unevaluated


def decides_unevaluated(ctx: Context, old_rest: str | None, new_rest: str | None) -> bool:
    """Whether the comparer of the rest answers for the ``unevaluated*``
    keyword: both dialects know it, and on both sides it is the schema for the
    rest or has nothing to judge. Otherwise it is compared as a keyword the
    engine does not model."""
    return ctx.old.unevaluated and ctx.new.unevaluated and None not in (old_rest, new_rest)


def judges_unevaluated(side: Side, schema: Mapping[str, Any]) -> list[str]:
    """The ``unevaluated*`` keywords that constrain in ``schema``."""
    if not side.unevaluated:
        return []
    return [k for k in UNEVALUATED if k in schema and not is_true(schema[k])]


def compare_slot(
    ctx: Context,
    direction: Direction,
    family: str,
    what: str,
    slot: Any,
    slot_at: str | None,
    fallback: Any,
    fallback_at: str | None,
    loc: str,
    *,
    lenient: bool,
) -> None:
    """A slot declared (``slot``) on one side and left to ``fallback`` on the
    other; None as ``fallback`` when the engine cannot tell which schema
    applied there. ``lenient``: an open object may gain or lose it freely."""
    # Effects below are those of an addition; add_directed turns them round.
    kind = f"{family}.{direction.verb}"
    verb = direction.verb
    if fallback is None:
        ctx.add_directed(
            direction, kind, loc, slot, OPAQUE_EFFECT, f"{what} {verb}; effect unknown"
        )
    elif fallback is False:
        writers = SAFE if slot is False else BREAKING
        ctx.add_directed(
            direction,
            kind,
            loc,
            slot,
            (SAFE, writers),
            f"{what} "
            + direction.pick("added where none were allowed", "removed; no others are allowed"),
        )
    elif is_true(fallback):
        readers = SAFE if lenient or is_true(slot) else BREAKING
        ctx.add_directed(direction, kind, loc, slot, (readers, SAFE), f"{what} {verb}")
    else:
        ctx.add_directed(direction, kind, loc, slot, NEUTRAL, f"{what} {verb}; compared below")
        old, new = direction.sides(fallback, slot)
        old_at, new_at = direction.sides(fallback_at, slot_at)
        ctx.descend(old, new, old_at, new_at, loc)


def compare_rest(
    ctx: Context,
    pair: Pair,
    family: str,
    what: str,
    declared: tuple[str, str],
    unevaluated: str,
    also_evaluating: frozenset[str] = frozenset(),
) -> None:
    """The schema for whatever is not declared one by one: additional
    properties, or array items past the tuple. The keyword may differ between
    the sides (draft 2019-09's ``additionalItems`` is 2020-12's ``items``, and
    ``unevaluated*`` stands in for an absent one, see :func:`rest_keyword`)."""
    old, new = pair.old, pair.new
    old_keyword = rest_keyword(ctx.old, old, declared[0], unevaluated, also_evaluating)
    new_keyword = rest_keyword(ctx.new, new, declared[1], unevaluated, also_evaluating)
    where = child(pair.loc, new_keyword or declared[1])
    if old_keyword is None or new_keyword is None:
        before, after = old.get(declared[0]), new.get(declared[1])
        if (declared[0] in old) != (declared[1] in new) or key(before) != key(after):
            ctx.add(
                f"{family}.changed",
                where,
                before,
                after,
                OPAQUE_EFFECT,
                f"{what} changed where {unevaluated} decides the rest; "
                "which members the in-place applicators beside it evaluate is not modelled",
            )
        return
    inert = old_keyword != unevaluated and new_keyword != unevaluated
    if inert and key(old.get(unevaluated)) != key(new.get(unevaluated)):
        ctx.add(
            "metadata.changed",
            child(pair.loc, unevaluated),
            old.get(unevaluated),
            new.get(unevaluated),
            NEUTRAL,
            f"{unevaluated} changed; it judges nothing here, {declared[1]} evaluates every member",
        )
    before = old.get(old_keyword, True)
    after = new.get(new_keyword, True)
    if before is False and after is False:
        return
    if after is False:
        ctx.add(f"{family}.closed", where, before, after, NARROWS, f"{what} now false")
    elif before is False:
        how = "opened" if is_true(after) else "widened"
        message = f"{what} was false; now {'open' if how == 'opened' else 'a schema'}"
        ctx.add(f"{family}.{how}", where, before, after, WIDENS, message)
    elif is_true(before) and not is_true(after):
        ctx.add(
            f"{family}.narrowed",
            where,
            before,
            after,
            NARROWS,
            f"{what} narrowed from anything to a schema",
        )
    elif is_true(after) and not is_true(before):
        ctx.add(
            f"{family}.opened",
            where,
            before,
            after,
            WIDENS,
            f"{what} opened from a schema to anything",
        )
    elif old_keyword in old or new_keyword in new:
        ctx.descend(
            before,
            after,
            None
            if pair.old_at is None or old_keyword not in old
            else child(pair.old_at, old_keyword),
            None
            if pair.new_at is None or new_keyword not in new
            else child(pair.new_at, new_keyword),
            where,
        )
