"""Enums and the immutable records the registry returns.

Every record is a frozen dataclass that is also a read-only ``Mapping``, so
``contract.id`` and ``contract["id"]`` both work, ``dict(contract)`` gives a
plain dict, and ``to_dict()`` gives JSON-ready data.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from .errors import InvalidArgument

_E = TypeVar("_E", bound=enum.Enum)


def parse_enum(kind: type[_E], value: Any, what: str, normalise: Callable[[str], str]) -> _E:
    """``value`` as a member of ``kind``: a member already, or a string that
    names one once ``normalise`` has been applied; anything else is an
    :class:`InvalidArgument` that names ``what`` and every choice."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(normalise(value))
        except ValueError:
            pass
    raise InvalidArgument(
        f"unknown {what} {value!r}; use one of: " + ", ".join(member.value for member in kind)
    )


class ContractType(enum.StrEnum):
    """What a contract describes."""

    REST_API = "REST_API"
    MESSAGE_QUEUE = "MESSAGE_QUEUE"
    DATABASE_SCHEMA = "DATABASE_SCHEMA"
    PHASE_TRANSITION = "PHASE_TRANSITION"
    DATA_FORMAT = "DATA_FORMAT"
    EVENT = "EVENT"


class ContractStatus(enum.StrEnum):
    """Lifecycle state of one contract version."""

    DRAFT = "draft"
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


#: The moves the lifecycle allows. Activating an already active version is
#: handled separately: it is an idempotent re-affirmation, not a move.
ALLOWED_TRANSITIONS: Mapping[ContractStatus, frozenset[ContractStatus]] = {
    ContractStatus.DRAFT: frozenset({ContractStatus.ACTIVE, ContractStatus.RETIRED}),
    ContractStatus.ACTIVE: frozenset({ContractStatus.DEPRECATED}),
    ContractStatus.DEPRECATED: frozenset({ContractStatus.ACTIVE, ContractStatus.RETIRED}),
    ContractStatus.RETIRED: frozenset(),
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@dataclasses.dataclass(frozen=True, slots=True)
class Record(Mapping[str, Any]):
    """Base of the registry's records: attribute and item access alike."""

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
        return names

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: datetimes as ISO 8601 strings, enums as values."""
        return {name: _jsonable(getattr(self, name)) for name in self._names()}


@dataclasses.dataclass(frozen=True, slots=True)
class Contract(Record):
    """One version of a contract."""

    id: str
    team_id: str
    contract_name: str
    version: str
    contract_type: ContractType
    status: ContractStatus
    specification: Any
    description: str | None
    owner_role: str | None
    owner_agent: str | None
    revision: int
    previous_version_id: str | None
    breaking_change: bool | None
    evolved_by: str | None
    created_at: datetime
    activated_at: datetime | None
    deprecated_at: datetime | None
    retired_at: datetime | None
    #: The compatibility check made when this version was evolved: mode,
    #: policy, whether a break was found or declared, and each compared
    #: version's report (see the README's "Compatibility"); None otherwise.
    compatibility: dict[str, Any] | None = None
    #: ``"enforce"``: an output that breaks this version fails its check;
    #: ``"warn"`` (shadow): it is reported and recorded as "would have failed".
    enforcement: str = "enforce"


@dataclasses.dataclass(frozen=True, slots=True)
class ContractEvent(Record):
    """Something that happened to a contract version, by whom and when."""

    contract_id: str
    version: str
    event: str
    actor: str | None
    at: datetime
    details: dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryEntry(Record):
    """A version as history shows it: its state, timestamps and events."""

    id: str
    version: str
    revision: int
    status: ContractStatus
    contract_type: ContractType
    previous_version_id: str | None
    breaking_change: bool | None
    evolved_by: str | None
    created_at: datetime
    activated_at: datetime | None
    deprecated_at: datetime | None
    retired_at: datetime | None
    events: tuple[ContractEvent, ...]
    compatibility: dict[str, Any] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Consumer(Record):
    """An agent that reads data under a contract version."""

    contract_id: str
    consumer_agent: str
    consumer_role: str | None
    registered_at: datetime
    team_id: str = ""
    contract_name: str = ""
    version: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Validation(Record):
    """One check of one output against one contract version."""

    id: int
    contract_id: str
    team_id: str
    contract_name: str
    version: str
    subject: str
    passed: bool
    errors: list[Any]
    duration_ms: float
    validated_at: datetime
    #: ``"passed"``, ``"failed"`` or ``"error"`` (the output could not be judged).
    outcome: str = "passed"
    #: What the caller stored with the check (agent, model, attempt, ...), or None.
    metadata: dict[str, Any] | None = None
    #: The version's enforcement when it was checked, or None when not known.
    enforcement: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ContractSummary(Record):
    """A team's registry at a glance."""

    team_id: str
    contracts: int
    versions: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    active: list[dict[str, str]]
    consumers: int


@dataclasses.dataclass(frozen=True, slots=True)
class TeamCounts(Record):
    """One team of the registry: its distinct contracts, its versions, and
    how many of them are active."""

    team_id: str
    contracts: int
    versions: int
    active: int


@dataclasses.dataclass(frozen=True, slots=True)
class CompatibilitySettings(Record):
    """How a contract's new versions are checked: the mode (what must keep
    working) and the policy (how open object models are read)."""

    team_id: str
    contract_name: str
    mode: str
    policy: str
    explicit: bool


@dataclasses.dataclass(frozen=True, slots=True)
class ConsumerVerdict(Record):
    """Whether one registered consumer can read data of a version to deploy."""

    consumer_agent: str
    consumer_role: str | None
    reads_version: str
    compatible: bool
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class DeployVerdict(Record):
    """The answer of ``can_deploy``: ``deployable`` when every consumer can
    read data written under ``version``, with a verdict per consumer."""

    team_id: str
    contract_name: str
    version: str
    deployable: bool
    consumers: tuple[ConsumerVerdict, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class RestoreResult(Record):
    """What ``restore`` wrote: the teams and how many rows of each kind, and
    the teams whose earlier registry it replaced."""

    teams: tuple[str, ...]
    versions: int
    events: int
    consumers: int
    settings: int
    validations: int
    replaced: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class PruneResult(Record):
    """What ``prune`` removed (or, with ``dry_run``, would remove)."""

    team_id: str
    versions: tuple[str, ...]
    events: int
    validations: int
    consumers: int
    dry_run: bool
