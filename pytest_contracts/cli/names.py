"""Names the registry does not have: ``teams`` lists the teams there are, and
a contract, version or team the registry does not know gets "did you mean"
suggestions (closest spellings by :mod:`difflib`, and the same name in
another team)."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..errors import ContractError
from .output import EXIT_OK, Output, warn

if TYPE_CHECKING:
    from ..registry.manager import ContractManager

#: How many other teams are searched for a contract name the team lacks.
MAX_TEAMS_SEARCHED = 50


async def teams(cm: ContractManager, args: argparse.Namespace, out: Output) -> int:
    """Every team with its counts, and the team in use with where it comes from."""
    found = await cm.list_teams()
    out.data([team.to_dict() for team in found])
    if found:
        rows = [("TEAM", "CONTRACTS", "VERSIONS", "ACTIVE")]
        rows += [(t.team_id, str(t.contracts), str(t.versions), str(t.active)) for t in found]
        out.table(rows)
    else:
        out.line("the registry has no contract versions")
    out.line(f"team in use: {args.team!r} ({args.settings.team_origin})")
    return EXIT_OK


def close_matches(word: str, choices: Iterable[str]) -> list[str]:
    """At most three of ``choices`` spelled like ``word``: the same name in
    another case first, then the closest spellings."""
    pool = sorted(set(choices) - {word})
    same = [choice for choice in pool if choice.casefold() == word.casefold()]
    close = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    return list(dict.fromkeys(same + close))[:3]


def _either(names: Sequence[str], prefix: str = "") -> str:
    quoted = [f"{prefix}{name!r}" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


async def explain_missing(
    cm: ContractManager, team: str, name: str, versions: Sequence[str | None] = ()
) -> str | None:
    """Why ``name`` (and each of ``versions``) is not in ``team``, with what
    the user may have meant; None when they are all there."""
    contracts = await cm.list_contracts(team)
    have = [c.version for c in contracts if c.contract_name == name]
    if not have:
        return await _missing_contract(cm, team, name, {c.contract_name for c in contracts})
    for version in versions:
        if version is not None and version not in have:
            message = f"contract {name!r} of team {team!r} has no version {version!r}"
            matches = close_matches(version, have)
            if matches:
                message += f"; did you mean {_either(matches)}?"
            return f"{message} ('pytest-contracts history {name}' shows the versions there are)"
    return None


async def _missing_contract(cm: ContractManager, team: str, name: str, names: set[str]) -> str:
    if names:
        message = f"team {team!r} has no contract {name!r}"
        matches = close_matches(name, names)
        if matches:
            return f"{message}; did you mean {_either(matches)}?"
    else:
        message = f"team {team!r} has no contracts"
    others = [t.team_id for t in await cm.list_teams() if t.team_id != team]
    holding = [
        other
        for other in others[:MAX_TEAMS_SEARCHED]
        if any(c.contract_name == name for c in await cm.list_contracts(other))
    ]
    if holding:
        return f"{message}; {name!r} is in team {_either(holding)} (use --team, or contracts_team)"
    if not names:
        matches = close_matches(team, others)
        if matches:
            return f"{message}; did you mean --team {_either(matches)}?"
        return f"{message} ('pytest-contracts teams' lists the teams there are)"
    return f"{message} ('pytest-contracts list' shows the contracts there are)"


async def team_hint(cm: ContractManager, team: str) -> str:
    """For a team with no versions: the teams it may have been meant as."""
    others = [t.team_id for t in await cm.list_teams()]
    matches = close_matches(team, others)
    if matches:
        return f"; did you mean --team {_either(matches)}?"
    return " ('pytest-contracts teams' lists the teams there are)" if others else ""


async def warn_if_unknown(
    cm: ContractManager, team: str, name: str | None, versions: Sequence[str | None] = ()
) -> None:
    """A warning on stderr when a command that accepts any name (a filter, a
    setting made ahead of the first version, a document to check) is given
    one the team lacks."""
    if not name:
        return
    try:
        message = await explain_missing(cm, team, name, versions)
    except ContractError:
        return
    if message is not None:
        warn(message)
