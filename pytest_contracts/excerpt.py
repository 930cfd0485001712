"""What a report shows of a failed check's output: its JSON text, cut to a
size, with secrets masked and the place of each violation marked.

The checker makes the excerpt where the output is (any process of the run),
so that only the excerpt travels to the reporting process: a 16 MiB output
becomes some kilobytes. The text is pretty-printed JSON (two spaces a
level); where parts are cut a line ``... N members cut`` stands in their
place, so it is for reading, not for parsing. Every location a violation
points at is kept, however large the output: only what lies beside them is
cut. ``marks`` gives, for each such JSON Pointer, where its value starts and
ends in the text.

Values under a key that names a secret (``password``, ``token``,
``api_key``, ``authorization``...) are written as ``"***"``, and so is the
password of a URL inside a string: a report must not spread them.
Pure Python: no pytest, nothing heavy.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any

#: About how many characters of an output's text an excerpt keeps (the
#: locations of violations are kept beyond it).
EXCERPT_CHARS = 16 * 1024
#: The longest string shown whole; longer ones are cut to this many characters.
STRING_CHARS = 1000
#: The deepest level shown; deeper values are cut.
MAX_DEPTH = 64
MASK = "***"

_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)|^pass$|pwd|secret|token|api[-_]?key|auth(orization)?$|"
    r"credential|private[-_]?key|cookie|session[-_]?id",
    re.IGNORECASE,
)
#: A URL's password: up to the last "@" before the host (a password may hold "@").
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^\s/]+@", re.IGNORECASE)


def json_text(value: str) -> str:
    """A string as JSON text that UTF-8 can write: a lone surrogate (JSON data
    may hold one) is written as its escape, ``\\ud800``."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "backslashreplace").decode()


def is_secret_path(tokens: Iterable[str]) -> bool:
    """Whether a JSON Pointer's tokens pass through a member named as a secret."""
    return any(is_secret_key(token) for token in tokens)


def is_secret_key(key: str) -> bool:
    """Whether a member's name says its value is a secret."""
    return _SECRET_KEY.search(key) is not None


def mask_text(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    return _URL_PASSWORD.sub(rf"\g<1>{MASK}@", text)


@dataclasses.dataclass(frozen=True, slots=True)
class Excerpt:
    """An output's text as a report shows it."""

    text: str
    #: (JSON Pointer, start, end): where each wanted location's value is in ``text``.
    marks: tuple[tuple[str, int, int], ...]
    #: Why the text is not the whole output, or None when it is.
    note: str | None


def parse_pointer(pointer: str) -> tuple[str, ...] | None:
    """The reference tokens of a JSON Pointer, or None when it is not one."""
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        return None
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))


def _pointer(tokens: tuple[str, ...]) -> str:
    return "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in tokens)


def excerpt(data: Any, pointers: Iterable[str], limit: int = EXCERPT_CHARS) -> Excerpt:
    """The excerpt of ``data`` that keeps each of ``pointers``, about
    ``limit`` characters beside them."""
    wanted: set[tuple[str, ...]] = set()
    for pointer in pointers:
        tokens = parse_pointer(pointer)
        if tokens is not None:
            wanted.add(tokens)
    on_path = {tokens[:end] for tokens in wanted for end in range(len(tokens) + 1)}
    writer = _Writer(wanted, on_path, limit)
    writer.value(data, (), "", 0, masked=False)
    notes = []
    if writer.cut:
        notes.append(
            f"{writer.cut:,} part(s) with no violation are cut to keep the report small "
            f"(about {limit:,} characters are shown)"
        )
    if writer.long_strings:
        notes.append(f"{writer.long_strings} string(s) longer than {STRING_CHARS:,} are cut")
    if writer.too_deep:
        notes.append(f"levels deeper than {MAX_DEPTH} are cut")
    return Excerpt(
        text="".join(writer.parts),
        marks=tuple(writer.marks),
        note="; ".join(notes) or None,
    )


class _Writer:
    def __init__(
        self, wanted: set[tuple[str, ...]], on_path: set[tuple[str, ...]], limit: int
    ) -> None:
        self.wanted = wanted
        self.on_path = on_path
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.marks: list[tuple[str, int, int]] = []
        self.cut = 0
        self.long_strings = 0
        self.too_deep = False

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def value(
        self, value: Any, tokens: tuple[str, ...], indent: str, depth: int, *, masked: bool
    ) -> None:
        start = self.size
        if depth > MAX_DEPTH and isinstance(value, dict | list) and value:
            self.too_deep = True
            self.emit("[...]" if isinstance(value, list) else "{...}")
        elif isinstance(value, dict):
            items = [(str(key), item) for key, item in value.items()]
            self.container(items, tokens, indent, depth, "{", "}", "member", masked=masked)
        elif isinstance(value, list):
            entries = [(str(index), item) for index, item in enumerate(value)]
            self.container(entries, tokens, indent, depth, "[", "]", "item", masked=masked)
        else:
            self.emit(self.scalar(value, masked=masked))
        if tokens in self.wanted:
            self.marks.append((_pointer(tokens), start, self.size))

    def container(
        self,
        entries: list[tuple[str, Any]],
        tokens: tuple[str, ...],
        indent: str,
        depth: int,
        opening: str,
        closing: str,
        what: str,
        *,
        masked: bool,
    ) -> None:
        if not entries:
            self.emit(opening + closing)
            return
        inner = indent + "  "
        is_object = opening == "{"
        self.emit(opening)
        first = True
        skipped = 0

        def flush_skipped() -> None:
            nonlocal first, skipped
            if skipped:
                self.emit(("\n" if first else ",\n") + f"{inner}... {skipped:,} {what}s cut")
                self.cut += skipped
                first, skipped = False, 0

        for key, item in entries:
            child = (*tokens, key)
            if self.size > self.limit and child not in self.on_path:
                skipped += 1
                continue
            flush_skipped()
            self.emit(("\n" if first else ",\n") + inner)
            first = False
            secret = masked
            if is_object:
                self.emit(json_text(key) + ": ")
                secret = masked or is_secret_key(key)
            self.value(item, child, inner, depth + 1, masked=secret)
        flush_skipped()
        self.emit("\n" + indent + closing)

    def scalar(self, value: Any, *, masked: bool) -> str:
        if value is None or isinstance(value, bool):
            return json.dumps(value)
        if masked:
            return json.dumps(MASK)
        if isinstance(value, str):
            text = mask_text(value)
            if len(text) > STRING_CHARS:
                self.long_strings += 1
                text = f"{text[:STRING_CHARS]}... ({len(value):,} characters)"
            return json_text(text)
        if isinstance(value, int | float):
            try:
                return json.dumps(value)
            except ValueError:  # more digits than str() allows
                return '"(a number too long to show)"'
        return json_text(repr(value)[:STRING_CHARS])
