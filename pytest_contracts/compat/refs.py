"""Resolving ``$ref``: within the schema's own document, never fetched.

Two readers of references share this module, and they ask different questions.

* The schema checks (``schemas.py``) ask whether each reference can be
  applied the way jsonschema will apply it: :func:`subschemas` walks a
  specification as jsonschema does and :func:`lookup` resolves with
  ``referencing``, each embedded ``$id`` giving the base URI below it, in the
  specification and the meta-schemas jsonschema bundles (:data:`BUNDLED`).
* The compatibility walk asks *where* a reference leads: the JSON Pointer of
  its target locates the changes found there, and a pair of pointers is the
  mark that ends the walk of a recursive schema. :class:`LocalDocument`
  answers that, from the root document alone.

They stay two because one answer would change verdicts. ``referencing``
gives a target's contents, not its pointer (and an object built in code may
sit at two places, so the pointer cannot be found again by identity). It
scopes fragments and anchors to the nearest embedded ``$id``, where the walk
reads every fragment against the root; it resolves a URI an embedded ``$id``
or a bundled meta-schema answers to, which the walk compares by its text; it
knows only the anchors of the schema's dialect, where the walk also takes
``$anchor`` and ``"$id": "#name"`` in any dialect; and it reads ``-1`` as the
last array item, where the walk finds no target. What they share is here:
the reference keywords, the registry that never fetches, and this module as
the one place references are resolved.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import unquote, urlsplit

import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema_specifications import REGISTRY as BUNDLED

from .keywords import DEFINITIONS, METADATA, child

__all__ = [
    "BUNDLED",
    "DYNAMIC_REFERENCES",
    "REFERENCE_KEYWORDS",
    "LocalDocument",
    "lookup",
    "subschemas",
]

#: References resolved at validation time, from the dynamic scope: the walk
#: does not follow them.
DYNAMIC_REFERENCES: Final = ("$dynamicRef", "$recursiveRef")
REFERENCE_KEYWORDS: Final = ("$ref", *DYNAMIC_REFERENCES)


# -- as jsonschema applies them ---------------------------------------------------------


def subschemas(specification: Any, cls: Any) -> Iterator[tuple[tuple[str | int, ...], Any, Any]]:
    """Every schema object in ``specification`` as (path, contents, resolver).

    The walk is the one jsonschema itself makes (referencing's subresources
    of the dialect), so a ``"$ref"`` or ``"pattern"`` inside ``const``,
    ``enum`` or an unknown keyword, which no validator applies, is not a
    schema; each resolver has the base URI the ``$id``s in scope give it.
    """
    spec = referencing.jsonschema.specification_with(cls.META_SCHEMA["$schema"])
    root = spec.create_resource(specification)
    base = root.id() or ""
    # Crawled once, so that each lookup of an embedded $id does not crawl again.
    registry = BUNDLED.with_resource(base, root).crawl()
    seen: set[int] = set()
    stack: list[tuple[tuple[str | int, ...], Any, Any]] = [
        ((), root, registry.resolver(base_uri=base))
    ]
    while stack:
        path, resource, resolver = stack.pop()
        contents = resource.contents
        if id(contents) in seen:  # one object at two places: checked once
            continue
        seen.add(id(contents))
        resolver = resolver.in_subresource(resource)
        yield path, contents, resolver
        if not isinstance(contents, dict):
            continue
        # Subresources sit one or two levels down ("items", "properties/x",
        # "allOf/0"): index those levels once to give each one its path.
        where: dict[int, tuple[str | int, ...]] = {}
        for key, value in contents.items():
            where.setdefault(id(value), (key,))
            children = (
                value.items()
                if isinstance(value, dict)
                else (enumerate(value) if isinstance(value, list) else ())
            )
            for inner, item in children:
                where.setdefault(id(item), (key, inner))
        for sub in resource.subresources():
            stack.append((path + where.get(id(sub.contents), ()), sub, resolver))


def lookup(resolver: Any, ref: str) -> tuple[Any, str | None]:
    """The schema ``ref`` names and None, or None and why it cannot be used:
    only the specification itself and the bundled meta-schemas are looked in."""
    try:
        resolved = resolver.lookup(ref)
    except referencing.exceptions.Unresolvable:
        if ref.startswith("#"):
            return None, "does not resolve within the specification (no such location or anchor)"
        parts = urlsplit(ref)
        kind = f"a {parts.scheme}: URI" if parts.scheme else "a relative URI"
        return None, (
            f"is {kind} outside the specification; the registry never fetches schemas "
            '(from the network or from files): copy the schema it names into "$defs" '
            'and refer to it as "#/$defs/<name>"'
        )
    except (ValueError, TypeError, LookupError):  # e.g. "#/prefixItems/x"
        return None, "does not point to a schema within the specification"
    if not isinstance(resolved.contents, dict | bool):
        found = type(resolved.contents).__name__
        return None, f"points to a {found}, not to a schema"
    return resolved.contents, None


# -- as the compatibility walk follows them ------------------------------------------------


class LocalDocument:
    """One schema document and the places its ``$ref``s lead to."""

    def __init__(self, root: Any, *, ref_overrides_siblings: bool) -> None:
        self.root = root
        #: Draft 7 and earlier: a "$ref" makes its sibling keywords ignored.
        self.ref_overrides = ref_overrides_siblings
        identifier = root.get("$id") if isinstance(root, dict) else None
        self.base = identifier.split("#", 1)[0] if isinstance(identifier, str) else ""
        self._anchors: dict[str, str] | None = None

    def resolve(self, ref: Any) -> tuple[str, Any] | None:
        """The pointer and subschema a local ``$ref`` names; None for anything
        else (remote, relative to another document, dangling): never fetched."""
        if not isinstance(ref, str):
            return None
        if ref.startswith("#"):
            fragment = ref[1:]
        else:
            base, _, fragment = ref.partition("#")
            if not self.base or not base or base != self.base:
                return None
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            found = self._anchor_map().get(fragment)
            if found is None:
                return None
            fragment = found
        node: Any = self.root
        for raw in fragment.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        if not isinstance(node, dict | bool):
            return None
        return fragment, node

    def referenced(self) -> frozenset[str]:
        """The pointers every local ``$ref`` in the document resolves to."""
        targets: set[str] = set()
        stack = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                target = self.resolve(node.get("$ref"))
                if target is not None:
                    targets.add(target[0])
                stack.extend(v for k, v in node.items() if k not in ("enum", "const"))
            elif isinstance(node, list):
                stack.extend(node)
        return frozenset(targets)

    def _anchor_map(self) -> dict[str, str]:
        if self._anchors is None:
            anchors: dict[str, str] = {}
            stack: list[tuple[Any, str]] = [(self.root, "")]
            while stack:
                node, where = stack.pop()
                if isinstance(node, dict):
                    anchor = node.get("$anchor")
                    if isinstance(anchor, str):
                        anchors.setdefault(anchor, where)
                    identifier = node.get("$id")
                    if isinstance(identifier, str) and identifier.startswith("#"):
                        anchors.setdefault(identifier[1:], where)
                    for key, value in node.items():
                        if key not in ("enum", "const", "default", "examples"):
                            stack.append((value, child(where, key)))
                elif isinstance(node, list):
                    stack.extend((value, child(where, i)) for i, value in enumerate(node))
            self._anchors = anchors
        return self._anchors

    def follow(self, schema: Any, where: str | None) -> tuple[Any, str | None]:
        """Replace a schema that is only a resolvable ``$ref`` (plus annotations)
        by its target, through chains of references."""
        seen: set[str] = set()
        while isinstance(schema, dict) and "$ref" in schema:
            if not self.ref_overrides and not all(
                key == "$ref" or key in METADATA or key in DEFINITIONS for key in schema
            ):
                break
            target = self.resolve(schema["$ref"])
            if target is None or target[0] in seen:
                break
            where, schema = target
            seen.add(where)
        if self.ref_overrides and isinstance(schema, dict) and "$ref" in schema:
            # The draft ignores every sibling of an unresolvable $ref, too.
            schema = {"$ref": schema["$ref"]}
        return schema, where
