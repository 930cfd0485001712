"""``pytest-contracts accept``: accept, with a reason, a break that a version
makes without declaring it, so that gated runs and ``check`` pass again."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..errors import UsageFailure
from .output import EXIT_OK, Output

if TYPE_CHECKING:
    from ..registry.manager import ContractManager


async def accept(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    for option, what in (("--by", "who accepts the break"), ("--reason", "why")):
        if not getattr(args, option[2:]).strip():
            raise UsageFailure(f"{option} must not be empty: say {what}")
    contract = await cm.accept_break(
        args.team, args.name, args.version, accepted_by=args.by, reason=args.reason
    )
    out.data(contract.to_dict())
    out.line(
        f"{contract.contract_name} {contract.version}: break accepted by {args.by} "
        f"({contract.status.value}); reason recorded in its history"
    )
    return EXIT_OK
