"""Huge and deep outputs: the size limit, measured as JSON text and said with the
remedy; deep nesting sized and validated to a verdict; the cap on violations; and
``check_output``, the one check ``phase_output.record`` makes."""

from __future__ import annotations

import dataclasses
import enum
import json
import subprocess
import sys
import uuid
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_contracts import jsondata
from pytest_contracts.defaults import MAX_OUTPUT_BYTES
from pytest_contracts.errors import (
    ContractError,
    InvalidSchema,
    NotJSONData,
    OutputTooLarge,
)
from pytest_contracts.jsondata import (
    check_output,
    check_output_size,
    dumps,
    ensure_json,
    json_size,
)
from pytest_contracts.models import Contract
from pytest_contracts.schemas import check_specification
from pytest_contracts.validation import ValidatorCache

from .conftest import PROJECT_INI, Project, contract_record
from .hostile_cases import any_values, json_values


def contract(specification: Any, contract_id: str = "hostile") -> Contract:
    return contract_record(specification, contract_id)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -17,
        10**4000,
        1.5,
        -1e300,
        float(2**60),
        "",
        'quote " backslash \\ newline \n bell \x07 delete \x7f',
        "unicode: é 名前 😀 and a lone surrogate \ud800",
        [],
        {},
        {"": [None, {"a": [1, 2.0, "x"]}], "名": {"k": True}},
    ],
)
def test_json_size_is_the_size_of_the_json_text(value: Any) -> None:
    assert json_size(value) == len(dumps(value).encode("utf-8", "surrogatepass"))


def test_output_over_the_limit_is_refused_early_naming_size_limit_and_remedy() -> None:
    item = {"id": "REQ-000001", "text": "x" * 80, "tags": ["a", "b"], "n": 1}
    output = [item] * (50 * 1024 * 1024 // len(dumps(item)))  # about 50 MB
    with pytest.raises(OutputTooLarge) as caught:
        check_output_size(output, what="the phase output for 'requirements -> design'")
    error = caught.value
    assert isinstance(error, ContractError)
    assert error.limit == MAX_OUTPUT_BYTES == 16 * 1024 * 1024
    # Measuring stopped just past the limit, not at the 50 MB the output has.
    assert MAX_OUTPUT_BYTES < error.size < MAX_OUTPUT_BYTES + 1024
    message = str(error)
    assert "the phase output for 'requirements -> design'" in message
    assert "16,777,216 bytes (16.0 MiB)" in message
    assert "contracts_max_output_bytes" in message


def test_one_huge_string_is_refused_without_being_scanned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = {"blob": "é" * (50 * 1024 * 1024)}
    scanned: list[int] = []
    original = jsondata._string_size

    def counting(text: str) -> int:
        scanned.append(len(text))
        return original(text)

    monkeypatch.setattr(jsondata, "_string_size", counting)
    with pytest.raises(OutputTooLarge):
        check_output_size(output)
    assert len(output["blob"]) not in scanned  # its length alone was over the limit
    check_output_size(["abc"])  # a string within the limit is scanned: the probe works
    assert scanned[-1] == 3


def test_output_at_the_limit_passes_and_one_byte_over_does_not() -> None:
    output = {"items": ["é\n" * 10, 1.25, None]}
    size = json_size(output)
    assert check_output_size(output, limit=size) == size
    with pytest.raises(OutputTooLarge):
        check_output_size(output, limit=size - 1)


@pytest.mark.parametrize("limit", [None, 0])
def test_no_limit_measures_everything(limit: int | None) -> None:
    output = ["x" * 1000] * 20_000  # 20 MB: over the default
    assert check_output_size(output, limit=limit) == len(dumps(output))


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"child": [value]}
    return value


def test_output_nested_ten_thousand_deep_is_json_data_and_sized() -> None:
    output = nested(10_000, 1)
    ensure_json(output)
    assert check_output_size(output) == len('{"child":[]}') * 10_000 + 1


def test_non_json_value_ten_thousand_deep_is_named_by_its_pointer() -> None:
    with pytest.raises(NotJSONData, match="use a list") as caught:
        ensure_json(nested(10_000, (1, 2)))
    assert caught.value.pointer == "/child/0" * 10_000


def test_output_nested_ten_thousand_deep_is_validated_to_a_verdict() -> None:
    output = nested(10_000, 1)
    cache = ValidatorCache()
    assert cache.validate(contract({"type": "object"}, "flat"), output).passed
    recursive = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"child": {"items": {"$ref": "#/$defs/node"}}},
            }
        },
        "$ref": "#/$defs/node",
    }
    verdict = cache.validate(contract(recursive, "recursive"), output)
    assert verdict.violations == ()
    assert verdict.error.startswith("the output is nested too deeply to validate")


