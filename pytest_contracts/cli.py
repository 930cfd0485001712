"""The ``pytest-contracts`` command: the registry from a shell or a CI job.

Exit codes: 0 fine; 1 a breaking change, a version that cannot be deployed, or
a conflict found by ``check``; 2 a usage or input error (bad arguments, a
missing contract, a corrupt contract file); 3 the registry cannot be reached.
Errors are one line on stderr. Every subcommand takes ``--json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import textwrap
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .defaults import DEFAULT_TEAM
from .errors import UsageFailure

if TYPE_CHECKING:
    # Imported when a command runs, so that --help costs no SQLAlchemy.
    from .models import CompatibilitySettings, Contract
    from .registry.files import ContractFile
    from .registry.manager import ContractManager

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3
WIDTH = 80

Handler = Callable[["ContractManager", argparse.Namespace, "Output"], Awaitable[int]]


class Output:
    """Text for people (each line cut to 80 columns) or one JSON document."""

    def __init__(self, as_json: bool, stream: TextIO) -> None:
        self.as_json = as_json
        self.stream = stream

    def line(self, text: str = "") -> None:
        """Text lines, each wrapped to 80 columns under its own indentation."""
        if not self.as_json:
            for part in text.splitlines() or [""]:
                for piece in _wrap(part):
                    self.stream.write(piece + "\n")

    def wrapped(self, text: str, indent: str = "  ") -> None:
        if not self.as_json:
            for part in textwrap.wrap(
                text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  "
            ):
                self.stream.write(part + "\n")

    def data(self, value: Any) -> None:
        if self.as_json:
            json.dump(value, self.stream, indent=2, ensure_ascii=False, default=str)
            self.stream.write("\n")


def _wrap(text: str, width: int = WIDTH) -> list[str]:
    if len(text) <= width:
        return [text]
    indent = text[: len(text) - len(text.lstrip())]
    return textwrap.wrap(
        text,
        width,
        initial_indent="",
        subsequent_indent=indent + "    ",
        break_on_hyphens=False,
        drop_whitespace=True,
    ) or [text[:width]]


def _fit(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _table(rows: Sequence[Sequence[str]], widths: Sequence[int]) -> list[str]:
    """Fixed-width columns; the last column takes what is left of 80."""
    lines = []
    for row in rows:
        cells = [_fit(cell, width).ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append(_fit("  ".join(cells).rstrip()))
    return lines


# -- the parser ---------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix("pytest-contracts").strip()
        prefix = f"pytest-contracts: error: {where + ': ' if where else ''}"
        text = f"{prefix}{message} (see {self.prog} --help)"
        wrapped = textwrap.wrap(text, WIDTH, subsequent_indent="  ", break_on_hyphens=False)
        self.exit(EXIT_USAGE, "\n".join(wrapped) + "\n")


def _common(suppress: bool) -> _Parser:
    """The registry options; accepted before or after the subcommand."""
    default: Any = argparse.SUPPRESS if suppress else None
    parser = _Parser(add_help=False)
    group = parser.add_argument_group("registry")
    group.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="database URL (else DATABASE_URL, else .pytest_contracts/registry.db here)",
    )
    group.add_argument(
        "--redis",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="use real Redis (REDIS_URL or REDIS_HOST/PORT/DB); else fakeredis",
    )
    group.add_argument("--redis-url", metavar="URL", default=default, help="real Redis at this URL")
    group.add_argument(
        "--team", metavar="NAME", default=default, help="team id (default: 'default')"
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print one JSON document instead of text",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pytest-contracts",
        description="Inspect and change the pytest-contracts registry; check contract "
        "files before they are merged; ask whether a version can be deployed.",
        epilog="exit codes: 0 fine; 1 breaking change, cannot deploy or conflict; "
        "2 usage or input error; 3 registry unreachable",
        parents=[_common(suppress=False)],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = [_common(suppress=True)]

    def command(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        child = sub.add_parser(
            name, help=help_text, description=help_text, parents=common, formatter_class=_Help
        )
        child.set_defaults(handler=handler)
        return child

    p = command("list", "list the team's contract versions", _list)
    p.add_argument("--status", help="only versions in this state (draft, active, ...)")
    p.add_argument("--type", dest="contract_type", help="only contracts of this type")

    p = command("show", "show one version with its schema (the active one by default)", _show)
    p.add_argument("name")
    p.add_argument("--version", dest="version")

    p = command("history", "every version of a contract with its events", _history)
    p.add_argument("name")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N versions")
    p.add_argument(
        "--after", type=_natural, metavar="REVISION", help="versions after this revision"
    )

    p = command("diff", "the compatibility report between two versions", _diff)
    p.add_argument("name")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--mode", help="judge under this mode (default: the contract's)")
    p.add_argument("--policy", help="strict or lenient (default: the contract's)")

    p = command("check", "compare contract files with the registry; write nothing", _check)
    p.add_argument("path", metavar="FILE_OR_DIR")

    p = command("load", "load contract files into the registry", _load)
    p.add_argument("path", metavar="DIR")
    p.add_argument(
        "--gate", action="store_true", help="refuse undeclared breaking changes (exit 1)"
    )

    for name, verb in (("activate", "activate"), ("deprecate", "deprecate"), ("retire", "retire")):
        p = command(name, f"{verb} a version", _lifecycle)
        p.add_argument("name")
        p.add_argument("version")
        p.add_argument("--by", metavar="ACTOR", help="who does it (recorded in the history)")
        if name != "activate":
            p.add_argument("--reason", help="why (recorded in the history)")

    p = command("consumers", "list a contract's consumers, or register one", _consumers)
    p.add_argument("name")
    p.add_argument("--register", metavar="AGENT", help="register AGENT as a consumer")
    p.add_argument("--version", help="the version AGENT reads (default: the active one)")
    p.add_argument("--role", help="AGENT's role")

    p = command("can-i-deploy", "can every consumer read data of this version?", _can_i_deploy)
    p.add_argument("name")
    p.add_argument("version")

    command("summary", "the team's registry at a glance", _summary)

    p = command("compatibility", "show or set a contract's mode and policy", _compatibility)
    p.add_argument("name")
    p.add_argument("--mode", help="BACKWARD, FORWARD, FULL (each also _TRANSITIVE) or NONE")
    p.add_argument("--policy", help="strict or lenient")

    p = command("export", "write every version as a contract file", _export)
    p.add_argument("path", metavar="DIR")

    p = command("prune", "remove old versions and validation records", _prune)
    p.add_argument("--keep-last", type=_positive, default=10, metavar="N")
    p.add_argument("--keep-validations", type=_natural, default=1000, metavar="N")
    p.add_argument("--contract", metavar="NAME", help="only this contract")
    p.add_argument("--dry-run", action="store_true", help="say what would go; remove nothing")
    return parser


class _Help(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=WIDTH)


def _positive(text: str) -> int:
    value = _natural(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def _natural(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


# -- running ------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """The console script: parse, run, and map errors to exit codes."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.team = args.team or DEFAULT_TEAM
    out = Output(args.json, sys.stdout)
    try:
        return asyncio.run(_run(args, out))
    except KeyboardInterrupt:
        return 130


