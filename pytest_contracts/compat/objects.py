"""The comparer of objects: ``properties``, ``required``,
``patternProperties`` and ``additionalProperties``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from .direction import ADDED, REMOVED, Direction
from .inclusion import inside
from .keywords import below, child, is_true, mapping, short, strings_list
from .report import NARROWS, OPAQUE_EFFECT, SAFE, UNKNOWN, Policy
from .slots import compare_rest, compare_slot, decides_unevaluated, rest_keyword

if TYPE_CHECKING:
    from .walk import Context, Pair, Side

KEYWORDS: Final = frozenset({"properties", "required", "patternProperties", "additionalProperties"})
#: What starts the comparer: its keywords, or the one that may stand in for the last.
TRIGGERS: Final = KEYWORDS | {"unevaluatedProperties"}


def compare_objects(ctx: Context, pair: Pair) -> None:
    _properties(ctx, pair)
    _required(ctx, pair)
    _pattern_properties(ctx, pair)
    compare_rest(
        ctx,
        pair,
        "additional_properties",
        "additionalProperties",
        ("additionalProperties", "additionalProperties"),
        "unevaluatedProperties",
    )


def keywords_in_use(ctx: Context, pair: Pair) -> frozenset[str]:
    """The object keywords, and ``unevaluatedProperties`` where it is the
    schema for the rest (or inert) on both sides; otherwise it is left to the
    comparer of keywords the engine does not model."""
    if decides_unevaluated(ctx, _rest(ctx.old, pair.old), _rest(ctx.new, pair.new)):
        return TRIGGERS
    return KEYWORDS


def _rest(side: Side, schema: Mapping[str, Any]) -> str | None:
    return rest_keyword(side, schema, "additionalProperties", "unevaluatedProperties")


def _properties(ctx: Context, pair: Pair) -> None:
    """A property both sides declare is compared; one only a side declares
    meets the schema the other side gives undeclared properties."""
    old_props, new_props = mapping(pair.old, "properties"), mapping(pair.new, "properties")
    patterns = (*mapping(pair.old, "patternProperties"), *mapping(pair.new, "patternProperties"))
    for name in sorted(old_props.keys() | new_props.keys()):
        where = child(pair.loc, "properties", name)
        if name in old_props and name in new_props:
            ctx.descend(
                old_props[name],
                new_props[name],
                below(pair.old_at, "properties", name),
                below(pair.new_at, "properties", name),
                where,
            )
            continue
        direction = ADDED if name in new_props else REMOVED
        lacking = direction.sides(pair.old, pair.new)[0]
        lacking_side = direction.sides(ctx.old, ctx.new)[0]
        lacking_at, having_at = direction.sides(pair.old_at, pair.new_at)
        rest = _rest(lacking_side, lacking)
        patterned = any(_pattern_matches(p, name) for p in patterns)
        fallback = None if patterned or rest is None else lacking.get(rest, True)
        fallback_at = below(lacking_at, rest or "additionalProperties")
        matching = _only_pattern(lacking, name) if patterned else None
        if matching is not None:
            # The one pattern of the side without the property is what its
            # value met there; the patterns both sides share are compared
            # on their own (_pattern_properties), and one only the other side
            # has is unknown there.
            fallback = mapping(lacking, "patternProperties")[matching]
            fallback_at = below(lacking_at, "patternProperties", matching)
        compare_slot(
            ctx,
            direction,
            "property",
            f"property {name!r}",
            direction.sides(old_props, new_props)[1][name],
            below(having_at, "properties", name),
            fallback,
            fallback_at,
            where,
            lenient=ctx.policy is Policy.LENIENT and _open(lacking, rest),
        )


def _only_pattern(schema: Mapping[str, Any], name: str) -> str | None:
    """The one pattern of ``schema``'s ``patternProperties`` that matches
    ``name``; None when none or several do, or one cannot be read."""
    found = []
    for pattern in mapping(schema, "patternProperties"):
        try:
            if re.search(pattern, name) is not None:
                found.append(pattern)
        except re.error:
            return None
    return found[0] if len(found) == 1 else None


def _required(ctx: Context, pair: Pair) -> None:
    required = strings_list(pair.old, "required"), strings_list(pair.new, "required")
    for direction in (ADDED, REMOVED):
        lacking, having = direction.sides(*required)
        for index, name in enumerate(having):
            if name not in lacking and name not in having[:index]:
                ctx.add_directed(
                    direction,
                    f"required.{direction.verb}",
                    child(pair.loc, "required", index),
                    name,
                    NARROWS,
                    f"property {name!r} "
                    + direction.pick("is now required", "is no longer required"),
                )


def _pattern_properties(ctx: Context, pair: Pair) -> None:
    old_patterns = mapping(pair.old, "patternProperties")
    new_patterns = mapping(pair.new, "patternProperties")
    for pattern in sorted(old_patterns.keys() | new_patterns.keys()):
        where = child(pair.loc, "patternProperties", pattern)
        if pattern in old_patterns and pattern in new_patterns:
            ctx.descend(
                old_patterns[pattern],
                new_patterns[pattern],
                below(pair.old_at, "patternProperties", pattern),
                below(pair.new_at, "patternProperties", pattern),
                where,
            )
            continue
        direction = ADDED if pattern in new_patterns else REMOVED
        kept = _pattern_meets_declared_only(ctx, pair, direction, pattern)
        ctx.add_directed(
            direction,
            f"pattern_properties.{direction.verb}",
            where,
            new_patterns[pattern] if pattern in new_patterns else old_patterns[pattern],
            (SAFE, UNKNOWN) if kept else OPAQUE_EFFECT,
            f"patternProperties {short(pattern, 40)} {direction.verb}"
            + (
                "; every property it reaches that the object "
                + direction.pick("accepted", "accepts")
                + " is declared, and its schema lies inside the pattern's"
                if kept
                else ""
            ),
        )


def _pattern_meets_declared_only(
    ctx: Context, pair: Pair, direction: Direction, pattern: str
) -> bool:
    """Whether a pattern added (or removed) keeps readers (writers): the side
    without it is closed by ``additionalProperties: false`` and has no
    patterns, so the only names it accepts are those it declares, and each
    of those the pattern matches has a schema inside the pattern's."""
    lacking, lacking_at, lacking_in_new = (
        (pair.old, pair.old_at, False) if direction is ADDED else (pair.new, pair.new_at, True)
    )
    having, having_at = (pair.new, pair.new_at) if direction is ADDED else (pair.old, pair.old_at)
    if lacking.get("additionalProperties") is not False or mapping(lacking, "patternProperties"):
        return False
    try:
        matched = [n for n in mapping(lacking, "properties") if re.search(pattern, n)]
    except re.error:
        return False
    wide = mapping(having, "patternProperties")[pattern]
    wide_at = below(having_at, "patternProperties", pattern)
    return all(
        inside(
            ctx,
            mapping(lacking, "properties")[name],
            below(lacking_at, "properties", name),
            wide,
            wide_at,
            narrow_in_new=lacking_in_new,
        )
        is SAFE
        for name in matched
    )


def _pattern_matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True  # an unreadable pattern might match: do not assume it does not


def _open(schema: Mapping[str, Any], rest: str | None) -> bool:
    """Whether the object accepts any property it does not declare."""
    if "patternProperties" in schema or rest is None:
        return False
    return is_true(schema.get(rest, True))