# -- limits wired into the plugin ------------------------------------------------
LARGE_OUTPUT_TEST = """
import pytest

@pytest.mark.contract("Blob")
def test_blob(phase_output):
    phase_output.record({"data": "x" * 500})
"""


def test_the_output_size_limit_and_its_ini_twin(project: Project) -> None:
    project.contract("Blob", {"type": "object"}, kind="DATA_FORMAT")
    project.pytester.makepyfile(LARGE_OUTPUT_TEST)
    project.run().assert_outcomes(passed=1)  # 16 MiB by default
    refused = project.run("--contracts-max-output-bytes", "100")
    refused.assert_outcomes(failed=1)
    refused.stdout.fnmatch_lines(
        ["*OutputTooLarge: the phase output for Blob is over the size limit of 100 bytes*"]
    )
    project.pytester.makeini(PROJECT_INI + "contracts_max_output_bytes = 100\n")
    project.run().assert_outcomes(failed=1)
    project.run("--contracts-max-output-bytes", "0").assert_outcomes(passed=1)  # no limit
    bad = project.run("--contracts-max-output-bytes", "lots")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    assert "'lots' is not a whole number of bytes" in bad.stderr.str()


def test_violations_are_capped_and_the_cap_is_said() -> None:
    from pytest_contracts.validation import MAX_VIOLATIONS

    strings = contract({"type": "array", "items": {"type": "string"}}, "capped")
    verdict = ValidatorCache().validate(strings, list(range(MAX_VIOLATIONS * 5)))
    assert len(verdict.violations) == MAX_VIOLATIONS
    assert verdict.truncated
    exact = ValidatorCache().validate(strings, list(range(MAX_VIOLATIONS)))
    assert (len(exact.violations), exact.truncated) == (MAX_VIOLATIONS, False)


