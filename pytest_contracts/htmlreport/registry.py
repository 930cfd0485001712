"""The HTML page of a team's registry (``pytest-contracts html OUT``).

Every contract of the team with its versions and their states and
enforcement, each version's compatibility finding (with the witness of
each break), its consumers and the version each reads, and its most recent
validation outcomes. :func:`gather` reads them from a
:class:`~pytest_contracts.registry.manager.ContractManager`;
:func:`render_registry` turns them into the page. No pytest here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .page import badge, esc, figures, page, table
from .session import changes_table

if TYPE_CHECKING:
    from ..models import CompatibilitySettings, Consumer, Contract, Validation
    from ..registry.manager import ContractManager

#: How many of a contract's latest validation records the page shows.
RECENT_VALIDATIONS = 20


@dataclasses.dataclass(frozen=True)
class ContractPage:
    """One contract as the page shows it."""

    name: str
    versions: list[Contract]
    consumers: list[Consumer]
    settings: CompatibilitySettings
    validations: list[Validation]


async def gather(
    cm: ContractManager, team: str, *, recent: int = RECENT_VALIDATIONS
) -> list[ContractPage]:
    """What the page shows of ``team``'s registry, contract by contract."""
    versions: dict[str, list[Contract]] = {}
    for contract in await cm.list_contracts(team):
        versions.setdefault(contract.contract_name, []).append(contract)
    pages = []
    for name, found in versions.items():
        pages.append(
            ContractPage(
                name=name,
                versions=found,
                consumers=await cm.get_consumers(team, name),
                settings=await cm.get_compatibility(team, name),
                validations=await cm.get_validations(
                    team_id=team, contract_name=name, limit=recent
                ),
            )
        )
    return pages


def render_registry(team: str, where: str, contracts: Sequence[ContractPage]) -> str:
    """The page of ``team``'s registry at ``where`` (a URL, its password masked)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    versions = sum(len(c.versions) for c in contracts)
    consumers = sum(len(c.consumers) for c in contracts)
    body = [
        '<section id="figures"><h2>The registry</h2>'
        + figures(
            [
                ("contracts", len(contracts)),
                ("versions", versions),
                ("consumers", consumers),
                ("recent checks", sum(len(c.validations) for c in contracts)),
            ]
        )
        + f"<p class='muted'>team {esc(team)}, registry <code>{esc(where)}</code></p></section>"
    ]
    if not contracts:
        body.append(f"<section><p class='muted'>Team {esc(team)} has no contract.</p></section>")
    for index, contract in enumerate(contracts):
        body.append(_contract(index, contract))
    return page(f"pytest-contracts registry: team {team}", f"written {stamp}", "\n".join(body))


def _contract(index: int, contract: ContractPage) -> str:
    settings = contract.settings
    parts = [
        f'<section class="contract" id="contract-{index}" data-contract="{esc(contract.name)}">'
        f"<h2>{esc(contract.name)}</h2>"
        f"<p class='muted'>{esc(contract.versions[0].contract_type.value)}, compatibility "
        f"{esc(settings.mode)} ({esc(settings.policy)})"
        + ("" if settings.explicit else ", the defaults")
        + "</p>"
    ]
    rows = []
    for version in contract.versions:
        rows.append(
            (
                f"<b>{esc(version.version)}</b>",
                badge(version.status.value, "s-" + version.status.value),
                esc(version.enforcement),
                esc(f"{version.created_at:%Y-%m-%d %H:%M}"),
                esc(f"{version.activated_at:%Y-%m-%d %H:%M}" if version.activated_at else "-"),
                _finding(version.compatibility),
            )
        )
    parts.append("<h3>Versions</h3>")
    parts.append(
        table(("version", "state", "enforcement", "created", "activated", "compatibility"), rows)
    )
    for version in contract.versions:
        finding = version.compatibility
        changes = [
            change
            for checked in (finding or {}).get("checked", [])
            for change in (checked.get("report") or {}).get("changes", [])
            if "breaking" in (change.get("readers"), change.get("writers"))
        ]
        if changes:
            parts.append(f"<h3>What {esc(version.version)} breaks</h3>")
            parts.append(changes_table(changes))
    parts.append("<h3>Consumers</h3>")
    if contract.consumers:
        parts.append(
            table(
                ("consumer", "role", "reads version", "registered"),
                [
                    (
                        esc(c.consumer_agent),
                        esc(c.consumer_role or "-"),
                        esc(c.version),
                        esc(f"{c.registered_at:%Y-%m-%d %H:%M}"),
                    )
                    for c in contract.consumers
                ],
            )
        )
    else:
        parts.append("<p class='muted'>No consumer is registered.</p>")
    parts.append("<h3>Recent validations</h3>")
    if contract.validations:
        parts.append(
            table(
                ("when (UTC)", "version", "subject", "outcome", "violations"),
                [
                    (
                        esc(f"{v.validated_at:%Y-%m-%d %H:%M:%S}"),
                        esc(v.version),
                        f"<code>{esc(v.subject)}</code>",
                        badge(
                            v.outcome + (" (warn)" if v.enforcement == "warn" else ""),
                            "o-" + v.outcome,
                        ),
                        esc(len(v.errors)),
                    )
                    for v in contract.validations
                ],
            )
        )
    else:
        parts.append("<p class='muted'>No validation is recorded.</p>")
    parts.append("</section>")
    return "".join(parts)


def _finding(finding: dict[str, Any] | None) -> str:
    if not finding:
        return "<span class='muted'>not checked (the first version, or history added later)</span>"
    against = ", ".join(item.get("version", "") for item in finding.get("checked", [])) or "-"
    if finding.get("breaking"):
        word = "breaking (declared)" if finding.get("declared") else "breaking"
        text = badge(word, "c-breaking")
    else:
        text = badge("compatible", "c-compatible")
    text += esc(f" vs {against} [{finding.get('mode')}, {finding.get('policy')}]")
    accepted = finding.get("accepted")
    if isinstance(accepted, dict):
        text += esc(f"; accepted by {accepted.get('by')}: {accepted.get('reason')}")
    return text
