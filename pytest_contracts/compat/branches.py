"""Comparers of combinators: ``allOf``, ``anyOf``, ``oneOf`` and ``not``.

Branches are matched by content first, then those left are compared in
order when as many were edited as there were; otherwise each is added or
removed. ``oneOf`` adds a condition of its own: branch-wise reasoning only
holds where the branches cannot overlap.

What is added or removed is judged by what it accepts (:mod:`.inclusion`): an
``anyOf`` added keeps readers when one branch holds all the old schema
accepted; a ``oneOf`` when one branch holds it and the others are apart from
it; an ``allOf`` branch when what the schema already requires implies it; a
``not`` changed from A to B keeps readers when B lies inside A.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Final

from .direction import ADDED, REMOVED, Direction
from .inclusion import apart, inside
from .keywords import below, child, is_true, key
from .opaque import compare_opaque, same
from .report import BREAKING, SAFE, UNKNOWN, Change, Effect

if TYPE_CHECKING:
    from .walk import Context, Pair, Side

_FAMILY: Final = {"allOf": "all_of", "anyOf": "any_of", "oneOf": "one_of"}


def compare_all_of(ctx: Context, pair: Pair) -> None:
    _compare_branches(ctx, pair, "allOf")


def compare_any_of(ctx: Context, pair: Pair) -> None:
    _compare_branches(ctx, pair, "anyOf")


def compare_one_of(ctx: Context, pair: Pair) -> None:
    _compare_branches(ctx, pair, "oneOf")


def _compare_branches(ctx: Context, pair: Pair, keyword: str) -> None:
    family = _FAMILY[keyword]
    where = child(pair.loc, keyword)
    before: list[Any] = pair.old.get(keyword, [])
    after: list[Any] = pair.new.get(keyword, [])
    start = len(ctx.changes)
    if keyword != "allOf" and (keyword not in pair.old or keyword not in pair.new):
        direction = ADDED if keyword not in pair.old else REMOVED
        branches = after if direction is ADDED else before
        count = f"{len(branches)} branches"
        holder = _holding_branch(ctx, pair, keyword, direction, branches)
        message = direction.pick(f"{keyword} added with {count}", f"{keyword} with {count} removed")
        if holder is not None:
            message += f"; branch {holder} holds every document the " + direction.pick(
                "old schema accepted", "new schema accepts"
            )
        ctx.add_directed(
            direction,
            f"{family}.{direction.verb}",
            where,
            branches,
            (SAFE if holder is not None else BREAKING, SAFE),
            message,
        )
        return

    def at(parent: str | None, index: int) -> str | None:
        return None if parent is None else child(parent, keyword, index)

    unmatched_old = list(range(len(before)))
    unmatched_new: list[int] = []
    for j, branch in enumerate(after):
        match = next((i for i in unmatched_old if key(before[i]) == key(branch)), None)
        if match is None:
            unmatched_new.append(j)
            continue
        unmatched_old.remove(match)
        ctx.descend(
            before[match], branch, at(pair.old_at, match), at(pair.new_at, j), child(where, j)
        )
    if len(unmatched_old) == len(unmatched_new):
        # As many branches edited as there were: compare them in order.
        for i, j in zip(unmatched_old, unmatched_new, strict=True):
            ctx.descend(
                before[i], after[j], at(pair.old_at, i), at(pair.new_at, j), child(where, j)
            )
    else:
        both = bool(unmatched_old) and bool(unmatched_new)
        for direction, indices in ((ADDED, unmatched_new), (REMOVED, unmatched_old)):
            branches = after if direction is ADDED else before
            for index in indices:
                branch = branches[index]
                if keyword == "allOf":
                    effects = (_implied(ctx, pair, direction, branch, index), SAFE)
                elif keyword == "anyOf" and _within_other(ctx, pair, direction, index):
                    effects = (SAFE, SAFE)
                else:
                    effects = (SAFE, SAFE if branch is False else UNKNOWN if both else BREAKING)
                ctx.add_directed(
                    direction,
                    f"{family}.branch_{direction.verb}",
                    child(where, index),
                    branch,
                    effects,
                    f"{keyword} branch {index} {direction.verb}",
                )
    found = [c for c in ctx.changes[start:] if c.kind != "metadata.changed"]
    if keyword == "allOf" or not found:
        return
    covered = (
        _covers(ctx, pair, keyword, narrow_in_new=False),
        _covers(ctx, pair, keyword, narrow_in_new=True),
    )
    if any(covered):
        ctx.changes[start:] = [_settled(change, *covered) for change in ctx.changes[start:]]
        found = [c for c in ctx.changes[start:] if c.kind != "metadata.changed"]
    if keyword == "oneOf":
        _one_of_overlap(ctx, before, after, where, found, covered)


def _covers(ctx: Context, pair: Pair, keyword: str, *, narrow_in_new: bool) -> bool:
    """Whether everything the narrow side's ``anyOf`` or ``oneOf`` accepts
    (the old side's, or the new side's when ``narrow_in_new``) the wide
    side's accepts: each narrow branch lies inside a wide branch and, for a
    ``oneOf``, is apart from the wide side's other branches, so that a
    document of that branch matches exactly one of them."""
    (narrow, narrow_at), (wide, wide_at) = (pair.old, pair.old_at), (pair.new, pair.new_at)
    narrow_side, wide_side = ctx.old, ctx.new
    if narrow_in_new:
        (narrow, narrow_at), (wide, wide_at) = (wide, wide_at), (narrow, narrow_at)
        narrow_side, wide_side = wide_side, narrow_side
    narrow_branches, wide_branches = narrow[keyword], wide[keyword]
    if not isinstance(narrow_branches, list) or not isinstance(wide_branches, list):
        return False

    def holds(branch: Any, branch_at: str | None) -> bool:
        for j, other in enumerate(wide_branches):
            other_at = below(wide_at, keyword, j)
            held = inside(ctx, branch, branch_at, other, other_at, narrow_in_new=narrow_in_new)
            if held is not SAFE:
                continue
            if keyword == "anyOf" or all(
                apart(narrow_side, branch, wide_side, rest)
                for k, rest in enumerate(wide_branches)
                if k != j
            ):
                return True
        return False

    return all(
        branch is False or holds(branch, below(narrow_at, keyword, i))
        for i, branch in enumerate(narrow_branches)
    )


def _settled(change: Change, readers_kept: bool, writers_kept: bool) -> Change:
    """``change``, its readers' (writers') effect SAFE when the combinator as a
    whole is proved to keep them."""
    readers = SAFE if readers_kept else change.readers
    writers = SAFE if writers_kept else change.writers
    if (readers, writers) == (change.readers, change.writers):
        return change
    return dataclasses.replace(change, readers=readers, writers=writers)


def _lacking(ctx: Context, pair: Pair, direction: Direction) -> tuple[Any, str | None, bool]:
    """The schema at this place on the side without the thing added or
    removed, its pointer, and whether it is the new side."""
    schema, at = direction.sides((pair.old, pair.old_at), (pair.new, pair.new_at))[0]
    return schema, at, direction is REMOVED


def _holding_branch(
    ctx: Context, pair: Pair, keyword: str, direction: Direction, branches: list[Any]
) -> int | None:
    """The branch of an ``anyOf`` or ``oneOf`` added (or removed) that holds
    every document the schema without it accepts, and for ``oneOf`` is the
    only one that can: the others are apart from that schema. None if none is
    proved to."""
    if keyword == "anyOf" and any(is_true(b) for b in branches):
        return next(i for i, b in enumerate(branches) if is_true(b))
    lacking, lacking_at, lacking_in_new = _lacking(ctx, pair, direction)
    having_side, lacking_side = (ctx.old, ctx.new) if lacking_in_new else (ctx.new, ctx.old)
    having_at = direction.sides(pair.old_at, pair.new_at)[1]
    for index, branch in enumerate(branches):
        at = below(having_at, keyword, index)
        if inside(ctx, lacking, lacking_at, branch, at, narrow_in_new=lacking_in_new) is not SAFE:
            continue
        if keyword == "anyOf" or all(
            apart(lacking_side, lacking, having_side, other)
            for j, other in enumerate(branches)
            if j != index
        ):
            return index
    return None


def _implied(ctx: Context, pair: Pair, direction: Direction, branch: Any, index: int) -> Effect:
    """The readers' effect of an ``allOf`` branch added (or writers' of one
    removed): safe when the schema without it implies it already."""
    if is_true(branch):
        return SAFE
    lacking, lacking_at, lacking_in_new = _lacking(ctx, pair, direction)
    having_at = below(direction.sides(pair.old_at, pair.new_at)[1], "allOf", index)
    found = inside(ctx, lacking, lacking_at, branch, having_at, narrow_in_new=lacking_in_new)
    return SAFE if found is SAFE else BREAKING


def _within_other(ctx: Context, pair: Pair, direction: Direction, index: int) -> bool:
    """Whether an ``anyOf`` branch added (or removed) lies inside a branch
    the other side has: then it adds (or takes away) no document."""
    having, having_at = direction.sides((pair.old, pair.old_at), (pair.new, pair.new_at))[1]
    lacking, lacking_at, lacking_in_new = _lacking(ctx, pair, direction)
    branch = having["anyOf"][index]
    return any(
        inside(
            ctx,
            branch,
            below(having_at, "anyOf", index),
            other,
            below(lacking_at, "anyOf", j),
            narrow_in_new=not lacking_in_new,
        )
        is SAFE
        for j, other in enumerate(lacking.get("anyOf", []))
    )


def _one_of_overlap(
    ctx: Context,
    before: list[Any],
    after: list[Any],
    where: str,
    found: list[Change],
    covered: tuple[bool, bool],
) -> None:
    """oneOf fails a document that matches two branches, so branch-wise
    reasoning only holds when the branches cannot overlap (or where the
    oneOf as a whole is proved to keep a side: ``covered``)."""
    readers = writers = SAFE
    if (
        not covered[0]
        and not any(c.readers is BREAKING for c in found)
        and not _pairwise_disjoint(ctx.new, after)
    ):
        readers = UNKNOWN
    if (
        not covered[1]
        and not any(c.writers is BREAKING for c in found)
        and not _pairwise_disjoint(ctx.old, before)
    ):
        writers = UNKNOWN
    if UNKNOWN in (readers, writers):
        ctx.add(
            "one_of.overlap",
            where,
            None,
            None,
            (readers, writers),
            "oneOf changed and its branches may overlap; the effect is unknown",
        )


# -- disjoint branches ------------------------------------------------------------------


def _pairwise_disjoint(side: Side, branches: list[Any]) -> bool:
    return all(
        apart(side, branches[i], side, branches[j])
        for i in range(len(branches))
        for j in range(i + 1, len(branches))
    )


# -- not ------------------------------------------------------------------------------------


def _proved(effect: Effect) -> Effect:
    return SAFE if effect is SAFE else UNKNOWN


_NOT_CHANGED: Final = {
    (True, True): "both subschemas reject the same documents",
    (True, False): "it only widens: the new subschema lies inside the old one",
    (False, True): "it only narrows: the old subschema lies inside the new one",
    (False, False): "its effect is unknown: neither subschema is proved inside the other",
}


def compare_not(ctx: Context, pair: Pair) -> None:
    """``not A`` accepts what A rejects: changed to ``not B``, it keeps
    readers when B lies inside A, and writers when A lies inside B. Added, it
    keeps readers when A is apart from all the schema accepted."""
    where = child(pair.loc, "not")
    if "not" in pair.old and "not" in pair.new:
        a, b = pair.old["not"], pair.new["not"]
        if same(ctx, {"not": a}, {"not": b}, pair.old_at, pair.new_at, set()):
            compare_opaque(ctx, pair, "not")
            return
        a_at, b_at = below(pair.old_at, "not"), below(pair.new_at, "not")
        # Not proved inside is not proved outside: what is not SAFE is UNKNOWN.
        readers = _proved(inside(ctx, b, b_at, a, a_at, narrow_in_new=True))
        writers = _proved(inside(ctx, a, a_at, b, b_at))
        ctx.add(
            "not.changed",
            where,
            a,
            b,
            (readers, writers),
            "not changed; " + _NOT_CHANGED[readers is SAFE, writers is SAFE],
        )
        return
    direction = ADDED if "not" in pair.new else REMOVED
    lacking, _, lacking_in_new = _lacking(ctx, pair, direction)
    value = pair.new["not"] if direction is ADDED else pair.old["not"]
    having_side, lacking_side = (ctx.old, ctx.new) if lacking_in_new else (ctx.new, ctx.old)
    kept = apart(lacking_side, lacking, having_side, value)
    ctx.add_directed(
        direction,
        f"not.{direction.verb}",
        where,
        value,
        (SAFE if kept else UNKNOWN, SAFE),
        f"not {direction.verb}; "
        + (
            f"nothing the schema {direction.pick('accepted', 'accepts')} matches it"
            if kept
            else f"only {direction.pick('narrows', 'widens')}, by how much is unknown"
        ),
    )
