"""The HTML reports as text: what the session report shows, that it escapes
everything and loads nothing, its size, the excerpts of failed outputs, the
option and its errors, pytest-xdist and an interrupted run, and the
registry page of ``pytest-contracts html``. tests/test_html_browser.py opens
them in a browser."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts.excerpt import MAX_DEPTH, excerpt, parse_pointer
from pytest_contracts.htmlreport.page import STYLE, marked_text
from pytest_contracts.htmlreport.session import SCRIPT, TOTAL_OUTPUT_CHARS, render_session
from pytest_contracts.reporting import CheckResult, build_report

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, Project, run_command
from .html_cases import HOSTILE, SECRET, evolve_events, html_project, rows_by_outcome
from .plugin_cases import GOOD, load_report


def _report(results: list[CheckResult], **gate: Any) -> dict[str, Any]:
    return build_report(
        results=results,
        session={
            "started_at": "2026-11-30T10:00:00+00:00",
            "finished_at": "2026-11-30T10:00:01+00:00",
            "duration_s": 1.0,
            "exitstatus": 1,
            "interrupted": False,
            "pytest_version": "9",
            "plugin_version": "0.1.0",
            "rootdir": "/project",
            "team": "default",
            "workers": 0,
        },
        registry={"database": "sqlite", "database_url": "postgresql://ci:***@db/x"},
        gate={"enabled": True, "passed": False, "reason": "1 check(s) found contract violations"}
        | gate,
        circuit={"opened": False, "failures": 0, "skipped_calls": 0, "reason": None},
    )


def _failed(test: str, output: Any, violations: list[dict[str, str]], **extra: Any) -> CheckResult:
    cut = excerpt(output, [v["pointer"] for v in violations])
    values: dict[str, Any] = {
        "test": test,
        "kind": "phase_boundary",
        "boundary": "requirements -> design",
        "team": "default",
        "contract": "phase_boundary_requirements_to_design",
        "version": "v1.0",
        "contract_id": "id-1",
        "outcome": "failed",
        "violations": tuple(violations),
        "output": cut.text,
        "output_marks": cut.marks,
        "output_note": cut.note,
    }
    return CheckResult(**(values | extra))


def _violation(pointer: str, message: str = "is wrong") -> dict[str, str]:
    return {"pointer": pointer, "keyword": "type", "schema_path": "/type", "message": message}


def _passed(index: int, boundary: str = "requirements -> design") -> CheckResult:
    return CheckResult(
        test=f"tests/test_x.py::test_{index}",
        kind="phase_boundary",
        boundary=boundary,
        team="default",
        contract="phase_boundary_" + boundary.replace(" -> ", "_to_"),
        version="v1.0",
        contract_id="id-1",
        outcome="passed",
    )


# -- the excerpt of an output -------------------------------------------------------------


def test_each_violation_is_marked_where_its_value_is_in_the_text() -> None:
    data = {"a": {"b/c": [1, {"~d": "x"}]}, "e": None}
    pointers = ["/a/b~1c/1/~0d", "/a", "", "/missing"]
    cut = excerpt(data, pointers)
    assert json.loads(cut.text) == data
    spans = {pointer: cut.text[start:end] for pointer, start, end in cut.marks}
    assert spans["/a/b~1c/1/~0d"] == '"x"'
    assert json.loads(spans["/a"]) == data["a"]
    assert spans[""] == cut.text
    assert "/missing" not in spans  # a location the output lacks is not marked
    assert cut.note is None
    assert parse_pointer("no-slash") is None


def test_secrets_in_an_output_are_masked() -> None:
    data = {
        "password": SECRET,
        "api_key": 12345,
        "credentials": {"user": "ci", "nested": [SECRET]},
        "database": f"postgresql://ci:{SECRET}@db/x",
        "enabled": True,
    }
    cut = excerpt(data, ["/password"])
    assert SECRET not in cut.text
    assert "12345" not in cut.text
    assert '"postgresql://ci:***@db/x"' in cut.text
    assert '"enabled": true' in cut.text
    (pointer, start, end) = cut.marks[0]
    assert (pointer, cut.text[start:end]) == ("/password", '"***"')


def test_a_large_output_is_cut_but_keeps_every_violation() -> None:
    data = {"items": [{"n": i, "text": "x" * 50} for i in range(10_000)], "tail": "y" * 5000}
    cut = excerpt(data, ["/items/9000/n", "/tail"])
    assert len(cut.text) < 20_000
    spans = {pointer: cut.text[start:end] for pointer, start, end in cut.marks}
    assert spans["/items/9000/n"] == "9000"
    assert spans["/tail"].startswith('"yyy')
    assert "(5,000 characters)" in spans["/tail"]
    assert re.search(r"\.\.\. [\d,]+ items cut", cut.text)
    assert cut.note is not None
    assert "cut to keep the report small" in cut.note


def test_an_output_nested_deeper_than_shown_is_cut_without_a_crash() -> None:
    data: Any = "bottom"
    for _ in range(5000):
        data = [data]
    cut = excerpt(data, ["/0/0"])
    assert "[...]" in cut.text
    assert cut.note is not None
    assert f"deeper than {MAX_DEPTH}" in cut.note
    assert cut.text.count("[") < MAX_DEPTH + 5


def test_marks_nest_and_the_text_between_them_is_escaped() -> None:
    text = '{"a": "<b>", "c": [1]}'
    marks = [("", 0, len(text)), ("/a", 6, 11), ("/c", 18, 21)]
    shown = marked_text(text, marks, "c0")
    assert shown == (
        '<mark class="hit" id="c0-0" data-pointer="">{"a": '
        '<mark class="hit" id="c0-1" data-pointer="/a">"&lt;b&gt;"</mark>, '
        '"c": <mark class="hit" id="c0-2" data-pointer="/c">[1]</mark>}</mark>'
    )


# -- the page -------------------------------------------------------------------------------


def test_the_page_loads_nothing_and_runs_only_its_own_script() -> None:
    import base64
    import hashlib

    text = render_session(_report([_passed(0)], passed=True, reason=None), [_passed(0)], ())
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert policy is not None
    assert "default-src &#x27;none&#x27;" in policy.group(1)
    for inline in (SCRIPT, STYLE):
        digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
        assert f"sha256-{digest}" in policy.group(1)
    # Nothing is fetched: no src, no href that leaves the page, no @import or url().
    assert not re.search(r"\ssrc=", text)
    assert not re.search(r'href="(?!#)', text)
    assert "url(" not in text
    assert "@import" not in text


def test_a_hostile_contract_name_and_output_stay_text() -> None:
    check = _failed(
        "tests/test_x.py::test_hostile",
        {"note": HOSTILE},
        [_violation("/note", f"{HOSTILE} is too long")],
        contract=HOSTILE,
        kind="contract",
        boundary=None,
        message=HOSTILE,
    )
    report = _report([check])
    report["compatibility"] = [
        {
            "file": HOSTILE,
            "team": "default",
            "contract": HOSTILE,
            "version": "v2.0",
            "against": ["v1.0"],
            "mode": "BACKWARD",
            "policy": "lenient",
            "breaking": True,
            "declared": True,
            "unknown": 0,
            "changes": [
                {
                    "kind": "type.changed",
                    "location": "/properties/x",
                    "readers": "breaking",
                    "writers": "breaking",
                    "message": HOSTILE,
                    "witness": {"direction": "readers", "document": {"x": HOSTILE}},
                }
            ],
            "problem": None,
        }
    ]
    text = render_session(report, [check], ())
    assert "<img" not in text
    assert "</script><" not in text
    assert text.count("<script>") == 1
    assert text.count("</script>") == 1
    assert "<b>x" not in text
    assert "&lt;/script&gt;&lt;img src=x onerror=" in text


def test_phases_follow_the_configured_order_with_unknown_ones_after() -> None:
    results = [
        _passed(0, "design -> review"),
        _passed(1, "requirements -> design"),
        _passed(2, "audit -> deployment"),
    ]
    text = render_session(_report(results), results, ("requirements", "design", "deployment"))
    phases = re.findall(r'data-phase="([^"]+)"', text)
    assert phases == ["requirements", "design", "deployment", "review", "audit"]
    # design -> review and audit -> deployment are not next to each other: listed apart.
    assert "Boundaries that skip a phase" in text
    assert 'data-boundary="requirements -&gt; design" data-outcome="passed"' in text


def test_the_report_of_1000_checks_stays_small(capsys: pytest.CaptureFixture[str]) -> None:
    document = {
        "project": "sign-up",
        "requirements": [{"id": f"REQ-{i}", "text": "Users sign up " * 4} for i in range(12)],
    }
    results = [_passed(i) for i in range(900)]
    for i in range(100):
        violations = [_violation(f"/requirements/{i % 12}/id"), _violation("/project")]
        results.append(_failed(f"tests/test_x.py::test_bad_{i}", document, violations))
    text = render_session(_report(results), results, ())
    size = len(text.encode())
    assert rows_by_outcome(text) == {"passed": 900, "failed": 100}
    assert size < 1_500_000
    # The worst case: failed checks with outputs cut at the excerpt's size,
    # more of them than the report's total for outputs holds (200 x 16 KB).
    huge = {"items": [{"n": n, "text": "x" * 80} for n in range(5000)]}
    worst = [_failed(f"t::{i}", huge, [_violation("/items/4999/n")]) for i in range(200)]
    worst_size = len(render_session(_report(worst), worst, ()).encode())
    assert worst_size < TOTAL_OUTPUT_CHARS + 2_000_000
    with capsys.disabled():
        print(
            f"\nHTML report, 1,000 checks (100 failed): {size:,} bytes; 200 failed with "
            f"16 KB excerpts: {worst_size:,} bytes"
        )


# -- the plugin -----------------------------------------------------------------------------


def test_the_session_report_shows_checks_gate_shadow_and_compatibility(project: Project) -> None:
    html_project(project)
    evolve_events(project)
    result = project.run(
        "--contracts-gate", "--contracts-html", "out/report.html", "--contracts-report", "r.json"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert f"html report: {project.path / 'out' / 'report.html'}" in result.stdout.str()
    text = (project.path / "out" / "report.html").read_text(encoding="utf-8")
    assert rows_by_outcome(text) == {"passed": 2, "failed": 2, "would_fail": 1}
    assert 'id="gate-verdict">gate FAILED' in text
    assert "<li>2 check(s) found contract violations</li>" in text
    shadow = text[text.index('<section id="shadow">') : text.index('<section id="compat')]
    assert "test_design_shadow" in shadow
    assert 'data-pointer="/components/0/name"' in shadow
    failures = text[text.index('<section id="failures">') : text.index('<section id="shadow">')]
    assert "test_design_shadow" not in failures
    assert 'data-pointer="/project"' in failures
    assert SECRET not in text
    assert '"password": "***"' in text
    assert "<img" not in text
    compat = text[text.index('<section id="compatibility">') : text.index('<section id="reg')]
    assert "breaking (declared)" in compat
    assert "Events" in compat
    assert "/properties/id/type" in compat
    assert '"id"' in compat
    # The JSON report is unchanged by the excerpts: its schema has no room for them.
    data = load_report(project.path / "r.json")
    assert all("output" not in check for check in data["checks"])


def test_the_html_report_ini_twin_and_its_usage_errors(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeini(PROJECT_INI + "contracts_html = reports/page.html\n")
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_ok(phase_output):
            phase_output.record({GOOD!r})
        """
    )
    assert project.run().ret == pytest.ExitCode.OK
    text = (project.path / "reports" / "page.html").read_text(encoding="utf-8")
    assert rows_by_outcome(text) == {"passed": 1}
    assert 'id="gate-verdict">gate off' in text
    result = project.run("--contracts-html", "reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--contracts-html / contracts_html: *reports is a directory; "
                                 "give a file name such as contracts-report.html*"])  # fmt: skip
    result = project.run("--contracts-html", "same", "--contracts-report", "same")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*is also the JSON report's file*"])


