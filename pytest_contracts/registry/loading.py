"""Loading contract files into the registry, and planning it first.

Loading is idempotent: a version the registry lacks is created, the same
version with the same schema changes nothing, and the same version with
another schema is refused, because versions are immutable. A version that
follows existing ones is evolved from them, so it is checked for
compatibility first; a version older than the newest one is added as a draft
without a check (history back-filled).

Activation follows one rule, decided and done in one transaction under the
contract's lock (:func:`~.lifecycle.activate_if_newest`): the
newest version of the files is activated when it is the newest version the
registry holds at that moment, when this load created it or it is
deprecated, and when nobody but the loader (:data:`LOADER`) has activated or
deprecated a version of the contract since it was created. So two loads that
race never leave an older version active, a load repairs what an older
loader's race left behind, and a rollback made by anyone else is kept.

An undeclared break (a new version that breaks the one before it while its
file does not say ``"breaking_change": true``) is never activated by a load.
Under the gate it is refused before anything is written; without the gate it
is created as a draft, the version active before stays active, and the load
warns (:attr:`LoadResult.warnings`). While the registry holds such a break,
active or draft, that nobody declared or accepted (see
:func:`.evolution.holds_gate`), a gated load of its contract's files fails
naming it, and so does ``pytest-contracts check``, until its file declares
it (the load then records the declaration and activates it), someone
accepts it with a reason (:meth:`~.lifecycle.Lifecycle.accept_break`), or it
is rolled back (another version activated, or the break retired).

:func:`plan_contract_files` works all of that out without writing anything:
it is the pre-merge check of ``pytest-contracts check``. The files' format is
:mod:`pytest_contracts.registry.files`.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..compat import Mode, Policy
from ..errors import (
    BreakingChangeError,
    ContractError,
    ContractNotFound,
    DuplicateContract,
    InvalidVersion,
    describe,
)
from ..jsondata import canonical
from ..models import Contract, ContractStatus
from .base import RegistryPart
from .decisions import declare_break
from .evolution import (
    EvolutionCheck,
    ExistingVersion,
    check_evolution,
    describe_unresolved,
    holds_gate,
    unresolved_break,
)
from .files import ContractFile, file_error, read_contract_dir
from .lifecycle import activate_if_newest
from .versions import version_key, version_problem

if TYPE_CHECKING:
    from .manager import ContractManager

#: The actor the loader records for what it does; an activation or
#: deprecation by any other actor is a decision the loader keeps.
LOADER = "pytest-contracts loader"


@dataclasses.dataclass(frozen=True, slots=True)
class Unresolved:
    """A version the registry holds as a break nobody declared or accepted."""

    version: str
    status: str
    finding: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "status": self.status,
            "breaking_against": self.finding.get("breaking_against", []),
        }


@dataclasses.dataclass(frozen=True, slots=True)
class FilePlan:
    """What loading one file would do: ``new`` (a contract's first version),
    ``evolve`` (a version after existing ones, with its compatibility
    ``check``), ``backfill`` (older than the newest version), ``unchanged``,
    ``conflict`` (the version exists with another schema) or ``refused`` (a
    version to create that is not one: see :mod:`.versions`). ``problem`` says
    why the file would be refused, if it would; ``status`` is the registered
    version's status, and ``registered`` its stored compatibility finding,
    for an unchanged file. ``unresolved`` names the versions of the file's
    contract that the registry holds as breaks nobody declared or accepted
    (active or draft); each is named on its own file's plan, or, when the
    files lack it, on the plan of the contract's newest file."""

    file: ContractFile
    action: str
    check: EvolutionCheck | None = None
    problem: str | None = None
    status: str | None = None
    registered: dict[str, Any] | None = None
    unresolved: tuple[Unresolved, ...] = ()

    @property
    def new_undeclared_break(self) -> bool:
        """This file's version is new and breaks its predecessor undeclared."""
        return (
            self.check is not None and self.check.breaking and self.file.breaking_change is not True
        )

    @property
    def undeclared_break(self) -> bool:
        """The gate refuses this file: its new version breaks undeclared, or
        the registry holds an unresolved break of its contract."""
        return self.new_undeclared_break or bool(self.unresolved)

    @property
    def declares_registered_break(self) -> bool:
        """The file now declares the break its registered version was found to make."""
        return self.file.breaking_change is True and unresolved_break(self.registered)

    def finding(self) -> dict[str, Any]:
        """The compatibility finding of an evolution, as reports show it; for
        a file whose contract holds unresolved breaks, the versions that do."""
        if self.check is None:
            return {
                "file": str(self.file.path),
                "team": self.file.team,
                "contract": self.file.name,
                "version": self.file.version,
                "unresolved": [entry.to_dict() for entry in self.unresolved],
                "problem": self.problem,
            }
        check = self.check
        return {
            "file": str(self.file.path),
            "team": self.file.team,
            "contract": self.file.name,
            "version": self.file.version,
            "against": list(check.reports),
            "mode": check.mode.value,
            "policy": check.policy.value,
            "breaking": check.breaking,
            "declared": self.file.breaking_change,
            "unknown": check.unknown,
            "changes": [
                {"against": version, **change.to_dict()}
                for version, report in check.reports.items()
                for change in report.changes
                if change.kind != "metadata.changed"
            ],
            "unresolved": [entry.to_dict() for entry in self.unresolved],
            "problem": self.problem,
        }


@dataclasses.dataclass
class LoadResult:
    files: int = 0
    created: list[str] = dataclasses.field(default_factory=list)
    activated: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    #: The compatibility finding of every evolved version (see FilePlan.finding).
    findings: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: Undeclared breaks a load without the gate kept as drafts, or found
    #: unresolved in the registry: one line each, naming the version.
    warnings: list[str] = dataclasses.field(default_factory=list)
    #: Existing versions whose enforcement their file changed: "team/name v: a -> b".
    enforcement: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        """One line of counts, then one ``warning:`` line per warning."""
        line = (
            f"{self.files} contract file{'s' if self.files != 1 else ''}: "
            f"{len(self.created)} created, {len(self.activated)} activated, "
            f"{self.unchanged} unchanged"
        )
        if self.enforcement:
            line += f", {len(self.enforcement)} changed enforcement"
        return "\n".join([line] + [f"warning: {text}" for text in self.warnings])


async def plan_contract_files(
    manager: ContractManager, files: list[ContractFile]
) -> list[FilePlan]:
    """What :func:`load_contract_files` would do with each file, reading the
    registry and writing nothing: the pre-merge gate. Files are planned per
    contract in version order, each new version checked against the
    registry's versions and the files' versions before it."""
    plans: list[FilePlan] = []
    by_team: dict[str, list[Contract]] = {}  # one listing per team, not per contract
    for (team, name), group in _by_contract(files).items():
        if team not in by_team:
            by_team[team] = await manager.list_contracts(team)
        registered = [c for c in by_team[team] if c.contract_name == name]
        settings = await manager.get_compatibility(team, name)
        mode = Mode.parse(_last(group, "compatibility") or settings.mode)
        policy = Policy.parse(_last(group, "policy") or settings.policy)
        existing = {
            c.version: ExistingVersion(c.version, c.status.value, c.specification)
            for c in registered
        }
        findings = {c.version: c.compatibility for c in registered}
        declared_now = {item.version for item in group if item.breaking_change is True}
        unresolved = tuple(
            Unresolved(c.version, c.status.value, c.compatibility)
            for c in gate_holders(registered)
            if c.compatibility is not None and c.version not in declared_now
        )
        first_plan = len(plans)
        active = [c.version for c in registered if c.status is ContractStatus.ACTIVE]
        if active:
            base: str | None = active[0]
        else:
            base = max((c.version for c in registered), key=version_key, default=None)
        for item in group:
            known = existing.get(item.version)
            problem = None if known is not None else version_problem(item.version)
            if problem is not None:
                # A file may name a version stored before the rule on versions;
                # a version it would create must be one.
                plans.append(FilePlan(item, "refused", problem=problem))
                continue
            if known is not None:
                if canonical(known.specification) == canonical(item.schema):
                    plans.append(
                        FilePlan(
                            item,
                            "unchanged",
                            status=known.status,
                            registered=findings.get(item.version),
                        )
                    )
                else:
                    plans.append(FilePlan(item, "conflict", problem=_conflict(item)))
                continue
            newest = max(existing, key=version_key) if existing else None
            if newest is None or base is None:
                plans.append(FilePlan(item, "new"))
            elif version_key(item.version) < version_key(newest):
                plans.append(FilePlan(item, "backfill"))
                existing[item.version] = ExistingVersion(item.version, "draft", item.schema)
                continue
            else:
                try:
                    check = check_evolution(
                        team_id=team,
                        contract_name=name,
                        version=item.version,
                        specification=item.schema,
                        existing=list(existing.values()),
                        base_version=base,
                        mode=mode,
                        policy=policy,
                        declared=item.breaking_change,
                        forced=item.force,
                    )
                except InvalidVersion as exc:  # equal to the newest, spelt otherwise
                    plans.append(FilePlan(item, "conflict", problem=str(exc)))
                    continue
                refusal = check.refusal()
                plans.append(
                    FilePlan(item, "evolve", check, None if refusal is None else str(refusal))
                )
            # Loaded versions stay drafts until the end: the active one stays the base.
            existing[item.version] = ExistingVersion(item.version, "draft", item.schema)
            if base is None or not active:
                base = max(existing, key=version_key)
        _name_unresolved(plans, first_plan, unresolved)
    return plans


def _name_unresolved(plans: list[FilePlan], start: int, unresolved: tuple[Unresolved, ...]) -> None:
    """Put each unresolved version on its own file's plan among
    ``plans[start:]`` (one contract's), or on the plan of the newest file."""
    if not unresolved:
        return
    index = {plan.file.version: i for i, plan in enumerate(plans) if i >= start}
    named: dict[int, list[Unresolved]] = defaultdict(list)
    for entry in unresolved:
        named[index.get(entry.version, len(plans) - 1)].append(entry)
    for i, versions in named.items():
        plans[i] = dataclasses.replace(plans[i], unresolved=tuple(versions))


async def unresolved_breaks(
    manager: ContractManager, contracts: Iterable[tuple[str, str]]
) -> list[str]:
    """One line for each version of these (team, contract) pairs that the
    registry holds as an unresolved break (see :func:`.evolution.holds_gate`):
    what a gated run that checked outputs against them fails on."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for team, name in contracts:
        wanted[team].add(name)
    lines = []
    for team in sorted(wanted):
        listed = await manager.list_contracts(team)
        for name in sorted(wanted[team]):
            for c in gate_holders([c for c in listed if c.contract_name == name]):
                lines.append(describe_unresolved(team, name, c.version, c.compatibility))
    return lines


def gate_holders(versions: list[Contract]) -> list[Contract]:
    """The versions of one contract whose unresolved break holds the gate
    (see :func:`.evolution.holds_gate`), oldest first."""
    active = next((c.version for c in versions if c.status is ContractStatus.ACTIVE), None)
    return [
        c
        for c in sorted(versions, key=lambda c: version_key(c.version))
        if holds_gate(c.version, c.status.value, c.compatibility, active)
    ]


def _by_contract(files: list[ContractFile]) -> dict[tuple[str, str], list[ContractFile]]:
    groups: dict[tuple[str, str], list[ContractFile]] = defaultdict(list)
    for item in files:
        groups[(item.team, item.name)].append(item)
    for group in groups.values():
        group.sort(key=lambda f: version_key(f.version))
    return groups


def _last(group: list[ContractFile], field: str) -> str | None:
    """The value the newest file that sets ``field`` gives it."""
    values = [getattr(item, field) for item in group if getattr(item, field) is not None]
    return values[-1] if values else None


def _conflict(item: ContractFile) -> str:
    return (
        f"team {item.team!r}, contract {item.name!r}, version {item.version!r} is "
        "already registered with a different schema; versions are immutable: give "
        "the changed schema a new version"
    )


def describe_plan(plan: FilePlan) -> list[str]:
    """A file's plan for a terminal: the file and version on one line, the
    verdict and any changes below it, each line under 80 columns."""
    item, check = plan.file, plan.check
    lines = [f"{item.path}: {item.team}/{item.name} {item.version}"]
    if plan.action == "new":
        lines.append("  new contract")
    elif plan.action == "unchanged":
        lines.append("  unchanged")
    elif plan.action == "backfill":
        lines.append("  older than the newest version: added as a draft, unchecked")
    elif plan.action == "conflict":
        lines.extend(_wrap(f"CONFLICT: {plan.problem}"))
    elif plan.action == "refused":
        lines.extend(_wrap(f"REFUSED: {plan.problem}"))
    else:
        assert check is not None
        against = ", ".join(check.reports) or "-"
        if check.breaking:
            verdict = "BREAKING (declared)" if item.breaking_change else "BREAKING (not declared)"
        else:
            verdict = "compatible"
        lines.append(f"  {verdict} vs {against} [{check.mode.value}, {check.policy.value}]")
        for version, report in check.reports.items():
            prefix = f"    vs {version}: " if len(check.reports) > 1 else "    "
            lines.extend(prefix + line for line in report.render(width=76 - len(prefix)))
        if plan.problem:
            lines.extend(_wrap(f"refused: {plan.problem}"))
    if plan.declares_registered_break:
        lines.append("  its break is declared now: loading records the declaration")
    for entry in plan.unresolved:
        text = describe_unresolved(item.team, item.name, entry.version, entry.finding)
        lines.extend(_wrap(f"UNRESOLVED BREAK ({entry.status}): {text}"))
    return lines


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 78, initial_indent="  ", subsequent_indent="    ")


async def load_contract_files(
    manager: ContractManager, files: list[ContractFile], *, gate: bool = False
) -> LoadResult:
    """Bring the registry in line with the files (see the module docstring).

    With ``gate``, a file whose version breaks its predecessor without
    declaring ``"breaking_change": true`` stops the load before anything is
    written (:class:`BreakingChangeError`, with the findings)."""
    result = LoadResult(files=len(files))
    plans = await plan_contract_files(manager, files)
    for plan in plans:
        if plan.action == "conflict":
            raise file_error(plan.file.path, plan.problem or "conflict")
    if gate:
        undeclared = [plan for plan in plans if plan.undeclared_break]
        if undeclared:
            lines = [line for plan in undeclared for line in describe_plan(plan)]
            raise BreakingChangeError(
                f"{len(undeclared)} contract file(s) break their contract without declaring "
                'it (add "breaking_change": true and a new major version, keep the schema '
                "compatible, or accept the break: pytest-contracts accept NAME VERSION --by "
                "ACTOR --reason TEXT):\n" + "\n".join(lines),
                [plan.finding() for plan in undeclared],
            )
    for plan in plans:
        if plan.problem is not None and plan.action == "evolve":
            raise BreakingChangeError(
                f"contract file {plan.file.path}: {plan.problem}", [plan.finding()]
            )
        if plan.problem is not None:
            raise file_error(plan.file.path, plan.problem)
    groups = _by_contract(files)
    for (team, name), group in groups.items():
        mode, policy = _last(group, "compatibility"), _last(group, "policy")
        if mode is not None or policy is not None:
            current = await manager.get_compatibility(team, name)
            if (mode and Mode.parse(mode).value != current.mode) or (
                policy and Policy.parse(policy).value != current.policy
            ):
                await manager.set_compatibility(team, name, mode, policy, set_by=LOADER)
    by_file = {id(plan.file): plan for plan in plans}
    for (team, name), group in groups.items():
        created = set()
        group_plans = [by_file[id(item)] for item in group]
        for item, plan in zip(group, group_plans, strict=True):
            if plan.declares_registered_break:
                await declare_break(manager, team, name, item.version, item.owner_agent or LOADER)
            if await _ensure_version(manager, item, plan):
                created.add(item.version)
                result.created.append(f"{team}/{name} {item.version}")
                if plan.check is not None:
                    result.findings.append(plan.finding())
            else:
                result.unchanged += 1
                if item.enforcement is not None:
                    await _follow_enforcement(manager, item, result)
            if plan.new_undeclared_break:
                assert plan.check is not None
                result.warnings.append(_kept_as_draft(plan.file, plan.check))
            result.warnings.extend(
                describe_unresolved(team, name, entry.version, entry.finding)
                for entry in plan.unresolved
            )
        if any(plan.undeclared_break for plan in group_plans):
            continue  # an undeclared break is never activated, nor anything after it
        newest, plan = group[-1], group_plans[-1]
        # Only a version this load created, one that is deprecated (which a
        # race of older loaders may have left), or a draft whose break is now
        # declared or accepted is a candidate: the rule itself is decided
        # again under the contract's lock.
        released = plan.status == ContractStatus.DRAFT.value and bool(
            (plan.registered or {}).get("breaking")
        )
        if newest.version in created or plan.status == ContractStatus.DEPRECATED.value or released:
            if unresolved_break(plan.registered) and not plan.declares_registered_break:
                continue  # rolled back and still unresolved: never activated by a load
            activated = await activate_if_newest(manager, team, name, newest.version, LOADER)
            if activated is not None:
                result.activated.append(f"{team}/{name} {newest.version}")
    return result


async def _follow_enforcement(
    manager: ContractManager, item: ContractFile, result: LoadResult
) -> None:
    """An existing version whose file says another enforcement takes it (an
    ``enforcement`` event in its history)."""
    existing = await manager.get_contract_version(item.team, item.name, item.version)
    if item.enforcement is not None and existing.enforcement != item.enforcement:
        await manager.set_enforcement(existing.id, item.enforcement, LOADER)
        result.enforcement.append(
            f"{item.team}/{item.name} {item.version}: {existing.enforcement} -> {item.enforcement}"
        )


def _kept_as_draft(item: ContractFile, check: EvolutionCheck) -> str:
    against = ", ".join(check.breaking_against)
    return (
        f"{describe(item.team, item.name, item.version)} breaks {against} without declaring "
        "it: loaded as a draft and not activated (the version active now stays active); gated "
        'runs fail until it is declared in its file ("breaking_change": true), accepted '
        f"(pytest-contracts accept {item.name} {item.version} --by ACTOR --reason TEXT) or "
        "retired"
    )


async def _ensure_version(manager: ContractManager, item: ContractFile, plan: FilePlan) -> bool:
    """Create the version unless it exists; True when it was created."""
    if plan.action == "unchanged":
        return False  # the plan has just compared it with the registry
    for _ in range(2):
        try:
            existing = await manager.get_contract_version(item.team, item.name, item.version)
        except ContractNotFound:
            try:
                if plan.action == "evolve":
                    await manager.evolve_contract(
                        team_id=item.team,
                        contract_name=item.name,
                        new_version=item.version,
                        new_specification=item.schema,
                        evolved_by=item.owner_agent or LOADER,
                        breaking_change=item.breaking_change,
                        description=item.description,
                        force=item.force,
                        enforcement=item.enforcement or "enforce",
                    )
                else:
                    await manager.create_contract(
                        team_id=item.team,
                        contract_name=item.name,
                        version=item.version,
                        contract_type=item.type,
                        specification=item.schema,
                        owner_role=item.owner_role,
                        owner_agent=item.owner_agent,
                        description=item.description,
                        enforcement=item.enforcement or "enforce",
                    )
            except DuplicateContract:
                continue  # created meanwhile by another session: compare with it
            except ContractError as exc:
                raise file_error(item.path, str(exc)) from None
            return True
        if canonical(existing.specification) != canonical(item.schema):
            raise file_error(item.path, _conflict(item))
        return False
    raise file_error(item.path, "the version kept changing while it was loaded; run again")


class ContractFiles(RegistryPart):
    """Loading a folder of contract files from Python (what the plugin's
    ``--contracts-dir`` and ``pytest-contracts load`` do)."""

    async def load_contract_dir(
        self, directory: str | os.PathLike[str], team_id: str, *, gate: bool = False
    ) -> LoadResult:
        """Bring the registry in line with every ``*.json`` contract file
        below ``directory`` (files that name no team belong to ``team_id``):
        new versions are created and the newest activated, unchanged ones
        left alone. With ``gate``, an undeclared break stops the load before
        anything is written (:class:`BreakingChangeError`); without it, such a
        version is kept as a draft and named in the result's ``warnings``.
        Raises :class:`ContractFileError` for a file that cannot be loaded."""
        files = read_contract_dir(Path(directory), team_id)
        return await load_contract_files(self, files, gate=gate)  # type: ignore[arg-type]
