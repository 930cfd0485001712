"""What the registry's tests share: a standard version, a contract's
successive schemas, and a recorder of the SQL a manager sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from pytest_contracts import Contract, ContractManager, StateManager

from .conftest import SCHEMA


async def make(cm: ContractManager, version: str = "v1.0", **kwargs: Any) -> Contract:
    """A draft of team_001's APIContract; ``kwargs`` replace any argument."""
    arguments: dict[str, Any] = {
        "team_id": "team_001",
        "contract_name": "APIContract",
        "version": version,
        "contract_type": "REST_API",
        "specification": SCHEMA,
        "owner_role": "Tech Lead",
        "owner_agent": "backend_dev",
    }
    arguments.update(kwargs)
    return await cm.create_contract(**arguments)


@contextmanager
def counting_sql(state: StateManager) -> Iterator[list[str]]:
    """Every statement the state's engine sends while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(state.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(state.engine.sync_engine, "before_cursor_execute", record)


# -- one contract's successive schemas -------------------------------------------
TEAM, NAME = "team_001", "OrderEvent"

V1: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "amount": {"type": "number", "maximum": 1000}},
    "required": ["id"],
}
#: Readers of V1 still accept everything: only a bound is loosened.
V1_LOOSER = {**V1, "properties": {**V1["properties"], "amount": {"type": "number"}}}
#: Breaks readers of V1: a new required property.
V1_NEEDS_CURRENCY = {
    **V1,
    "properties": {**V1["properties"], "currency": {"type": "string"}},
    "required": ["id", "currency"],
}
#: Breaks readers and writers of V1: id changes type.
V1_INTEGER_ID = {**V1, "properties": {**V1["properties"], "id": {"type": "integer"}}}


async def first(cm: ContractManager, spec: Any = V1, version: str = "v1.0") -> Any:
    """The contract's first version, activated."""
    contract = await cm.create_contract(TEAM, NAME, version, "EVENT", spec, owner_agent="dev")
    return await cm.activate_contract(contract.id, activated_by="lead")
