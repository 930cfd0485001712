"""What the command prints: text for people, cut to 80 columns, or one JSON
document; errors as one line on stderr; the exit codes."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3
WIDTH = 80


class Output:
    """Text for people (each line cut to 80 columns) or one JSON document."""

    def __init__(self, as_json: bool, stream: TextIO) -> None:
        self.as_json = as_json
        self.stream = stream
        #: Rewrites a text line in the command's words (see wording.py).
        self.words: Callable[[str], str] = str

    def line(self, text: str = "") -> None:
        """Text lines, each wrapped to 80 columns under its own indentation."""
        if not self.as_json:
            for part in self.words(text).splitlines() or [""]:
                for piece in wrap(part):
                    self.stream.write(piece + "\n")

    def wrapped(self, text: str, indent: str = "  ") -> None:
        if not self.as_json:
            for part in textwrap.wrap(
                self.words(text), WIDTH, initial_indent=indent, subsequent_indent=indent + "  "
            ):
                self.stream.write(part + "\n")

    def table(self, rows: Sequence[Sequence[str]], flexible: int = 0) -> None:
        """Columns as wide as their widest cell. Piped or redirected, nothing
        is cut, so a script reads every name whole; on a terminal, the lines
        fit its width, the ``flexible`` column cut with ``...`` first."""
        if not self.as_json:
            for line in fitted_table(rows, terminal_width(self.stream), flexible):
                self.stream.write(line + "\n")

    def data(self, value: Any) -> None:
        if self.as_json:
            json.dump(value, self.stream, indent=2, ensure_ascii=False, default=str)
            self.stream.write("\n")


def wrap(text: str, width: int = WIDTH) -> list[str]:
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


def fit(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def table(rows: Sequence[Sequence[str]], widths: Sequence[int]) -> list[str]:
    """Fixed-width columns; the last column takes what is left of 80."""
    lines = []
    for row in rows:
        cells = [fit(cell, width).ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append(fit("  ".join(cells).rstrip()))
    return lines


#: The narrowest a cut column gets on a narrow terminal.
MIN_CUT_WIDTH = 12


def fitted_table(rows: Sequence[Sequence[str]], width: int | None, flexible: int = 0) -> list[str]:
    """``rows`` (the first the headings) in columns two spaces apart; with a
    ``width``, the ``flexible`` column cut first and then each line."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if width is not None:
        excess = sum(widths) + 2 * (len(widths) - 1) - width
        if excess > 0:
            floor = min(widths[flexible], max(MIN_CUT_WIDTH, len(rows[0][flexible])))
            widths[flexible] = max(widths[flexible] - excess, floor)
    lines = []
    for row in rows:
        line = "  ".join(
            fit(cell, size).ljust(size) for cell, size in zip(row, widths, strict=True)
        )
        lines.append(line.rstrip() if width is None else fit(line.rstrip(), width))
    return lines


def terminal_width(stream: TextIO) -> int | None:
    """The width text written to ``stream`` has: None (no limit) when it is
    not a terminal; else ``COLUMNS`` when set, else the terminal's own, else 80."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or unusual stream
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or WIDTH
    except (AttributeError, ValueError, OSError):
        return WIDTH


def fail(message: str, code: int, out: Output | None = None) -> int:
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
        lines.extend(wrap(f"  {line}"))
    sys.stderr.write("\n".join(lines) + "\n")
    return code


def warn(message: str) -> None:
    """A warning on stderr, one line: ``pytest-contracts: warning: ...``."""
    sys.stderr.write(f"pytest-contracts: warning: {message}\n")
