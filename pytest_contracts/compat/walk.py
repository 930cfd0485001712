"""The walk over two schemas side by side, and the table that sends each
keyword to its comparer.

As jsonschema applies a schema (one function per keyword in ``_keywords.py``,
a table from keyword to function in ``validators.py``), the walk compares two:
each comparer is a function of a :class:`Context` -- the two sides, the
policy, the changes found so far and the pairs of places already compared --
and of the :class:`Pair` of subschemas at hand. Keywords judged together
(``minimum`` with ``exclusiveMinimum``, ``properties`` with ``required``...)
share one comparer; the keywords no family claims go to a comparer of their
own, or are judged as annotations or unknown keywords.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Final, NamedTuple

import jsonschema

from ..errors import InvalidSchema
from ..schemas import check_specification, validator_class_for
from . import arrays, bounds, branches, inclusion, objects, opaque, values
from .direction import ADDED, REMOVED, Direction
from .keywords import as_dict, child, key, location_key, short
from .refs import DYNAMIC_REFERENCES, LocalDocument
from .report import (
    DEFAULT_POLICY,
    NARROWS,
    NEUTRAL,
    OPAQUE_EFFECT,
    SAFE,
    UNKNOWN,
    WIDENS,
    Change,
    CompatReport,
    Effects,
    Policy,
)
from .slots import IN_PLACE, judges_unevaluated


class Side(LocalDocument):
    """One of the two schemas: its document, and what its dialect changes."""

    def __init__(self, root: Any) -> None:
        cls = validator_class_for(root)
        super().__init__(
            root,
            ref_overrides_siblings=cls
            in (jsonschema.Draft4Validator, jsonschema.Draft6Validator, jsonschema.Draft7Validator),
        )
        self.dialect = cls
        #: Draft 2019-09 and earlier: "items" may be a list, with "additionalItems".
        self.items_arrays = cls is not jsonschema.Draft202012Validator
        #: Draft 2019-09 and later: unevaluatedProperties and unevaluatedItems.
        self.unevaluated = cls in (jsonschema.Draft201909Validator, jsonschema.Draft202012Validator)


@dataclasses.dataclass(frozen=True, slots=True)
class Pair:
    """Two subschemas compared with each other. ``old_at``/``new_at`` are their
    pointers in their own documents (None for an implied schema, such as an
    absent ``additionalProperties``); ``loc`` is where changes are reported."""

    old: dict[str, Any]
    new: dict[str, Any]
    old_at: str | None
    new_at: str | None
    loc: str


#: A comparer of a keyword family, and of one keyword no family claims.
Comparer = Callable[["Context", Pair], None]
KeywordComparer = Callable[["Context", Pair, str], None]


class Context:
    """What every comparer receives, and the only state of a comparison."""

    def __init__(self, old: Side, new: Side, policy: Policy, depth: int = 0) -> None:
        self.old = old
        self.new = new
        self.policy = policy
        self.changes: list[Change] = []
        #: Pairs of places compared once already: this ends recursive schemas.
        self.compared: set[tuple[str, str]] = set()
        self.roots_differ = key(old.root) != key(new.root)
        #: Definitions met on the way, judged once the walk knows what is referenced.
        self.definitions: list[opaque.DefinitionsPair] = []
        #: How many comparisons this one is nested in (see :mod:`.inclusion`).
        self.depth = depth

    def aside(self, *, swapped: bool) -> Context:
        """A comparison of its own between two places of these schemas, the
        new side's place first when ``swapped``: a question asked on the way."""
        old, new = (self.new, self.old) if swapped else (self.old, self.new)
        return Context(old, new, self.policy, self.depth + 1)

    def add(
        self,
        kind: str,
        location: str,
        old: Any,
        new: Any,
        effects: Effects,
        message: str,
    ) -> Change:
        change = Change(kind, location, old, new, *effects, message)
        self.changes.append(change)
        return change

    def add_directed(
        self,
        direction: Direction,
        kind: str,
        location: str,
        value: Any,
        effects: Effects,
        message: str,
    ) -> Change:
        """Record something added or removed, its ``effects`` given as for an
        addition (see :mod:`.direction`)."""
        old, new = direction.sides(None, value)
        return self.add(kind, location, old, new, direction.sides(*effects), message)

    def refine(self, found: list[Change], readers: bool, writers: bool) -> None:
        """Where a group of keywords, taken together, provably keeps a side
        safe, mark the group's changes safe for that side."""
        if not readers and not writers:
            return
        for change in found:
            index = next(i for i, c in enumerate(self.changes) if c is change)
            self.changes[index] = dataclasses.replace(
                change,
                readers=SAFE if readers else change.readers,
                writers=SAFE if writers else change.writers,
            )

    def descend(self, old: Any, new: Any, old_at: str | None, new_at: str | None, loc: str) -> None:
        """Compare two subschemas (see :class:`Pair`), after following the
        references that stand for them."""
        old, old_at = self.old.follow(old, old_at)
        followed, new_at_after = self.new.follow(new, new_at)
        if new_at_after != new_at and new_at_after is not None:
            loc = new_at_after
        new, new_at = followed, new_at_after
        if old_at is not None and new_at is not None:
            if (old_at, new_at) in self.compared:
                return
            self.compared.add((old_at, new_at))
        if old is False or new is False:
            if old is False and new is False:
                return
            if new is False:
                self.add(
                    "schema.narrowed",
                    loc,
                    old,
                    new,
                    NARROWS,
                    "schema is now false: it rejects every value",
                )
            else:
                self.add(
                    "schema.widened",
                    loc,
                    old,
                    new,
                    WIDENS,
                    "schema was false; now it accepts values",
                )
            return
        start = len(self.changes)
        _compare_keywords(self, Pair(as_dict(old), as_dict(new), old_at, new_at, loc))
        if len(self.changes) > start:
            self._settle_empty(old, new, start)

    def _settle_empty(self, old: Any, new: Any, start: int) -> None:
        """A subschema that accepts no document at all (no JSON type is left
        by its ``type``, ``const``, ``enum``, branches and bounds) gives its side
        nothing to lose: the changes found below it from ``start`` on are
        safe for readers when the old one is empty, for writers when the
        new one is. (Below a ``not`` the walk never descends: inclusion
        questions there are asked with the sides in their own roles.)"""
        readers_kept = inclusion.accepts_nothing(self.old, old)
        writers_kept = inclusion.accepts_nothing(self.new, new)
        if not readers_kept and not writers_kept:
            return
        self.changes[start:] = [
            dataclasses.replace(
                change,
                readers=SAFE if readers_kept else change.readers,
                writers=SAFE if writers_kept else change.writers,
            )
            for change in self.changes[start:]
        ]


