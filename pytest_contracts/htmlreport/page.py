"""The page both HTML reports share: one self-contained file.

Everything the page needs is inside it: the style sheet and the few lines
of script are inline, and its Content-Security-Policy (``default-src
'none'``) lets the browser run only those two, by their hashes, and load
nothing at all: no font, no image, no request. Every piece of text from the
run or the registry goes through :func:`esc` (``html.escape``), so a
contract name or an output that holds ``</script>`` or ``<img onerror=...>``
is shown as text.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

STYLE = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --shadow: #8250df; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #1f2328; background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #d0d7de; }
main { padding: 8px 24px 40px; max-width: 1400px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px;
  padding: 12px 16px; margin: 14px 0; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaeef2;
  vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f6f8fa; border: 1px solid #eaeef2; border-radius: 6px; padding: 8px;
  overflow: auto; max-height: 480px; margin: 0; white-space: pre; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px;
  font-weight: 600; color: #fff; background: var(--muted); white-space: nowrap; }
.o-passed, .s-active, .c-compatible { background: var(--ok); }
.o-failed, .o-error, .c-breaking { background: var(--bad); }
.o-missing, .o-unavailable, .o-not_recorded, .s-deprecated, .c-unknown { background: var(--warn); }
.o-would_fail { background: var(--shadow); }
.s-draft, .s-retired, .o-none { background: var(--muted); }
.verdict { font-size: 16px; font-weight: 600; }
.verdict.pass { color: var(--ok); }
.verdict.fail { color: var(--bad); }
.verdict.off { color: var(--muted); }
.muted { color: var(--muted); }
.figures { display: flex; flex-wrap: wrap; gap: 10px; }
.figure { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 12px; min-width: 96px; }
.figure b { display: block; font-size: 20px; }
.pipeline { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 6px 0; }
.phase { border: 2px solid #24292f; border-radius: 8px; padding: 8px 14px; background: #fff;
  font-weight: 600; }
.phase.unused { border-color: #d0d7de; color: var(--muted); font-weight: 400; }
.edge { display: flex; flex-direction: column; align-items: center; min-width: 92px;
  font-size: 12px; }
.edge .arrow { font-size: 22px; line-height: 1; }
.edge.none .arrow { color: #d0d7de; }
.edge.passed .arrow { color: var(--ok); }
.edge.failed .arrow, .edge.error .arrow { color: var(--bad); }
.edge.missing .arrow, .edge.unavailable .arrow, .edge.not_recorded .arrow { color: var(--warn); }
.edge.would_fail .arrow { color: var(--shadow); }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 8px; }
.check { border-top: 1px solid #d0d7de; padding: 10px 0; }
.check-body { display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr);
  gap: 12px; }
mark.hit { background: #ffebe9; outline: 2px solid var(--bad); border-radius: 2px;
  color: inherit; }
#shadow mark.hit { background: #fbefff; outline-color: var(--shadow); }
ol.violations { margin: 0; padding-left: 20px; }
ol.violations li { margin-bottom: 6px; }
.note { color: var(--warn); font-size: 12px; margin: 4px 0; }
"""

#: The policy of every page: nothing may be loaded; only the page's own
#: style sheet and script (by their hashes) apply.
_POLICY = (
    "default-src 'none'; style-src {style}; script-src {script}; img-src 'none'; "
    "connect-src 'none'; form-action 'none'; base-uri 'none'"
)


def esc(value: Any) -> str:
    """Any value as HTML text (quotes included, for attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def content(value: Any) -> str:
    """Any value as the text of an element: ``<``, ``>`` and ``&`` escaped,
    quotes kept as they are (they are safe outside attributes)."""
    return html.escape("" if value is None else str(value), quote=False)


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def page(title: str, subtitle: str, body: str, script: str = "") -> str:
    """The whole document."""
    policy = _POLICY.format(style=_digest(STYLE), script=_digest(script) if script else "'none'")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>\n<main>\n"
        f"{body}\n</main>\n"
        + (f"<script>{script}</script>\n" if script else "")
        + "</body>\n</html>\n"
    )


def badge(word: str, css: str) -> str:
    return f'<span class="badge {esc(css)}">{esc(word.replace("_", " "))}</span>'


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    table_id: str | None = None,
    row_attrs: Iterable[str] | None = None,
) -> str:
    """A table whose cells are HTML already (escape the text in them first)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    attrs = iter(row_attrs) if row_attrs is not None else None
    body = []
    for row in rows:
        extra = (" " + next(attrs)) if attrs is not None else ""
        body.append(f"<tr{extra}>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    ident = f' id="{esc(table_id)}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figures(items: Iterable[tuple[str, Any]]) -> str:
    return (
        '<div class="figures">'
        + "".join(
            f'<div class="figure"><b>{esc(value)}</b><span class="muted">{esc(label)}</span></div>'
            for label, value in items
        )
        + "</div>"
    )


def json_block(value: Any, limit: int = 4000) -> str:
    """A JSON value, pretty-printed and cut at ``limit`` characters."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if len(text) > limit:
        text = text[:limit] + f"\n... cut: {len(text):,} characters in all"
    return f"<pre>{content(text)}</pre>"


def marked_text(text: str, marks: Sequence[tuple[str, int, int]], prefix: str) -> str:
    """``text`` as HTML with each mark's span wrapped in ``<mark>``, whose id
    is ``prefix`` and the mark's number; marks nest as JSON values do."""
    ordered = sorted(
        (
            (start, end, index, pointer)
            for index, (pointer, start, end) in enumerate(marks)
            if 0 <= start <= end <= len(text)
        ),
        key=lambda mark: (mark[0], -mark[1]),
    )
    # (offset, closing before opening, nesting order, html)
    events: list[tuple[int, int, int, str]] = []
    for start, end, index, pointer in ordered:
        tag = f'<mark class="hit" id="{esc(prefix)}-{index}" data-pointer="{esc(pointer)}">'
        events.append((start, 1, -end, tag))
        events.append((end, 0, -start, "</mark>"))
    events.sort(key=lambda event: event[:3])
    out = []
    position = 0
    for offset, _, _, tag in events:
        out.append(content(text[position:offset]))
        out.append(tag)
        position = offset
    out.append(content(text[position:]))
    return "".join(out)
