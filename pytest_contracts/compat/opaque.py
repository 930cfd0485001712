"""Comparers of what the engine does not reason about: opaque keywords
(``not``, ``if``, ``contains``...), definitions, dynamic references,
``$schema``, annotations and unknown keywords.

An opaque keyword is compared for sameness only (following references on
both sides): adding one only narrows, removing one only widens, and by how
much is unknown. A definition is judged once the whole walk is done, and only
if nothing references it: what is referenced was compared where it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .direction import ADDED, REMOVED
from .keywords import DEFINITIONS, METADATA, as_dict, below, child, is_true, key, presence, short
from .refs import DYNAMIC_REFERENCES
from .report import NEUTRAL, OPAQUE_EFFECT, SAFE, UNKNOWN

if TYPE_CHECKING:
    from .walk import Context, Pair

#: Keywords whose changes the engine does not reason about -> their family in
#: a change's kind.
OPAQUE: Final = {
    "not": "not",
    "if": "if",
    "then": "then",
    "else": "else",
    "contains": "contains",
    "propertyNames": "property_names",
    "dependentSchemas": "dependent_schemas",
    "dependentRequired": "dependent_required",
    "dependencies": "dependencies",
    "unevaluatedProperties": "unevaluated_properties",
    "unevaluatedItems": "unevaluated_items",
}
DEFINITION_KEYWORDS: Final = DEFINITIONS

#: Keywords whose value is a schema, a list of schemas or a map of schemas
#: (used to compare subschemas while following their references).
_SCHEMA_VALUED: Final = frozenset(
    {
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "additionalItems",
        "items",
    }
)
_SCHEMA_LISTS: Final = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_SCHEMA_MAPS: Final = frozenset(
    {"properties", "patternProperties", "dependentSchemas", "dependencies"}
)


# -- opaque keywords --------------------------------------------------------------------


def compare_opaque(ctx: Context, pair: Pair, keyword: str) -> None:
    family = OPAQUE[keyword]
    where = child(pair.loc, keyword)
    a, b = pair.old.get(keyword), pair.new.get(keyword)
    if keyword in pair.old and keyword in pair.new:
        if same(ctx, {keyword: a}, {keyword: b}, pair.old_at, pair.new_at, set()):
            if key(a) != key(b):
                ctx.add(
                    "metadata.changed",
                    where,
                    a,
                    b,
                    NEUTRAL,
                    f"annotations inside {keyword} changed",
                )
            return
        if isinstance(a, dict) and isinstance(b, dict) and keyword.startswith("depend"):
            # A map of per-property conditions: entries can come and go.
            for name in sorted(a.keys() | b.keys()):
                if name in a and name in b:
                    if not same(
                        ctx,
                        {keyword: {name: a[name]}},
                        {keyword: {name: b[name]}},
                        pair.old_at,
                        pair.new_at,
                        set(),
                    ):
                        _opaque_change(
                            ctx,
                            family,
                            f"{keyword} entry {name!r}",
                            child(where, name),
                            a[name],
                            b[name],
                        )
                else:
                    _opaque_change(
                        ctx,
                        family,
                        f"{keyword} entry {name!r}",
                        child(where, name),
                        a.get(name),
                        b.get(name),
                    )
            return
    _opaque_change(ctx, family, keyword, where, a, b)


#: The families of keywords that map property names to what their presence requires.
_DEPENDENT: Final = frozenset({"dependent_required", "dependent_schemas", "dependencies"})


def _vacuous(value: Any) -> bool:
    """A ``dependentRequired``, ``dependentSchemas`` or ``dependencies`` value
    that requires nothing: no entry, or each an empty list or an accept-all
    schema."""
    return isinstance(value, dict) and all(
        entry == [] or is_true(entry) for entry in value.values()
    )


def _opaque_change(ctx: Context, family: str, what: str, where: str, a: Any, b: Any) -> None:
    if a is not None and b is not None:
        ctx.add(
            f"{family}.changed",
            where,
            a,
            b,
            OPAQUE_EFFECT,
            f"{what} changed; its effect is unknown",
        )
        return
    direction = ADDED if a is None else REMOVED
    if family in _DEPENDENT and _vacuous(b if a is None else a):
        ctx.add_directed(
            direction,
            f"{family}.{direction.verb}",
            where,
            b if a is None else a,
            NEUTRAL,
            f"{what} {direction.verb}; it requires nothing: no entry, or only empty ones",
        )
        return
    ctx.add_directed(
        direction,
        f"{family}.{direction.verb}",
        where,
        b if a is None else a,
        (UNKNOWN, SAFE),
        f"{what} {direction.verb}; only {direction.pick('narrows', 'widens')}, "
        "by how much is unknown",
    )


def same(
    ctx: Context, old: Any, new: Any, old_at: str | None, new_at: str | None, seen: set[Any]
) -> bool:
    """Whether two subschemas constrain alike, annotations aside, following
    local references on both sides (a pair met again is assumed alike)."""
    old, old_at = ctx.old.follow(old, old_at)
    new, new_at = ctx.new.follow(new, new_at)
    if old_at is not None and new_at is not None:
        if (old_at, new_at) in seen:
            return True
        seen.add((old_at, new_at))
    if old is False or new is False or not isinstance(old, dict | bool):
        return bool(key(old) == key(new))
    if not isinstance(new, dict | bool):
        return False
    old, new = as_dict(old), as_dict(new)
    ignored = METADATA | DEFINITIONS
    if old.keys() - ignored != new.keys() - ignored:
        return False
    for keyword in old.keys() - ignored:
        a, b = old[keyword], new[keyword]
        if keyword == "$ref":
            ta, tb = ctx.old.resolve(a), ctx.new.resolve(b)
            if ta is not None and tb is not None:
                if not same(ctx, ta[1], tb[1], ta[0], tb[0], seen):
                    return False
            elif a != b or ta is not None or tb is not None:
                return False
        elif keyword in _SCHEMA_LISTS and isinstance(a, list):
            if not isinstance(b, list) or len(a) != len(b):
                return False
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                if not same(ctx, x, y, below(old_at, keyword, i), below(new_at, keyword, i), seen):
                    return False
        elif keyword in _SCHEMA_VALUED:
            if not same(ctx, a, b, below(old_at, keyword), below(new_at, keyword), seen):
                return False
        elif keyword in _SCHEMA_MAPS:
            if not isinstance(a, dict) or not isinstance(b, dict) or a.keys() != b.keys():
                return False
            for name in a:
                if not same(
                    ctx,
                    a[name],
                    b[name],
                    below(old_at, keyword, name),
                    below(new_at, keyword, name),
                    seen,
                ):
                    return False
        elif keyword in ("enum", "required") and isinstance(a, list) and isinstance(b, list):
            if {key(x) for x in a} != {key(y) for y in b}:
                return False
        elif key(a) != key(b):
            return False
    return True


# -- definitions --------------------------------------------------------------------------

#: (keyword, old definitions, new definitions, where reported, old pointer,
#: new pointer) for one ``$defs`` or ``definitions`` met on the walk.
DefinitionsPair = tuple[str, dict[str, Any], dict[str, Any], str, str | None, str | None]


def collect_definitions(ctx: Context, pair: Pair, keyword: str) -> None:
    old_value, new_value = pair.old.get(keyword), pair.new.get(keyword)
    ctx.definitions.append(
        (
            keyword,
            old_value if isinstance(old_value, dict) else {},
            new_value if isinstance(new_value, dict) else {},
            pair.loc,
            below(pair.old_at, keyword),
            below(pair.new_at, keyword),
        )
    )


def judge_definitions(ctx: Context) -> None:
    """Definitions nothing references, once the walk is done: changing them
    is safe, unless a dynamic reference might reach them."""
    dynamic = _contains_key(ctx.old.root, _DYNAMIC) or _contains_key(ctx.new.root, _DYNAMIC)
    old_targets, new_targets = ctx.old.referenced(), ctx.new.referenced()
    for keyword, before, after, loc, old_at, new_at in ctx.definitions:
        for name in sorted(before.keys() | after.keys()):
            if _reaches(old_targets, below(old_at, name)) or _reaches(
                new_targets, below(new_at, name)
            ):
                continue
            a, b = before.get(name), after.get(name)
            if key(a) == key(b):
                continue
            effect = UNKNOWN if dynamic else SAFE
            ctx.add(
                "definition.changed",
                child(loc, keyword, name),
                a,
                b,
                (effect, effect),
                f"definition {name!r} {presence(a is not None, b is not None)}; "
                + ("dynamic references may reach it" if dynamic else "nothing references it"),
            )


_DYNAMIC: Final = frozenset(DYNAMIC_REFERENCES)


def _reaches(targets: frozenset[str], where: str | None) -> bool:
    """Whether a reference targets the subschema at ``where`` or one inside it."""
    if where is None:
        return True
    return any(t == where or t.startswith(where + "/") for t in targets)


def _contains_key(value: Any, keys: frozenset[str]) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if keys & node.keys():
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


# -- the other keywords ---------------------------------------------------------------------


def compare_dynamic_ref(ctx: Context, pair: Pair, keyword: str) -> None:
    if not ctx.roots_differ:
        compare_other(ctx, pair, keyword)
        return
    ctx.add(
        "ref.unresolvable",
        child(pair.loc, keyword),
        pair.old.get(keyword),
        pair.new.get(keyword),
        OPAQUE_EFFECT,
        f"{keyword} is not followed; what it reaches may have changed",
    )


def compare_dialect(ctx: Context, pair: Pair, keyword: str) -> None:
    """``$schema`` is an annotation, unless it names another dialect."""
    old_value, new_value = pair.old.get(keyword), pair.new.get(keyword)
    unchanged = keyword in pair.old and keyword in pair.new and key(old_value) == key(new_value)
    if unchanged or ctx.old.dialect is ctx.new.dialect:
        compare_other(ctx, pair, keyword)
        return
    ctx.add(
        "dialect.changed",
        child(pair.loc, keyword),
        old_value,
        new_value,
        OPAQUE_EFFECT,
        f"$schema changed {short(old_value, 45)} -> {short(new_value, 45)}",
    )


#: Keywords no validator checks a document with, yet that change what a
#: ``$ref`` finds: identifiers and anchors ("id" in drafts 3 and 4).
_LOCATING: Final = frozenset({"$dynamicAnchor", "$recursiveAnchor", "$vocabulary"})
_OLD_IDENTIFIER_DIALECTS: Final = frozenset({"Draft3Validator", "Draft4Validator"})


def _ignored(ctx: Context, keyword: str) -> bool:
    """Whether neither side's dialect validates with ``keyword`` nor locates
    schemas by it: an unknown keyword is an annotation there (a ``$ref`` into
    its value is followed, and compared, where the reference is)."""
    if keyword in _LOCATING:
        return False
    for side in (ctx.old, ctx.new):
        if keyword in side.dialect.VALIDATORS:
            return False
        if keyword == "id" and side.dialect.__name__ in _OLD_IDENTIFIER_DIALECTS:
            return False
    return True


def compare_other(ctx: Context, pair: Pair, keyword: str) -> None:
    """An annotation, or a keyword the engine does not know."""
    in_old, in_new = keyword in pair.old, keyword in pair.new
    old_value, new_value = pair.old.get(keyword), pair.new.get(keyword)
    if in_old and in_new and key(old_value) == key(new_value):
        return
    where = child(pair.loc, keyword)
    if keyword in METADATA:
        ctx.add(
            "metadata.changed",
            where,
            old_value,
            new_value,
            NEUTRAL,
            f"{keyword} {presence(in_old, in_new)}",
        )
    elif _ignored(ctx, keyword):
        ctx.add(
            "metadata.changed",
            where,
            old_value,
            new_value,
            NEUTRAL,
            f"keyword {keyword!r} {presence(in_old, in_new)}; "
            "the validators of both dialects ignore it",
        )
    else:
        ctx.add(
            "unknown",
            where,
            old_value,
            new_value,
            OPAQUE_EFFECT,
            f"keyword {keyword!r} {presence(in_old, in_new)}; its effect is unknown",
        )
