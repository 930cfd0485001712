"""GitHub Actions output (annotations.py): workflow commands escaped so that
any text stays one line and reads back, annotations for checks and contract
files, and the step summary's Markdown."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pytest_contracts.annotations import (
    Location,
    check_annotations,
    escape_data,
    escape_property,
    file_annotations,
    markdown_cell,
    step_summary,
    unescape,
    workflow_command,
    workspace_path,
)
from pytest_contracts.reporting import CheckResult

#: Text with what breaks workflow commands made likely.
awkward = st.text(
    alphabet=st.one_of(st.sampled_from("%\r\n:,|\\=0ADC253"), st.characters()), max_size=40
)


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command read back as the runner reads it: the command, its
    properties split on ``,`` and ``=``, the message; everything unescaped."""
    match = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line, re.DOTALL)
    assert match is not None, line
    properties = {}
    if match[2]:
        for pair in match[2].split(","):
            key, _, value = pair.partition("=")
            properties[key] = unescape(value)
    return match[1], properties, unescape(match[3])


def result(outcome: str, *, violations: int = 0, **fields: object) -> CheckResult:
    values: dict[str, object] = {
        "test": "tests/test_x.py::test_x",
        "kind": "phase_boundary",
        "boundary": "requirements -> design",
        "team": "default",
        "contract": "phase_boundary_requirements_to_design",
        "version": "v1.0",
        "contract_id": "c1",
        "outcome": outcome,
        "violations": tuple(
            {
                "pointer": f"/items/{i}",
                "message": f"problem {i}",
                "keyword": "type",
                "schema_path": "/type",
            }
            for i in range(violations)
        ),
    }
    values.update(fields)
    return CheckResult(**values)  # type: ignore[arg-type]


@given(awkward)
def test_escaped_data_is_one_line_and_reads_back(text: str) -> None:
    escaped = escape_data(text)
    assert "\n" not in escaped
    assert "\r" not in escaped
    assert unescape(escaped) == text


@given(awkward)
def test_escaped_properties_hold_no_separator_and_read_back(text: str) -> None:
    escaped = escape_property(text)
    assert not set(escaped) & set("\r\n:,")
    assert unescape(escaped) == text


@given(awkward, awkward, awkward, st.none() | st.integers(1, 10_000))
def test_a_command_of_any_values_reads_back_as_they_were(
    message: str, file: str, title: str, line: int | None
) -> None:
    command = workflow_command("error", message, file=file, line=line, title=title)
    assert "\n" not in command
    assert "\r" not in command
    level, properties, text = parse(command)
    assert level == "error"
    assert text == message
    assert properties["file"] == file
    assert properties.get("line") == (str(line) if line is not None else None)
    assert properties.get("title", "") == title


def test_escaping_follows_the_workflow_command_format() -> None:
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("C:\\a,b%") == "C%3A\\a%2Cb%25"
    # An escaped percent sign followed by what looks like an escape stays as it was.
    assert unescape(escape_data("%0A")) == "%0A"
    assert workflow_command("warning", "m") == "::warning::m"


def test_a_failed_check_is_an_error_at_its_test_naming_contract_version_and_violations() -> None:
    failed = result("failed", violations=5)
    (command,) = check_annotations(
        [result("passed"), failed], {failed.test: Location("tests/test_x.py", 12)}, gate=False
    )
    level, properties, message = parse(command)
    assert level == "error"
    assert properties == {
        "file": "tests/test_x.py",
        "line": "12",
        "title": "contract phase_boundary_requirements_to_design v1.0: failed",
    }
    assert message.splitlines() == [
        "phase boundary requirements -> design: contract "
        "'phase_boundary_requirements_to_design' version 'v1.0' (team 'default'): failed",
        "at /items/0: problem 0",
        "at /items/1: problem 1",
        "at /items/2: problem 2",
        "and 2 more violations",
    ]


def test_levels_follow_what_the_check_does_to_the_test() -> None:
    outcomes = ["passed", "failed", "error", "would_fail", "missing", "unavailable", "not_recorded"]
    checks = [result(o, test=f"t.py::{o}", version=None, boundary=None) for o in outcomes]
    places = {c.test: Location("t.py", 1) for c in checks}

    def levels(gate: bool) -> dict[str, str]:
        found = {}
        for command in check_annotations(checks, places, gate=gate):
            level, properties, _ = parse(command)
            found[properties["title"].rsplit(": ", 1)[1]] = level
        return found

    assert levels(gate=False) == {
        "failed": "error",
        "error": "error",
        "would fail (warn enforcement)": "warning",
        "missing": "warning",
        "unavailable": "warning",
        "not recorded": "warning",
    }
    assert set(levels(gate=True).values()) == {"error", "warning"}
    assert levels(gate=True)["missing"] == "error"
    assert levels(gate=True)["would fail (warn enforcement)"] == "warning"


