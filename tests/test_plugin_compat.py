"""The plugin's compatibility checks of contract files at session start."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_contracts.reporting import report_schema

from .conftest import Project

V1: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "size": {"type": "integer", "maximum": 10}},
    "required": ["id"],
}
COMPATIBLE = {**V1, "properties": {**V1["properties"], "size": {"type": "integer"}}}
BREAKING = {**V1, "properties": {**V1["properties"], "id": {"type": "integer"}}}

TEST = """
import pytest

@pytest.mark.contract("API")
def test_api(phase_output):
    phase_output.record({"id": 7})
"""


def loaded_v1(project: Project) -> None:
    project.contract("API", V1, "v1.0", kind="REST_API")
    project.pytester.makepyfile(TEST)
    project.run().assert_outcomes(failed=1)  # "id": 7 is no string under v1.0


def test_compatible_new_version_is_evolved_and_reported(project: Project) -> None:
    loaded_v1(project)
    project.contract("API", COMPATIBLE, "v1.1", kind="REST_API")
    result = project.run("--contracts-report", "report.json")
    result.stdout.fnmatch_lines(["compatible: API v1.1 vs v1.0 [[]BACKWARD, lenient[]]"])
    report = json.loads((project.path / "report.json").read_text())
    (finding,) = report["compatibility"]
    assert (finding["version"], finding["against"], finding["breaking"]) == (
        "v1.1",
        ["v1.0"],
        False,
    )
    assert [c["location"] for c in finding["changes"]] == ["/properties/size/maximum"]
    import jsonschema

    jsonschema.validate(report, report_schema())


def test_gate_fails_the_session_on_an_undeclared_break_and_loads_nothing(
    project: Project,
) -> None:
    loaded_v1(project)
    project.contract("API", BREAKING, "v2.0", kind="REST_API")
    result = project.run("--contracts-gate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "1 contract file(s) break their contract without declaring it" in err
    assert "API-v2.0.json: default/API v2.0\n  BREAKING (not declared) vs v1.0" in err
    assert "/properties/id" in err
    assert "Traceback" not in err
    # Nothing was loaded: the test still runs against v1.0 and fails on it.
    project.pytester.path.joinpath("contracts", "API-v2.0.json").unlink()
    project.run().assert_outcomes(failed=1)


def test_outside_the_gate_a_break_is_loaded_as_a_draft_and_shown(project: Project) -> None:
    loaded_v1(project)
    project.contract("API", BREAKING, "v2.0", kind="REST_API")
    result = project.run("--contracts-report", "report.json")
    result.assert_outcomes(failed=1, warnings=1)  # v2.0 is a draft: v1.0 stays active
    result.stdout.fnmatch_lines(
        ["BREAKING: API v2.0 vs v1.0 [[]BACKWARD, lenient[]]", "  /properties/id*"]
    )
    report = json.loads((project.path / "report.json").read_text())
    assert report["compatibility"][0]["breaking"] is True
    assert report["compatibility"][0]["declared"] is None


def test_a_declared_break_passes_the_gate(project: Project) -> None:
    loaded_v1(project)
    project.contract("API", BREAKING, "v2.0", kind="REST_API", breaking_change=True)
    result = project.run("--contracts-gate")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["BREAKING (declared): API v2.0 vs v1.0*", "contracts gate: passed"]
    )


def test_a_break_without_a_major_version_stops_the_session(project: Project) -> None:
    loaded_v1(project)
    path = project.contract("API", BREAKING, "v1.1", kind="REST_API", breaking_change=True)
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*contract file {path}: *new major version: use v2.0*"])


def test_contract_files_may_set_the_mode(project: Project) -> None:
    loaded_v1(project)
    project.contract("API", BREAKING, "v1.1", kind="REST_API", compatibility="NONE")
    result = project.run("--contracts-gate")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["compatible: API v1.1 vs v1.0 [[]NONE, lenient[]]"])


def test_quiet_hides_compatible_findings_but_not_breaks(project: Project) -> None:
    loaded_v1(project)
    project.contract("API", COMPATIBLE, "v1.1", kind="REST_API")
    quiet = project.run("-q")
    assert "compatible: API" not in quiet.stdout.str()


def test_under_v_a_break_is_shown_with_its_witness_document(project: Project) -> None:
    loaded_v1(project)
    project.contract("API", BREAKING, "v2.0", kind="REST_API")
    result = project.run("-v")
    result.stdout.fnmatch_lines(
        [
            "BREAKING: API v2.0 vs v1.0 [[]BACKWARD, lenient[]]",
            "  /properties/id*",
            '*e.g. {"id": ""} (old accepts it, new refuses it)',
        ]
    )
