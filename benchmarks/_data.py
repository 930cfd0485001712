"""Schemas of four phase boundaries and outputs of a chosen size for them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_ITEM_ID = {"type": "string", "pattern": "^[A-Z]+-[0-9]+$"}
_TEXT = {"type": "string", "minLength": 5}

#: (source phase, destination phase) -> schema of the output crossing it; each
#: output is an object with a ``project`` and an array of ``items``.
BOUNDARIES: dict[tuple[str, str], dict[str, Any]] = {
    ("requirements", "design"): {
        "properties": {
            "id": _ITEM_ID,
            "text": _TEXT,
            "priority": {"enum": ["must", "should", "could"]},
        },
        "required": ["id", "text", "priority"],
    },
    ("design", "implementation"): {
        "properties": {
            "id": _ITEM_ID,
            "text": _TEXT,
            "components": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
        "required": ["id", "text", "components"],
    },
    ("implementation", "testing"): {
        "properties": {
            "id": _ITEM_ID,
            "text": _TEXT,
            "estimate_h": {"type": "number", "minimum": 0},
        },
        "required": ["id", "text", "estimate_h"],
    },
    ("testing", "deployment"): {
        "properties": {
            "id": _ITEM_ID,
            "text": _TEXT,
            "passed": {"type": "boolean"},
        },
        "required": ["id", "text", "passed"],
    },
}


def schema(boundary: tuple[str, str]) -> dict[str, Any]:
    item = BOUNDARIES[boundary]
    return {
        "$schema": DIALECT,
        "type": "object",
        "required": ["project", "items"],
        "properties": {
            "project": {"type": "string", "minLength": 1},
            "owner": {"type": "string", "format": "email"},
            "items": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "object", **item, "additionalProperties": False},
            },
        },
    }


def _item(boundary: tuple[str, str], index: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"REQ-{index}",
        "text": f"The service shall handle case number {index} correctly",
    }
    extra = {
        ("requirements", "design"): {"priority": ("must", "should", "could")[index % 3]},
        ("design", "implementation"): {"components": ["api", "store", f"worker-{index % 7}"]},
        ("implementation", "testing"): {"estimate_h": index % 13 + 0.5},
        ("testing", "deployment"): {"passed": index % 2 == 0},
    }[boundary]
    item.update(extra)
    return item


def output(boundary: tuple[str, str], size_bytes: int) -> dict[str, Any]:
    """A valid output of about ``size_bytes`` bytes of JSON."""
    document: dict[str, Any] = {"project": "sign-up", "owner": "team@example.com", "items": []}
    base = size_of(document)
    per_item = size_of(_item(boundary, 10)) + 1
    count = max(1, round((size_bytes - base) / per_item))
    document["items"] = [_item(boundary, i) for i in range(count)]
    return document


def size_of(document: Any) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def contract(
    specification: Any,
    name: str = "bench",
    version: str = "v1.0",
    *,
    contract_id: str | None = None,
) -> Any:
    """A registry record for ``specification``, as the plugin gets it back
    (the tests build theirs with this too)."""
    from pytest_contracts.models import Contract, ContractStatus, ContractType

    now = datetime.now(UTC)
    return Contract(
        id=contract_id or str(uuid.uuid4()),
        team_id="bench",
        contract_name=name,
        version=version,
        contract_type=ContractType.PHASE_TRANSITION,
        status=ContractStatus.ACTIVE,
        specification=specification,
        description=None,
        owner_role=None,
        owner_agent=None,
        revision=1,
        previous_version_id=None,
        breaking_change=None,
        evolved_by=None,
        created_at=now,
        activated_at=now,
        deprecated_at=None,
        retired_at=None,
    )


def boundary_name(boundary: tuple[str, str]) -> str:
    return f"phase_boundary_{boundary[0]}_to_{boundary[1]}"
