"""The figures, the one table they are printed as, and their JSON form."""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: What the system this project replaces quoted, in milliseconds.
REPLACED_MS = {
    "startup": 110.0,
    "create": 50.0,
    "cached lookup": 10.0,
    "validate": 20.0,
}

WIDTH = 100


@dataclass
class Figure:
    """One row: a subject measured next to its baseline.

    ``subject`` and ``baseline`` are in ``unit`` ("ms" or "MB"). The verdict
    compares ``ratio`` with ``max_ratio``, or ``absolute`` (in ``unit``) with
    ``max_absolute`` when the target is absolute; with no target it is "info".
    """

    key: str
    section: int
    label: str
    unit: str = "ms"
    subject: float | None = None
    baseline: float | None = None
    ratio: float | None = None
    max_ratio: float | None = None
    absolute: float | None = None
    max_absolute: float | None = None
    #: Key of REPLACED_MS this figure stands next to.
    replaced: str | None = None
    skipped: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.skipped is not None:
            return "skip"
        if self.max_absolute is not None and self.absolute is not None:
            return "PASS" if self.absolute <= self.max_absolute else "MISS"
        if self.max_ratio is not None and self.ratio is not None:
            return "PASS" if self.ratio <= self.max_ratio else "MISS"
        if "ok" in self.extra:
            return "PASS" if self.extra["ok"] else "MISS"
        return "info"

    @property
    def target(self) -> str:
        if self.max_absolute is not None:
            return f"<={_num(self.max_absolute)}{self.unit}"
        if self.max_ratio is not None:
            return f"<={self.max_ratio:g}x"
        return str(self.extra.get("target", "-"))

    @property
    def versus_replaced(self) -> str:
        if self.replaced is None or self.subject is None or self.skipped:
            return ""
        quoted = REPLACED_MS[self.replaced]
        factor = quoted / self.subject
        if factor >= 1:
            return f"{factor:,.0f}x under {quoted:g} ms"
        return f"{1 / factor:.1f}x over {quoted:g} ms"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            verdict=self.verdict,
            target=self.target,
            replaced_ms=REPLACED_MS.get(self.replaced) if self.replaced else None,
        )
        return data


def _num(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def amount(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        if value < 0.001:
            return f"{value * 1e6:.0f} ns"
        if value < 1:
            return f"{value * 1000:.1f} us"
        return f"{_num(value)} ms"
    return f"{_num(value)} {unit}"


_COLUMNS = (  # title, width, align
    ("#", 1, "<"),
    ("figure", 36, "<"),
    ("subject", 9, ">"),
    ("baseline", 9, ">"),
    ("ratio", 7, ">"),
    ("target", 8, ">"),
    ("", 4, "<"),
    ("vs replaced", 18, "<"),
)


def _line(cells: list[str]) -> str:
    parts = []
    for (_, width, align), cell in zip(_COLUMNS, cells, strict=True):
        text = cell if len(cell) <= width else cell[: width - 1] + "~"
        parts.append(f"{text:{align}{width}}")
    return " ".join(parts).rstrip()


def table(figures: list[Figure]) -> str:
    lines = [_line([title for title, _, _ in _COLUMNS]), "-" * WIDTH]
    section = None
    for fig in figures:
        if section is not None and fig.section != section:
            lines.append("")
        section = fig.section
        if fig.skipped is not None:
            lines.append(_line([str(fig.section), fig.label, "", "", "", "", "skip", ""]))
            continue
        ratio = "-" if fig.ratio is None else f"{fig.ratio:.2f}x"
        lines.append(
            _line(
                [
                    str(fig.section),
                    fig.label,
                    amount(fig.subject, fig.unit),
                    amount(fig.baseline, fig.unit),
                    ratio,
                    fig.target,
                    fig.verdict,
                    fig.versus_replaced,
                ]
            )
        )
    notes = [f"  {f.key}: {f.note}" for f in figures if f.note and f.skipped is None]
    skipped = [f"  {f.key}: skipped: {f.skipped}" for f in figures if f.skipped is not None]
    if notes:
        lines += ["", "notes:", *notes]
    if skipped:
        lines += ["", *skipped]
    return "\n".join(_wrap(line) for line in lines)


def _wrap(line: str) -> str:
    if len(line) <= WIDTH:
        return line
    out, rest = [], line
    while len(rest) > WIDTH:
        cut = rest.rfind(" ", 0, WIDTH)
        cut = cut if cut > 20 else WIDTH
        out.append(rest[:cut])
        rest = "      " + rest[cut:].lstrip()
    out.append(rest)
    return "\n".join(out)


def write_json(path: Path, figures: list[Figure], *, mode: str, seconds: float) -> None:
    data = {
        "mode": mode,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "seconds": seconds,
        "figures": [f.to_json() for f in figures],
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
