"""Check results, the terminal summary lines and the JSON report.

Results travel from the process that ran a test to the one that reports (the
xdist controller) as JSON in ``item.user_properties``; everything here works
on plain data and never imports pytest.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPORT_FORMAT = "pytest-contracts-report"
#: 2: a check can be ``not_recorded`` (a declared contract whose test recorded
#: no output), and the totals count them. 3: a check can be ``would_fail`` (it
#: failed a version in ``warn`` enforcement: reported, never failing), counted
#: apart.
REPORT_VERSION = 3
#: The user property that carries one check result, as JSON.
PROPERTY = "pytest_contracts.check"

OUTCOMES = ("passed", "failed", "missing", "unavailable", "error", "not_recorded", "would_fail")


def outcome_words(outcome: str) -> str:
    """An outcome as the terminal writes it: ``not_recorded`` -> ``not recorded``."""
    return outcome.replace("_", " ")


@dataclasses.dataclass(frozen=True, slots=True)
class CheckResult:
    """One recorded output checked (or not checkable) against one contract."""

    test: str
    kind: str
    boundary: str | None
    team: str
    contract: str
    version: str | None
    contract_id: str | None
    outcome: str
    violations: tuple[dict[str, str], ...] = ()
    message: str | None = None
    duration_ms: float = 0.0
    output_index: int = 0
    #: For the HTML report, a check that did not pass carries what it checked:
    #: the output's excerpt (:mod:`pytest_contracts.excerpt`), where each
    #: violation's location is in it, and why it is cut. Never in the JSON report.
    output: str | None = None
    output_marks: tuple[tuple[str, int, int], ...] = ()
    output_note: str | None = None

    @property
    def label(self) -> str:
        return self.boundary or self.contract

    def to_dict(self) -> dict[str, Any]:
        # Field by field: dataclasses.asdict deep-copies, which costs more
        # than the rest of a passing check.
        data = {name: getattr(self, name) for name in _REPORTED}
        data["violations"] = [dict(v) for v in self.violations]
        if self.output is not None:
            data["output"] = self.output
            data["output_marks"] = [list(mark) for mark in self.output_marks]
            data["output_note"] = self.output_note
        return data

    def report_dict(self) -> dict[str, Any]:
        """The check as the JSON report gives it: without the output's excerpt."""
        data = self.to_dict()
        for name in _EXCERPT:
            data.pop(name, None)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        values = {k: v for k, v in data.items() if k in _FIELDS}
        values["violations"] = tuple(dict(v) for v in values.get("violations", ()))
        values["output_marks"] = tuple(
            (str(pointer), int(start), int(end))
            for pointer, start, end in values.get("output_marks", ())
        )
        return cls(**values)


_FIELDS = tuple(field.name for field in dataclasses.fields(CheckResult))
_EXCERPT = ("output", "output_marks", "output_note")
_REPORTED = tuple(name for name in _FIELDS if name not in _EXCERPT)


def contract_text(result: CheckResult) -> str:
    version = result.version or "(no active version)"
    return f"{result.contract} {version}"


def violation_lines(result: CheckResult, *, indent: str = "  ") -> list[str]:
    """The failure text of one check: readable without opening any file."""
    head = f"{result.kind.replace('_', ' ')} {result.label}: contract {result.contract!r}"
    if result.version:
        head += f" version {result.version!r}"
    if result.contract_id:
        head += f" (id {result.contract_id})"
    head += f", team {result.team!r}"
    if result.output_index:
        head += f", output #{result.output_index + 1}"
    lines = [head]
    if result.message:
        lines.append(indent + result.message)
    for v in result.violations:
        where = v["pointer"] or "(root)"
        lines.append(
            f"{indent}at {where}: {v['message']} "
            f"[keyword {v['keyword']!r}, schema {v['schema_path'] or '/'}]"
        )
    return lines


def failure_text(results: Sequence[CheckResult]) -> str:
    bad = [r for r in results if r.outcome != "passed"]
    if all(r.outcome == "not_recorded" for r in bad):
        # Nothing was checked: a line per declaration saying what to do.
        return "\n".join(f"{r.label}: {r.message}" for r in bad)
    count = sum(len(r.violations) or 1 for r in bad)
    lines = [f"contract check failed ({count} problem{'s' if count != 1 else ''}):"]
    for result in bad:
        lines.extend("  " + line for line in violation_lines(result))
    return "\n".join(lines)