async def _run(args: argparse.Namespace, out: Output) -> int:
    from .config import mask_url
    from .errors import (
        BreakingChangeError,
        ConfigurationError,
        ContractError,
        IncompatibleChange,
        RegistryUnavailable,
    )
    from .registry.connections import StateManager
    from .registry.manager import ContractManager

    try:
        state = await StateManager.create(
            database_url=args.db,
            redis_url=args.redis_url,
            use_real_redis=bool(args.redis or args.redis_url),
        )
    except (ConfigurationError, RegistryUnavailable, OSError) as exc:
        code = EXIT_USAGE if isinstance(exc, ConfigurationError) else EXIT_UNAVAILABLE
        return _fail(str(exc) if isinstance(exc, ContractError) else mask_url(str(exc)), code)
    try:
        handler: Handler = args.handler
        return await handler(ContractManager(state), args, out)
    except UsageFailure as exc:
        return _fail(str(exc), EXIT_USAGE, out)
    except (IncompatibleChange, BreakingChangeError) as exc:
        return _fail(str(exc), EXIT_FINDING, out)
    except RegistryUnavailable as exc:
        return _fail(str(exc), EXIT_UNAVAILABLE, out)
    except ContractError as exc:
        return _fail(str(exc), EXIT_USAGE, out)
    finally:
        await state.close()


def _fail(message: str, code: int, out: Output | None = None) -> int:
    """The error on stderr, wrapped to 80 columns (and, with --json, as
    ``{"error": ..., "exit_code": ...}`` on stdout, so a script that reads
    stdout always gets a document)."""
    if out is not None and out.as_json:
        out.data({"error": message, "exit_code": code})
    first, *rest = message.splitlines() or [""]
    lines = textwrap.wrap(
        f"pytest-contracts: error: {first}", WIDTH, subsequent_indent="  ", break_on_hyphens=False
    )
    for line in rest:
        lines.extend(_wrap(f"  {line}"))
    sys.stderr.write("\n".join(lines) + "\n")
    return code


