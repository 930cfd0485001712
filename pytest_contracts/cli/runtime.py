"""The run-time commands: ``validate`` one document, list stored
``validations``, and set a version's ``enforcement``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageFailure
from .output import EXIT_FINDING, EXIT_OK, Output

if TYPE_CHECKING:
    from ..models import Validation
    from ..registry.manager import ContractManager

#: The largest document ``validate`` reads.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


async def validate(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    """Check one JSON document (a file, or standard input) against a
    contract's active version (or ``--version``); exit 0 when it passes, 1 on
    violations (or when it cannot be judged), 2 for bad input."""
    name, source = _target(args)
    if args.boundary is not None:
        cm.boundary_contract(*args.boundary)  # a boundary the marker refuses, before any input
    document = _read_document(source)
    common: dict[str, Any] = {
        "version": args.version,
        "subject": args.subject or f"cli:{'stdin' if source == '-' else Path(source).name}",
        "record": not args.no_record,
    }
    if args.boundary is not None:
        source_phase, destination_phase = args.boundary
        verdict = await cm.validate_phase_boundary(
            args.team, source_phase, destination_phase, document, **common
        )
    else:
        verdict = await cm.validate(args.team, name, document, **common)
    if common["record"]:
        await cm.flush_validations()
    if verdict.outcome == "missing":
        from .names import warn_if_unknown

        await warn_if_unknown(cm, args.team, name, [args.version])
    out.data(verdict.to_dict())
    out.line(verdict.summary())
    if not verdict.passed:
        out.line(verdict.feedback(args.max_violations))
    return EXIT_OK if verdict.passed or not verdict.blocking else EXIT_FINDING


def _target(args: argparse.Namespace) -> tuple[str, str]:
    """The contract name and where the document comes from ("-": stdin)."""
    given = [part for part in (args.name, args.file) if part is not None]
    if args.boundary is not None:
        if len(given) > 1:
            raise UsageFailure(
                "give the contract NAME or --boundary FROM TO, not both "
                "(with --boundary the one argument is the FILE)"
            )
        return "", given[0] if given else "-"
    if not given:
        raise UsageFailure("name the contract: pytest-contracts validate NAME [FILE | -]")
    return given[0], given[1] if len(given) > 1 else "-"


def _read_document(source: str) -> Any:
    from ..registry.files import parse_json

    where = "standard input" if source == "-" else source
    try:
        if source == "-":
            raw = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        else:
            path = Path(source)
            if not path.is_file():
                raise UsageFailure(f"{source}: no such file (give a JSON file, or - for stdin)")
            with path.open("rb") as stream:
                raw = stream.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise UsageFailure(f"cannot read {where}: {exc.strerror or exc}") from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise UsageFailure(f"{where} is larger than {MAX_DOCUMENT_BYTES:,} bytes")
    try:
        return parse_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageFailure(f"{where} is not UTF-8 text") from None
    except ValueError as exc:
        raise UsageFailure(f"{where}: {exc}") from None


async def validations(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    """Stored checks, newest first, with the first-try and final pass rates
    of the repaired ones apart."""
    since = _since(args.since) if args.since is not None else None
    found = await cm.get_validations(
        team_id=args.team,
        contract_name=args.name,
        subject=args.subject,
        outcome=args.outcome,
        since=since,
        limit=args.limit,
    )
    out.data(
        {
            "team_id": args.team,
            "validations": [v.to_dict() for v in found],
            "rates": pass_rates(found),
        }
    )
    if not found:
        from .names import warn_if_unknown

        await warn_if_unknown(cm, args.team, args.name)
        out.line("no validation records match")
        return EXIT_OK
    rows = [("WHEN (UTC)", "CONTRACT", "VERSION", "OUTCOME", "SUBJECT")]
    for v in found:
        outcome = v.outcome + (" (warn)" if v.enforcement == "warn" else "")
        attempt = (v.metadata or {}).get("attempt")
        subject = v.subject + (f" #{attempt}" if attempt is not None else "")
        rows.append(
            (f"{v.validated_at:%Y-%m-%d %H:%M:%S}", v.contract_name, v.version, outcome, subject)
        )
    out.table(rows, flexible=1)
    out.line(_rates_line(pass_rates(found)))
    return EXIT_OK


def pass_rates(found: list[Validation]) -> dict[str, Any]:
    """First tries and final outcomes apart: a check with an ``attempt`` in
    its metadata is one try of a repair (grouped by subject and contract);
    the others are tries of their own."""
    groups: dict[tuple[str, str, str, int], list[Validation]] = {}
    for index, v in enumerate(found):
        attempt = (v.metadata or {}).get("attempt")
        if isinstance(attempt, int) and not isinstance(attempt, bool):
            key = (v.subject, v.team_id, v.contract_name, 0)
        else:
            key = (v.subject, v.team_id, v.contract_name, index + 1)
        groups.setdefault(key, []).append(v)
    first = final = repaired = 0
    for tries in groups.values():
        ordered = sorted(tries, key=lambda v: ((v.metadata or {}).get("attempt") or 1, v.id))
        first += ordered[0].passed
        final += ordered[-1].passed
        repaired += ordered[-1].passed and not ordered[0].passed
    count = len(groups)
    return {
        "outputs": count,
        "passed_first_try": first,
        "passed_in_the_end": final,
        "repaired": repaired,
    }


def _rates_line(rates: dict[str, Any]) -> str:
    count = rates["outputs"]

    def share(value: int) -> str:
        return f"{value} ({value / count:.0%})" if count else "0"

    return (
        f"{count} output(s): passed at the first try {share(rates['passed_first_try'])}, "
        f"in the end {share(rates['passed_in_the_end'])} ({rates['repaired']} repaired)"
    )


def _since(text: str) -> datetime:
    """An ISO 8601 time (UTC when it names no zone) or an age: ``30m``, ``2h``, ``7d``."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if text[-1:] in units and text[:-1].isdigit():
        return datetime.now(UTC) - timedelta(seconds=int(text[:-1]) * units[text[-1]])
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageFailure(
            f"--since {text!r} is neither a time (2026-11-30T10:00:00, UTC unless it says) "
            "nor an age (30m, 2h, 7d)"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


async def enforcement(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    """Show or set a version's enforcement (``enforce`` or ``warn``)."""
    contract = await cm.get_contract_version(args.team, args.name, args.version)
    if args.set is not None:
        contract = await cm.set_enforcement(contract.id, args.set, changed_by=args.by)
    out.data(
        {
            "team_id": contract.team_id,
            "contract_name": contract.contract_name,
            "version": contract.version,
            "enforcement": contract.enforcement,
        }
    )
    out.line(f"{contract.contract_name} {contract.version}: {contract.enforcement}")
    return EXIT_OK
