"""Comparers of branches: ``allOf``, ``anyOf`` and ``oneOf``.

Branches are matched by content first, then those left are compared in
order when as many were edited as there were; otherwise each is added or
removed. ``oneOf`` adds a condition of its own: branch-wise reasoning only
holds where the branches cannot overlap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .direction import ADDED, REMOVED
from .keywords import child, is_true, key, mapping, strings_list
from .report import BREAKING, SAFE, UNKNOWN, Change
from .values import allowed_values, type_atoms

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
        accepts_all = keyword == "anyOf" and any(is_true(b) for b in (before or after))
        direction = ADDED if keyword not in pair.old else REMOVED
        branches = after if direction is ADDED else before
        count = f"{len(branches)} branches"
        ctx.add_directed(
            direction,
            f"{family}.{direction.verb}",
            where,
            branches,
            (SAFE if accepts_all else BREAKING, SAFE),
            direction.pick(f"{keyword} added with {count}", f"{keyword} with {count} removed"),
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
                    effects = (SAFE if is_true(branch) else BREAKING, SAFE)
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
    if keyword == "oneOf" and found:
        _one_of_overlap(ctx, before, after, where, found)


def _one_of_overlap(
    ctx: Context, before: list[Any], after: list[Any], where: str, found: list[Change]
) -> None:
    """oneOf fails a document that matches two branches, so branch-wise
    reasoning only holds when the branches cannot overlap."""
    readers = writers = SAFE
    if not any(c.readers is BREAKING for c in found) and not _pairwise_disjoint(ctx.new, after):
        readers = UNKNOWN
    if not any(c.writers is BREAKING for c in found) and not _pairwise_disjoint(ctx.old, before):
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


def _disjoint(side: Side, a: Any, b: Any) -> bool:
    """Whether no document can match both subschemas, by the simplest proofs:
    disjoint types, disjoint constants, or a required discriminator property."""
    a, _ = side.follow(a, None)
    b, _ = side.follow(b, None)
    if a is False or b is False:
        return True
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    types_a, types_b = type_atoms(a), type_atoms(b)
    values_a, values_b = allowed_values(a), allowed_values(b)
    if not types_a & types_b:
        return True
    if values_a is not None and values_b is not None and not values_a & values_b:
        return True
    for values, types in ((values_a, types_b), (values_b, types_a)):
        if values is not None and not {_atom_of_key(v) for v in values} & types:
            return True
    common = set(strings_list(a, "required")) & set(strings_list(b, "required"))
    props_a, props_b = mapping(a, "properties"), mapping(b, "properties")
    for name in common:
        if name in props_a and name in props_b and _disjoint(side, props_a[name], props_b[name]):
            return True
    return False


def _atom_of_key(value_key: Any) -> str:
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


def _pairwise_disjoint(side: Side, branches: list[Any]) -> bool:
    return all(
        _disjoint(side, branches[i], branches[j])
        for i in range(len(branches))
        for j in range(i + 1, len(branches))
    )
