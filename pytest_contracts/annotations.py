"""GitHub Actions output: workflow commands and the job's step summary.

``--contracts-format github`` turns each check that did not pass into an
annotation at its test (``::error file=tests/test_x.py,line=12::...``), each
contract file with an undeclared break into one at the file, and the run into
a Markdown table for the job's page (``$GITHUB_STEP_SUMMARY``). Everything
here works on plain data and returns text; the summary prints it and writes
it (nothing here imports pytest).

Workflow commands are lines, so every value is escaped as GitHub's toolkit
escapes it: in the message ``%``, ``\\r`` and ``\\n``; in a property (``file``,
``title``) also ``:`` and ``,``, which separate properties.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .reporting import CheckResult, outcome_words, totals, totals_line

#: The values of ``--contracts-format``: ``none`` prints nothing extra.
FORMATS = ("github", "none")
#: The violations an annotation names; the rest are counted.
MAX_VIOLATIONS = 3
#: A violation's message in an annotation is cut to this many characters.
MAX_MESSAGE = 300

_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY = {**_DATA, ":": "%3A", ",": "%2C"}
_UNESCAPE = re.compile("%(25|0D|0A|3A|2C)")
_UNESCAPED = {"25": "%", "0D": "\r", "0A": "\n", "3A": ":", "2C": ","}


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, ``\\r`` and ``\\n`` escaped."""
    return "".join(_DATA.get(char, char) for char in text)


def escape_property(text: str) -> str:
    """A workflow command's property value: as :func:`escape_data`, and ``:``
    and ``,`` too."""
    return "".join(_PROPERTY.get(char, char) for char in text)


def unescape(text: str) -> str:
    """The text :func:`escape_data` or :func:`escape_property` escaped, in one
    pass (so an escaped ``%`` followed by ``0A`` stays ``%0A``)."""
    return _UNESCAPE.sub(lambda match: _UNESCAPED[match[1]], text)


def workflow_command(
    level: str, message: str, *, file: str | None = None, line: int | None = None, title: str = ""
) -> str:
    """One annotation: ``::error file=F,line=L,title=T::message``."""
    properties = []
    if file is not None:
        properties.append(f"file={escape_property(file)}")
        if line is not None:
            properties.append(f"line={line}")
    if title:
        properties.append(f"title={escape_property(title)}")
    head = f"{level} {','.join(properties)}" if properties else level
    return f"::{head}::{escape_data(message)}"


@dataclasses.dataclass(frozen=True, slots=True)
class Location:
    """Where a test is: its file as the annotation names it, and its line (1-based)."""

    file: str
    line: int | None


def workspace_path(path: Path, workspace: str | None, root: Path) -> str:
    """A path as an annotation names it: relative to the checked-out
    repository (``GITHUB_WORKSPACE``) when it lies there, else to the
    rootdir, else as it is; always with ``/``."""
    for base in (Path(workspace) if workspace else None, root):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _level(outcome: str, gate: bool) -> str | None:
    """The annotation a check gets: ``error`` where it fails the test (a
    violation, a schema that cannot be applied; under the gate, a contract that
    was not checked), ``warning`` where it only warns (a shadow version's
    violation; without the gate, a contract that was not checked)."""
    if outcome in ("failed", "error"):
        return "error"
    if outcome == "would_fail":
        return "warning"
    if outcome in ("missing", "unavailable", "not_recorded"):
        return "error" if gate else "warning"
    return None