def test_capped_violations_are_said_in_the_report(project: Project) -> None:
    project.contract("Strings", {"type": "array", "items": {"type": "string"}}, kind="DATA_FORMAT")
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("Strings")
        def test_numbers(phase_output):
            phase_output.record(list(range(1000)))
        """
    )
    result = project.run("--contracts-report", "r.json")
    result.assert_outcomes(failed=1)
    (check,) = json.loads((project.path / "r.json").read_text())["checks"]
    assert len(check["violations"]) == 100
    assert check["message"] == "more than 100 violations were found; the first 100 are listed"


@pytest.mark.parametrize(
    "specification",
    [
        {"$ref": "#/prefixItems/x", "prefixItems": [{"type": "string"}]},
        {"$ref": "#/const/0", "const": [1]},
        {"allOf": [{"$ref": "#"}]},
    ],
)
def test_a_stored_schema_that_breaks_the_engine_gives_an_error_verdict(
    specification: Any,
) -> None:
    verdict = ValidatorCache().validate(contract(specification, "odd"), {"a": 1})
    assert not verdict.passed
    assert verdict.error is not None
    assert verdict.error.startswith(("the schema cannot be applied", "the output is nested"))
    assert len(verdict.error) <= 500


def test_a_schema_that_passed_loosely_is_still_checked_strictly() -> None:
    remote = {"properties": {"a": {"$ref": "https://example.com/a.json"}}}
    check_specification(remote)  # remembered as passed, for the loose check only
    with pytest.raises(InvalidSchema, match="never fetches schemas"):
        check_specification(remote, self_contained=True)


# -- check_output: the one check phase_output.record makes ---------------------------
def _outcome(check: Any, value: Any) -> tuple[str, Any]:
    try:
        return "size", check(value)
    except NotJSONData as exc:
        return "not json", (str(exc), exc.pointer, exc.type_name)
    except OutputTooLarge as exc:
        return "too large", exc.limit


def _by_walks(value: Any, limit: int | None = MAX_OUTPUT_BYTES) -> str:
    ensure_json(value, what="the output")
    check_output_size(value, limit=limit, what="the output")
    return "ok"


def _by_check_output(value: Any, limit: int | None = MAX_OUTPUT_BYTES) -> str:
    check_output(value, limit=limit, what="the output")
    return "ok"


@pytest.fixture(params=["orjson", "json module"])
def fast_check(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """check_output with its orjson path, and without it (a platform without orjson)."""
    if request.param == "json module":
        monkeypatch.setattr(jsondata, "_orjson", None)
    else:
        pytest.importorskip("orjson")
    return str(request.param)


class _Colour(enum.Enum):
    RED = "red"


class _Level(enum.IntEnum):
    HIGH = 3


class _Name(str):
    pass


class _Mapping(dict):  # type: ignore[type-arg]
    pass


@dataclasses.dataclass
class _Point:
    x: int
    y: int


def _fragment() -> Any:
    orjson = pytest.importorskip("orjson")
    return orjson.Fragment(b'{"a":1}')


def _cyclic() -> Any:
    value: dict[str, Any] = {"a": []}
    value["a"].append(value)
    return value


@pytest.mark.parametrize(
    "value",
    [
        {"a": (1, 2)},
        [{"k": {1: "int key"}}],
        {True: 1},
        {None: 1},
        {"1": "a", 1: "b"},
        {"x": float("nan")},
        [float("-inf")],
        {"when": datetime(2026, 1, 1)},
        {"blob": b"bytes"},
        {"set": {1, 2}},
        10**5000,
        2**14_100,  # between the walk's quick bound and Python's limit: writable
        _cyclic(),
        {"deep": nested(10_000, 1)},
        {"deep": nested(10_000, (1,))},
        {"é": ["名前 😀", "\ud800", 'q"\\', 1.5e-300, -0.0, 2**70]},
        # What orjson writes as something else: read back, they are not equal.
        {"colour": _Colour.RED},
        {"id": uuid.UUID(int=7)},
        {"raw": _fragment()},
        # What it must hand to its default: refused or judged by the exact path.
        {"name": _Name("x")},
        _Mapping(a=1),
        {"point": _Point(1, 2)},
        # Accepted by both: an int enum is an int, floats in every notation.
        {"level": _Level.HIGH},
        [1e-07, 1e-05, 1e16, 1e22, 5e-324, 123456789012345678.0],
    ],
    ids=lambda value: type(value).__name__,
)
def test_check_output_agrees_with_the_walks(value: Any, fast_check: str) -> None:
    assert _outcome(_by_check_output, value) == _outcome(_by_walks, value)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=any_values)
def test_check_output_agrees_with_the_walks_on_random_values(value: Any, fast_check: str) -> None:
    assert _outcome(_by_check_output, value) == _outcome(_by_walks, value)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=json_values, slack=st.integers(-3, 3))
def test_check_output_limit_is_exact(value: Any, slack: int, fast_check: str) -> None:
    size = json_size(value)
    limit = max(1, size + slack)
    expected = "size" if size <= limit else "too large"
    assert _outcome(lambda v: _by_check_output(v, limit), value)[0] == expected


def test_check_output_refuses_an_output_over_the_limit_before_reading_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pytest_contracts import jsondata

    def no_read_back(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("an output over the limit must not be read back")

    monkeypatch.setattr(jsondata.json, "loads", no_read_back)
    with pytest.raises(OutputTooLarge) as caught:
        check_output({"blob": "é" * 1000}, limit=1500, what="the output")
    assert caught.value.size > 1500
    assert "over the size limit of 1,500 bytes" in str(caught.value)


@pytest.mark.parametrize("process_limit", [0, 640, 4300, 100_000])
def test_integers_are_judged_by_the_default_digit_limit_not_this_process(
    process_limit: int,
) -> None:
    """What one process stores, every process with Python's default limit must
    be able to read: integers of up to 4300 digits, whatever this process allows."""
    largest, too_large = 10**4300 - 1, 10**4300
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(process_limit)
    try:
        for check in (ensure_json, lambda v: check_output(v, limit=None)):
            check([largest, -largest])
            for value in (too_large, -too_large):
                with pytest.raises(NotJSONData, match="too large to write as JSON"):
                    check({"n": value})
        check_output(largest, limit=4300)
        with pytest.raises(OutputTooLarge):
            check_output(largest, limit=4299)
        size = json_size(largest)
    finally:
        sys.set_int_max_str_digits(previous)
    assert size == 4300
    assert json_size(-largest) == 4301
    with pytest.raises(InvalidSchema, match="too large to write as JSON"):
        check_specification({"maximum": too_large})


def test_check_output_under_a_raised_recursion_limit_never_overflows_the_stack() -> None:
    # Some suites raise the limit; the C json code would then recurse past
    # the C stack on deep data. A crash shows as the child's exit status.
    code = """
import sys
from pytest_contracts.jsondata import check_output
sys.setrecursionlimit(10**6)
value = []
for _ in range(200_000):
    value = [value]
size = 2 * 200_000 + 2
check_output(value, limit=size)
try:
    check_output(value, limit=size - 1)
except Exception as exc:
    print(type(exc).__name__, exc.size)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    expected = f"OutputTooLarge {2 * 200_000 + 2}"
    assert (result.returncode, result.stdout.strip()) == (0, expected), result.stderr


@pytest.mark.parametrize("value", [{"items": [("a" * 50, 1)]}, {"blob": "x" * 50, 1: 2}])
def test_an_output_over_the_limit_that_is_not_json_data_is_named_as_not_json(
    value: Any,
) -> None:
    for check in (_by_check_output, _by_walks):
        with pytest.raises(NotJSONData):
            check(value, limit=20)
