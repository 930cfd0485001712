"""The one error hierarchy of pytest-contracts.

Every message names the team, contract and version where they apply, and says
what to do about it, so that a user never has to read a traceback to act.
"""

from __future__ import annotations

from typing import Any


class ContractError(Exception):
    """Base class of every error this package raises on purpose."""


class ContractNotFound(ContractError, LookupError):
    """No contract matches the id, or the team, name and version, asked for."""


class DuplicateContract(ContractError):
    """A version with this team, contract name and version already exists."""


class InvalidSchema(ContractError, ValueError):
    """A specification is not a valid JSON Schema, or is not JSON at all.

    ``path`` is a JSON Pointer into the specification where the problem sits.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class InvalidTransition(ContractError):
    """A lifecycle move that the state machine does not allow."""

    def __init__(
        self,
        message: str,
        *,
        team_id: str,
        contract_name: str,
        version: str,
        status: str,
        requested: str,
    ) -> None:
        super().__init__(message)
        self.team_id = team_id
        self.contract_name = contract_name
        self.version = version
        self.status = status
        self.requested = requested


class RegistryUnavailable(ContractError, ConnectionError):
    """The database (or a cache that was explicitly required) cannot be reached."""


def describe(team_id: Any, contract_name: Any, version: Any | None = None) -> str:
    """``team 'a', contract 'b', version 'v1'``: the phrase every message uses."""
    text = f"team {team_id!r}, contract {contract_name!r}"
    if version is not None:
        text += f", version {version!r}"
    return text


class InvalidArgument(ContractError, ValueError):
    """An argument the registry cannot take (an empty or over-long name, an
    unknown contract type or status), with the limit or the accepted values."""


class InvalidVersion(InvalidArgument):
    """A version that cannot come next: not greater than the newest version of
    its contract (``v1.0`` < ``v1.10`` < ``v2.0``)."""


class IncompatibleChange(ContractError):
    """A new version breaks what the contract's compatibility mode protects.

    ``report`` is the :class:`~pytest_contracts.compat.CompatReport` against
    the version it breaks (``against``); ``reports`` maps every version that
    was checked to its report, oldest first.
    """

    def __init__(
        self,
        message: str,
        *,
        team_id: str,
        contract_name: str,
        version: str,
        against: str,
        report: Any,
        reports: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.team_id = team_id
        self.contract_name = contract_name
        self.version = version
        self.against = against
        self.report = report
        self.reports = reports if reports is not None else {against: report}
