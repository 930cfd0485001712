"""References: followed within the schema's own document, never fetched; the
resolver the walk uses and the one the schema checks use, side by side."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pytest_contracts.compat import Effect, compare, document_compatible
from pytest_contracts.compat.refs import LocalDocument, lookup, subschemas
from pytest_contracts.errors import InvalidSchema

from .compat_cases import STR_OR_NULL, I, S

# -- references ------------------------------------------------------------------------------

TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "value": {"type": "integer"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            "required": ["value"],
        }
    },
    "$ref": "#/$defs/node",
}


def test_recursive_schema_compared_with_itself_terminates_without_changes() -> None:
    report = compare(TREE, json.loads(json.dumps(TREE)), policy="strict")
    assert report.changes == ()


def test_change_in_recursive_definition_is_reported_once_where_it_is_defined() -> None:
    new = json.loads(json.dumps(TREE))
    new["$defs"]["node"]["properties"]["value"]["maximum"] = 10
    report = compare(TREE, new)
    assert [(c.kind, c.location) for c in report.changes] == [
        ("bound.added", "/$defs/node/properties/value/maximum")
    ]


def test_self_referencing_root_terminates() -> None:
    old = {"type": "object", "properties": {"next": {"$ref": "#"}}}
    new = {"type": "object", "properties": {"next": {"$ref": "#"}, "tag": S}}
    report = compare(old, new, policy="strict")
    assert [(c.kind, c.location) for c in report.changes] == [("property.added", "/properties/tag")]


def test_mutually_recursive_definitions_terminate() -> None:
    def schema(leaf: Any) -> dict[str, Any]:
        return {
            "$defs": {
                "a": {"type": "object", "properties": {"b": {"$ref": "#/$defs/b"}, "leaf": leaf}},
                "b": {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}},
            },
            "$ref": "#/$defs/a",
        }

    report = compare(schema(S), schema(STR_OR_NULL))
    assert [(c.kind, c.location) for c in report.changes] == [
        ("type.widened", "/$defs/a/properties/leaf/type")
    ]


def test_anchor_and_own_id_references_are_followed() -> None:
    def schema(maximum: int) -> dict[str, Any]:
        return {
            "$id": "https://example.com/person.json",
            "$defs": {"age": {"$anchor": "age", "maximum": maximum}},
            "properties": {
                "a": {"$ref": "#age"},
                "b": {"$ref": "https://example.com/person.json#/$defs/age"},
            },
        }

    report = compare(schema(120), schema(100))
    assert [(c.kind, c.location) for c in report.changes] == [
        ("bound.tightened", "/$defs/age/maximum")
    ]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"network use attempted: {args!r}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_remote_reference_is_never_fetched(no_network: list[Any]) -> None:
    old = {"properties": {"a": {"$ref": "https://example.invalid/a.json"}, "b": {"$ref": "b.json"}}}
    new = {
        "properties": {"a": {"$ref": "https://example.invalid/a2.json"}, "b": {"$ref": "b.json"}}
    }
    report = compare(old, new, policy="strict")
    assert [(c.kind, c.location, c.readers, c.writers) for c in report.changes] == [
        ("ref.unresolvable", "/properties/a/$ref", Effect.UNKNOWN, Effect.UNKNOWN)
    ]
    assert no_network == []


def test_document_check_never_fetches_a_remote_reference(no_network: list[Any]) -> None:
    schema = {"properties": {"a": {"$ref": "https://example.invalid/a.json"}}}
    with pytest.raises(InvalidSchema, match="never fetched"):
        document_compatible({"a": 1}, S, schema)
    assert no_network == []


def test_schema_check_lookup_never_fetches_a_remote_reference(no_network: list[Any]) -> None:
    root = {"properties": {"a": {"$ref": "https://example.invalid/a.json"}}}
    (resolver,) = [r for path, _, r in subschemas(root, Draft202012Validator) if path == ()]
    target, problem = lookup(resolver, "https://example.invalid/a.json")
    assert target is None
    assert problem is not None
    assert "never fetches" in problem
    assert no_network == []


# -- the walk's resolver: targets as pointers ---------------------------------------------------


def _document(root: Any, *, ref_overrides_siblings: bool = False) -> LocalDocument:
    return LocalDocument(root, ref_overrides_siblings=ref_overrides_siblings)


def test_local_reference_resolves_to_its_pointer_and_schema() -> None:
    root = {"$defs": {"a/b": S, "c~d": I, "e%f": STR_OR_NULL}, "prefixItems": [S, I]}
    document = _document(root)
    assert document.resolve("#/$defs/a~1b") == ("/$defs/a~1b", S)
    assert document.resolve("#/$defs/c~0d") == ("/$defs/c~0d", I)
    assert document.resolve("#/$defs/e%25f") == ("/$defs/e%f", STR_OR_NULL)
    assert document.resolve("#/prefixItems/1") == ("/prefixItems/1", I)
    assert document.resolve("#") == ("", root)


def test_the_document_own_id_names_it_and_nothing_else_resolves() -> None:
    root = {"$id": "https://example.com/root.json", "$defs": {"a": S}, "enum": [1], "allOf": [S]}
    document = _document(root)
    assert document.resolve("https://example.com/root.json#/$defs/a") == ("/$defs/a", S)
    for ref in (
        "https://example.com/other.json#/$defs/a",
        "other.json#/$defs/a",
        "#/$defs/missing",
        "#/enum/0",
        "#/allOf/-1",
        3,
    ):
        assert document.resolve(ref) is None, ref


def test_anchors_are_found_anywhere_but_inside_values() -> None:
    root = {
        "$defs": {"a": {"$anchor": "x", **S}, "b": {"$id": "#y", **I}},
        "const": {"$anchor": "z"},
        "default": {"$anchor": "w"},
    }
    document = _document(root)
    assert document.resolve("#x") == ("/$defs/a", root["$defs"]["a"])
    assert document.resolve("#y") == ("/$defs/b", root["$defs"]["b"])
    assert document.resolve("#z") is None
    assert document.resolve("#w") is None


def test_follow_goes_through_a_chain_of_references_and_stops_at_a_cycle() -> None:
    root = {
        "$defs": {
            "a": {"$ref": "#/$defs/b"},
            "b": {"$ref": "#/$defs/c", "title": "annotations do not stop it"},
            "c": S,
            "x": {"$ref": "#/$defs/y"},
            "y": {"$ref": "#/$defs/x"},
        }
    }
    document = _document(root)
    assert document.follow({"$ref": "#/$defs/a"}, "/here") == (S, "/$defs/c")
    assert document.follow({"$ref": "#/$defs/x"}, None) == ({"$ref": "#/$defs/x"}, "/$defs/y")
    assert document.follow(S, "/here") == (S, "/here")


def test_a_reference_beside_assertions_is_followed_only_where_the_draft_ignores_them() -> None:
    root = {"$defs": {"a": S}}
    schema = {"$ref": "#/$defs/a", "maxLength": 3}
    assert _document(root, ref_overrides_siblings=True).follow(schema, None) == (S, "/$defs/a")
    assert _document(root).follow(schema, None) == (schema, None)
    remote = {"$ref": "https://example.com/a.json", "maxLength": 3}
    assert _document(root, ref_overrides_siblings=True).follow(remote, None) == (
        {"$ref": "https://example.com/a.json"},
        None,
    )


def test_referenced_lists_the_targets_of_local_references_in_schemas() -> None:
    root = {
        "$defs": {"a": S, "b": I},
        "properties": {
            "x": {"$ref": "#/$defs/a"},
            "y": {"$ref": "https://example.com/b.json"},
        },
        "enum": [{"$ref": "#/$defs/b"}],
    }
    assert _document(root).referenced() == {"/$defs/a"}


# -- one module, two readers ----------------------------------------------------------------


def test_schema_checks_and_the_walk_find_the_same_target_for_a_local_reference() -> None:
    root = {"$defs": {"a": {"$anchor": "x", **S}}, "items": {"$ref": "#/$defs/a"}}
    (resolver,) = [r for path, _, r in subschemas(root, Draft202012Validator) if path == ()]
    for ref in ("#/$defs/a", "#x", "#"):
        target, problem = lookup(resolver, ref)
        found = _document(root).resolve(ref)
        assert problem is None
        assert found is not None
        assert target is found[1], ref


def test_an_embedded_id_scopes_references_for_the_schema_checks_but_not_for_the_walk() -> None:
    # The difference that keeps two resolvers (see compat/refs.py): jsonschema
    # reads "#/$defs/a" inside "inner" against inner's own document.
    inner = {"$id": "https://example.com/inner.json", "$defs": {"a": I}, "$ref": "#/$defs/a"}
    root = {"$defs": {"a": S, "inner": inner}}
    resolvers = {path: r for path, _, r in subschemas(root, Draft202012Validator)}
    assert lookup(resolvers[("$defs", "inner")], "#/$defs/a") == (I, None)
    assert _document(root).resolve("#/$defs/a") == ("/$defs/a", S)


def test_the_schema_checks_load_the_resolver_without_the_engine() -> None:
    code = (
        "import sys, pytest_contracts.schemas;"
        "print(' '.join(m for m in sys.modules if m.startswith('pytest_contracts.compat')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(result.stdout.split())
    assert "pytest_contracts.compat.refs" in loaded
    assert not loaded & {"pytest_contracts.compat.walk", "pytest_contracts.compat.report"}
