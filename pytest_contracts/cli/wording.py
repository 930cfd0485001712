"""The command's words for what the registry's messages say in Python.

The registry speaks to programs: "get_contract_history shows the versions
there are", "pass force=True". The command rewrites each such phrase into
what its user types instead: a command, an option, a key of a contract file.
Errors and text lines pass through :func:`cli_words`; JSON documents keep the
registry's own texts, as the API returns them.

``tests/test_cli_wording.py`` runs the command into every message it can
reach and fails on any Python name left in one, so a new phrase in the
registry is found there.
"""

from __future__ import annotations

#: (the registry's phrase, the command's); ``{name}`` is the contract the
#: command was given, else ``NAME``.
PHRASES = (
    (
        "get_contract_history shows the versions there are",
        "'pytest-contracts history {name}' shows the versions there are",
    ),
    (
        "list_contracts(team_id) shows the ids a team has",
        "'pytest-contracts list --json' shows the ids a team has",
    ),
    (
        "give the new schema a new version, e.g. with evolve_contract",
        "give the new schema a new version in its contract file",
    ),
    (
        "create the first one with create_contract",
        "load the first one with 'pytest-contracts load DIR'",
    ),
    (
        "declared non-breaking (breaking_change=False)",
        'declared non-breaking ("breaking_change": false in its contract file)',
    ),
    ("declare the break (breaking_change=True)", 'declare the break ("breaking_change": true)'),
    ("pass force=True", 'set "force": true in its contract file'),
    (
        "define one with a contract file in --contracts-dir, or with "
        "contract_manager.create_contract(...) and activate_contract(...)",
        "load one with 'pytest-contracts load DIR', or activate one with "
        "'pytest-contracts activate {name} VERSION'",
    ),
    ("drop version= to use the active one", "drop --version to use the active one"),
    (
        "(set them with configure_checks(phases=...))",
        "(set them with contracts_phases in the project's pytest configuration)",
    ),
)


def cli_words(text: str, name: str | None = None) -> str:
    """``text`` with each of the registry's Python phrases in the command's words."""
    for phrase, words in PHRASES:
        if phrase in text:
            text = text.replace(phrase, words.format(name=name or "NAME"))
    return text
