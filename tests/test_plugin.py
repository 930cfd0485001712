"""The plugin as pytest sees it: its markers and fixtures are there (and gone
with ``-p no:contracts``), and a suite that uses no contract pays nothing."""

from __future__ import annotations

import pytest

from .conftest import Project


def test_markers_are_registered_for_strict_markers(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        @pytest.mark.contract("APIContract")
        def test_declared():
            pass
        """
    )
    project.run("--strict-markers").assert_outcomes(passed=1)
    markers = project.run("--markers").stdout.str()
    assert "@pytest.mark.phase_boundary(source, destination" in markers
    assert "@pytest.mark.contract(name, team=None, version=None)" in markers


def test_disabling_the_plugin_removes_markers_and_fixtures(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_marked():
            pass

        def test_fixture(phase_output):
            pass
        """
    )
    # A subprocess: in-process runs share the parent's loaded plugin modules.
    result = project.pytester.runpytest_subprocess("-p", "no:contracts", "--strict-markers")
    assert result.ret != pytest.ExitCode.OK
    assert "'phase_boundary' not found in `markers` configuration option" in result.stdout.str()
    fixtures = project.pytester.runpytest_subprocess("-p", "no:contracts", "-k", "test_fixture")
    assert "fixture 'phase_output' not found" in fixtures.stdout.str()


def test_a_suite_without_contracts_never_opens_the_registry(project: Project) -> None:
    project.pytester.makepyfile("def test_plain():\n    assert 1 + 1 == 2\n")
    project.run().assert_outcomes(passed=1)
    assert not (project.path / ".pytest_contracts").exists()
