"""Validation records: each check of an output against a contract version,
stored one at a time or by the batch, and read back by filter."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .. import jsondata
from ..errors import ContractError, InvalidArgument
from ..models import Contract, Validation
from . import tables
from .arguments import check_text
from .base import RegistryPart, no_contract, now
from .rows import to_validation

if TYPE_CHECKING:
    from .connections import StateManager

_C = tables.contracts

#: The longest subject (a test's node id, say).
MAX_SUBJECT_LENGTH = 10_000


@dataclasses.dataclass(frozen=True, slots=True)
class ValidationInput:
    """One check to store with :meth:`ContractManager.record_validations`."""

    contract: Contract | str
    subject: str
    passed: bool
    errors: Sequence[Any] = ()
    duration_ms: float = 0.0
    validated_at: datetime | None = None
    #: What makes this check one: a check stored again under the same key
    #: (replayed from a journal, say) is not stored twice. None: a new key.
    key: str | None = None
    #: ``"passed"``, ``"failed"`` or ``"error"``; None: read from ``passed``.
    outcome: str | None = None
    #: What the caller stores with the check (a JSON object: agent, model,
    #: prompt hash, attempt, ...), which :meth:`get_validations` filters on.
    metadata: Mapping[str, Any] | None = None
    #: The version's enforcement when it was checked (``"enforce"`` or
    #: ``"warn"``); None: not known.
    enforcement: str | None = None


#: The longest key of a check.
MAX_KEY_LENGTH = 32
#: The outcomes a record can have; ``error``: the output could not be judged.
RECORD_OUTCOMES = ("passed", "failed", "error")
#: The longest metadata, as JSON.
MAX_METADATA_BYTES = 64 * 1024


def new_key() -> str:
    """A key for one check (see :attr:`ValidationInput.key`)."""
    return uuid.uuid4().hex


class ValidationRecords(RegistryPart):
    """Storing and reading validation records."""

    async def record_validation(
        self,
        contract_id: str | Contract,
        subject: str,
        passed: bool,
        errors: Sequence[Any] = (),
        duration_ms: float = 0.0,
        validated_at: datetime | None = None,
        *,
        metadata: Mapping[str, Any] | None = None,
    ) -> Validation:
        """Store one check of an output against a contract version: the
        subject (a test's node id, say), the verdict, the errors (JSON data) and
        how long it took. ``contract_id`` may also be the :class:`Contract`.
        The team, name and version stored with it are the registry's own."""
        check = ValidationInput(
            contract=contract_id,
            subject=subject,
            passed=passed,
            errors=errors,
            duration_ms=duration_ms,
            validated_at=validated_at,
            metadata=metadata,
        )
        values = _validation_values(check)
        async with self.state.write() as conn:
            row = (
                await conn.execute(_INSERT_VALIDATION.returning(*tables.validations.c), values)
            ).first()
        if row is None:
            raise no_contract(values["contract_id"])
        return to_validation(row)

    async def record_validations(self, checks: Sequence[ValidationInput]) -> int:
        """Store many checks in one transaction (what the pytest plugin uses,
        so that a session pays one commit per batch, not one per test).
        Returns how many of them are in the registry now: a check whose key
        is already stored (written before, then replayed) counts, and is not
        stored twice. A check whose contract does not exist raises
        :class:`ContractNotFound` and stores nothing."""
        rows = [_validation_values(check) for check in checks]
        if not rows:
            return 0
        wanted = {values["contract_id"] for values in rows}
        async with self.state.write() as conn:
            found = set(
                (await conn.execute(sa.select(_C.c.id).where(_C.c.id.in_(wanted)))).scalars()
            )
            missing = sorted(wanted - found)
            if missing:
                raise no_contract(missing[0])
            await self.state.database.insert_validations(conn, _INSERT_VALIDATION, rows)
        return len(rows)

    async def get_validations(
        self,
        contract_id: str | Contract | None = None,
        *,
        subject: str | None = None,
        team_id: str | None = None,
        contract_name: str | None = None,
        passed: bool | None = None,
        outcome: str | None = None,
        since: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int = 100,
    ) -> list[Validation]:
        """Validation records matching every filter given, newest first.
        ``contract_id`` may also be the :class:`Contract`. ``outcome`` is
        ``"passed"``, ``"failed"`` or ``"error"``; ``since`` an aware datetime
        (records checked at or after it); ``metadata`` a dict of keys whose
        values (strings, numbers, booleans or None) a record's metadata must
        have, e.g. ``{"agent": "design-agent"}``."""
        if isinstance(contract_id, Contract):
            contract_id = contract_id.id
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidArgument(f"limit must be a positive whole number, not {limit!r}")
        for name, text in (
            ("contract_id", contract_id),
            ("subject", subject),
            ("team_id", team_id),
            ("contract_name", contract_name),
        ):
            if text is not None and not isinstance(text, str):
                raise InvalidArgument(f"{name} must be a string, not {type(text).__name__}")
        if passed is not None and not isinstance(passed, bool):
            raise InvalidArgument(f"passed must be True, False or None, not {passed!r}")
        if outcome is not None and outcome not in RECORD_OUTCOMES:
            raise InvalidArgument(
                f"outcome must be one of {', '.join(RECORD_OUTCOMES)}, not {outcome!r}"
            )
        if since is not None and (not isinstance(since, datetime) or since.tzinfo is None):
            raise InvalidArgument(
                f"since must be a timezone-aware datetime, not {since!r} "
                "(e.g. datetime.now(timezone.utc) - timedelta(hours=1))"
            )
        table = tables.validations
        query = sa.select(table)
        for key, value in _metadata_filter(metadata):
            query = query.where(self.state.database.metadata_equals(table.c.metadata, key, value))
        if outcome is not None:
            derived = sa.case(
                (table.c.outcome.is_not(None), table.c.outcome),
                (table.c.passed, "passed"),
                else_="failed",
            )
            query = query.where(derived == outcome)
        if since is not None:
            query = query.where(table.c.validated_at >= since)
        for column, value in (
            (table.c.contract_id, contract_id),
            (table.c.subject, subject),
            (table.c.team_id, team_id),
            (table.c.contract_name, contract_name),
            (table.c.passed, passed),
        ):
            if value is not None:
                query = query.where(column == value)
        query = query.order_by(table.c.id.desc()).limit(limit)
        async with self.state.read() as conn:
            rows = (await conn.execute(query)).all()
        return [to_validation(row) for row in rows]


async def stored_record_keys(state: StateManager, keys: Sequence[str]) -> set[str]:
    """Which of these check keys (:attr:`ValidationInput.key`) the registry
    has stored already (what a replay of a journal leaves out)."""
    column = tables.validations.c.record_key
    found: set[str] = set()
    wanted = list(dict.fromkeys(keys))
    async with state.read() as conn:
        for start in range(0, len(wanted), 500):
            query = sa.select(column).where(column.in_(wanted[start : start + 500]))
            found.update((await conn.execute(query)).scalars())
    return found


def _validation_values(check: ValidationInput) -> dict[str, Any]:
    """The checked, JSON-encoded values of one validation record."""
    contract = check.contract
    contract_id = contract.id if isinstance(contract, Contract) else contract
    check_text(contract_id, "contract_id", 36)
    check_text(check.subject, "subject", MAX_SUBJECT_LENGTH)
    if not isinstance(check.passed, bool):
        raise InvalidArgument(f"passed must be True or False, not {check.passed!r}")
    if not isinstance(check.errors, list | tuple):
        raise InvalidArgument(
            f"errors must be a list of JSON values, not {type(check.errors).__name__}"
        )
    errors = list(check.errors)
    jsondata.ensure_json(errors, what="errors")
    duration = check.duration_ms
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not (0 <= duration < float("inf"))
    ):
        raise InvalidArgument(
            f"duration_ms must be a number of milliseconds >= 0, not {duration!r}"
        )
    key = check.key
    if key is None:
        key = new_key()
    check_text(key, "key", MAX_KEY_LENGTH)
    at = check.validated_at
    if at is None:
        at = now()
    elif not isinstance(at, datetime) or at.tzinfo is None:
        raise InvalidArgument(
            f"validated_at must be a timezone-aware datetime, not {at!r} "
            "(e.g. datetime.now(timezone.utc))"
        )
    outcome = check.outcome
    if outcome is None:
        outcome = "passed" if check.passed else "failed"
    elif outcome not in RECORD_OUTCOMES or (outcome == "passed") != check.passed:
        raise InvalidArgument(
            f"outcome must be one of {', '.join(RECORD_OUTCOMES)} and agree with passed, "
            f"not {outcome!r} with passed={check.passed!r}"
        )
    if check.enforcement not in (None, "enforce", "warn"):
        raise InvalidArgument(f"enforcement must be 'enforce' or 'warn', not {check.enforcement!r}")
    return {
        "contract_id": contract_id,
        "subject": check.subject,
        "passed": check.passed,
        "errors": _errors_text(errors),
        "duration_ms": float(duration),
        "validated_at": at,
        "record_key": key,
        "outcome": outcome,
        "metadata": metadata_text(check.metadata),
        "enforcement": check.enforcement,
    }


