"""References: followed within the schema's own document, never fetched."""

from __future__ import annotations

import json
import socket
import urllib.request
from typing import Any

import pytest

from pytest_contracts.compat import Effect, compare, document_compatible
from pytest_contracts.errors import InvalidSchema

from .compat_cases import STR_OR_NULL, S

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
