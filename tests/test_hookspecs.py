"""The plugin's own hooks, implemented in a conftest.py."""

from __future__ import annotations

import json

from .conftest import REQUIREMENTS_SCHEMA, Project
from .plugin_cases import TWO_DOCS_TEST


def test_own_hooks_see_every_result_and_violation(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(
        """
        import json

        def pytest_contracts_validation_result(result, config):
            with open("results.ndjson", "a") as out:
                out.write(result.to_json() + "\\n")

        def pytest_contracts_violation(violation, result, config):
            with open("violations.txt", "a") as out:
                out.write(f"{result.contract} {violation['pointer']} {violation['keyword']}\\n")
        """
    )
    project.pytester.makepyfile(TWO_DOCS_TEST)
    project.run()
    results = [
        json.loads(line) for line in (project.path / "results.ndjson").read_text().splitlines()
    ]
    assert sorted(r["outcome"] for r in results) == ["failed", "passed"]
    violations = (project.path / "violations.txt").read_text().splitlines()
    assert sorted(violations) == sorted(
        [
            "phase_boundary_requirements_to_design /project minLength",
            "phase_boundary_requirements_to_design /contact format",
            "phase_boundary_requirements_to_design /requirements/0 required",
            "phase_boundary_requirements_to_design /requirements/0/id pattern",
        ]
    )
