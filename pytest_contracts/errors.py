"""Every error pytest-contracts raises on purpose, in one place.

Every message names the team, contract and version where they apply, and says
what to do about it, so that a user never has to read a traceback to act.
The tree (public names are exported by ``pytest_contracts``)::

    Exception
    +-- ContractError                        base of every error a user may catch
    |   +-- ContractNotFound (LookupError)   no such id, or team/name/version
    |   +-- DuplicateContract                that version exists already
    |   +-- InvalidSchema (ValueError)       not a usable JSON Schema; .path
    |   +-- InvalidTransition                a lifecycle move not allowed
    |   +-- RegistryUnavailable (ConnectionError)   database or required cache down
    |   |   +-- RegistryDamaged                 corrupt database pages, a damaged meta row
    |   +-- InvalidArgument (ValueError)     a name, type or status the registry refuses
    |   |   +-- InvalidVersion               not greater than the newest version
    |   +-- IncompatibleChange               a new version breaks its mode; .report
    |   +-- ConfigurationError (ValueError)  a database or Redis setting that cannot work
    |   +-- ContractFileError                a contract file that cannot be loaded
    |   |   +-- NotRegularFile               a FIFO, device or folder: never read
    |   |   +-- BreakingChangeError          gate: an undeclared break; .findings
    |   +-- BackupError                      a backup that cannot be read or restored here
    |   +-- NotJSONData (TypeError)          an output that is not JSON data; .pointer
    |   +-- OutputTooLarge (ValueError)      an output over the size limit; .size
    |   +-- ContractViolation                a run-time verdict that blocks; .verdict
    +-- MarkerError (ValueError)             a phase_boundary / contract marker misused
    +-- PhaseOutputError                     phase_output.record used in a way that cannot work
    +-- SchemaUnusable                       internal: a schema the engine cannot apply
    +-- PatternError (ValueError)            a pattern that is not an ECMA 262 regex
    |   +-- NeedsBacktracking                internal: lookaround or a backreference
    +-- UsageFailure                         internal: the CLI's exit-2 user mistake

    BaseException
    +-- CheckTimedOut                        internal: a check ran past its time budget

    pytest.PytestWarning
    +-- ContractWarning                      a declared contract could not be checked

``ContractWarning`` is the one exception to "defined here": it derives from
pytest's warning class, and this module must not import pytest (the registry
and the run-time API use it without a test run). It lives with the plugin's
recorder, in :mod:`pytest_contracts.recorder`, and is exported by
``pytest_contracts`` like the rest.
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


class RegistryDamaged(RegistryUnavailable):
    """The registry database answers, but what it holds is damaged: corrupt
    pages, or a meta row the registry cannot read. The message names the
    database and what to do (restore a backup, or move the file away)."""


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
    """A version that is not one (not of the accepted form: ``v1.0``,
    ``2.1.3``, ``v2.0-rc.1``; the message shows the forms), or that cannot
    come next: not greater than the newest version of its contract (``v1.0``
    < ``v1.10`` < ``v2.0``)."""


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


class ConfigurationError(ContractError, ValueError):
    """A database or Redis setting that cannot work, with the way to fix it."""


class ContractFileError(ContractError):
    """A contract file that cannot be loaded; the message names the file."""


class NotRegularFile(ContractFileError):
    """A path that is not a regular file (a FIFO, a device, a folder): it is
    never read, because reading it could block or never end."""


class BreakingChangeError(ContractFileError):
    """Gate mode: contract files change a contract in a way that breaks it
    without declaring the break. ``findings`` holds every such finding."""

    def __init__(self, message: str, findings: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.findings = findings


class BackupError(ContractError):
    """A registry backup that cannot be read (damaged, not a backup, a format
    version this release does not read) or restored (the target team is not
    empty, or the database refused it); nothing was changed."""


class NotJSONData(ContractError, TypeError):
    """A value is not JSON data. ``pointer`` locates it, ``type_name`` names its type."""

    def __init__(self, message: str, *, pointer: str, type_name: str) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.type_name = type_name


class OutputTooLarge(ContractError, ValueError):
    """An output whose JSON text is larger than the limit. ``size`` is what was
    measured (at least this many bytes: measuring stops past the limit) and
    ``limit`` the limit, both in bytes."""

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class ContractViolation(ContractError):
    """An output checked at run time did not pass an enforced contract version
    (:meth:`ContractVerdict.raise_for_violations`). ``verdict`` is the
    :class:`~pytest_contracts.verdict.ContractVerdict`, with the violations
    and :meth:`~pytest_contracts.verdict.ContractVerdict.feedback`."""

    def __init__(self, message: str, *, verdict: Any) -> None:
        super().__init__(message)
        self.verdict = verdict


class MarkerError(ValueError):
    """A marker that cannot be used, with what is wrong."""


class PhaseOutputError(Exception):
    """``phase_output.record`` was used in a way that cannot work."""


class SchemaUnusable(Exception):
    """The schema cannot be applied (a ``$ref`` that cannot be resolved, say)."""


class UsageFailure(Exception):
    """A user mistake found by the command line itself: exit 2 with the message."""


class PatternError(ValueError):
    """A pattern that is not a regular expression either engine can run."""


class NeedsBacktracking(PatternError):
    """Internal: the pattern uses what only a backtracking engine runs."""


class CheckTimedOut(BaseException):
    """Internal: raised inside a check that ran past its time budget. A
    BaseException, so that no ``except Exception`` in a format checker or a
    validator swallows it."""
