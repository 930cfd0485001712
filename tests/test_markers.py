"""The phase_boundary and contract markers: parsed on their own, and through
real pytest runs (pytester)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_contracts.errors import MarkerError
from pytest_contracts.markers import (
    Target,
    boundary_contract_name,
    parse_contract,
    parse_phase_boundary,
    parse_phases,
    targets_of,
)

from .conftest import REQUIREMENTS_SCHEMA, Project
from .plugin_cases import BAD, GOOD

PHASES = ("requirements", "design", "implementation", "testing", "deployment")


# -- parsing, without a test run ----------------------------------------------------
def test_a_boundary_names_its_contract_after_its_phases() -> None:
    assert boundary_contract_name("design", "testing") == "phase_boundary_design_to_testing"
    target = parse_phase_boundary(("requirements", "design"), {}, PHASES)
    assert target == Target(
        kind="phase_boundary",
        contract_name="phase_boundary_requirements_to_design",
        team=None,
        version=None,
        source="requirements",
        destination="design",
    )
    assert target.boundary == target.label == "requirements -> design"


def test_a_boundary_may_skip_phases_and_name_its_contract_team_and_version() -> None:
    target = parse_phase_boundary(
        ("requirements", "deployment"),
        {"contract": "Release", "team": "ops", "version": "v2.0"},
        PHASES,
    )
    assert (target.contract_name, target.team, target.version) == ("Release", "ops", "v2.0")
    assert (target.source, target.destination) == ("requirements", "deployment")
    assert target.label == "requirements -> deployment"  # the boundary, not the contract


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("requirements",), {}, "takes two phase names, the one that produces the output"),
        (("requirements", "design", "testing"), {}, "takes two phase names"),
        (("requirements", 2), {}, "takes two phase names"),
        (
            ("requirements", "desing"),
            {},
            "unknown phase 'desing'; the phases are requirements, design, implementation, "
            "testing, deployment (set them with the contracts_phases ini option)",
        ),
        (
            ("design", "requirements"),
            {},
            "the boundary goes backwards: 'design' comes after 'requirements' in the phase "
            "order requirements -> design -> implementation -> testing -> deployment",
        ),
        (("design", "design"), {}, "'design' is the same phase as 'design'"),
        (
            ("requirements", "design"),
            {"contrac": "X"},
            "unknown keyword argument(s) contrac; accepted: contract, team, version, required",
        ),
        (("requirements", "design"), {"contract": ""}, "contract= must be a non-empty string"),
        (
            ("requirements", "design"),
            {"required": "no"},
            "required= must be True or False, not 'no' (False: the test may legitimately "
            "record no output for this contract)",
        ),
        (("requirements", "design"), {"required": 0}, "required= must be True or False, not 0"),
        (("requirements", "design"), {"team": 7}, "team= must be a non-empty string, not 7"),
        (("requirements", "design"), {"version": " "}, "version= ' ' is not a version: use an"),
        (
            ("requirements", "design"),
            {"version": "latest"},
            "version= 'latest' is not a version: use an optional v, one to four dot-separated "
            "whole numbers without leading zeros, and an optional pre-release after a hyphen "
            "(1, v1.0, 2.1.3, v2.0-rc.1, 3.0-beta)",
        ),
    ],
)
def test_a_boundary_marker_that_cannot_be_used_is_refused_as_written(
    args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(MarkerError) as raised:
        parse_phase_boundary(args, kwargs, PHASES)
    text = str(raised.value)
    assert text.startswith("@pytest.mark.phase_boundary(")  # the marker as written
    assert message in text


def test_a_contract_marker_names_its_contract_team_and_version() -> None:
    assert parse_contract(("API",), {}) == Target(
        kind="contract", contract_name="API", team=None, version=None
    )
    target = parse_contract(("API",), {"team": "web", "version": "v1.2"})
    assert (target.contract_name, target.team, target.version) == ("API", "web", "v1.2")
    assert target.boundary is None
    assert target.label == "API"


def test_a_target_is_required_unless_its_marker_says_required_false() -> None:
    assert parse_contract(("API",), {}).required is True
    assert parse_contract(("API",), {"required": False}).required is False
    assert parse_contract(("API",), {"required": True}).required is True
    boundary = parse_phase_boundary(("requirements", "design"), {"required": False}, PHASES)
    assert boundary.required is False
    assert parse_phase_boundary(("requirements", "design"), {}, PHASES).required is True


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "takes one contract name, e.g. @pytest.mark.contract('APIContract')"),
        (("A", "B"), {}, "takes one contract name"),
        ((42,), {}, "takes one contract name"),
        ((" ",), {}, "takes one contract name"),
        (("API",), {"contract": "X"}, "unknown keyword argument(s) contract; accepted: team"),
        (("API",), {"team": ""}, "team= must be a non-empty string, not ''"),
        (("API",), {"version": 2}, "version= must be a string, not int: use an optional v"),
        (("API",), {"version": "version one"}, "version= 'version one' is not a version"),
        (("API",), {"required": None}, "required= must be True or False, not None"),
    ],
)
def test_a_contract_marker_that_cannot_be_used_is_refused_as_written(
    args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(MarkerError) as raised:
        parse_contract(args, kwargs)
    text = str(raised.value)
    assert text.startswith("@pytest.mark.contract(")
    assert message in text


def test_phases_are_read_from_lines_or_commas_in_order() -> None:
    assert parse_phases(["discovery", "build"]) == ("discovery", "build")
    assert parse_phases([" plan, build ", "", "ship,"]) == ("plan", "build", "ship")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["only"], "contracts_phases needs at least two phases in order, got ['only']"),
        ([" , "], "contracts_phases needs at least two phases in order, got []"),
        (["a", "b", "a, b"], "contracts_phases names a, b more than once"),
    ],
)
def test_phases_need_two_and_no_repeats(value: list[str], message: str) -> None:
    with pytest.raises(MarkerError, match="contracts_phases") as raised:
        parse_phases(value)
    assert str(raised.value) == message


def test_targets_come_closest_marker_first_and_once_per_team_and_contract() -> None:
    marks = [
        pytest.mark.contract("API", version="v2.0").mark,  # on the test
        pytest.mark.parametrize("n", [1]).mark,  # not ours: ignored
        pytest.mark.phase_boundary("requirements", "design").mark,
        pytest.mark.contract("API").mark,  # on its class: the same target, counted once
        pytest.mark.contract("API", team="other").mark,  # another team: another target
        pytest.mark.phase_boundary("design", "testing", contract="API").mark,  # same as the first
    ]
    targets = targets_of(marks, PHASES)
    assert [(t.kind, t.contract_name, t.team, t.version) for t in targets] == [
        ("contract", "API", None, "v2.0"),
        ("phase_boundary", "phase_boundary_requirements_to_design", None, None),
        ("contract", "API", "other", None),
    ]


def test_a_malformed_marker_among_targets_is_an_error() -> None:
    marks = [pytest.mark.contract("API").mark, pytest.mark.phase_boundary("design").mark]
    with pytest.raises(MarkerError, match="takes two phase names"):
        targets_of(marks, PHASES)


@pytest.mark.parametrize(
    ("contract", "boundary", "matches"),
    [
        (None, None, True),
        ("Design", None, True),
        ("Other", None, False),
        (None, "requirements -> design", True),
        (None, "requirements->design", True),
        (None, ("requirements", "design"), True),
        (None, ["design", "requirements"], False),
        ("Design", "requirements -> design", True),
        ("Other", "requirements -> design", False),
    ],
)
def test_a_boundary_target_is_chosen_by_contract_name_or_phases(
    contract: str | None, boundary: Any, matches: bool
) -> None:
    target = parse_phase_boundary(("requirements", "design"), {"contract": "Design"}, PHASES)
    assert target.matches(contract, boundary) is matches


def test_a_contract_target_is_never_chosen_by_a_boundary() -> None:
    target = parse_contract(("API",), {})
    assert target.matches("API", None)
    assert not target.matches(None, "requirements -> design")


# -- through pytest ---------------------------------------------------------------------
def test_markers_work_on_classes_modules_and_with_parametrize(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.contract("Events", {"type": "object", "required": ["event"]}, kind="EVENT")
    project.pytester.makepyfile(
        f"""
        import pytest

        pytestmark = pytest.mark.contract("Events")

        def test_module_level(phase_output):
            phase_output.record({{"event": "signed_up"}})

        @pytest.mark.phase_boundary("requirements", "design")
        class TestRequirements:
            @pytest.mark.parametrize("name", ["a", ""])
            def test_param(self, phase_output, name):
                doc = {{**{GOOD!r}, "project": name}}
                phase_output.record(doc, boundary="requirements -> design")
                phase_output.record({{"event": name}}, contract="Events")
        """
    )
    result = project.run("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "PASSED*test_module_level  Events (Events v1.0)",
            "PASSED*test_param?a?  requirements -> design*",
            "FAILED*test_param??  requirements -> design*",
            "5 checks against 2 contracts: 4 passed, 1 failed",
        ]
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            'phase_boundary("requirements", "desing")',
            "unknown phase 'desing'; the phases are requirements, design",
        ),
        (
            'phase_boundary("design", "requirements")',
            "the boundary goes backwards: 'design' comes after 'requirements'",
        ),
        ('phase_boundary("design", "design")', "'design' is the same phase as 'design'"),
        ('phase_boundary("requirements")', "takes two phase names"),
        (
            'phase_boundary("requirements", "design", contrac="x")',
            "unknown keyword argument(s) contrac",
        ),
        ("contract()", "takes one contract name"),
        ("contract(42)", "takes one contract name"),
        ('contract("X", version=2)', "version= must be a string, not int"),
        ('contract("X", version="latest")', "version= 'latest' is not a version"),
        ('contract("X", required="false")', "required= must be True or False, not 'false'"),
        (
            'phase_boundary("requirements", "design", required=1)',
            "required= must be True or False, not 1",
        ),
    ],
)
def test_malformed_markers_are_collection_errors_naming_the_test(
    project: Project, marker: str, message: str
) -> None:
    project.pytester.makepyfile(
        f"""
        import pytest

        def test_fine():
            pass

        @pytest.mark.{marker}
        def test_declared():
            pass
        """
    )
    result = project.run()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "invalid contract marker:" in out
    assert f"::test_declared: @pytest.mark.{marker.split('(')[0]}(" in out
    assert message in out


def test_phases_come_from_the_ini_option(project: Project) -> None:
    project.pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "contracts_phases =\n    discovery\n    build\n    release\n"
    )
    project.boundary("discovery", "release", {"type": "object"})
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("discovery", "release")
        def test_custom(phase_output):
            phase_output.record({})

        @pytest.mark.phase_boundary("requirements", "design")
        def test_default_phase_is_unknown_now():
            pass
        """
    )
    result = project.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*unknown phase 'requirements'; the phases are discovery, build, release*"]
    )


def test_markers_added_after_collection_are_honoured(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makeconftest(
        """
        import pytest

        def pytest_collection_modifyitems(items):
            for item in items:
                item.add_marker(pytest.mark.phase_boundary("requirements", "design"))
        """
    )
    project.pytester.makepyfile(
        f"""
        def test_marked_by_conftest(phase_output):
            phase_output.record({BAD!r})
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    assert "contract check failed (4 problems)" in result.stdout.str()