# -- the table ------------------------------------------------------------------------------


def compare_ref(ctx: Context, pair: Pair) -> None:
    """A ``$ref`` the walk could not stand in for its target: one next to
    assertions, or one that does not resolve."""
    old_ref, new_ref = pair.old.get("$ref"), pair.new.get("$ref")
    where = child(pair.loc, "$ref")
    old_target = ctx.old.resolve(old_ref) if old_ref is not None else None
    new_target = ctx.new.resolve(new_ref) if new_ref is not None else None
    unresolvable = (old_ref is not None and old_target is None) or (
        new_ref is not None and new_target is None
    )
    if old_target is not None and new_target is not None:
        ctx.descend(old_target[1], new_target[1], old_target[0], new_target[0], new_target[0])
    elif unresolvable:
        if old_ref == new_ref and old_target is None and new_target is None:
            return  # the same outside document on both sides
        ctx.add(
            "ref.unresolvable",
            where,
            old_ref,
            new_ref,
            OPAQUE_EFFECT,
            f"$ref {short(old_ref, 30)} -> {short(new_ref, 30)} is not followed",
        )
    else:
        direction = ADDED if new_ref is not None else REMOVED
        ref = new_ref if new_ref is not None else old_ref
        ctx.add_directed(
            direction,
            f"ref.{direction.verb}",
            where,
            ref,
            (UNKNOWN, SAFE),
            f"$ref {short(ref, 40)} {direction.pick('added next to', 'removed from next to')} "
            "other keywords",
        )


class Family(NamedTuple):
    """Keywords judged together, by one comparer."""

    keywords: frozenset[str]
    compare: Comparer
    #: The keywords the family answers for, when that depends on the schemas
    #: (which array keywords mean something depends on each side's dialect);
    #: None when it answers for all of ``keywords``.
    claims: Callable[[Context, Pair], frozenset[str]] | None = None