def test_a_test_whose_place_is_unknown_is_annotated_without_a_file() -> None:
    (command,) = check_annotations([result("error", message="bad $ref")], {}, gate=False)
    _, properties, message = parse(command)
    assert "file" not in properties
    assert "line" not in properties
    assert message.splitlines()[1] == "bad $ref"


FINDING = {
    "file": "/repo/contracts/API-v2.0.json",
    "team": "default",
    "contract": "API",
    "version": "v2.0",
    "against": ["v1.0"],
    "breaking": True,
    "declared": None,
    "changes": [
        {
            "location": "/properties/id",
            "message": "type changed",
            "readers": "breaking",
            "writers": "safe",
        },
        {
            "location": "/properties/size",
            "message": "bound removed",
            "readers": "safe",
            "writers": "safe",
        },
    ],
    "unresolved": [],
}


def test_an_undeclared_break_is_annotated_at_its_contract_file() -> None:
    declared = {**FINDING, "version": "v3.0", "declared": True}
    compatible = {**FINDING, "version": "v1.1", "breaking": False}
    (command,) = file_annotations(
        [FINDING, declared, compatible], gate=True, path_of=lambda p: p.removeprefix("/repo/")
    )
    level, properties, message = parse(command)
    assert (level, properties) == (
        "error",
        {"file": "contracts/API-v2.0.json", "title": "undeclared break: API v2.0"},
    )
    lines = message.splitlines()
    assert lines[:2] == [
        "contract 'API' version 'v2.0' breaks v1.0 without declaring it",
        "/properties/id: type changed",
    ]
    assert "pytest-contracts accept" in lines[-1]
    (without_gate,) = file_annotations([FINDING], gate=False)
    assert without_gate.startswith("::warning file=/repo/contracts/API-v2.0.json,")


def test_a_break_the_registry_holds_is_named_at_the_file() -> None:
    held = {**FINDING, "breaking": False, "unresolved": [{"version": "v2.0", "status": "active"}]}
    (command,) = file_annotations([held], gate=True)
    assert "version 'v2.0' (active) of 'API' as a break nobody declared" in parse(command)[2]


def test_paths_are_named_from_the_workspace_else_the_rootdir(tmp_path: Path) -> None:
    root = tmp_path / "repo" / "service"
    test = root / "tests" / "test_x.py"
    assert workspace_path(test, str(tmp_path / "repo"), root) == "service/tests/test_x.py"
    assert workspace_path(test, None, root) == "tests/test_x.py"
    assert workspace_path(test, str(tmp_path / "elsewhere"), root) == "tests/test_x.py"
    outside = tmp_path / "other.json"
    assert workspace_path(outside, None, root) == outside.as_posix()


@given(awkward)
def test_a_markdown_cell_stays_in_its_cell(text: str) -> None:
    cell = markdown_cell(text)
    assert "\n" not in cell
    assert "\r" not in cell
    # Every | is escaped: preceded by an odd number of backslashes.
    for match in re.finditer(r"(\\*)\|", cell):
        assert len(match[1]) % 2 == 1


def test_the_step_summary_has_a_row_per_boundary_the_totals_and_the_verdict() -> None:
    checks = [
        result("passed"),
        result("failed", violations=1),
        result("passed", boundary=None, contract="Events|v", kind="contract", version="v2"),
    ]
    text = step_summary(checks, gate=True, gate_reason="1 check(s) found\ncontract violations")
    lines = text.splitlines()
    assert lines[0] == "### Contracts"
    assert lines[2] == ("| boundary | contract | team | versions | checks | passed | not passed |")
    assert "| Events\\|v | Events\\|v | default | v2 | 1 | 1 | - |" in lines
    assert (
        "| requirements -> design | phase_boundary_requirements_to_design | default | v1.0 "
        "| 2 | 1 | 1 failed |"
    ) in lines
    assert "3 checks against 2 contracts: 2 passed, 1 failed" in lines
    assert lines[-1] == "Gate: **failed**: 1 check(s) found<br>contract violations"
    assert step_summary(checks, gate=True, gate_reason=None).endswith("Gate: **passed**\n")
    assert step_summary([], gate=False, gate_reason=None).splitlines()[2:] == [
        "No check was made.",
        "",
        "Gate: off",
    ]


def test_the_step_summary_lists_contract_files_that_break_undeclared() -> None:
    text = step_summary(
        [], gate=True, gate_reason="stopped", findings=[FINDING], start_error="1 file breaks"
    )
    assert "| /repo/contracts/API-v2.0.json | API | v2.0 |" in text.splitlines()
    assert "The session stopped at start: 1 file breaks" in text