def totals(results: Iterable[CheckResult]) -> dict[str, int]:
    counts = dict.fromkeys(("checks", *OUTCOMES), 0)
    for result in results:
        counts["checks"] += 1
        counts[result.outcome] += 1
    return counts


def totals_line(counts: dict[str, int], contracts: int) -> str:
    parts = [f"{counts[o]} {outcome_words(o)}" for o in OUTCOMES if counts[o] or o == "passed"]
    return (
        f"{counts['checks']} check{'s' if counts['checks'] != 1 else ''} against "
        f"{contracts} contract{'s' if contracts != 1 else ''}: " + ", ".join(parts)
    )


def summary_lines(results: Sequence[CheckResult], verbosity: int) -> list[str]:
    """The terminal section. Default: every problem with each of its violations
    on a line, then a line per boundary or contract, then the totals. -v adds
    the passed checks; -q keeps only the totals."""
    lines: list[str] = []
    if verbosity >= 0:
        for result in results:
            if result.outcome == "passed" and verbosity < 1:
                continue
            first = f"{outcome_words(result.outcome).upper():<11} {result.test}  {result.label}"
            if result.version:
                first += f" ({result.contract} {result.version})"
            lines.append(first)
            for v in result.violations:
                lines.append(f"    at {v['pointer'] or '(root)'}: {v['message']}")
            if result.message and result.outcome != "passed":
                lines.append("    " + result.message)
        groups: dict[tuple[str, str, str], list[CheckResult]] = {}
        for result in results:
            groups.setdefault((result.label, result.contract, result.team), []).append(result)
        for (label, contract, team), group in sorted(groups.items()):
            counts = totals(group)
            versions = sorted({r.version for r in group if r.version})
            name = label if label == contract else f"{label} ({contract})"
            detail = ", ".join(f"{counts[o]} {outcome_words(o)}" for o in OUTCOMES if counts[o])
            lines.append(
                f"  {name} [team {team}{', ' + ', '.join(versions) if versions else ''}]: {detail}"
            )
    counts = totals(results)
    lines.append(totals_line(counts, len({(r.team, r.contract) for r in results})))
    return lines


def build_report(
    *,
    results: Sequence[CheckResult],
    session: dict[str, Any],
    registry: dict[str, Any],
    gate: dict[str, Any],
    circuit: dict[str, Any],
    compatibility: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "session": session,
        "registry": registry,
        "checks": [r.report_dict() for r in results],
        "totals": totals(results),
        "gate": gate,
        "circuit_breaker": circuit,
        "compatibility": list(compatibility),
    }


def compat_lines(findings: Sequence[dict[str, Any]], verbosity: int) -> list[str]:
    """The compatibility findings of the loaded contract files: a line per
    evolved version (breaking ones always, compatible ones unless -q), a
    line per breaking change, and under -v a line per change, each breaking
    one with its witness document."""
    from .compat.report import Witness

    lines = []
    for finding in findings:
        if not finding["breaking"] and verbosity < 0:
            continue
        against = ", ".join(finding["against"]) or "-"
        if finding["breaking"]:
            head = "BREAKING (declared)" if finding["declared"] else "BREAKING"
        else:
            head = "compatible"
        unknown = f", {finding['unknown']} undecided" if finding["unknown"] else ""
        lines.append(
            f"{head}: {finding['contract']} {finding['version']} vs {against} "
            f"[{finding['mode']}, {finding['policy']}{unknown}]"
        )
        shown = (
            finding["changes"]
            if verbosity > 0
            else [c for c in finding["changes"] if "breaking" in (c["readers"], c["writers"])]
        )
        for change in shown[:20]:
            lines.extend(
                textwrap.wrap(
                    f"{change['location'] or '/'}: {change['message']}",
                    78,
                    initial_indent="  ",
                    subsequent_indent="      ",
                    break_on_hyphens=False,
                )
            )
            if verbosity > 0 and "breaking" in (change["readers"], change["writers"]):
                found = Witness.from_dict(change.get("witness"))
                lines.extend(
                    textwrap.wrap(
                        found.render() if found is not None else "no example document found",
                        78,
                        initial_indent="      ",
                        subsequent_indent="        ",
                        break_on_hyphens=False,
                    )
                )
    return lines


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so a
    reader never sees half a report."""
    write_text_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a
    rename, so a reader never sees half a file. A lone surrogate (JSON data
    may hold one, and a violation's message quotes the value) is written as
    its escape, ``\\ud800``: inside a JSON string that reads back as the same
    character."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report this version writes."""
    text = (Path(__file__).with_name("report_schema.json")).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