def _metadata_filter(metadata: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    if metadata is None:
        return []
    if not isinstance(metadata, Mapping):
        raise InvalidArgument(
            f"metadata must be a dict of the values to match, not {type(metadata).__name__}"
        )
    pairs = []
    for key, value in metadata.items():
        if not isinstance(key, str) or not key or '"' in key or "\\" in key:
            raise InvalidArgument(
                f"metadata filter keys must be non-empty strings without quotes or "
                f"backslashes, not {key!r}"
            )
        if value is not None and not isinstance(value, str | int | float | bool):
            raise InvalidArgument(
                f"metadata filter values must be strings, numbers, booleans or None; "
                f"{key!r} has {type(value).__name__}"
            )
        pairs.append((key, value))
    return pairs


def metadata_text(metadata: Mapping[str, Any] | None) -> str | None:
    """Checked metadata as JSON text (None stays None): a JSON object with
    string keys, at most :data:`MAX_METADATA_BYTES`."""
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise InvalidArgument(
            f"metadata must be a JSON object (a dict), not {type(metadata).__name__}"
        )
    values = dict(metadata)
    try:
        jsondata.check_output(values, limit=MAX_METADATA_BYTES, what="metadata")
    except ContractError as exc:
        raise InvalidArgument(str(exc)) from None
    return jsondata.dumps(values)


def _errors_text(errors: list[Any]) -> str:
    """The errors as JSON text. A violation may quote an output's text, which
    may hold a lone surrogate (valid in a Python str, not in UTF-8): such text
    is stored with \\u escapes, which read back as the same str."""
    text = jsondata.dumps(errors)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(errors, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return text


def _insert_validation_statement() -> sa.Insert:
    """INSERT ... SELECT: the team, name and version come from the contract row
    itself, so a record can never disagree with the registry, and a missing
    contract inserts nothing instead of failing on the foreign key. A record
    whose key is stored already inserts nothing either (the unique index
    backs this up). The record's own values are bound parameters, so that
    one statement serves a whole batch (executemany)."""
    v = tables.validations
    stored = sa.alias(v, "stored")
    key = sa.bindparam("record_key", type_=sa.String)
    source = sa.select(
        _C.c.id,
        _C.c.team_id,
        _C.c.contract_name,
        _C.c.version,
        sa.bindparam("subject", type_=sa.Text),
        sa.bindparam("passed", type_=sa.Boolean),
        sa.bindparam("errors", type_=sa.Text),
        sa.bindparam("duration_ms", type_=sa.Float),
        sa.bindparam("validated_at", type_=tables.UTCDateTime),
        key,
        sa.bindparam("outcome", type_=sa.String),
        sa.bindparam("metadata", type_=sa.Text),
        sa.bindparam("enforcement", type_=sa.String),
    ).where(
        _C.c.id == sa.bindparam("contract_id", type_=sa.String),
        ~sa.exists().where(stored.c.record_key == key),
    )
    return sa.insert(v).from_select(
        [
            v.c.contract_id,
            v.c.team_id,
            v.c.contract_name,
            v.c.version,
            v.c.subject,
            v.c.passed,
            v.c.errors,
            v.c.duration_ms,
            v.c.validated_at,
            v.c.record_key,
            v.c.outcome,
            v.c.metadata,
            v.c.enforcement,
        ],
        source,
    )


_INSERT_VALIDATION = _insert_validation_statement()
