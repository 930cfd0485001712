"""The registry's checks of its arguments, before anything is read or written.

Each refusal is an :class:`~pytest_contracts.errors.InvalidArgument` that
names the argument and what it must be. Contract files are checked with the
same functions, so that a file and a call are refused for the same reasons.
What a version is has one definition, :func:`check_version` in
:mod:`.versions`, used here for every new version.
"""

from __future__ import annotations

import re
from typing import Any

from ..defaults import MAX_NAME_LENGTH
from ..errors import InvalidArgument
from ..models import ContractStatus, ContractType, parse_enum
from .versions import check_version

#: The longest description or reason; any text, empty included.
MAX_LONG_TEXT = 10_000

_CONTROL = re.compile("[\x00-\x1f\x7f]")


def check_text(
    value: Any, field: str, limit: int, *, optional: bool = False, allow_empty: bool = False
) -> None:
    """A string of at most ``limit`` characters that UTF-8 can encode, and
    (unless ``allow_empty``) neither blank nor holding a control character."""
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise InvalidArgument(f"{field} must be a string, not {type(value).__name__}")
    if not value.strip() and not allow_empty:
        raise InvalidArgument(f"{field} must not be empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgument(
            f"{field} {value[:80]!r} is not valid text (it holds a lone surrogate)"
        ) from None
    if len(value) > limit:
        raise InvalidArgument(f"{field} is {len(value)} characters long; the limit is {limit}")
    if not allow_empty and _CONTROL.search(value) is not None:
        raise InvalidArgument(f"{field} {value[:80]!r} contains a control character")


def check_optional(**values: Any) -> None:
    """Actors, roles, reasons and descriptions: None or a string (a
    description or reason may hold any text, up to 10,000 characters)."""
    for field, value in values.items():
        long_text = field in ("description", "reason")
        check_text(
            value,
            field,
            MAX_LONG_TEXT if long_text else MAX_NAME_LENGTH,
            optional=True,
            allow_empty=long_text,
        )


def check_key(team_id: Any, contract_name: Any) -> None:
    """A team id and a contract name."""
    check_text(team_id, "team_id", MAX_NAME_LENGTH)
    check_text(contract_name, "contract_name", MAX_NAME_LENGTH)


def check_new_version(version: Any, field: str = "version") -> None:
    """A version about to be created: of the accepted form (see
    :func:`.versions.check_version`). A version already stored is looked up
    with :func:`check_text` only, so that one stored before the rule, which
    may not fit it, stays readable."""
    check_version(version, field)


def check_id(contract_id: object) -> None:
    """A version's id (whether it exists is the caller's question)."""
    if not isinstance(contract_id, str):
        raise InvalidArgument(f"contract_id must be a string, not {type(contract_id).__name__}")


def check_whole_number(name: str, value: Any, floor: int) -> None:
    """An int (not a bool) of at least ``floor``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < floor:
        raise InvalidArgument(f"{name} must be a whole number >= {floor}, not {value!r}")


def parse_contract_type(value: Any) -> ContractType:
    """A :class:`ContractType`, or its value in any case."""
    return parse_enum(ContractType, value, "contract_type", str.upper)


def parse_status(value: Any) -> ContractStatus:
    """A :class:`ContractStatus`, or its value in any case."""
    return parse_enum(ContractStatus, value, "status", str.lower)
