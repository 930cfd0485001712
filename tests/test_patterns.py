"""Patterns run on an engine that cannot backtrack, with ECMA 262's semantics.

``pattern``, ``patternProperties`` and ``format: regex`` are matched by RE2
(jsonschema) or the regex crate (jsonschema-rs) whenever they can be; the
hostile patterns a heuristic once missed finish on both engines; the places
where ECMA 262 and Python's ``re`` differ follow ECMA 262 on both engines.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_contracts import ContractManager
from pytest_contracts.errors import InvalidSchema
from pytest_contracts.patterns import PatternError, compile_pattern
from pytest_contracts.schemas import check_specification
from pytest_contracts.validation import ValidatorCache

from .conftest import contract_record
from .hostile_cases import SAFE_PATTERNS
from .test_engine_conformance import suite

__all__ = ["suite"]

ENGINES = ["jsonschema", "jsonschema-rs"]

#: The issue's patterns, each with a near-miss that makes a backtracking
#: engine try exponentially many ways (a minute at 62 characters with re).
HOSTILE = [
    (r"^([a-z]*\.[a-z]*)+$", "a." * 5_000 + "a!"),
    (r"^(a*,a*)+$", "a," * 5_000 + "!"),
    (r"^(\d*-\d*)+$", "1-" * 5_000 + "!"),
    (r"^(\s*,\s*)+$", " ," * 5_000 + "!"),
    (r"^a*a*a*a*a*a*a*a*a*a*$", "a" * 10_000 + "!"),
    (r"^(a+)+$", "a" * 10_000 + "!"),
    (r"^(a|aa)+$", "a" * 10_000 + "!"),
    (r"(.*a){12}", "a" * 11 + "x" * 5_000),
]


@pytest.mark.parametrize("pattern", [p for p, _ in HOSTILE])
def test_hostile_patterns_are_accepted_and_run_by_re2(pattern: str) -> None:
    check_specification({"type": "string", "pattern": pattern}, self_contained=True)
    check_specification({"patternProperties": {pattern: {}}}, self_contained=True)
    assert compile_pattern(pattern).engine == "re2"


@pytest.mark.slow
def test_hostile_patterns_finish_on_long_near_misses_on_both_engines(tmp_path: Path) -> None:
    # In a process of its own with no time budget, so that a backtracking
    # engine would hang it (and the timeout would fail the test) instead of
    # being stopped by the budget.
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(HOSTILE), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import json, sys
        sys.path.insert(0, {str(Path(__file__).parent.parent)!r})
        from pytest_contracts.validation import ValidatorCache
        from tests.conftest import contract_record
        out = []
        for engine in {ENGINES!r}:
            cache = ValidatorCache(engine=engine, check_timeout=None)
            for number, (pattern, text) in enumerate(json.load(open({str(cases)!r}))):
                for kind, (schema, data) in enumerate([
                    ({{"type": "string", "pattern": pattern}}, text),
                    ({{"patternProperties": {{pattern: False}}}}, {{text: 1}}),
                    ({{"type": "string", "format": "regex"}}, pattern),
                ]):
                    contract = contract_record(schema, f"{{engine}}-{{number}}-{{kind}}")
                    verdict = cache.validate(contract, data)
                    out.append([engine, pattern, verdict.passed, verdict.error])
        print(json.dumps(out))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    results = json.loads(done.stdout)
    assert len(results) == 2 * len(HOSTILE) * 3
    for engine, pattern, _, error in results:
        assert error is None, (engine, pattern, error)
    # The near-miss never matches; the matching property is refused; the pattern is a regex.
    by_kind = [passed for *_, passed, _ in results]
    assert by_kind == [False, True, True] * (2 * len(HOSTILE))


#: (pattern, text, whether ECMA 262 finds a match): where Python's re differs.
ECMA_DIFFERENCES = [
    (r"^\d+$", "\u0664\u0662", False),  # Arabic-Indic digits: \d is ASCII in ECMA 262
    (r"^\d+$", "42", True),
    (r"^\w+$", "\u00e9t\u00e9", False),  # \w is ASCII
    (r"^\W$", "\u00e9", True),
    (r"\bfoo\b", "\u00e9foo\u00e9", True),  # \b: é is not a word character
    (r"^a$", "a\n", False),  # $ does not match before a trailing newline
    (r"^a.b$", "a\rb", False),  # . does not match a line terminator
    (r"^a.b$", "a\u2028b", False),
    (r"^a.b$", "a\u00e9b", True),
    (r"^\s$", "\ufeff", True),  # ECMA's \s has U+FEFF ...
    (r"^\s$", "\x1c", False),  # ... and not U+001C
    (r"^[\s\d]+$", " 1\u3000", True),
    (r"^[^\S]$", "\u00a0", True),
    (r"^\u0041$", "A", True),
    (r"^\u{1F600}$", "\U0001f600", True),
    (r"^\uD83D\uDE00$", "\U0001f600", True),  # a surrogate pair is one character
    (r"^\cJ$", "\n", True),
    (r"^\0$", "\x00", True),
    (r"[]", "a", False),  # [] matches nothing ...
    (r"^[^]$", "\n", True),  # ... and [^] anything
    (r"^(?<y>\d{4})$", "2024", True),
    (r"^\p{Lu}", "\u00c9t\u00e9", True),
    (r"^\p{Letter}+$", "\u00e9t\u00e9", True),
]


#: What jsonschema-rs (its regex crates) reads otherwise; see the README's "Patterns".
RUST_DEVIATIONS = {
    r"\bfoo\b": "the regex crate's \\b is Unicode-aware",
    r"^\uD83D\uDE00$": "jsonschema-rs does not join an escaped surrogate pair",
    r"^\0$": "jsonschema-rs does not read \\0",
    "[]": "the regex crate refuses an empty class",
    "^[^]$": "the regex crate refuses an empty class",
    r"^(?<c>[ab])\k<c>$": "fancy-regex does not read \\k<name>",
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("pattern", "text", "matches"), ECMA_DIFFERENCES)
def test_patterns_follow_ecma_262_on_both_engines(
    engine: str, pattern: str, text: str, matches: bool
) -> None:
    if engine == "jsonschema-rs" and pattern in RUST_DEVIATIONS:
        pytest.skip(RUST_DEVIATIONS[pattern])
    cache = ValidatorCache(engine=engine)
    verdict = cache.validate(contract_record({"pattern": pattern}, "ecma"), text)
    assert verdict.error is None
    assert verdict.passed is matches
    keys = cache.validate(
        contract_record({"patternProperties": {pattern: False}}, "keys"), {text: 1}
    )
    assert keys.passed is not matches
    extra = cache.validate(
        contract_record(
            {"patternProperties": {pattern: True}, "additionalProperties": False}, "extra"
        ),
        {text: 1},
    )
    assert extra.passed is matches


#: Patterns only a backtracking engine runs: Python's re, with ECMA 262's reading.
BACKTRACKING_ONLY = [
    (r"^(?=.*\d)[a-z\d]+$", "abc1", True),
    (r"^(?=.*\d)[a-z\d]+$", "abc", False),
    (r"^(?!x)\w+$", "xyz", False),
    (r"(?<=@)\d+$", "a@12", True),
    (r"(?<!@)\d$", "@1", False),
    (r"^(a)\1$", "aa", True),
    (r"^(?<c>[ab])\k<c>$", "bb", True),
    (r"^(?<c>[ab])\k<c>$", "ab", False),
    (r"^(?=\d)\d+$", "\u0664", False),  # still ECMA's \d
    (r"^(?=a)a$", "a\n", False),  # and ECMA's $
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("pattern", "text", "matches"), BACKTRACKING_ONLY)
def test_lookaround_and_backreferences_run_on_a_backtracking_engine(
    engine: str, pattern: str, text: str, matches: bool
) -> None:
    if engine == "jsonschema-rs" and pattern in RUST_DEVIATIONS:
        pytest.skip(RUST_DEVIATIONS[pattern])
    check_specification({"pattern": pattern}, self_contained=True)
    assert compile_pattern(pattern).engine == "re"
    verdict = ValidatorCache(engine=engine).validate(
        contract_record({"pattern": pattern}, "back"), text
    )
    assert verdict.error is None
    assert verdict.passed is matches


@pytest.mark.parametrize(
    "pattern",
    [r"abc\Z", r"\Aabc", r"a\z", r"[a-", r"(?<=a", "\\", r"\q", r"\u12"],
)
def test_a_pattern_that_is_not_ecma_262_is_refused_with_its_pointer(
    pattern: str,
) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)
    with pytest.raises(InvalidSchema) as caught:
        check_specification({"properties": {"id": {"pattern": pattern}}})
    assert caught.value.path == "/properties/id/pattern"
    assert "is not a 'regex'" in str(caught.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_format_regex_checks_data_as_ecma_262(engine: str) -> None:
    cache = ValidatorCache(engine=engine)
    contract = contract_record({"type": "string", "format": "regex"}, "format")
    assert cache.validate(contract, r"^(a*,a*)+$").passed
    assert cache.validate(contract, r"(?<=a)b").passed
    # Python's \Z is no ECMA 262 escape: not a regex.
    assert not cache.validate(contract, r"abc\Z").passed


def test_a_lone_surrogate_in_the_data_is_matched_all_the_same() -> None:
    # UTF-8, and so RE2, cannot hold one: Python's re matches it instead.
    verdict = ValidatorCache().validate(
        contract_record({"pattern": "^a.b$"}, "surrogate"), "a\ud800b"
    )
    assert verdict.passed


@pytest.mark.parametrize("pattern", SAFE_PATTERNS)
def test_common_patterns_pass_and_run_on_re2(pattern: str) -> None:
    check_specification({"type": "string", "pattern": pattern})
    check_specification({"patternProperties": {pattern: {}}})
    assert compile_pattern(pattern).engine == "re2"


async def test_create_contract_refuses_a_python_only_pattern(cm: ContractManager) -> None:
    specification = {"type": "object", "properties": {"id": {"pattern": r"^\d+\Z"}}}
    with pytest.raises(InvalidSchema, match="is not a 'regex'") as caught:
        await cm.create_contract("t", "Py", "v1", "DATA_FORMAT", specification)
    assert caught.value.path == "/properties/id/pattern"
    assert await cm.list_contracts("t") == []


def test_the_suites_ecma_262_cases_pass_on_both_engines(suite: Path) -> None:
    cases = json.loads(
        (suite / "draft2020-12" / "optional" / "ecmascript-regex.json").read_text("utf-8")
    )
    wrong = []
    for engine in ENGINES:
        cache = ValidatorCache(engine=engine)
        for number, case in enumerate(cases):
            contract = contract_record(case["schema"], f"{engine}-{number}")
            for test in case["tests"]:
                verdict = cache.validate(contract, test["data"])
                if verdict.error is not None or verdict.passed is not test["valid"]:
                    wrong.append((engine, case["description"], test["description"]))
    assert len(cases) >= 10
    assert wrong == []


# -- where the semantics agree, RE2 and the fallback agree with Python's re ---------------
_ATOMS = st.sampled_from(["a", "b", "c", "-", "[ab]", "[^a]", "[a-c]", r"\d", r"\w", "[0-9]"])


def _regex(depth: int = 3) -> st.SearchStrategy[str]:
    if depth == 0:
        return _ATOMS
    inner = _regex(depth - 1)
    return st.one_of(
        _ATOMS,
        st.tuples(inner, st.sampled_from(["*", "+", "?", "{2}", "{1,3}", "*?"])).map(
            lambda p: f"(?:{p[0]}){p[1]}"
        ),
        st.lists(inner, min_size=1, max_size=3).map("".join),
        st.tuples(inner, inner).map(lambda p: f"({p[0]}|{p[1]})"),
        inner.map(lambda p: f"(?:{p})"),
    )


patterns = st.tuples(st.sampled_from(["", "^"]), _regex(), st.sampled_from(["", "$"])).map("".join)
texts = st.text(alphabet="abc-019", max_size=12)


@settings(max_examples=300, deadline=None)
@given(patterns, texts)
def test_re2_agrees_with_python_re_where_the_semantics_are_the_same(
    pattern: str, text: str
) -> None:
    compiled = compile_pattern(pattern)
    assert compiled.engine == "re2"
    expected = re.search(pattern, text) is not None
    assert compiled.search(text) is expected
    # And so does the fallback translation (used for lookaround and backreferences).
    fallback = compile_pattern(f"(?=){pattern}")
    assert fallback.engine == "re"
    assert fallback.search(text) is expected
