"""From the registry's rows to its records, and back for the cache and events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Row

from .. import jsondata
from ..models import (
    Consumer,
    Contract,
    ContractEvent,
    ContractStatus,
    ContractType,
    HistoryEntry,
    Validation,
)

_TIMESTAMPS = ("created_at", "activated_at", "deprecated_at", "retired_at")


def json_or_none(text: str | None) -> Any:
    """Stored JSON text, parsed; None stays None."""
    return None if text is None else json.loads(text)


def to_contract(row: Row[Any] | Mapping[str, Any]) -> Contract:
    """A version's record, from its row of the contracts table."""
    data = row._mapping if isinstance(row, Row) else row
    return Contract(
        id=data["id"],
        team_id=data["team_id"],
        contract_name=data["contract_name"],
        version=data["version"],
        contract_type=ContractType(data["contract_type"]),
        status=ContractStatus(data["status"]),
        specification=json.loads(data["specification"]),
        description=data["description"],
        owner_role=data["owner_role"],
        owner_agent=data["owner_agent"],
        revision=data["revision"],
        previous_version_id=data["previous_version_id"],
        breaking_change=data["breaking_change"],
        evolved_by=data["evolved_by"],
        created_at=data["created_at"],
        activated_at=data["activated_at"],
        deprecated_at=data["deprecated_at"],
        retired_at=data["retired_at"],
        compatibility=json_or_none(data["compatibility"]),
        enforcement=data.get("enforcement") or "enforce",
    )


def to_payload(row: Row[Any]) -> dict[str, Any]:
    """A row as JSON-ready data for the cache (specification kept as text)."""
    data = dict(row._mapping)
    for key in _TIMESTAMPS:
        if data[key] is not None:
            data[key] = data[key].isoformat()
    data.pop("spec_hash", None)
    return data


def from_payload(payload: Mapping[str, Any]) -> Contract:
    """The record a cache entry made by :func:`to_payload` holds."""
    data = dict(payload)
    for key in _TIMESTAMPS:
        if data[key] is not None:
            data[key] = datetime.fromisoformat(data[key])
    return to_contract(data)


def event_values(
    row: Row[Any], event: str, actor: str | None, at: datetime, **details: Any
) -> dict[str, Any]:
    """One row of the events table: what happened to ``row``'s version."""
    return {
        "contract_id": row.id,
        "team_id": row.team_id,
        "contract_name": row.contract_name,
        "version": row.version,
        "event": event,
        "actor": actor,
        "at": at,
        "details": jsondata.dumps({k: v for k, v in details.items() if v is not None}),
    }


def to_event(row: Row[Any]) -> ContractEvent:
    """An event's record, from its row of the events table."""
    return ContractEvent(
        contract_id=row.contract_id,
        version=row.version,
        event=row.event,
        actor=row.actor,
        at=row.at,
        details=json.loads(row.details),
    )


def to_history_entry(row: Row[Any], events: tuple[ContractEvent, ...]) -> HistoryEntry:
    """A version as its history shows it, with its events."""
    return HistoryEntry(
        id=row.id,
        version=row.version,
        revision=row.revision,
        status=ContractStatus(row.status),
        contract_type=ContractType(row.contract_type),
        previous_version_id=row.previous_version_id,
        breaking_change=row.breaking_change,
        evolved_by=row.evolved_by,
        created_at=row.created_at,
        activated_at=row.activated_at,
        deprecated_at=row.deprecated_at,
        retired_at=row.retired_at,
        events=events,
        compatibility=json_or_none(row.compatibility),
    )


def to_consumer(row: Row[Any]) -> Consumer:
    """A consumer's record, from a consumer row joined with its version."""
    return Consumer(
        contract_id=row.contract_id,
        consumer_agent=row.consumer_agent,
        consumer_role=row.consumer_role,
        registered_at=row.registered_at,
        team_id=row.team_id,
        contract_name=row.contract_name,
        version=row.version,
    )


def to_validation(row: Row[Any]) -> Validation:
    """A validation record, from its row."""
    return Validation(
        id=row.id,
        contract_id=row.contract_id,
        team_id=row.team_id,
        contract_name=row.contract_name,
        version=row.version,
        subject=row.subject,
        passed=row.passed,
        errors=json.loads(row.errors),
        duration_ms=row.duration_ms,
        validated_at=row.validated_at,
        outcome=row.outcome or ("passed" if row.passed else "failed"),
        metadata=json_or_none(row.metadata),
        enforcement=row.enforcement,
    )
