"""The README's commands and examples, the example script, and the entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def run_python(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-W", "error", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_readme_opens_with_the_install_and_test_commands() -> None:
    first = code_blocks("bash")[0].strip().splitlines()
    assert first == [
        "python -m pip install . && python -m pytest examples/sdlc_pipeline",
        'python -m pip install -e ".[test]" && python -m pytest',
    ]
    assert README.index(first[0]) < README.index("## ")


def test_ci_runs_the_readme_test_command() -> None:
    test_command = code_blocks("bash")[0].strip().splitlines()[1]
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_python_example_runs(tmp_path: Path) -> None:
    (example,) = [
        b for b in code_blocks("python") if "asyncio.run(main())" in b and "APIContract" in b
    ]
    result = run_python(["-c", example], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "v1.0 active"
    assert (tmp_path / ".pytest_contracts" / "registry.db").is_file()


def test_the_run_time_example_prints_what_the_readme_says(tmp_path: Path) -> None:
    (example,) = [b for b in code_blocks("python") if "validate_phase_boundary(" in b]
    result = run_python(["-c", example], tmp_path)
    assert result.returncode == 0, result.stderr
    (said,) = [b for b in code_blocks("text") if b.startswith("failed True")]
    assert result.stdout == said


@pytest.mark.slow
def test_registry_demo_runs_again_and_again_on_the_defaults(tmp_path: Path) -> None:
    for run in (1, 2):
        result = run_python([str(ROOT / "examples" / "registry_demo.py")], tmp_path)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith("registry: sqlite + fakeredis, team demo-")
        assert "  analyst run 1: passes phase_boundary_requirements_to_design v1.0" in lines
        assert any(
            "analyst run 2: violates it (2 errors) phase_boundary_requirements_to_design v2.0"
            in line
            for line in lines
        )
        assert '    1. at /requirements/0: add the required property "acceptance"' in lines
        assert "  analyst run 3: passes phase_boundary_requirements_to_design v1.0" in lines
        # format is checked as the plugin checks it: "yesterday" is no date-time.
        assert (
            "  analyst run 4: violates it (1 errors) phase_boundary_requirements_to_design v1.0"
            in lines
        )
        assert '    1. at /written: must be a valid date-time value; found "yesterday"' in lines
        assert lines[-2:] == ["validation records: 4, failed: 2", "health: ok"], run


def test_plugin_is_registered_under_pytest11() -> None:
    (entry,) = [e for e in entry_points(group="pytest11") if e.name == "contracts"]
    assert entry.value == "pytest_contracts.plugin"


def test_loading_the_plugin_imports_nothing_heavy(tmp_path: Path) -> None:
    probe = (
        "import sys, pytest_contracts.plugin; "
        "print(sorted(m for m in ('sqlalchemy', 'redis', 'jsonschema', 'fakeredis') "
        "if m in sys.modules))"
    )
    result = run_python(["-c", probe], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile("def test_ok():\n    assert True\n")
    result = pytester.runpytest("-p", "no:contracts")
    result.assert_outcomes(passed=1)


def test_public_api_is_importable_by_name() -> None:
    import pytest_contracts

    for name in pytest_contracts.__all__:
        assert getattr(pytest_contracts, name).__name__ == name
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        pytest_contracts.Nope  # noqa: B018


def test_readme_quickstart_runs(project: Any) -> None:
    (contract,) = code_blocks("json")[:1]
    test_file = next(b for b in code_blocks("python") if "phase_output.record(" in b)
    (project.path / "contracts").mkdir()
    (project.path / "contracts" / "requirements.json").write_text(contract)
    project.pytester.makepyfile(test_requirements=test_file)
    result = project.run()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["1 check against 1 contract: 1 passed"])
    # The failure the README shows is what an empty project name produces.
    project.pytester.makepyfile(
        test_requirements=test_file.replace('f"Build {idea}"', '""').replace(
            '"project": idea, "requirements": [{"id": "REQ-1", "text": ""}]',
            '"project": ""',
        )
    )
    failed = project.run()
    failed.assert_outcomes(failed=1)
    out = failed.stdout.str()
    assert "contract check failed (2 problems):" in out
    assert "at /project: '' should be non-empty [keyword 'minLength'" in out
    assert "at (root): 'requirements' is a required property [keyword 'required'" in out


def test_readme_compatibility_example_runs(tmp_path: Path) -> None:
    (example,) = [b for b in code_blocks("python") if "document_compatible(" in b]
    result = run_python(["-c", example], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "2 changes (policy lenient): breaks readers; writers safe",
        "BREAKS READERS  /properties/age/maximum  maximum lowered 120 -> 100",
        "safe            /properties/email  property 'email' added",
    ]
    assert lines[3] == "['/age: 110 is greater than the maximum of 100']"
