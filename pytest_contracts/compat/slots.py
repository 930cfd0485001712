"""What objects and arrays share: a slot (a property, a tuple position) one
side declares and the other leaves to the schema for the rest, and that
schema for the rest (``additionalProperties``, ``items`` past the tuple)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .keywords import child, is_true
from .report import BREAKING, NARROWS, NEUTRAL, OPAQUE_EFFECT, SAFE, WIDENS

if TYPE_CHECKING:
    from .direction import Direction
    from .walk import Context, Pair


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
    old_keyword: str,
    new_keyword: str,
) -> None:
    """The schema for whatever is not declared one by one: additional
    properties, or array items past the tuple. The keyword may differ between
    the sides (draft 2019-09's ``additionalItems`` is 2020-12's ``items``)."""
    old, new = pair.old, pair.new
    before = old.get(old_keyword, True)
    after = new.get(new_keyword, True)
    where = child(pair.loc, new_keyword)
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
