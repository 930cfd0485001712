"""References in a specification: a remote one is refused with its pointer and never
fetched; local ones register and validate offline."""

from __future__ import annotations

import socket
import urllib.request
from typing import Any

import pytest

from pytest_contracts import ContractManager
from pytest_contracts.errors import (
    InvalidSchema,
)
from pytest_contracts.models import Contract
from pytest_contracts.schemas import check_specification
from pytest_contracts.validation import ValidatorCache

from .conftest import contract_record


def contract(specification: Any, contract_id: str = "hostile") -> Contract:
    return contract_record(specification, contract_id)


_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records, and refuses, every attempt to reach anything but this machine
    (the registry's own Redis and PostgreSQL may be local servers)."""
    attempts: list[str] = []

    def local(address: Any) -> bool:
        return isinstance(address, str | bytes) or str(address[0]) in _LOCAL_HOSTS

    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if not local(address):
            attempts.append(f"connect {address!r}")
            raise OSError("hostile test: no network")
        real_connect(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(f"create_connection {address!r}")
        raise OSError("hostile test: no network")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not local((host,)):
            attempts.append(f"getaddrinfo {host!r}")
            raise OSError("hostile test: no network")
        return real_getaddrinfo(host, *args, **kwargs)

    def urlopen(url: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(f"urlopen {url!r}")
        raise OSError("hostile test: no network")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return attempts


# (specification, pointer to the reference, a document that reaches it)
REMOTE_REFERENCES = [
    pytest.param({"$ref": "http://example.com/schema.json"}, "/$ref", 1, id="http"),
    pytest.param(
        {"properties": {"a": {"$ref": "https://example.com/s.json#/$defs/x"}}},
        "/properties/a/$ref",
        {"a": 1},
        id="https-nested",
    ),
    pytest.param({"items": {"$ref": "file:///etc/passwd"}}, "/items/$ref", [1], id="file"),
    pytest.param({"$ref": "other.json"}, "/$ref", 1, id="relative-without-base"),
    pytest.param(
        {"$id": "https://example.com/root.json", "$ref": "other.json"},
        "/$ref",
        1,
        id="relative-to-own-id",
    ),
    pytest.param({"$dynamicRef": "https://example.com/x"}, "/$dynamicRef", 1, id="dynamicRef"),
    pytest.param(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {"a": {"$ref": "https://example.com/a.json"}},
            "items": {"$ref": "#/definitions/a"},
        },
        "/definitions/a/$ref",
        [1],
        id="draft7",
    ),
]


@pytest.mark.parametrize(("specification", "where", "document"), REMOTE_REFERENCES)
def test_remote_reference_is_refused_with_its_pointer_and_never_fetched(
    specification: Any, where: str, document: Any, no_network: list[str]
) -> None:
    with pytest.raises(InvalidSchema, match="never fetches schemas") as caught:
        check_specification(specification, self_contained=True)
    assert caught.value.path == where
    assert where in str(caught.value)
    assert no_network == []


@pytest.mark.parametrize(("specification", "where", "document"), REMOTE_REFERENCES)
def test_remote_reference_in_a_stored_schema_is_an_error_verdict_without_a_fetch(
    specification: Any, where: str, document: Any, no_network: list[str]
) -> None:
    # A schema stored before registration refused these: validation still
    # ends in a verdict that says why, and nothing is fetched.
    verdict = ValidatorCache().validate(contract(specification), document)
    assert verdict.error is not None
    assert verdict.error.startswith("the schema cannot be applied")
    assert not verdict.passed
    assert no_network == []


@pytest.mark.parametrize(
    ("specification", "message"),
    [
        ({"$ref": "#/$defs/missing"}, "does not resolve within the specification"),
        ({"properties": {"a": {"$ref": "#nowhere"}}}, "does not resolve"),
        ({"prefixItems": [{}], "$ref": "#/prefixItems/x"}, "does not point to a schema"),
        ({"const": "abc", "$ref": "#/const/0"}, "points to a str, not to a schema"),
        ({"$defs": {"a": {"type": "string"}}, "$ref": "#/$defs/a/type"}, "points to a str"),
    ],
)
def test_dangling_or_non_schema_local_reference_is_refused(
    specification: Any, message: str
) -> None:
    with pytest.raises(InvalidSchema, match=message):
        check_specification(specification, self_contained=True)


LOCAL_REFERENCES = [
    pytest.param(
        {
            "$defs": {"id": {"type": "string", "pattern": "^REQ-[0-9]+$"}},
            "type": "object",
            "properties": {"id": {"$ref": "#/$defs/id"}},
        },
        {"id": "REQ-1"},
        {"id": "nope"},
        id="defs",
    ),
    pytest.param(
        {
            "$defs": {"node": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            "$ref": "#/$defs/node",
        },
        [[[]]],
        [[1]],
        id="recursive",
    ),
    pytest.param(
        {"$defs": {"n": {"$anchor": "num", "type": "number"}}, "items": {"$ref": "#num"}},
        [1, 2.5],
        [1, "2"],
        id="anchor",
    ),
    pytest.param(
        {
            "$id": "https://example.com/root.json",
            "$defs": {"s": {"$id": "string.json", "type": "string"}},
            "items": {"$ref": "string.json"},
        },
        ["a"],
        [1],
        id="embedded-id",
    ),
    pytest.param(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {"n": {"type": "integer"}},
            "items": {"$ref": "#/definitions/n"},
        },
        [1],
        ["x"],
        id="draft7-definitions",
    ),
    # A field that holds a JSON Schema: the meta-schema is bundled with
    # jsonschema and resolved offline, so it may be referred to anywhere.
    pytest.param(
        {"properties": {"schema": {"$ref": "https://json-schema.org/draft/2020-12/schema"}}},
        {"schema": {"type": "string"}},
        {"schema": {"type": 12}},
        id="bundled-meta-schema",
    ),
]


@pytest.mark.parametrize(("specification", "good", "bad"), LOCAL_REFERENCES)
def test_local_references_register_and_validate_offline(
    specification: Any, good: Any, bad: Any, no_network: list[str]
) -> None:
    check_specification(specification, self_contained=True)
    cache = ValidatorCache()
    assert cache.validate(contract(specification), good).passed
    verdict = cache.validate(contract(specification), bad)
    assert verdict.error is None
    assert verdict.violations
    assert no_network == []


def test_reference_text_outside_schema_positions_is_not_a_reference() -> None:
    # "const" holds data and "properties" names a property "$ref": neither
    # is a reference, and no validator would follow one.
    specification = {
        "const": {"$ref": "https://example.com/x"},
        "properties": {"$ref": {"type": "string"}},
    }
    check_specification(specification, self_contained=True)


def test_references_are_checked_only_when_asked() -> None:
    # The compatibility engine compares schemas that may hold references it
    # cannot follow; only what the registry stores must be self-contained.
    check_specification({"$ref": "https://example.com/x"})


async def test_create_contract_refuses_a_remote_reference(cm: ContractManager) -> None:
    with pytest.raises(InvalidSchema, match="never fetches schemas") as caught:
        await cm.create_contract(
            "t", "Remote", "v1", "DATA_FORMAT", {"$ref": "https://example.com/s.json"}
        )
    assert caught.value.path == "/$ref"
    assert await cm.list_contracts("t") == []
