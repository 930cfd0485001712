"""``main``: parse the arguments, open the registry, run the subcommand, and
turn every error into its one line and exit code."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import UsageFailure
from .commands import Handler, replay_journals
from .names import explain_missing
from .output import EXIT_FINDING, EXIT_UNAVAILABLE, EXIT_USAGE, Output, fail
from .parser import build_parser
from .project import find_project, resolve
from .wording import cli_words

if TYPE_CHECKING:
    from ..registry.manager import ContractManager


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: parse, read the project's settings, run, and map
    errors to exit codes."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.team_given = args.team is not None  # on the command line (restore's choice)
    out = Output(args.json, sys.stdout)
    try:
        args.settings = resolve(args, find_project())
    except UsageFailure as exc:
        return fail(str(exc), EXIT_USAGE, out)
    args.team = args.settings.team
    name = getattr(args, "name", None)
    out.words = lambda text: cli_words(text, name)
    try:
        code = asyncio.run(_run(args, out))
        sys.stdout.flush()  # a reader that left early is found here, not at exit
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()
    return code


#: The exit code when stdout's reader has gone (``| head -1``): a command
#: killed by SIGPIPE exits 128 + 13 in a shell.
EXIT_PIPE_CLOSED = 141


def _reader_gone() -> int:
    """Stop quietly: what is left to print goes nowhere, and the interpreter's
    last flush at exit finds no broken pipe to complain about."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_PIPE_CLOSED


async def _run(args: argparse.Namespace, out: Output) -> int:
    from ..config import redact
    from ..errors import (
        BreakingChangeError,
        ConfigurationError,
        ContractError,
        ContractNotFound,
        IncompatibleChange,
        RegistryUnavailable,
    )
    from ..registry.connections import StateManager
    from ..registry.manager import ContractManager

    settings = args.settings
    urls = (
        settings.database_url,
        settings.redis_url,
        os.environ.get("DATABASE_URL"),
        os.environ.get("REDIS_URL"),
    )

    def failed(exc: BaseException, code: int, message: str | None = None) -> int:
        """The error's one line in the command's words, any password in it
        replaced by ``***``."""
        return fail(redact(out.words(message or str(exc)), *urls), code, out)

    try:
        state = await StateManager.create(
            database_url=settings.database_url,
            redis_url=settings.redis_url,
            use_real_redis=settings.use_real_redis,
        )
    except (ConfigurationError, RegistryUnavailable, OSError) as exc:
        code = EXIT_USAGE if isinstance(exc, ConfigurationError) else EXIT_UNAVAILABLE
        return failed(exc, code)
    try:
        handler: Handler = args.handler
        manager = ContractManager(state)
        if settings.phases is not None:
            manager.configure_checks(phases=settings.phases)
        await replay_journals(manager, sys.stderr)
        await _check_version_arguments(manager, args)
        return await handler(manager, args, out)
    except UsageFailure as exc:
        return failed(exc, EXIT_USAGE)
    except (IncompatibleChange, BreakingChangeError) as exc:
        return failed(exc, EXIT_FINDING)
    except RegistryUnavailable as exc:
        return failed(exc, EXIT_UNAVAILABLE)
    except ContractNotFound as exc:
        return failed(exc, EXIT_USAGE, await _explained(manager, args))
    except ContractError as exc:
        return failed(exc, EXIT_USAGE)
    finally:
        await state.close()


#: The arguments that name a version, as the subcommands spell them.
_VERSION_ARGUMENTS = (("version", "version"), ("old", "OLD"), ("new", "NEW"))


async def _check_version_arguments(manager: ContractManager, args: argparse.Namespace) -> None:
    """A version argument that is not a version (``latest``, ``version one``,
    blank) is refused with the accepted forms, unless the registry holds a
    version of that exact name, stored before the rule: those stay readable."""
    from ..errors import ContractError
    from ..registry.versions import version_problem

    for attribute, label in _VERSION_ARGUMENTS:
        value = getattr(args, attribute, None)
        if value is None:
            continue
        problem = version_problem(value, label)
        if problem is None:
            continue
        name = getattr(args, "name", None)
        if name is None and getattr(args, "boundary", None) is not None:
            name = manager.boundary_contract(*args.boundary)
        if name is not None:
            try:
                await manager.get_contract_version(args.team, name, value)
                continue  # stored before the rule on versions
            except ContractError:
                pass
        raise UsageFailure(problem)


async def _explained(manager: ContractManager, args: argparse.Namespace) -> str | None:
    """What the command's contract name (and versions) lack, with "did you
    mean" suggestions; None when that cannot be said."""
    from ..errors import ContractError

    name = getattr(args, "name", None)
    if not isinstance(name, str) or not name:
        return None
    versions = [getattr(args, key, None) for key in ("version", "old", "new")]
    try:
        return await explain_missing(manager, args.team, name, versions)
    except ContractError:
        return None
