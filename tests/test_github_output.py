"""--contracts-format github in real sessions: workflow annotations on stdout
at each test that did not pass and at each contract file that breaks
undeclared, and the run's table appended to $GITHUB_STEP_SUMMARY; on by
itself in a GitHub Actions job, off with none."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_contracts.annotations import unescape

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, Project
from .plugin_cases import BAD, BOUNDARY_TEST, GOOD
from .test_plugin_compat import BREAKING, loaded_v1

TITLE = "contract phase_boundary_requirements_to_design v1.0: failed"


def commands(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("::")]


def line_of(path: Path, start: str) -> int:
    """The 1-based line of a test module that starts with ``start``."""
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


@pytest.fixture
def summary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "step-summary.md"
    path.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    return path


def failing_project(project: Project) -> Path:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    return project.pytester.makepyfile(test_req=BOUNDARY_TEST.format(output=BAD))


def test_a_github_actions_job_gets_annotations_and_a_step_summary(
    project: Project, summary_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = failing_project(project)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = project.run("--contracts-gate")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["contracts: registry sqlite * gate on, format github"])
    (command,) = commands(result)
    # The test's place as pytest reports it: a decorated function's first decorator, its marker.
    line = line_of(module, "@pytest.mark.phase_boundary")
    head = f"::error file=test_req.py,line={line},title={TITLE.replace(':', '%3A')}::"
    assert command.startswith(head)
    message = unescape(command[len(head) :]).splitlines()
    assert message[0] == (
        "phase boundary requirements -> design: contract "
        "'phase_boundary_requirements_to_design' version 'v1.0' (team 'default'): failed"
    )
    assert message[1].startswith("at ")
    text = summary_file.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n### Contracts\n")  # appended, not replaced
    assert (
        "| requirements -> design | phase_boundary_requirements_to_design | default | v1.0 "
        "| 1 | 0 | 1 failed |"
    ) in text
    assert "Gate: **failed**: 1 check(s) found contract violations" in text


def test_outside_github_actions_nothing_is_printed_or_written(
    project: Project, summary_file: Path
) -> None:
    failing_project(project)
    result = project.run()
    result.assert_outcomes(failed=1)
    assert commands(result) == []
    assert summary_file.read_text(encoding="utf-8") == "# earlier step\n"


def test_none_turns_it_off_in_a_job_and_the_ini_turns_it_on_anywhere(
    project: Project, summary_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_project(project)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    off = project.run("--contracts-format", "none")
    assert commands(off) == []
    assert summary_file.read_text(encoding="utf-8") == "# earlier step\n"
    monkeypatch.delenv("GITHUB_ACTIONS")
    project.pytester.makeini(PROJECT_INI + "contracts_format = github\n")
    on = project.run("-q")
    assert len(commands(on)) == 1
    assert "Gate: off" in summary_file.read_text(encoding="utf-8")


def test_an_unknown_format_is_a_usage_error(project: Project) -> None:
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run("--contracts-format", "gitlab")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        "--contracts-format / contracts_format: 'gitlab' is not a format; use github or none"
        in result.stderr.str()
    )


def test_a_passing_run_annotates_nothing_and_summarises_the_pass(
    project: Project, summary_file: Path
) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(test_req=BOUNDARY_TEST.format(output=GOOD))
    result = project.run("--contracts-format", "github", "--contracts-gate")
    result.assert_outcomes(passed=1)
    assert commands(result) == []
    assert summary_file.read_text(encoding="utf-8").endswith("Gate: **passed**\n")


def test_a_shadow_check_is_a_warning(project: Project) -> None:
    project.contract("Orders", {"required": ["id"]}, kind="EVENT", enforcement="warn")
    module = project.pytester.makepyfile(
        test_orders="""
        import pytest

        @pytest.mark.contract("Orders")
        def test_orders(phase_output):
            phase_output.record({})
        """
    )
    result = project.run("--contracts-format", "github")
    result.assert_outcomes(passed=1)
    (command,) = commands(result)
    assert command.startswith(
        f"::warning file=test_orders.py,line={line_of(module, '@pytest.mark.contract')},"
        "title=contract Orders v1.0%3A would fail (warn enforcement)::"
    )


def test_the_gate_refusing_an_undeclared_break_annotates_the_file(
    project: Project, summary_file: Path
) -> None:
    loaded_v1(project)
    project.contract("API", BREAKING, "v2.0", kind="REST_API")
    result = project.run("--contracts-format", "github", "--contracts-gate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    (command,) = commands(result)
    assert command.startswith(
        "::error file=contracts/API-v2.0.json,title=undeclared break%3A API v2.0::"
        "contract 'API' version 'v2.0' breaks v1.0 without declaring it%0A/properties/id"
    )
    text = summary_file.read_text(encoding="utf-8")
    assert "| contracts/API-v2.0.json | API | v2.0 |" in text
    assert "Gate: **failed**: the session stopped before its contracts were checked" in text


def test_a_session_stopped_at_start_is_an_error_annotation(project: Project) -> None:
    # A minor version that breaks its predecessor stops the session, gate or
    # not: the file's annotation is only a warning without the gate, so the
    # reason the job failed is an error of its own.
    loaded_v1(project)
    project.contract("API", BREAKING, "v1.1", kind="REST_API")
    result = project.run("--contracts-format", "github")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in commands(result) if line.startswith("::error")]
    assert len(errors) == 1
    assert errors[0].startswith("::error title=pytest-contracts::")
    assert "v1.1" in errors[0]


def test_a_step_summary_cell_holds_no_markup() -> None:
    from pytest_contracts.annotations import markdown_cell

    cell = markdown_cell("<img src=x> <!-- hidden --> a|b & c\nd")
    assert "<" not in cell.replace("<br>", "")
    assert cell == "&lt;img src=x> &lt;!-- hidden --> a\\|b &amp; c<br>d"


def test_without_the_gate_an_undeclared_break_is_a_warning_at_the_file(
    project: Project,
) -> None:
    loaded_v1(project)
    project.contract("API", BREAKING, "v2.0", kind="REST_API")
    result = project.run("--contracts-format", "github")
    found = commands(result)
    assert found[0].startswith("::warning file=contracts/API-v2.0.json,")
    # v1.0 is still active, and the test's output still fails it.
    assert found[1].startswith("::error file=test_")
    assert ",title=contract API v1.0%3A failed::" in found[1]
    assert len(found) == 2


@pytest.mark.slow
def test_under_xdist_only_the_controller_annotates(project: Project, summary_file: Path) -> None:
    pytest.importorskip("xdist")
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        test_a=BOUNDARY_TEST.format(output=BAD), test_b=BOUNDARY_TEST.format(output=BAD)
    )
    result = project.run("-n", "2", "-p", "no:randomly", "--contracts-format", "github")
    result.assert_outcomes(failed=2)
    found = sorted(commands(result))
    assert [c.split(",")[0] for c in found] == ["::error file=test_a.py", "::error file=test_b.py"]
    assert summary_file.read_text(encoding="utf-8").count("### Contracts") == 1


def test_without_the_terminal_plugin_the_annotations_still_reach_stdout(
    project: Project, capfd: pytest.CaptureFixture[str]
) -> None:
    module = failing_project(project)
    project.run("--contracts-format", "github", "-p", "no:terminal")
    line = line_of(module, "@pytest.mark.phase_boundary")
    (command,) = [text for text in capfd.readouterr().out.splitlines() if text.startswith("::")]
    assert command.startswith(f"::error file=test_req.py,line={line},title=")


def test_a_step_summary_after_text_without_a_final_line_break_starts_a_line(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "step.md"
    target.write_text("earlier text, no line break", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    project.boundary("requirements", "design", {"type": "object"})
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_a(phase_output):
            phase_output.record({"a": 1})
        """
    )
    project.run("--contracts-format", "github")
    assert target.read_text(encoding="utf-8").startswith(
        "earlier text, no line break\n### Contracts\n"
    )
