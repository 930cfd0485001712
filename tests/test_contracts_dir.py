"""Contract files loaded at session start (--contracts-dir): once, and a
broken or changed file stops the session naming it."""

from __future__ import annotations

import pytest

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, Project


def test_contract_files_load_once_and_again_change_nothing(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    # Each version requires another property: no compatibility mode is checked.
    none = {"kind": "REST_API", "compatibility": "NONE"}
    project.contract("API", {"required": ["a"]}, "v1.0", **none)
    project.contract("API", {"required": ["b"]}, "v1.10", **none)
    project.contract("API", {"required": ["c"]}, "v1.9", **none)
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("API")
        def test_newest_is_active(phase_output):
            phase_output.record({"b": 1})
        """
    )
    first = project.run()
    first.assert_outcomes(passed=1)
    first.stdout.fnmatch_lines(["loaded 4 contract files: 4 created, 2 activated, 0 unchanged*"])
    again = project.run()
    again.assert_outcomes(passed=1)
    again.stdout.fnmatch_lines(["loaded 4 contract files: 0 created, 0 activated, 4 unchanged*"])


def test_contract_dir_ini_twin(project: Project) -> None:
    project.contract("API", {"required": ["a"]}, folder="defs", kind="REST_API")
    project.pytester.makeini(PROJECT_INI + "contracts_dir = defs\n")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("API")
        def test_api(phase_output):
            phase_output.record({"a": 1})
        """
    )
    result = project.pytester.runpytest()
    result.assert_outcomes(passed=1, warnings=0)
    result.stdout.fnmatch_lines(["loaded 1 contract file: 1 created, 1 activated*"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{not json",
            "not valid JSON: Expecting property name enclosed in double quotes at line 1",
        ),
        ("[1, 2]", "must hold a JSON object, not list"),
        ('{"name": "X", "version": "v1", "type": "EVENT"}', "missing 'schema'"),
        (
            '{"name": "X", "version": "v1", "type": "EVENT", "schema": {}, "owner": "me"}',
            "unknown key(s) 'owner'",
        ),
        (
            '{"name": "X", "version": "v1", "type": "GRPC", "schema": {}}',
            "unknown contract_type 'GRPC'",
        ),
        (
            '{"name": "X", "version": "v1", "type": "EVENT", "schema": {"minimum": "zero"}}',
            "at '/minimum': 'zero' is not of type 'number'",
        ),
    ],
)
def test_broken_contract_files_stop_the_session_naming_the_file(
    project: Project, content: str, message: str
) -> None:
    (project.path / "contracts").mkdir()
    (project.path / "contracts" / "broken.json").write_text(content)
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "contracts/broken.json" in err
    assert message in err
    assert "Traceback" not in err


def test_changing_the_schema_of_a_loaded_version_is_refused(project: Project) -> None:
    path = project.contract("API", {"required": ["a"]}, kind="REST_API")
    project.pytester.makepyfile("def test_x():\n    pass\n")
    project.run().assert_outcomes(passed=1)
    project.contract("API", {"required": ["a", "b"]}, kind="REST_API")
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"*contract file {path}: team 'default', contract 'API', version 'v1.0' is already "
            "registered with a different schema; versions are immutable*"
        ]
    )