#: The families, in the order they run: of two changes found alike, the first
#: recorded is kept, and a family may judge the changes recorded inside it.
FAMILIES: Final = (
    Family(frozenset({"$ref"}), compare_ref),
    Family(frozenset({"type"}), values.compare_type),
    Family(frozenset({"const", "enum"}), values.compare_values),
    Family(bounds.NUMBER_KEYWORDS, bounds.compare_numbers),
    Family(bounds.SIZE_KEYWORDS, bounds.compare_sizes),
    Family(bounds.STRING_KEYWORDS, bounds.compare_strings),
    Family(objects.TRIGGERS, objects.compare_objects, claims=objects.keywords_in_use),
    Family(arrays.TRIGGERS, arrays.compare_arrays, claims=arrays.keywords_in_use),
    Family(frozenset({"allOf"}), branches.compare_all_of),
    Family(frozenset({"anyOf"}), branches.compare_any_of),
    Family(frozenset({"oneOf"}), branches.compare_one_of),
    Family(frozenset({"not"}), branches.compare_not),
)
_ALWAYS_CLAIMED: Final = frozenset().union(
    *(family.keywords for family in FAMILIES if family.claims is None)
)

#: One keyword no family claims -> its comparer; any other keyword is an
#: annotation or unknown (:func:`opaque.compare_other`).
BY_KEYWORD: Final[dict[str, KeywordComparer]] = {
    **dict.fromkeys(opaque.DEFINITION_KEYWORDS, opaque.collect_definitions),
    **dict.fromkeys(opaque.OPAQUE, opaque.compare_opaque),
    **dict.fromkeys(DYNAMIC_REFERENCES, opaque.compare_dynamic_ref),
    "$schema": opaque.compare_dialect,
}


def _compare_keywords(ctx: Context, pair: Pair) -> None:
    present = pair.old.keys() | pair.new.keys()
    claimed = set(_ALWAYS_CLAIMED)
    judging = sorted(
        {*judges_unevaluated(ctx.old, pair.old), *judges_unevaluated(ctx.new, pair.new)}
    )
    for family in FAMILIES:
        if present & family.keywords:
            if family.claims is not None:
                claimed |= family.claims(ctx, pair)
            start = len(ctx.changes)
            family.compare(ctx, pair)
            if judging and family.keywords & IN_PLACE:
                _evaluation_changed(ctx, pair, judging, ctx.changes[start:])
    for keyword in sorted(present - claimed):
        BY_KEYWORD.get(keyword, opaque.compare_other)(ctx, pair, keyword)


def _evaluation_changed(ctx: Context, pair: Pair, judging: list[str], found: list[Change]) -> None:
    """A change inside an in-place applicator may change which members it
    evaluates (a branch that now fails evaluates nothing), and so what the
    ``unevaluated*`` keywords beside it judge: the engine does not model that."""
    if all((c.readers, c.writers) == NEUTRAL for c in found):
        return
    for keyword in judging:
        ctx.add(
            f"{opaque.OPAQUE[keyword]}.reached",
            child(pair.loc, keyword),
            pair.old.get(keyword),
            pair.new.get(keyword),
            OPAQUE_EFFECT,
            f"a subschema applied in place changed next to {keyword}; "
            "which members it evaluates, and so what it judges, is not modelled",
        )


# -- a comparison -------------------------------------------------------------------------


def _ordered(changes: list[Change]) -> list[Change]:
    unique: dict[tuple[Any, ...], Change] = {}
    for change in changes:
        identity = (change.kind, change.location, key(change.old), key(change.new))
        unique.setdefault(identity, change)
    return sorted(
        unique.values(),
        key=lambda c: (location_key(c.location), c.kind, short(c.old, 200), short(c.new, 200)),
    )


def compare(old: Any, new: Any, *, policy: Policy | str = DEFAULT_POLICY) -> CompatReport:
    """Every change from ``old`` to ``new``, with its effect on readers and
    writers, judged under ``policy``. Raises :class:`InvalidSchema` when
    either is not a JSON Schema. Nothing is fetched: a ``$ref`` outside the
    schema's own document is compared by its text.

    >>> compare({"type": "integer"}, {"type": "number"}).breaks("FORWARD")
    True
    """
    policy = Policy.parse(policy)
    check_specification(old, context="old schema")
    check_specification(new, context="new schema")
    try:
        ctx = Context(Side(old), Side(new), policy)
        ctx.descend(old, new, "", "", "")
        opaque.judge_definitions(ctx)
        changes = _ordered(ctx.changes)
    except RecursionError:
        raise InvalidSchema(
            "the schemas are nested too deeply to compare; flatten them with $defs and $ref",
            path="",
        ) from None
    return CompatReport(tuple(changes), policy)
