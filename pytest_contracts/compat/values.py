"""Comparers of the values a schema allows: ``type``, ``const`` and ``enum``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from .direction import ADDED, REMOVED
from .keywords import child, key, short
from .report import BREAKS_BOTH, NARROWS, WIDENS, Change

if TYPE_CHECKING:
    from .walk import Context, Pair

NUMBER_ATOMS: Final = frozenset({"integer", "fraction"})
_ALL_ATOMS: Final = frozenset({"null", "boolean", "object", "array", "string"}) | NUMBER_ATOMS


def type_atoms(schema: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types the ``type`` keyword allows, "number" split into
    "integer" and "fraction" so that integer is a subset of number."""
    declared = schema.get("type")
    if declared is None:
        return _ALL_ATOMS
    names = [declared] if isinstance(declared, str) else list(declared)
    atoms: set[str] = set()
    for name in names:
        atoms |= NUMBER_ATOMS if name == "number" else {name}
    return frozenset(atoms)


def _describe_atoms(atoms: Iterable[str]) -> str:
    names = set(atoms)
    if names >= NUMBER_ATOMS and "integer" in names:
        names -= NUMBER_ATOMS
        names.add("number")
    names = {"non-integer numbers" if n == "fraction" else n for n in names}
    return ", ".join(sorted(names))


def allowed_values(schema: Mapping[str, Any]) -> frozenset[Any] | None:
    """The values const and enum together allow (as :func:`.keywords.key`
    keys); None when they allow any."""
    allowed: frozenset[Any] | None = None
    if "const" in schema:
        allowed = frozenset({key(schema["const"])})
    if isinstance(schema.get("enum"), list):
        values = frozenset(key(v) for v in schema["enum"])
        allowed = values if allowed is None else allowed & values
    return allowed


def _within(smaller: frozenset[Any] | None, larger: frozenset[Any] | None) -> bool:
    """Whether ``smaller`` is within ``larger`` (None is every value)."""
    if larger is None:
        return True
    return smaller is not None and smaller <= larger


def compare_type(ctx: Context, pair: Pair) -> None:
    old, new = pair.old, pair.new
    before, after = type_atoms(old), type_atoms(new)
    if before == after:
        return
    where = child(pair.loc, "type")
    old_value, new_value = old.get("type"), new.get("type")
    shown = f"{short(old_value) if 'type' in old else 'any'} -> " + (
        short(new_value) if "type" in new else "any"
    )
    if before < after:
        gained = _describe_atoms(after - before)
        ctx.add(
            "type.widened",
            where,
            old_value,
            new_value,
            WIDENS,
            f"type widened {shown}: now accepts {gained}",
        )
    elif after < before:
        lost = _describe_atoms(before - after)
        ctx.add(
            "type.narrowed",
            where,
            old_value,
            new_value,
            NARROWS,
            f"type narrowed {shown}: no longer accepts {lost}",
        )
    else:
        ctx.add("type.changed", where, old_value, new_value, BREAKS_BOTH, f"type {shown}")


def compare_values(ctx: Context, pair: Pair) -> None:
    """``const`` and ``enum``, each on its own, then the set of values they
    allow together."""
    old, new = pair.old, pair.new
    found: list[Change] = []
    in_old, in_new = "const" in old, "const" in new
    old_const, new_const = old.get("const"), new.get("const")
    where = child(pair.loc, "const")
    if in_old and in_new and key(old_const) != key(new_const):
        found.append(
            ctx.add(
                "const.changed",
                where,
                old_const,
                new_const,
                BREAKS_BOTH,
                f"const changed {short(old_const)} -> {short(new_const)}",
            )
        )
    elif in_old != in_new:
        direction = ADDED if in_new else REMOVED
        value = new_const if in_new else old_const
        found.append(
            ctx.add_directed(
                direction,
                f"const.{direction.verb}",
                where,
                value,
                NARROWS,
                f"const {short(value)} {direction.verb}",
            )
        )
    old_enum, new_enum = old.get("enum"), new.get("enum")
    where = child(pair.loc, "enum")
    if isinstance(old_enum, list) and isinstance(new_enum, list):
        for direction in (ADDED, REMOVED):
            lacking, having = direction.sides(old_enum, new_enum)
            lacking_keys = {key(v) for v in lacking}
            gone_or_new = [v for v in having if key(v) not in lacking_keys]
            if gone_or_new:
                found.append(
                    ctx.add_directed(
                        direction,
                        f"enum.values_{direction.verb}",
                        where,
                        gone_or_new,
                        WIDENS,
                        f"enum values {direction.verb}: {short(gone_or_new, 60)}",
                    )
                )
    elif isinstance(new_enum, list) or isinstance(old_enum, list):
        direction = ADDED if isinstance(new_enum, list) else REMOVED
        value = new_enum if isinstance(new_enum, list) else old_enum
        found.append(
            ctx.add_directed(
                direction,
                f"enum.{direction.verb}",
                where,
                value,
                NARROWS,
                f"enum {direction.verb}: {short(value, 60)}",
            )
        )
    if found:
        # const and enum together allow one set of values: judge that set.
        before, after = allowed_values(old), allowed_values(new)
        ctx.refine(found, _within(before, after), _within(after, before))
