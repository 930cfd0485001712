"""The phase_output fixture: what it records, what it refuses, and when; and
the warning for a declared contract that could not be checked."""

from __future__ import annotations

import warnings

import pytest

import pytest_contracts
from pytest_contracts.errors import NotJSONData, OutputTooLarge, PhaseOutputError
from pytest_contracts.markers import parse_contract, parse_phase_boundary
from pytest_contracts.recorder import ContractWarning, PhaseOutput

from .conftest import REQUIREMENTS_SCHEMA, Project
from .plugin_cases import BAD

PHASES = ("requirements", "design", "implementation")
DESIGN = parse_phase_boundary(("requirements", "design"), {}, PHASES)
API = parse_contract(("API",), {})


# -- the recorder, without a test run -------------------------------------------------
def test_outputs_are_handed_over_in_order_once_the_body_returns() -> None:
    recorder = PhaseOutput("test_x.py::test_x", [DESIGN])
    recorder.record({"n": 1})
    recorder.record(None)  # JSON null is an output too
    assert len(recorder) == 2
    assert recorder.close() == [(DESIGN, {"n": 1}), (DESIGN, None)]
    assert len(recorder) == 0
    with pytest.raises(PhaseOutputError, match="after its test body returned"):
        recorder.record({"n": 3})


def test_with_several_targets_an_output_names_its_contract_or_boundary() -> None:
    recorder = PhaseOutput("test_x.py::test_x", [DESIGN, API])
    recorder.record(1, contract="API")
    recorder.record(2, boundary="requirements -> design")
    recorder.record(3, boundary=("requirements", "design"))
    recorder.record(4, contract="phase_boundary_requirements_to_design")
    assert [(target.label, data) for target, data in recorder.close()] == [
        ("API", 1),
        ("requirements -> design", 2),
        ("requirements -> design", 3),
        ("requirements -> design", 4),
    ]


@pytest.mark.parametrize(
    ("targets", "selector", "message"),
    [
        ((), {}, "test_x.py::test_x records a phase output but declares no contract"),
        (
            (DESIGN, API),
            {},
            "declares several contracts ('API', 'requirements -> design'); say which",
        ),
        ((API,), {"contract": "Other"}, "records an output for 'Other', which none of its"),
        ((API,), {"boundary": "requirements -> design"}, "which none of its markers declares"),
        ((API,), {"contract": 3}, "contract= must be a contract name (a string), not 3"),
        ((DESIGN,), {"boundary": ("requirements",)}, "boundary= must be two phase names"),
        ((DESIGN,), {"boundary": 5}, "boundary= must be two phase names"),
    ],
)
def test_an_output_that_cannot_be_placed_is_refused_and_not_kept(
    targets: tuple[object, ...], selector: dict[str, object], message: str
) -> None:
    recorder = PhaseOutput("test_x.py::test_x", targets)  # type: ignore[arg-type]
    with pytest.raises(PhaseOutputError) as raised:
        recorder.record({}, **selector)  # type: ignore[arg-type]
    assert message in str(raised.value)
    assert len(recorder) == 0


def test_an_output_must_be_json_data_within_the_size_limit() -> None:
    recorder = PhaseOutput("test_x.py::test_x", [API], max_bytes=20)
    with pytest.raises(NotJSONData, match="the phase output for API is not JSON data") as bad:
        recorder.record({"when": {1, 2}})
    assert bad.value.pointer == "/when"
    with pytest.raises(OutputTooLarge) as large:
        recorder.record({"text": "x" * 50})
    assert large.value.limit == 20
    recorder.record({"text": "short"})
    assert len(recorder) == 1
    unlimited = PhaseOutput("test_x.py::test_x", [API], max_bytes=0)
    unlimited.record({"text": "x" * 50})
    assert len(unlimited) == 1


def test_contract_warning_is_a_pytest_warning_exported_by_the_package() -> None:
    assert issubclass(ContractWarning, pytest.PytestWarning)
    assert pytest_contracts.ContractWarning is ContractWarning
    assert ContractWarning.__module__ == "pytest_contracts.recorder"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(ContractWarning("API: not checked"), stacklevel=1)
    assert [type(w.message) for w in caught] == [ContractWarning]


# -- through pytest ---------------------------------------------------------------------
def test_recording_without_a_declared_contract_says_so(project: Project) -> None:
    project.pytester.makepyfile(
        """
        def test_undeclared(phase_output):
            phase_output.record({"a": 1})
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*test_undeclared records a phase output but declares no contract: mark the test with*"]
    )


def test_several_declared_contracts_need_a_choice(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("A")
        @pytest.mark.contract("B")
        def test_ambiguous(phase_output):
            phase_output.record({})

        @pytest.mark.contract("A")
        def test_wrong_choice(phase_output):
            phase_output.record({}, contract="C")
        """
    )
    result = project.run()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*declares several contracts ('A', 'B'); say which this output is for*",
            "*records an output for 'C', which none of its markers declares; declared: 'A'*",
        ]
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("phase_output.record({}, boundary=5)", "boundary= must be two phase names"),
        ("phase_output.record({}, boundary=('a',))", "boundary= must be two phase names"),
        ("phase_output.record({}, contract=3)", "contract= must be a contract name"),
    ],
)
def test_bad_selectors_are_clear_errors(project: Project, call: str, message: str) -> None:
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.contract("A")
        def test_selector(phase_output):
            {call}
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    assert message in result.stdout.str()
    assert "TypeError" not in result.stdout.str()


@pytest.mark.parametrize(
    ("value", "where", "type_name"),
    [
        ('{"tags": {"a", "b"}}', "at '/tags'", "set"),
        ('{"payload": [1, b"raw"]}', "at '/payload/1'", "bytes"),
        ('{"when": datetime.datetime(2026, 1, 1)}', "at '/when'", "datetime"),
        ('{"agent": object()}', "at '/agent'", "object"),
        ('{"ratio": float("nan")}', "at '/ratio'", "not a JSON number"),
    ],
)
def test_non_json_output_names_where_and_what_and_records_nothing(
    project: Project, value: str, where: str, type_name: str
) -> None:
    project.boundary("requirements", "design", {"type": "object"})
    project.pytester.makepyfile(
        f"""
        import datetime
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_output(phase_output):
            try:
                phase_output.record({value})
            finally:
                assert len(phase_output) == 0  # nothing half-recorded
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "NotJSONData: the phase output for requirements -> design is not JSON data" in out
    assert where in out
    assert type_name in out
    assert "checks against" not in out  # no check was made


def test_self_containing_output_is_refused_not_hung(project: Project) -> None:
    project.boundary("requirements", "design", {"type": "object"})
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_cycle(phase_output):
            doc = {"parts": []}
            doc["parts"].append(doc)
            phase_output.record(doc)
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*at '/parts/0' there is a dict that contains itself*"])


def test_recording_after_the_body_returned_is_an_error(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def late(phase_output):
            yield
            phase_output.record({"project": ""})

        @pytest.mark.phase_boundary("requirements", "design", required=False)
        def test_records_at_teardown(late):
            pass
        """
    )
    result = project.run("--contracts-gate")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*records a phase output after its test body returned*"])


def test_a_failing_test_body_is_not_checked(project: Project) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_broken(phase_output):
            phase_output.record({BAD!r})
            assert False, "the test's own failure"
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    assert "the test's own failure" in result.stdout.str()
    assert "contract check failed" not in result.stdout.str()