def _cut(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_message(result: CheckResult) -> str:
    """What an annotation says of one check: the contract, its version and
    team, the outcome, and the first violations."""
    version = f"version {result.version!r}" if result.version else "no active version"
    where = f"{result.kind.replace('_', ' ')} {result.label}: " if result.boundary else ""
    lines = [
        f"{where}contract {result.contract!r} {version} (team {result.team!r}): "
        f"{outcome_words(result.outcome)}"
        + (f", output #{result.output_index + 1}" if result.output_index else "")
    ]
    if result.message:
        lines.append(_cut(result.message))
    for violation in result.violations[:MAX_VIOLATIONS]:
        pointer = violation.get("pointer") or "(root)"
        lines.append(f"at {pointer}: {_cut(str(violation.get('message', '')))}")
    more = len(result.violations) - MAX_VIOLATIONS
    if more > 0:
        lines.append(f"and {more} more violation{'s' if more != 1 else ''}")
    return "\n".join(lines)


def check_annotations(
    results: Iterable[CheckResult], locations: Mapping[str, Location], *, gate: bool
) -> list[str]:
    """An annotation for each check that did not pass, at its test's file and
    line (a test whose place is not known gets one without a file)."""
    commands = []
    for result in results:
        level = _level(result.outcome, gate)
        if level is None:
            continue
        version = result.version or "(no active version)"
        title = f"contract {result.contract} {version}: {outcome_words(result.outcome)}"
        if result.outcome == "would_fail":
            title += " (warn enforcement)"
        place = locations.get(result.test)
        commands.append(
            workflow_command(
                level,
                check_message(result),
                file=place.file if place is not None else None,
                line=place.line if place is not None else None,
                title=title,
            )
        )
    return commands


def undeclared_breaks(findings: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The findings of contract files that break their contract without
    declaring it, or whose contract the registry holds an unresolved break of."""
    return [
        finding
        for finding in findings
        if (finding.get("breaking") and finding.get("declared") is not True)
        or finding.get("unresolved")
    ]


def break_message(finding: Mapping[str, Any]) -> str:
    """What an annotation says of a contract file's undeclared break."""
    name = f"contract {finding['contract']!r} version {finding['version']!r}"
    lines = []
    if finding.get("breaking") and finding.get("declared") is not True:
        against = ", ".join(finding.get("against") or []) or "the version before it"
        lines.append(f"{name} breaks {against} without declaring it")
        breaking = [
            change
            for change in finding.get("changes") or []
            if "breaking" in (change.get("readers"), change.get("writers"))
        ]
        for change in breaking[:MAX_VIOLATIONS]:
            lines.append(f"{change.get('location') or '/'}: {_cut(str(change.get('message')))}")
        if len(breaking) > MAX_VIOLATIONS:
            lines.append(f"and {len(breaking) - MAX_VIOLATIONS} more breaking change(s)")
    for entry in finding.get("unresolved") or []:
        lines.append(
            f"the registry holds version {entry.get('version')!r} ({entry.get('status')}) of "
            f"{finding['contract']!r} as a break nobody declared or accepted"
        )
    lines.append(
        'declare it ("breaking_change": true with a new major version), keep the schema '
        "compatible, or accept it: pytest-contracts accept NAME VERSION --by ACTOR --reason TEXT"
    )
    return "\n".join(lines)


def file_annotations(
    findings: Iterable[Mapping[str, Any]], *, gate: bool, path_of: Callable[[str], str] = str
) -> list[str]:
    """An annotation at each contract file with an undeclared break: an error
    under the gate (which refuses the file), a warning without it (the
    version was kept as a draft). ``path_of`` turns the finding's file into
    the path the annotation names."""
    return [
        workflow_command(
            "error" if gate else "warning",
            break_message(finding),
            file=path_of(finding["file"]),
            title=f"undeclared break: {finding['contract']} {finding['version']}",
        )
        for finding in undeclared_breaks(findings)
    ]


def markdown_cell(text: str) -> str:
    """Text that stays text in its Markdown table cell: ``&`` and ``<`` as
    entities (a name like ``<img src=x>`` or ``<!--`` is no markup; without a
    ``<`` there is none), backslashes and ``|`` escaped, each line break a
    ``<br>``."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return re.sub(r"\r\n|\r|\n", "<br>", text)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(markdown_cell(cell) for cell in cells) + " |"


def step_summary(
    results: Sequence[CheckResult],
    *,
    gate: bool,
    gate_reason: str | None,
    findings: Iterable[Mapping[str, Any]] = (),
    start_error: str | None = None,
    path_of: Callable[[str], str] = str,
) -> str:
    """The run as Markdown for ``$GITHUB_STEP_SUMMARY``: a row per boundary
    or contract with its checks, the totals and the gate's verdict."""
    lines = ["### Contracts", ""]
    if results:
        lines += [
            "| boundary | contract | team | versions | checks | passed | not passed |",
            "| --- | --- | --- | --- | ---: | ---: | --- |",
        ]
        groups: dict[tuple[str, str, str], list[CheckResult]] = {}
        for result in results:
            groups.setdefault((result.label, result.contract, result.team), []).append(result)
        for (label, contract, team), group in sorted(groups.items()):
            counts = totals(group)
            problems = ", ".join(
                f"{count} {outcome_words(outcome)}"
                for outcome, count in counts.items()
                if outcome not in ("checks", "passed") and count
            )
            versions = ", ".join(sorted({r.version for r in group if r.version})) or "-"
            lines.append(
                _row(
                    [
                        label,
                        contract,
                        team,
                        versions,
                        str(counts["checks"]),
                        str(counts["passed"]),
                        problems or "-",
                    ]
                )
            )
        lines.append("")
        contracts = len({(r.team, r.contract) for r in results})
        lines.append(markdown_cell(totals_line(totals(results), contracts)))
    else:
        lines.append("No check was made.")
    breaks = undeclared_breaks(findings)
    if breaks:
        lines += ["", "| contract file with an undeclared break | contract | version |"]
        lines.append("| --- | --- | --- |")
        for finding in breaks:
            lines.append(
                _row([path_of(str(finding["file"])), finding["contract"], finding["version"]])
            )
    if start_error:
        lines += ["", f"The session stopped at start: {markdown_cell(start_error)}"]
    lines.append("")
    if not gate:
        lines.append("Gate: off")
    elif gate_reason:
        lines.append(f"Gate: **failed**: {markdown_cell(gate_reason)}")
    else:
        lines.append("Gate: **passed**")
    return "\n".join(lines) + "\n"
