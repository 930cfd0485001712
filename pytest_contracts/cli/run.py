"""``main``: parse the arguments, open the registry, run the subcommand, and
turn every error into its one line and exit code."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from ..defaults import DEFAULT_TEAM
from ..errors import UsageFailure
from .commands import Handler, replay_journals
from .output import EXIT_FINDING, EXIT_UNAVAILABLE, EXIT_USAGE, Output, fail
from .parser import build_parser


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
    from ..config import mask_url
    from ..errors import (
        BreakingChangeError,
        ConfigurationError,
        ContractError,
        IncompatibleChange,
        RegistryUnavailable,
    )
    from ..registry.connections import StateManager
    from ..registry.manager import ContractManager

    try:
        state = await StateManager.create(
            database_url=args.db,
            redis_url=args.redis_url,
            use_real_redis=bool(args.redis or args.redis_url),
        )
    except (ConfigurationError, RegistryUnavailable, OSError) as exc:
        code = EXIT_USAGE if isinstance(exc, ConfigurationError) else EXIT_UNAVAILABLE
        return fail(str(exc) if isinstance(exc, ContractError) else mask_url(str(exc)), code)
    try:
        handler: Handler = args.handler
        manager = ContractManager(state)
        await replay_journals(manager, sys.stderr)
        return await handler(manager, args, out)
    except UsageFailure as exc:
        return fail(str(exc), EXIT_USAGE, out)
    except (IncompatibleChange, BreakingChangeError) as exc:
        return fail(str(exc), EXIT_FINDING, out)
    except RegistryUnavailable as exc:
        return fail(str(exc), EXIT_UNAVAILABLE, out)
    except ContractError as exc:
        return fail(str(exc), EXIT_USAGE, out)
    finally:
        await state.close()
