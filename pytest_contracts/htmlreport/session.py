"""The HTML report of one pytest session (``--contracts-html PATH``).

Rendered from what the JSON report holds (the checks, the gate, the
compatibility findings, the registry and the session's figures) and, for
the checks that did not pass, the excerpt of the output each carries. Pure
Python: no pytest, nothing outside the standard library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..excerpt import MASK, is_secret_path, mask_text, parse_pointer
from ..reporting import OUTCOMES, CheckResult, outcome_words
from .page import badge, esc, figures, json_block, marked_text, page, table

#: The most characters of outputs one report shows in all; later failed
#: checks then list their violations without the output.
TOTAL_OUTPUT_CHARS = 1_000_000
#: The longest message shown in the table of checks.
MESSAGE_CHARS = 300
#: The worst outcome first: a boundary's arrow takes the colour of its worst check.
SEVERITY = ("failed", "error", "missing", "unavailable", "not_recorded", "would_fail", "passed")
FAILING = ("failed", "error")

SCRIPT = """
(function () {
  var table = document.getElementById('checks');
  if (!table) { return; }  // a session without checks has no table
  var selects = document.querySelectorAll('select[data-filter]');
  var shown = document.getElementById('shown');
  function apply() {
    var count = 0, rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var keep = true;
      for (var j = 0; j < selects.length; j++) {
        var s = selects[j];
        if (s.value && rows[i].getAttribute('data-' + s.getAttribute('data-filter')) !== s.value) {
          keep = false;
        }
      }
      rows[i].hidden = !keep;
      if (keep) { count++; }
    }
    shown.textContent = String(count);
  }
  for (var k = 0; k < selects.length; k++) { selects[k].addEventListener('change', apply); }
  apply();
})();
"""


def render_session(
    report: dict[str, Any], results: Sequence[CheckResult], phases: Sequence[str]
) -> str:
    """The page for ``report`` (as :func:`~pytest_contracts.reporting.build_report`
    makes it), whose checks are ``results``, phases drawn in ``phases`` order."""
    session = report["session"]
    gate = report["gate"]
    subtitle = (
        f"team {session['team']} - started {session['started_at']} - "
        f"{session['duration_s']:.2f} s - exit status {session['exitstatus']}"
        + (" - interrupted" if session["interrupted"] else "")
    )
    budget = _Budget(TOTAL_OUTPUT_CHARS)
    failing = [(i, r) for i, r in enumerate(results) if r.outcome in FAILING]
    shadow = [(i, r) for i, r in enumerate(results) if r.outcome == "would_fail"]
    body = [
        _figures(report, results),
        _gate(gate),
        _pipeline(results, phases),
        _checks(results),
        _details(
            "failures",
            f"Failed checks ({len(failing)})",
            failing,
            budget,
            "No check failed.",
        ),
        _details(
            "shadow",
            f"Would have failed: shadow checks ({len(shadow)})",
            shadow,
            budget,
            "No check of a version in warn enforcement would have failed.",
            intro="These versions are in warn enforcement: their checks are reported and "
            "recorded, and never fail a test.",
        ),
        _compatibility(report.get("compatibility") or []),
        _registry(report),
    ]
    return page("pytest-contracts report", subtitle, "\n".join(body), SCRIPT)


class _Budget:
    def __init__(self, chars: int) -> None:
        self.left = chars

    def take(self, size: int) -> bool:
        if size > self.left:
            return False
        self.left -= size
        return True


def _figures(report: dict[str, Any], results: Sequence[CheckResult]) -> str:
    counts = report["totals"]
    items: list[tuple[str, Any]] = [("checks", counts["checks"])]
    items += [(outcome_words(o), counts[o]) for o in OUTCOMES if counts.get(o) or o == "passed"]
    items.append(("contracts", len({(r.team, r.contract) for r in results})))
    items.append(("seconds", f"{report['session']['duration_s']:.2f}"))
    if report["session"].get("workers"):
        items.append(("workers", report["session"]["workers"]))
    return f'<section id="figures"><h2>The session</h2>{figures(items)}</section>'


def _gate(gate: dict[str, Any]) -> str:
    if not gate["enabled"]:
        verdict = '<p class="verdict off" id="gate-verdict">gate off</p>'
        why = "<p class='muted'>Run with --contracts-gate to make this session a CI gate.</p>"
    elif gate["passed"]:
        verdict = '<p class="verdict pass" id="gate-verdict">gate passed</p>'
        why = "<p>Every declared contract was checked and held.</p>"
    else:
        verdict = '<p class="verdict fail" id="gate-verdict">gate FAILED</p>'
        reasons = [part for part in str(gate["reason"] or "").split("; ") if part]
        why = "<ul>" + "".join(f"<li>{esc(reason)}</li>" for reason in reasons) + "</ul>"
    return f'<section id="gate"><h2>The gate</h2>{verdict}{why}</section>'


def _worst(outcomes: Sequence[str]) -> str:
    for outcome in SEVERITY:
        if outcome in outcomes:
            return outcome
    return "none"


def _counts(outcomes: Sequence[str]) -> str:
    return ", ".join(
        f"{outcomes.count(o)} {outcome_words(o)}" for o in SEVERITY[::-1] if o in outcomes
    )


def boundary_phases(boundary: str | None) -> tuple[str, str] | None:
    """``("requirements", "design")`` for ``"requirements -> design"``."""
    if not boundary or " -> " not in boundary:
        return None
    source, destination = boundary.split(" -> ", 1)
    return source, destination


def _pipeline(results: Sequence[CheckResult], phases: Sequence[str]) -> str:
    edges: dict[tuple[str, str], list[str]] = {}
    for result in results:
        pair = boundary_phases(result.boundary) if result.kind == "phase_boundary" else None
        if pair is not None:
            edges.setdefault(pair, []).append(result.outcome)
    order = list(phases)
    for source, destination in edges:
        for phase in (source, destination):
            if phase not in order:
                order.append(phase)  # a phase this run's settings do not name: after the others
    used = {phase for pair in edges for phase in pair}
    parts = []
    for index, phase in enumerate(order):
        css = "phase" if phase in used else "phase unused"
        parts.append(f'<div class="{css}" data-phase="{esc(phase)}">{esc(phase)}</div>')
        if index + 1 < len(order):
            outcomes = edges.get((phase, order[index + 1]), [])
            worst = _worst(outcomes)
            label = _counts(outcomes) if outcomes else "no check"
            boundary = f"{phase} -> {order[index + 1]}"
            parts.append(
                f'<div class="edge {esc(worst)}" data-boundary="{esc(boundary)}" '
                f'data-outcome="{esc(worst)}"><span class="arrow">&#10230;</span>'
                f"<span>{esc(label)}</span></div>"
            )
    adjacent = {(order[i], order[i + 1]) for i in range(len(order) - 1)}
    others = [(pair, outcomes) for pair, outcomes in edges.items() if pair not in adjacent]
    rest = ""
    if others:
        rows = [
            (
                esc(f"{source} -> {destination}"),
                badge(_worst(outcomes), "o-" + _worst(outcomes)),
                esc(_counts(outcomes)),
            )
            for (source, destination), outcomes in sorted(
                others, key=lambda item: (order.index(item[0][0]), order.index(item[0][1]))
            )
        ]
        rest = "<h3>Boundaries that skip a phase</h3>" + table(
            ("boundary", "worst outcome", "checks"), rows
        )
    if not edges:
        rest += "<p class='muted'>No phase boundary was checked in this session.</p>"
    return (
        '<section id="pipeline"><h2>The pipeline</h2>'
        f'<div class="pipeline">{"".join(parts)}</div>{rest}</section>'
    )


def _options(name: str, label: str, values: Sequence[tuple[str, str]]) -> str:
    options = '<option value="">all</option>' + "".join(
        f'<option value="{esc(value)}">{esc(text)}</option>' for value, text in values
    )
    return (
        f'<label>{esc(label)} <select data-filter="{esc(name)}" id="filter-{esc(name)}">'
        f"{options}</select></label>"
    )


def _cut(text: str | None, limit: int = MESSAGE_CHARS) -> str:
    if not text:
        return ""
    return text if len(text) <= limit else text[:limit] + "..."


def _checks(results: Sequence[CheckResult]) -> str:
    outcomes = [o for o in OUTCOMES if any(r.outcome == o for r in results)]
    boundaries = sorted({r.boundary or "-" for r in results})
    contracts = sorted({r.contract for r in results})
    filters = (
        '<div class="filters">'
        + _options("outcome", "outcome", [(o, outcome_words(o)) for o in outcomes])
        + _options(
            "boundary",
            "boundary",
            [(b, b if b != "-" else "(no boundary)") for b in boundaries],
        )
        + _options("contract", "contract", [(c, c) for c in contracts])
        + f'<span><b id="shown">{len(results)}</b> of {len(results)} checks shown</span></div>'
    )
    rows = []
    attrs = []
    for index, r in enumerate(results):
        # A check with a section of its own below links to it.
        detailed = r.outcome in FAILING or r.outcome == "would_fail"
        count = len(r.violations)
        link = f'<a href="#check-{index}">{count}</a>' if detailed else str(count)
        rows.append(
            (
                f"<code>{esc(r.test)}</code>",
                esc(r.boundary or "-"),
                esc(r.contract),
                esc(r.version or "-"),
                badge(r.outcome, "o-" + r.outcome),
                link,
                esc(_cut(r.message)),
            )
        )
        attrs.append(
            f'data-outcome="{esc(r.outcome)}" data-boundary="{esc(r.boundary or "-")}" '
            f'data-contract="{esc(r.contract)}"'
        )
    body = (
        table(
            ("test", "boundary", "contract", "version", "outcome", "violations", "message"),
            rows,
            table_id="checks",
            row_attrs=attrs,
        )
        if results
        else "<p class='muted'>No check was made in this session.</p>"
    )
    return f'<section id="all-checks"><h2>Every check</h2>{filters}{body}</section>'


def _details(
    ident: str,
    title: str,
    checks: Sequence[tuple[int, CheckResult]],
    budget: _Budget,
    empty: str,
    intro: str = "",
) -> str:
    if not checks:
        return (
            f'<section id="{ident}"><h2>{esc(title)}</h2>'
            f'<p class="muted">{esc(empty)}</p></section>'
        )
    parts = [f'<section id="{ident}"><h2>{esc(title)}</h2>']
    if intro:
        parts.append(f"<p class='muted'>{esc(intro)}</p>")
    for index, result in checks:
        parts.append(_detail(index, result, budget))
    parts.append("</section>")
    return "".join(parts)


def _detail(index: int, r: CheckResult, budget: _Budget) -> str:
    prefix = f"c{index}"
    where = {pointer: number for number, (pointer, _, _) in enumerate(r.output_marks)}
    head = (
        f'<div class="check" id="check-{index}" data-test="{esc(r.test)}">'
        f"<h3>{badge(r.outcome, 'o-' + r.outcome)} <code>{esc(r.test)}</code></h3>"
        f"<p>{esc(r.label)}: contract <b>{esc(r.contract)}</b> {esc(r.version or '')}, "
        f"team {esc(r.team)}"
        + (f", output #{r.output_index + 1}" if r.output_index else "")
        + "</p>"
    )
    if r.message:
        head += f"<p>{esc(r.message)}</p>"
    shown = r.output is not None and budget.take(len(r.output))
    if r.output is None:
        output = "<p class='muted'>The output was not kept.</p>"
    elif not shown:
        output = (
            "<p class='note'>The output is not shown: this report shows at most "
            f"{TOTAL_OUTPUT_CHARS:,} characters of outputs in all.</p>"
        )
    else:
        note = f"<p class='note'>{esc(r.output_note)}</p>" if r.output_note else ""
        output = f"<pre class='output'>{marked_text(r.output, r.output_marks, prefix)}</pre>{note}"
    items = []
    for violation in r.violations:
        pointer = violation.get("pointer", "")
        place_text = esc(pointer or "(root)")
        number = where.get(pointer)
        place = (
            f'<a href="#{prefix}-{number}"><code>{place_text}</code></a>'
            if number is not None and shown
            else f"<code>{place_text}</code>"
        )
        message = str(violation.get("message") or "")
        tokens = parse_pointer(pointer) or ()
        if is_secret_path(tokens):  # the message quotes the value: not shown
            message = f"the value is not shown ({MASK}): its member's name says it is a secret"
        items.append(
            f"<li>{place}: {esc(mask_text(message))} "
            f"<span class='muted'>[keyword {esc(violation.get('keyword'))}, schema "
            f"{esc(violation.get('schema_path') or '/')}]</span></li>"
        )
    violations = (
        f'<ol class="violations">{"".join(items)}</ol>'
        if items
        else "<p class='muted'>No violation: the schema could not be applied.</p>"
    )
    return f'{head}<div class="check-body"><div>{output}</div><div>{violations}</div></div></div>'


def _compatibility(findings: Sequence[dict[str, Any]]) -> str:
    if not findings:
        return (
            '<section id="compatibility"><h2>Compatibility of the contract files</h2>'
            "<p class='muted'>No contract file of this session evolved a contract.</p></section>"
        )
    parts = ['<section id="compatibility"><h2>Compatibility of the contract files</h2>']
    for finding in findings:
        if finding.get("breaking"):
            word = "breaking (declared)" if finding.get("declared") else "breaking"
            css = "c-breaking"
        else:
            word, css = "compatible", "c-compatible"
        against = ", ".join(finding.get("against") or []) or "-"
        parts.append(
            f"<h3>{badge(word, css)} {esc(finding.get('contract'))} {esc(finding.get('version'))}"
            f" vs {esc(against)} <span class='muted'>[{esc(finding.get('mode'))}, "
            f"{esc(finding.get('policy'))}] {esc(finding.get('file'))}</span></h3>"
        )
        if finding.get("problem"):
            parts.append(f"<p>{esc(finding['problem'])}</p>")
        parts.append(changes_table(finding.get("changes") or []))
    parts.append("</section>")
    return "".join(parts)


def changes_table(changes: Sequence[dict[str, Any]]) -> str:
    """The changes of a compatibility report, each break with its witness."""
    if not changes:
        return "<p class='muted'>No change.</p>"
    rows = []
    for change in changes:
        witness = change.get("witness")
        if isinstance(witness, dict):
            side = (
                "old accepts it, new refuses it"
                if witness.get("direction") == "readers"
                else ("new accepts it, old refuses it")
            )
            shown = (
                json_block(witness.get("document"), 2000)
                + f"<span class='muted'>{esc(side)}</span>"
            )
        elif "breaking" in (change.get("readers"), change.get("writers")):
            shown = "<span class='muted'>no example document found</span>"
        else:
            shown = ""
        rows.append(
            (
                f"<code>{esc(change.get('location') or '/')}</code>",
                esc(change.get("kind")),
                badge(str(change.get("readers")), _effect(change.get("readers"))),
                badge(str(change.get("writers")), _effect(change.get("writers"))),
                esc(change.get("message")),
                shown,
            )
        )
    return table(("location", "change", "readers", "writers", "what", "witness"), rows)


def _effect(effect: Any) -> str:
    return {"breaking": "c-breaking", "safe": "c-compatible"}.get(str(effect), "c-unknown")


def _registry(report: dict[str, Any]) -> str:
    registry = report["registry"]
    session = report["session"]
    circuit = report["circuit_breaker"]
    rows = [(esc(key), f"<code>{esc(value)}</code>") for key, value in registry.items()]
    rows += [
        (esc(f"session {key}"), f"<code>{esc(value)}</code>") for key, value in session.items()
    ]
    rows.append(
        (
            "circuit breaker",
            esc(
                f"opened, {circuit['skipped_calls']} check(s) not made: {circuit['reason']}"
                if circuit["opened"]
                else "closed"
            ),
        )
    )
    return (
        '<section id="registry"><h2>Registry and session</h2>'
        + table(("what", "value"), rows)
        + "</section>"
    )