# -- subcommands --------------------------------------------------------------
async def _list(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    contracts = await cm.list_contracts(
        args.team, status=args.status, contract_type=args.contract_type
    )
    out.data([_brief(c) for c in contracts])
    if not contracts:
        out.line(f"team {args.team!r} has no contract versions")
        return EXIT_OK
    rows = [("CONTRACT", "VERSION", "STATUS", "TYPE")]
    rows += [(c.contract_name, c.version, c.status.value, c.contract_type.value) for c in contracts]
    for line in _table(rows, (34, 12, 10, 16)):
        out.line(line)
    return EXIT_OK


def _brief(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.id,
        "team": contract.team_id,
        "contract": contract.contract_name,
        "version": contract.version,
        "status": contract.status.value,
        "type": contract.contract_type.value,
    }


async def _version(cm: ContractManager, team: str, name: str, version: str | None) -> Contract:
    """The named version; without one, the active version, else the newest."""
    from .errors import ContractNotFound
    from .registry.versions import version_key

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


async def _show(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
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


async def _history(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    history = await cm.get_contract_history(
        args.team, args.name, limit=args.limit, after=args.after
    )
    if not history and args.after is None:
        raise UsageFailure(
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
        for event in entry.events:
            who = f" by {event.actor}" if event.actor else ""
            out.line(f"  {event.at:%Y-%m-%d %H:%M:%S} {event.event}{who}")
    return EXIT_OK


async def _diff(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from .compat import Mode, Policy, compare

    old = await cm.get_contract_version(args.team, args.name, args.old)
    new = await cm.get_contract_version(args.team, args.name, args.new)
    settings = await cm.get_compatibility(args.team, args.name)
    mode = Mode.parse(args.mode or settings.mode)
    policy = Policy.parse(args.policy or settings.policy)
    report = compare(old.specification, new.specification, policy=policy)
    breaks = report.breaks(mode)
    out.data(
        {
            "contract": args.name,
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


def _read_files(path_text: str, team: str) -> list[ContractFile]:
    from .registry.files import read_contract_dir, read_contract_file

    path = Path(path_text)
    if path.is_dir():
        return read_contract_dir(path, team)
    if path.is_file():
        return [read_contract_file(path, team)]
    raise UsageFailure(f"{path_text}: no such file or directory")


async def _check(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from .registry.loading import describe_plan, plan_contract_files

    plans = await plan_contract_files(cm, _read_files(args.path, args.team))
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
                    "team": plan.file.team,
                    "contract": plan.file.name,
                    "version": plan.file.version,
                    "action": plan.action,
                    "problem": plan.problem,
                    "undeclared_break": plan.undeclared_break,
                    "compatibility": None if plan.check is None else plan.finding(),
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


async def _load(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from .errors import BreakingChangeError
    from .registry.loading import load_contract_files

    files = _read_files(args.path, args.team)
    try:
        result = await load_contract_files(cm, files, gate=args.gate)
    except BreakingChangeError as exc:
        out.data({"ok": False, "error": str(exc), "findings": exc.findings})
        out.as_json = False  # the document is written; the error goes to stderr
        return _fail(str(exc), EXIT_FINDING)
    out.data(
        {
            "ok": True,
            "files": result.files,
            "created": result.created,
            "activated": result.activated,
            "unchanged": result.unchanged,
            "compatibility": result.findings,
        }
    )
    out.line(f"loaded {result.summary()}")
    for finding in result.findings:
        if finding["breaking"]:
            out.line(f"  breaking change recorded: {finding['contract']} {finding['version']}")
    return EXIT_OK


async def _lifecycle(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
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


async def _consumers(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
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
    for line in _table(rows, (30, 12, 34)):
        out.line(line)
    return EXIT_OK


async def _can_i_deploy(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
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


async def _summary(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
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


async def _compatibility(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    if args.mode or args.policy:
        settings = await cm.set_compatibility(
            args.team, args.name, mode=args.mode, policy=args.policy, set_by="pytest-contracts"
        )
    else:
        settings = await cm.get_compatibility(args.team, args.name)
    out.data(settings.to_dict())
    origin = "" if settings.explicit else " (defaults)"
    out.line(f"{args.name}: mode {settings.mode}, policy {settings.policy}{origin}")
    return EXIT_OK


async def _export(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    from .registry.files import contract_document, write_contract_files

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


async def _prune(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
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
