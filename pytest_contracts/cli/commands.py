"""One handler per subcommand: ``handler(manager, args, out) -> exit code``.

Every handler takes the real :class:`ContractManager`, so that every call the
command line makes into the registry is type-checked.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import UsageFailure
from .output import EXIT_FINDING, EXIT_OK, WIDTH, Output, fail, warn

if TYPE_CHECKING:
    # Imported when a command runs, so that --help costs no SQLAlchemy.
    from ..models import CompatibilitySettings, Contract
    from ..registry.files import ContractFile
    from ..registry.manager import ContractManager

Handler = Callable[["ContractManager", argparse.Namespace, Output], Awaitable[int]]


async def replay_journals(cm: ContractManager, stream: TextIO) -> None:
    """Before any command: store the validation records that earlier runs
    left in this registry's journal, and say so on ``stream`` (stderr, so
    that ``--json`` output stays one document)."""
    from ..journal import journal_directory, replay

    done = await replay(cm, journal_directory(cm.state))
    line = done.describe()
    if line:
        stream.write(f"pytest-contracts: {line}\n")


async def list_versions(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    contracts = await cm.list_contracts(
        args.team, status=args.status, contract_type=args.contract_type
    )
    out.data([_brief(c) for c in contracts])
    if not contracts:
        from .names import team_hint

        hint = "" if args.status or args.contract_type else await team_hint(cm, args.team)
        out.line(f"team {args.team!r} has no contract versions{hint}")
        return EXIT_OK
    rows = [("CONTRACT", "VERSION", "STATUS", "TYPE")]
    rows += [(c.contract_name, c.version, c.status.value, c.contract_type.value) for c in contracts]
    out.table(rows)
    return EXIT_OK


def _brief(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.id,
        "team_id": contract.team_id,
        "contract_name": contract.contract_name,
        "version": contract.version,
        "status": contract.status.value,
        "contract_type": contract.contract_type.value,
    }


#: The command's names for what the JSON report of a run calls otherwise.
_KEYS = {"team": "team_id", "contract": "contract_name", "type": "contract_type"}


def json_keys(finding: dict[str, Any]) -> dict[str, Any]:
    """A compatibility finding (as the JSON report of a run writes it) with
    the keys every ``--json`` document uses: ``team_id``, ``contract_name``."""
    return {_KEYS.get(key, key): value for key, value in finding.items()}


async def _version(cm: ContractManager, team: str, name: str, version: str | None) -> Contract:
    """The named version; without one, the active version, else the newest."""
    from ..errors import ContractNotFound
    from ..registry.versions import version_key

    if version is not None:
        return await cm.get_contract_version(team, name, version)
    active = await cm.get_active_contract(team, name)
    if active is not None:
        return active
    versions = [c for c in await cm.list_contracts(team) if c.contract_name == name]
    if not versions:
        raise ContractNotFound(
            f"team {team!r} has no contract {name!r}; 'pytest-contracts list' shows "
            "the contracts there are"
        )
    return max(versions, key=lambda c: version_key(c.version))


async def show(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    contract = await _version(cm, args.team, args.name, args.version)
    out.data(contract.to_dict())
    out.line(f"{contract.contract_name} {contract.version} ({contract.status.value})")
    out.line(f"  id:      {contract.id}")
    out.line(f"  team:    {contract.team_id}")
    out.line(f"  type:    {contract.contract_type.value}")
    out.line(f"  owner:   {contract.owner_agent or '-'} ({contract.owner_role or '-'})")
    out.line(f"  created: {contract.created_at:%Y-%m-%d %H:%M:%S} UTC")
    if contract.description:
        out.wrapped(f"description: {contract.description}")
    out.line("schema:")
    out.line(textwrap.indent(json.dumps(contract.specification, indent=2), "  "))
    return EXIT_OK


async def history(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    history = await cm.get_contract_history(
        args.team, args.name, limit=args.limit, after=args.after
    )
    if not history and args.after is None:
        from ..errors import ContractNotFound

        raise ContractNotFound(
            f"team {args.team!r} has no contract {args.name!r}; 'pytest-contracts list' "
            "shows the contracts there are"
        )
    out.data([entry.to_dict() for entry in history])
    for entry in history:
        flag = ", breaking" if entry.breaking_change else ""
        out.line(f"{entry.version}  {entry.status.value}{flag}  (revision {entry.revision})")
        compat = entry.compatibility
        if compat:
            against = ", ".join(item["version"] for item in compat["checked"]) or "-"
            verdict = "breaks" if compat["breaking"] else "compatible with"
            out.line(f"  {verdict} {against} [{compat['mode']}, {compat['policy']}]")
            accepted = compat.get("accepted")
            if accepted:
                out.line(f"  break accepted by {accepted['by']}: {accepted['reason']}")
        for event in entry.events:
            who = f" by {event.actor}" if event.actor else ""
            out.line(f"  {event.at:%Y-%m-%d %H:%M:%S} {event.event}{who}")
    return EXIT_OK


async def diff(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from ..compat import Mode, Policy, compare

    old = await cm.get_contract_version(args.team, args.name, args.old)
    new = await cm.get_contract_version(args.team, args.name, args.new)
    settings = await cm.get_compatibility(args.team, args.name)
    mode = Mode.parse(args.mode or settings.mode)
    policy = Policy.parse(args.policy or settings.policy)
    report = compare(old.specification, new.specification, policy=policy)
    breaks = report.breaks(mode)
    out.data(
        {
            "team_id": args.team,
            "contract_name": args.name,
            "old": args.old,
            "new": args.new,
            "mode": mode.value,
            "policy": policy.value,
            "breaking": breaks,
            "report": report.to_dict(),
        }
    )
    verdict = "BREAKING" if breaks else "compatible"
    out.line(f"{args.name} {args.old} -> {args.new}: {verdict} [{mode.value}, {policy.value}]")
    for line in report.render(width=WIDTH - 2):
        out.line(f"  {line}")
    return EXIT_FINDING if breaks else EXIT_OK


def _read_files(args: argparse.Namespace) -> list[ContractFile]:
    """The contract files at the command's path, else in the project's
    ``contracts_dir``."""
    from ..registry.files import read_contract_dir, read_contract_file

    team = args.team
    if args.path is None:
        if args.settings.contracts_dir is None:
            raise UsageFailure(
                f"name the contract files: pytest-contracts {args.command} "
                f"{'FILE_OR_DIR' if args.command == 'check' else 'DIR'}, or set "
                "contracts_dir in the project's pytest configuration"
            )
        path_text = str(args.settings.contracts_dir)
    else:
        path_text = args.path
    path = Path(path_text)
    if path.is_dir():
        return read_contract_dir(path, team, warn=warn)
    if path.exists():  # a FIFO or a device is refused by the reader, unread
        return [read_contract_file(path, team)]
    raise UsageFailure(f"{path_text}: no such file or directory")


async def check(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from ..registry.loading import describe_plan, plan_contract_files

    plans = await plan_contract_files(cm, _read_files(args))
    failing = [
        plan
        for plan in plans
        if plan.action == "conflict" or plan.problem is not None or plan.undeclared_break
    ]
    out.data(
        {
            "ok": not failing,
            "files": [
                {
                    "file": str(plan.file.path),
                    "team_id": plan.file.team,
                    "contract_name": plan.file.name,
                    "version": plan.file.version,
                    "action": plan.action,
                    "problem": plan.problem,
                    "undeclared_break": plan.undeclared_break,
                    "compatibility": (
                        json_keys(plan.finding())
                        if plan.check is not None or plan.unresolved
                        else None
                    ),
                }
                for plan in plans
            ],
        }
    )
    for plan in plans:
        for line in describe_plan(plan):
            out.line(line)
    if failing:
        out.line(f"check FAILED: {len(failing)} of {len(plans)} file(s) would break or conflict")
        return EXIT_FINDING
    out.line(f"check passed: {len(plans)} file(s)")
    return EXIT_OK


async def load(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from ..errors import BreakingChangeError
    from ..registry.loading import load_contract_files

    files = _read_files(args)
    try:
        result = await load_contract_files(cm, files, gate=args.gate)
    except BreakingChangeError as exc:
        message = out.words(str(exc))
        out.data({"ok": False, "error": message, "findings": [json_keys(f) for f in exc.findings]})
        out.as_json = False  # the document is written; the error goes to stderr
        return fail(message, EXIT_FINDING)
    out.data(
        {
            "ok": True,
            "files": result.files,
            "created": result.created,
            "activated": result.activated,
            "unchanged": result.unchanged,
            "compatibility": [json_keys(f) for f in result.findings],
        }
    )
    out.line(f"loaded {result.summary()}")
    for finding in result.findings:
        if finding["breaking"]:
            out.line(f"  breaking change recorded: {finding['contract']} {finding['version']}")
    return EXIT_OK


async def lifecycle(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    contract = await cm.get_contract_version(args.team, args.name, args.version)
    if args.command == "activate":
        result = await cm.activate_contract(contract.id, activated_by=args.by)
    elif args.command == "deprecate":
        result = await cm.deprecate_contract(contract.id, deprecated_by=args.by, reason=args.reason)
    else:
        result = await cm.retire_contract(contract.id, retired_by=args.by, reason=args.reason)
    out.data(result.to_dict())
    out.line(f"{result.contract_name} {result.version} is now {result.status.value}")
    return EXIT_OK


async def consumers(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    if args.register:
        await cm.register_consumer(
            consumer_agent=args.register,
            consumer_role=args.role,
            team_id=args.team,
            contract_name=args.name,
            version=args.version,
        )
    elif args.version or args.role:
        raise UsageFailure("--version and --role go with --register AGENT")
    else:
        await _version(cm, args.team, args.name, None)  # the contract must exist
    consumers = await cm.get_consumers(args.team, args.name)
    out.data([c.to_dict() for c in consumers])
    if not consumers:
        out.line(f"contract {args.name!r} has no registered consumer")
        return EXIT_OK
    rows = [("CONSUMER", "READS", "ROLE")]
    rows += [(c.consumer_agent, c.version, c.consumer_role or "-") for c in consumers]
    out.table(rows)
    return EXIT_OK


async def can_i_deploy(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    verdict = await cm.can_deploy(args.team, args.name, args.version)
    out.data(verdict.to_dict())
    answer = "yes" if verdict.deployable else "NO"
    out.line(f"can {args.name} {args.version} be deployed? {answer}")
    if not verdict.consumers:
        out.line("  no consumer is registered")
    for consumer in verdict.consumers:
        mark = "ok " if consumer.compatible else "BREAKS"
        out.wrapped(
            f"{mark} {consumer.consumer_agent} (reads {consumer.reads_version}): {consumer.reason}"
        )
    return EXIT_OK if verdict.deployable else EXIT_FINDING


async def summary(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    summary = await cm.get_contract_summary(args.team)
    out.data(summary.to_dict())
    out.line(
        f"team {summary.team_id}: {summary.contracts} contract(s), "
        f"{summary.versions} version(s), {summary.consumers} consumer(s)"
    )
    out.line(
        "  by status: "
        + ", ".join(f"{key} {value}" for key, value in summary.by_status.items() if value)
    )
    out.line(
        "  by type:   "
        + ", ".join(f"{key} {value}" for key, value in summary.by_type.items() if value)
    )
    for item in summary.active:
        out.line(f"  active: {item['contract_name']} {item['version']}")
    return EXIT_OK


async def compatibility(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    if args.mode or args.policy:
        settings = await cm.set_compatibility(
            args.team, args.name, mode=args.mode, policy=args.policy, set_by="pytest-contracts"
        )
    else:
        settings = await cm.get_compatibility(args.team, args.name)
        if not settings.explicit:
            from .names import warn_if_unknown

            await warn_if_unknown(cm, args.team, args.name)
    out.data(settings.to_dict())
    origin = "" if settings.explicit else " (defaults)"
    out.line(f"{args.name}: mode {settings.mode}, policy {settings.policy}{origin}")
    return EXIT_OK


async def export(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from ..registry.files import contract_document, write_contract_files

    contracts = await cm.list_contracts(args.team)
    settings: dict[str, CompatibilitySettings] = {}
    documents = []
    for contract in contracts:
        name = contract.contract_name
        if name not in settings:
            settings[name] = await cm.get_compatibility(args.team, name)
        documents.append(contract_document(contract, settings[name]))
    target = Path(args.path)
    written = write_contract_files(target, documents)
    out.data({"directory": str(target), "files": [str(p) for p in written]})
    out.line(f"exported {len(written)} version(s) to {target}")
    return EXIT_OK


async def prune(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from .names import warn_if_unknown

    await warn_if_unknown(cm, args.team, args.contract)
    result = await cm.prune(
        args.team,
        keep_last=args.keep_last,
        contract_name=args.contract,
        keep_validations=args.keep_validations,
        dry_run=args.dry_run,
    )
    out.data(result.to_dict())
    verb = "would remove" if result.dry_run else "removed"
    out.line(
        f"{verb} {len(result.versions)} version(s), {result.validations} validation "
        f"record(s), {result.events} event(s), {result.consumers} consumer registration(s)"
    )
    for version in result.versions:
        out.line(f"  {version}")
    return EXIT_OK


async def html_page(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    """The team's registry as one self-contained HTML page."""
    from ..config import mask_url
    from ..htmlreport.registry import gather, render_registry
    from ..reporting import write_text_atomically

    target = Path(args.out)
    _writable_file(target)
    contracts = await gather(cm, args.team, recent=args.validations)
    text = render_registry(args.team, mask_url(cm.state.database_url), contracts)
    try:
        write_text_atomically(target, text)
    except OSError as exc:
        raise UsageFailure(f"cannot write {target}: {exc.strerror or exc}") from None
    out.data(
        {
            "file": str(target),
            "bytes": len(text.encode()),
            "team_id": args.team,
            "contracts": len(contracts),
            "versions": sum(len(c.versions) for c in contracts),
        }
    )
    out.line(
        f"wrote {target}: team {args.team!r}, {len(contracts)} contract(s), "
        f"{sum(len(c.versions) for c in contracts)} version(s)"
    )
    return EXIT_OK


def _writable_file(target: Path) -> None:
    """Refuse a target that is a folder, before the registry is read."""
    if target.is_dir():
        raise UsageFailure(
            f"{target} is a directory; give a file name such as {target / 'registry.html'}"
        )
