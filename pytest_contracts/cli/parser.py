"""The command's parser: registry options accepted before or after the
subcommand, and one subparser per subcommand, bound to its handler."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any, NoReturn

from . import acceptance, backups, commands, names, runtime
from .commands import Handler
from .output import EXIT_USAGE, WIDTH


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
        help="database URL (else contracts_db, else DATABASE_URL, else "
        "<rootdir>/.pytest_contracts/registry.db)",
    )
    group.add_argument(
        "--redis",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="use real Redis (contracts_redis_url, REDIS_URL or REDIS_HOST/PORT/DB); "
        "else contracts_redis, else fakeredis",
    )
    group.add_argument("--redis-url", metavar="URL", default=default, help="real Redis at this URL")
    group.add_argument(
        "--team",
        metavar="NAME",
        default=default,
        help="team id (else contracts_team, else 'default')",
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
        formatter_class=_Help,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = [_common(suppress=True)]

    def command(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        child = sub.add_parser(
            name, help=help_text, description=help_text, parents=common, formatter_class=_Help
        )
        child.set_defaults(handler=handler)
        return child

    p = command("list", "list the team's contract versions", commands.list_versions)
    p.add_argument("--status", help="only versions in this state (draft, active, ...)")
    p.add_argument("--type", dest="contract_type", help="only contracts of this type")

    p = command(
        "show", "show one version with its schema (the active one by default)", commands.show
    )
    p.add_argument("name")
    p.add_argument("--version", dest="version")

    p = command("history", "every version of a contract with its events", commands.history)
    p.add_argument("name")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N versions")
    p.add_argument(
        "--after", type=_natural, metavar="REVISION", help="versions after this revision"
    )

    p = command("diff", "the compatibility report between two versions", commands.diff)
    p.add_argument("name")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--mode", help="judge under this mode (default: the contract's)")
    p.add_argument("--policy", help="strict or lenient (default: the contract's)")

    p = command("check", "compare contract files with the registry; write nothing", commands.check)
    p.add_argument("path", metavar="FILE_OR_DIR", nargs="?", help="default: contracts_dir")

    p = command("load", "load contract files into the registry", commands.load)
    p.add_argument("path", metavar="DIR", nargs="?", help="default: contracts_dir")
    p.add_argument(
        "--gate", action="store_true", help="refuse undeclared breaking changes (exit 1)"
    )

    for name, verb in (("activate", "activate"), ("deprecate", "deprecate"), ("retire", "retire")):
        p = command(name, f"{verb} a version", commands.lifecycle)
        p.add_argument("name")
        p.add_argument("version")
        p.add_argument("--by", metavar="ACTOR", help="who does it (recorded in the history)")
        if name != "activate":
            p.add_argument("--reason", help="why (recorded in the history)")

    p = command(
        "accept",
        "accept a break a version makes without declaring it (recorded with who and why)",
        acceptance.accept,
    )
    p.add_argument("name")
    p.add_argument("version")
    p.add_argument("--by", metavar="ACTOR", required=True, help="who accepts it (recorded)")
    p.add_argument("--reason", metavar="TEXT", required=True, help="why (recorded)")

    p = command(
        "validate",
        "check one JSON document (a file, or - for standard input) against a contract",
        runtime.validate,
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="the contract (or use --boundary)")
    p.add_argument("file", nargs="?", metavar="FILE", help="the document; - or none: stdin")
    p.add_argument("--version", help="this version (default: the active one)")
    p.add_argument(
        "--boundary",
        nargs=2,
        metavar=("FROM", "TO"),
        help="the contract of the phase boundary FROM -> TO",
    )
    p.add_argument("--subject", help="what produced it (stored with the check)")
    p.add_argument("--no-record", action="store_true", help="do not store the check")
    p.add_argument(
        "--max-violations", type=_positive, default=10, metavar="N", help="feedback lines"
    )

    p = command("validations", "stored checks, newest first, with pass rates", runtime.validations)
    p.add_argument("name", nargs="?", metavar="NAME", help="only this contract")
    p.add_argument("--subject", help="only checks of this subject")
    p.add_argument("--outcome", choices=("passed", "failed", "error"))
    p.add_argument("--since", metavar="TIME", help="ISO time (UTC) or an age: 30m, 2h, 7d")
    p.add_argument("--limit", type=_positive, default=50, metavar="N")

    p = command(
        "enforcement",
        "show or set a version's enforcement: enforce, or warn (shadow)",
        runtime.enforcement,
    )
    p.add_argument("name")
    p.add_argument("version")
    p.add_argument("--set", choices=("enforce", "warn"), help="the new enforcement")
    p.add_argument("--by", metavar="ACTOR", help="who changes it (recorded in the history)")

    p = command("consumers", "list a contract's consumers, or register one", commands.consumers)
    p.add_argument("name")
    p.add_argument("--register", metavar="AGENT", help="register AGENT as a consumer")
    p.add_argument("--version", help="the version AGENT reads (default: the active one)")
    p.add_argument("--role", help="AGENT's role")

    p = command(
        "can-i-deploy", "can every consumer read data of this version?", commands.can_i_deploy
    )
    p.add_argument("name")
    p.add_argument("version")

    command("summary", "the team's registry at a glance", commands.summary)
    command("teams", "the teams in the registry, with their counts", names.teams)

    p = command("compatibility", "show or set a contract's mode and policy", commands.compatibility)
    p.add_argument("name")
    p.add_argument("--mode", help="BACKWARD, FORWARD, FULL (each also _TRANSITIVE) or NONE")
    p.add_argument("--policy", help="strict or lenient")

    p = command("export", "write every version as a contract file", commands.export)
    p.add_argument("path", metavar="DIR")

    p = command(
        "html",
        "write the team's registry as one self-contained HTML page",
        commands.html_page,
    )
    p.add_argument("out", metavar="OUT", help="the HTML file to write")
    p.add_argument(
        "--validations",
        type=_positive,
        default=20,
        metavar="N",
        help="the latest N validation records of each contract (default 20)",
    )

    p = command(
        "backup",
        "write the team's registry (every row, states and events kept) to one JSON file",
        backups.backup,
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--all-teams", action="store_true", help="every team, not only --team")
    p.add_argument(
        "--with-validations", action="store_true", help="include the validation records too"
    )

    p = command(
        "restore",
        "write a backup's teams back into the registry, exactly (all or nothing)",
        backups.restore,
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace what a team already has here (default: refuse a team that is not empty)",
    )

    p = command("prune", "remove old versions and validation records", commands.prune)
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
