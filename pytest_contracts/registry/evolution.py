"""Deciding whether a new version may follow the versions a contract has.

Pure functions over specifications: :meth:`ContractManager.evolve_contract`
runs them inside its transaction, and ``pytest-contracts check`` and the
plugin's contract-file loading run them without writing anything, so that the
pre-merge gate and the registry always agree.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from ..compat import CompatReport, Mode, Policy, compare
from ..errors import IncompatibleChange, InvalidVersion, describe
from .versions import is_semantic, major, version_key


@dataclasses.dataclass(frozen=True, slots=True)
class ExistingVersion:
    """What the check needs of a version already in the registry. The
    specification may be given as stored JSON text instead: only the versions
    the mode compares are parsed, not a long history."""

    version: str
    status: str
    specification: Any = None
    specification_text: str | None = None

    def schema(self) -> Any:
        if self.specification_text is not None:
            return json.loads(self.specification_text)
        return self.specification


@dataclasses.dataclass(frozen=True, slots=True)
class EvolutionCheck:
    """The outcome of checking ``version`` against the versions before it."""

    team_id: str
    contract_name: str
    version: str
    mode: Mode
    policy: Policy
    base_version: str
    #: Each compared version's report, oldest first.
    reports: dict[str, CompatReport]
    #: None: "tell me"; True: an intended break; False: must not break.
    declared: bool | None
    forced: bool
    #: The greatest version that existed before this one.
    newest_existing: str

    @property
    def breaking_against(self) -> list[str]:
        """The compared versions that the new one breaks under the mode."""
        return [v for v, report in self.reports.items() if report.breaks(self.mode)]

    @property
    def breaking(self) -> bool:
        return bool(self.breaking_against)

    @property
    def unknown(self) -> int:
        return sum(len(report.unknown_changes()) for report in self.reports.values())

    @property
    def is_break(self) -> bool:
        """A break was found under the mode, or declared (``breaking_change=True``)."""
        return self.breaking or (self.declared is True and self.mode is not Mode.NONE)

    def refusal(self) -> IncompatibleChange | None:
        """The error that refuses this version, or None when it may be created."""
        if not self.is_break:
            return None
        what = describe(self.team_id, self.contract_name, self.version)
        against = self.breaking_against
        if against:
            first = against[0]
            changes = self.reports[first].breaking_changes(self.mode)
            found = (
                f"{what} breaks version {first!r} under {self.mode.value} "
                f"({self.policy.value} policy): "
                + "; ".join(f"{c.location or '/'}: {c.message}" for c in changes[:3])
                + ("; ..." if len(changes) > 3 else "")
            )
        else:
            first = next(iter(self.reports), self.base_version)
            found = f"{what} is declared a breaking change"
        if self.declared is False:
            return self._error(
                f"{found}. It was declared non-breaking (breaking_change=False): change the "
                "schema, or declare the break (breaking_change=True) with a new major version",
                first,
            )
        if self.forced:
            return None
        newest = self.newest_existing
        if not (is_semantic(self.version) and is_semantic(newest)):
            return self._error(
                f"{found}. A breaking change needs a new major version, and "
                f"{self.version!r} or {newest!r} is not a semantic version: pass force=True "
                "to record the break anyway",
                first,
            )
        new_major, old_major = major(self.version), major(newest)
        assert new_major is not None
        assert old_major is not None
        if new_major <= old_major:
            return self._error(
                f"{found}. A breaking change needs a new major version: use "
                f"v{old_major + 1}.0 instead of {self.version!r}, or pass force=True "
                "to record the break under this version",
                first,
            )
        return None

    def _error(self, message: str, against: str) -> IncompatibleChange:
        return IncompatibleChange(
            message,
            team_id=self.team_id,
            contract_name=self.contract_name,
            version=self.version,
            against=against,
            report=self.reports.get(against),
            reports=dict(self.reports),
        )

    def to_dict(self) -> dict[str, Any]:
        """What is stored with the version and shown in its history."""
        return {
            "mode": self.mode.value,
            "policy": self.policy.value,
            "base_version": self.base_version,
            "breaking": self.breaking,
            "breaking_against": self.breaking_against,
            "declared": self.declared,
            "forced": self.forced,
            "unknown": self.unknown,
            "checked": [
                {"version": version, "report": report.to_dict()}
                for version, report in self.reports.items()
            ],
        }


def check_evolution(
    *,
    team_id: str,
    contract_name: str,
    version: str,
    specification: Any,
    existing: Sequence[ExistingVersion],
    base_version: str,
    mode: Mode,
    policy: Policy,
    declared: bool | None = None,
    forced: bool = False,
) -> EvolutionCheck:
    """Compare ``specification`` with the versions the mode names: the latest
    (greatest) version, or under a ``_TRANSITIVE`` mode every earlier version
    that is not retired. Under ``NONE`` the latest version is still compared,
    for the record, but nothing is a break. ``base_version`` is the version
    the new one replaces (the active one), recorded with the check.

    Raises :class:`InvalidVersion` when ``version`` is not greater than every
    existing version."""
    if not existing:
        raise ValueError("check_evolution needs the versions that exist")
    newest = max(existing, key=lambda item: version_key(item.version))
    if version_key(version) <= version_key(newest.version):
        raise InvalidVersion(
            f"cannot evolve {describe(team_id, contract_name)} to version {version!r}: "
            f"it is not greater than the newest version {newest.version!r} "
            "(versions are ordered like v1.0 < v1.10 < v2.0); choose a greater version"
        )
    if mode.transitive:
        compared = sorted(
            (item for item in existing if item.status != "retired"),
            key=lambda item: version_key(item.version),
        )
    else:
        compared = [newest]
    reports = {
        item.version: compare(item.schema(), specification, policy=policy) for item in compared
    }
    return EvolutionCheck(
        team_id=team_id,
        contract_name=contract_name,
        version=version,
        mode=mode,
        policy=policy,
        base_version=base_version,
        reports=reports,
        declared=declared,
        forced=forced,
        newest_existing=newest.version,
    )


#: The statuses in which a version's unresolved break holds the gate by
#: itself: the version is in use (active) or waiting to be (draft).
_HELD_STATUSES = frozenset({"active", "draft"})


def unresolved_break(finding: dict[str, Any] | None) -> bool:
    """Whether a stored compatibility finding (``Contract.compatibility``) is a
    break that was neither declared (``"breaking_change": true`` in its file,
    or ``breaking_change=True`` to ``evolve_contract``) nor accepted by
    someone with a reason (:meth:`ContractManager.accept_break`)."""
    return bool(
        finding is not None
        and finding.get("breaking")
        and finding.get("declared") is not True
        and not finding.get("accepted")
    )


def holds_gate(
    version: str, status: str, finding: dict[str, Any] | None, active: str | None
) -> bool:
    """Whether a version in ``status`` with this finding fails every gated run
    of its contract, ``active`` being the contract's active version: an
    unresolved break that is active or a draft, or that a newer version has
    since replaced (the newer one was checked against the break, not against
    what the break broke, so the break is still in force). Rolled back (an
    older version active) or retired, it no longer holds."""
    if not unresolved_break(finding):
        return False
    if status in _HELD_STATUSES:
        return True
    return (
        status == "deprecated" and active is not None and version_key(active) > version_key(version)
    )


def describe_unresolved(team_id: str, contract_name: str, version: str, finding: Any) -> str:
    """One line that names an unresolved break and the three ways out."""
    against = ", ".join(finding.get("breaking_against") or []) or "the version before it"
    return (
        f"{describe(team_id, contract_name, version)} breaks {against} without declaring it, "
        'and nobody accepted it: declare it in its file ("breaking_change": true), accept '
        f"it (pytest-contracts accept {contract_name} {version} --by ACTOR --reason TEXT), "
        "or roll it back (activate another version, or retire it)"
    )
