"""The ``pytest-contracts`` command: the registry from a shell or a CI job.

Exit codes: 0 fine; 1 a breaking change, a version that cannot be deployed, or
a conflict found by ``check``; 2 a usage or input error (bad arguments, a
missing contract, a corrupt contract file); 3 the registry cannot be reached.
Errors are one line on stderr. Every subcommand takes ``--json``.

The package: :mod:`.output` (text or JSON, exit codes), :mod:`.parser` (the
subcommands and their options), :mod:`.commands` (one handler per
subcommand, typed against the real :class:`ContractManager`) and
:mod:`.run` (``main``: parse, open the registry, map errors to exit codes).
"""

from __future__ import annotations

from .parser import build_parser
from .run import main

__all__ = ["build_parser", "main"]