def test_a_report_that_cannot_be_written_is_named_and_the_other_still_is(
    project: Project,
) -> None:
    project.pytester.makepyfile("def test_ok():\n    pass\n")
    (project.path / "afile").write_text("", encoding="utf-8")
    result = project.run("--contracts-html", "afile/r.html", "--contracts-report", "r.json")
    out = result.stdout.str()
    assert f"the HTML report could not be written to {project.path / 'afile' / 'r.html'}" in out
    assert f"report: {project.path / 'r.json'}" in out
    assert "html report:" not in out


def test_outputs_travel_with_their_checks_only_for_the_html_report(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(
        """
        import pytest

        @pytest.hookimpl(optionalhook=True)
        def pytest_contracts_validation_result(result, config):
            with open("outputs.txt", "a") as out:
                out.write(f"{result.outcome} {result.output is not None}\\n")
        """
    )
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        @pytest.mark.parametrize("doc", [{GOOD!r}, {{"project": ""}}])
        def test_docs(phase_output, doc):
            phase_output.record(doc)
        """
    )
    project.run("--contracts-report", "r.json", "-p", "no:randomly")
    assert (project.path / "outputs.txt").read_text().split("\n")[:2] == [
        "passed False",
        "failed False",
    ]
    (project.path / "outputs.txt").unlink()
    project.run("--contracts-html", "r.html", "-p", "no:randomly")
    assert (project.path / "outputs.txt").read_text().split("\n")[:2] == [
        "passed False",
        "failed True",
    ]


@pytest.mark.slow
def test_under_xdist_the_controller_writes_the_html_report_once(project: Project) -> None:
    pytest.importorskip("xdist")
    html_project(project)
    result = project.subprocess(
        "-n", "2", "-p", "no:randomly", "--contracts-html", "r.html", "--contracts-report", "r.json"
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert [p.name for p in project.path.glob("*.html")] == ["r.html"]
    assert not list(project.path.glob(".r.html.*"))  # no temporary file left
    text = (project.path / "r.html").read_text(encoding="utf-8")
    # Events v1.0 takes a string id: without v2.0, test_events fails too.
    assert rows_by_outcome(text) == {"passed": 1, "failed": 3, "would_fail": 1}
    assert load_report(project.path / "r.json")["session"]["workers"] == 2
    # The excerpts travelled from the workers with their checks.
    assert 'data-pointer="/project"' in text
    assert 'data-pointer="/note"' in text


# -- the registry page ----------------------------------------------------------------------


def registry_page(project: Project, capsys: pytest.CaptureFixture[str], out: Path) -> Path:
    """Loads the project's contracts, registers a consumer, records checks, and
    writes the registry page to ``out``."""
    html_project(project)
    project.run("--contracts-html", "session.html")  # records the checks
    evolve_events(project)
    db = f"sqlite:///{project.registry}"
    assert run_command(capsys, "--db", db, "load", "contracts").returncode == 0
    registered = run_command(
        capsys, "--db", db, "consumers", "Events", "--register", "billing", "--version", "v1.0"
    )
    assert registered.returncode == 0, registered.stderr
    written = run_command(capsys, "--db", db, "html", str(out))
    assert written.returncode == 0, written.stderr
    words = " ".join(written.stdout.split())  # the line is wrapped at 80 columns
    assert words == f"wrote {out}: team 'default', 4 contract(s), 5 version(s)"
    return out


def test_the_registry_page_shows_versions_consumers_findings_and_checks(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    text = registry_page(project, capsys, Path("registry.html")).read_text("utf-8")
    sections = re.findall(r'<section class="contract"[^>]*data-contract="([^"]*)"', text)
    assert len(sections) == 4
    assert "Events" in sections
    events = text[text.index('data-contract="Events"') :]
    events = events[: events.index("</section>")]
    assert re.search(r"<b>v1.0</b>.*?s-deprecated", events)
    assert re.search(r"<b>v2.0</b>.*?s-active.*?breaking \(declared\)", events)
    assert "What v2.0 breaks" in events
    assert "/properties/id/type" in events
    assert "<td>billing</td><td>-</td><td>v1.0</td>" in events
    assert "test_report.py::test_events" in events
    assert "<img" not in text


def test_the_registry_page_command_refuses_a_folder(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.chdir(tmp_path)
    db = "sqlite:///r.db"
    (tmp_path / "site").mkdir()
    result = run_command(capsys, "--db", db, "html", "site")
    assert result.returncode == 2
    assert result.stderr == (
        "pytest-contracts: error: site is a directory; give a file name such as\n"
        "  site/registry.html\n"
    )
    result = run_command(capsys, "--db", db, "--json", "html", "empty.html")
    assert result.returncode == 0
    assert json.loads(result.stdout)["contracts"] == 0
    assert "has no contract" in (tmp_path / "empty.html").read_text("utf-8")
    assert sqlite3.connect(tmp_path / "r.db").execute("select 1").fetchone() == (1,)


# -- hostile outputs, interruption, secrets in messages ------------------------------------
SURROGATE_TESTS = """
import pytest


@pytest.mark.contract("Numbers")
def test_lone_surrogate(phase_output):
    phase_output.record({"n": "sur\\ud800end"})  # JSON data may hold one


@pytest.mark.contract("Numbers")
def test_good(phase_output):
    phase_output.record({"n": 1})
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_a_lone_surrogate_in_a_failed_output_is_reported_not_lost(
    project: Project, workers: list[str]
) -> None:
    # It crashed the report's writing, and under xdist the check was lost in
    # transit to the controller: a failing run exited 0.
    if workers:
        pytest.importorskip("xdist")
    project.contract("Numbers", {"type": "object", "properties": {"n": {"type": "integer"}}})
    project.pytester.makepyfile(SURROGATE_TESTS)
    run = project.subprocess if workers else project.run
    result = run(
        *workers, "--contracts-gate", "--contracts-html", "r.html", "--contracts-report", "r.json"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    report = load_report(project.path / "r.json")
    assert report["session"]["interrupted"] is False
    assert report["totals"]["failed"] == 1
    assert report["totals"]["passed"] == 1
    assert report["gate"]["passed"] is False
    text = (project.path / "r.html").read_text(encoding="utf-8")
    assert rows_by_outcome(text) == {"passed": 1, "failed": 1}
    assert "sur\\ud800end" in text  # the escape, where the value is


def test_an_interrupted_session_does_not_pass_the_gate(project: Project) -> None:
    project.contract("Numbers", {"type": "object"})
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("Numbers")
        def test_a(phase_output):
            phase_output.record({"n": 1})

        def test_b():
            raise KeyboardInterrupt

        def test_c():
            pass
        """
    )
    result = project.subprocess(  # an interrupt would stop this process's run too
        "--contracts-gate", "--contracts-html", "r.html", "--contracts-report", "r.json"
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    gate = load_report(project.path / "r.json")["gate"]
    assert gate["passed"] is False
    assert "interrupted" in gate["reason"]
    assert "gate FAILED" in (project.path / "r.html").read_text(encoding="utf-8")


def test_a_violation_of_a_secret_member_does_not_quote_its_value() -> None:
    output = {"password": "HUNTER2PW", "cfg": {"api_key": "APIKEYVAL"}, "db": "ok"}
    violations = [
        _violation("/password", "'HUNTER2PW' is not of type 'integer'"),
        _violation("/cfg/api_key", "'APIKEYVAL' is not one of ['a']"),
        _violation("/db", "'postgresql://u:p@ss@host/db' does not match '^x'"),
    ]
    results = [_failed("t::secret", output, violations)]
    text = render_session(_report(results), results, ())
    for secret in ("HUNTER2PW", "APIKEYVAL", "p@ss"):
        assert secret not in text, secret
    assert (
        "its member&#x27;s name says it is a secret" in text or "name says it is a secret" in text
    )


@pytest.mark.parametrize(
    ("key", "secret"),
    [("PASSWORD_X", True), ("password_hash", True), ("passwords", True), ("pwd", True),
     ("pass", True), ("user_token", True), ("passed", False), ("bypass", False),
     ("passenger", False), ("name", False)],
)  # fmt: skip
def test_which_member_names_say_secret(key: str, secret: bool) -> None:
    from pytest_contracts.excerpt import is_secret_key

    assert is_secret_key(key) is secret


def test_a_url_password_holding_an_at_sign_is_masked_whole() -> None:
    from pytest_contracts.excerpt import mask_text

    assert mask_text("see postgresql://u:p@ss@host/db now") == "see postgresql://u:***@host/db now"


@pytest.mark.parametrize("flag", ["--contracts-html", "--contracts-report"])
def test_a_report_on_the_junit_files_path_is_a_usage_error(project: Project, flag: str) -> None:
    project.pytester.makepyfile("def test_a():\n    pass\n")
    result = project.run(flag, "out.xml", "--junitxml", "out.xml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "is also the JUnit XML file (--junitxml)" in result.stderr.str()


def test_the_page_script_stops_quietly_without_a_table_of_checks() -> None:
    # A session with no check has no table: the filter script must not throw.
    assert "if (!table) { return; }" in SCRIPT
    text = render_session(_report([]), [], ())
    assert 'id="checks"' not in text


def test_every_link_of_a_capped_report_has_its_target() -> None:
    # Past the cap on outputs an output is not shown: its violations must not
    # link to marks that are not on the page.
    huge = {"items": [{"n": n, "text": "x" * 80} for n in range(5000)]}
    results = [_failed(f"t::{i}", huge, [_violation("/items/4999/n")]) for i in range(100)]
    text = render_session(_report(results), results, ())
    assert "The output is not shown" in text
    targets = set(re.findall(r'id="([^"]+)"', text))
    links = set(re.findall(r'href="#([^"]+)"', text))
    assert links, "some outputs are shown, with their links"
    assert links <= targets, sorted(links - targets)[:5]
