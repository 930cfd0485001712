"""Versions (registry/versions.py): the accepted forms, refused with the forms
shown otherwise, reading back as written; the order, semantic where a version
reads as one, by text after all of those otherwise, and never an error."""

from __future__ import annotations

import itertools
import re
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_contracts.errors import InvalidVersion
from pytest_contracts.registry.versions import (
    VERSION_FORMS,
    Version,
    check_version,
    is_semantic,
    is_version,
    major,
    parse_version,
    version_key,
)


@pytest.mark.parametrize(
    "ascending",
    [
        ["v1.0", "v1.9", "v1.10", "v2.0"],
        ["0.9", "1", "1.0.1", "1.1"],
        ["v1.0-alpha", "v1.0-alpha.1", "v1.0-beta", "v1.0-rc.2", "v1.0-rc.10", "v1.0"],
        ["1.0-1", "1.0-2", "1.0-10", "1.0-alpha"],  # numbers before words in a pre-release
        ["v99.0", "alpha", "beta", "latest"],  # what is not a version comes last, by text
    ],
)
def test_versions_sort_in_the_documented_order(ascending: list[str]) -> None:
    keys = [version_key(version) for version in ascending]
    assert all(a < b for a, b in itertools.pairwise(keys))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("v1.0", "1.0.0"),  # trailing zeros and the leading v do not count
        ("V2", "v2.0"),
        ("1.0+build5", "1.0"),  # build metadata does not order
        (" v1.2 ", "v1.2"),
    ],
)
def test_spellings_of_one_version_have_one_key(one: str, other: str) -> None:
    assert version_key(one) == version_key(other)


@pytest.mark.parametrize(
    ("version", "semantic", "first"),
    [
        ("v3.2", True, 3),
        ("10", True, 10),
        ("1.0-rc.1+build.7", True, 1),
        ("latest", False, None),
        ("v1.x", False, None),
        ("1.0-", False, None),
        ("", False, None),
    ],
)
def test_is_semantic_and_major_read_the_same_versions(
    version: str, semantic: bool, first: int | None
) -> None:
    assert is_semantic(version) is semantic
    assert major(version) == first


# -- properties: the order is total and consistent ----------------------------------
_identifier = st.from_regex(r"[0-9A-Za-z-]{1,6}", fullmatch=True)
_numbers = st.lists(st.integers(0, 30), min_size=1, max_size=4)
semantic_versions = st.builds(
    lambda v, numbers, pre, build: (
        v
        + ".".join(map(str, numbers))
        + ("-" + ".".join(pre) if pre else "")
        + ("+" + build if build else "")
    ),
    st.sampled_from(["", "v", "V"]),
    _numbers,
    st.lists(_identifier, max_size=3),
    st.one_of(st.none(), _identifier),
)
versions = st.one_of(semantic_versions, st.text(max_size=12))


@given(versions, versions)
def test_any_two_versions_compare_exactly_one_way(a: str, b: str) -> None:
    ka, kb = version_key(a), version_key(b)
    assert [ka < kb, ka == kb, ka > kb].count(True) == 1


@given(versions, versions, versions)
def test_the_order_is_transitive(a: str, b: str, c: str) -> None:
    low, middle, high = sorted((a, b, c), key=version_key)
    assert version_key(low) <= version_key(middle) <= version_key(high)
    assert version_key(low) <= version_key(high)


@given(st.lists(versions, max_size=8), st.randoms(use_true_random=False))
def test_sorting_does_not_depend_on_the_order_given(items: list[str], rng: Random) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    assert [version_key(v) for v in sorted(items, key=version_key)] == [
        version_key(v) for v in sorted(shuffled, key=version_key)
    ]


@given(semantic_versions, st.text(max_size=12))
def test_every_semantic_version_sorts_before_anything_else(semantic: str, other: str) -> None:
    assert is_semantic(semantic)
    if not is_semantic(other):
        assert version_key(semantic) < version_key(other)


@given(semantic_versions)
def test_a_trailing_zero_never_changes_the_place_of_a_release(version: str) -> None:
    if "-" not in version and "+" not in version:
        assert version_key(version + ".0") == version_key(version)
        assert major(version + ".0") == major(version)


# -- the accepted forms ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("1", Version((1,))),
        ("v1.0", Version((1, 0), prefix="v")),
        ("2.1.3", Version((2, 1, 3))),
        ("0.1.0", Version((0, 1, 0))),
        ("v1.2.3.4", Version((1, 2, 3, 4), prefix="v")),
        ("v2.0-rc.1", Version((2, 0), ("rc", "1"), "v")),
        ("3.0-beta", Version((3, 0), ("beta",))),
        ("1.0-0.alpha-2", Version((1, 0), ("0", "alpha-2"))),
        ("3.12", Version((3, 12))),
        ("9.0.0", Version((9, 0, 0))),
    ],
)
def test_accepted_versions_read_as_their_parts_and_back(text: str, parts: Version) -> None:
    assert check_version(text) == text
    assert parse_version(text) == parts
    assert str(parts) == text


@pytest.mark.parametrize(
    "text",
    [
        "latest",
        "version one",
        "",
        " ",
        "v",
        "1.0 ",  # no spaces around it either
        "\tv1.0",
        "1.01",  # no leading zeros: 1.01 and 1.1 would be one version spelt twice
        "01",
        "1.0-rc.01",
        "1.2.3.4.5",  # at most four numbers
        "V1.0",  # the v is lower case
        "vv1",
        "1.0-",
        "1.0-rc..1",
        "1.0+build5",  # build metadata does not order, so it is not taken
        "1.x",
        "1,0",
        "\u0661",  # an Arabic-Indic digit one
        "v1.0\n",
        "1" * 65,  # over 64 characters
    ],
)
def test_anything_else_is_refused_in_one_line_showing_the_forms(text: str) -> None:
    assert not is_version(text)
    with pytest.raises(InvalidVersion) as refused:
        check_version(text, "new_version")
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("new_version ")
    assert message.endswith(f": use {VERSION_FORMS}")
    assert "(1, v1.0, 2.1.3, v2.0-rc.1, 3.0-beta)" in message


def test_a_version_that_is_no_string_or_too_long_says_so() -> None:
    with pytest.raises(InvalidVersion, match=r"^version must be a string, not int: use an"):
        check_version(2)
    with pytest.raises(InvalidVersion, match="is 70 characters long; a version has at most 64"):
        check_version("1" * 70)


# -- properties of the accepted forms -----------------------------------------------
_number = st.integers(0, 10**6)
_word = st.from_regex(r"[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*", fullmatch=True).filter(
    lambda word: len(word) <= 8
)
_pre_part = st.one_of(_number.map(str), _word)
accepted_versions = st.builds(
    Version,
    st.lists(_number, min_size=1, max_size=4).map(tuple),
    st.lists(_pre_part, max_size=3).map(tuple),
    st.sampled_from(["", "v"]),
).filter(lambda version: len(str(version)) <= 64)


def _precedence(a: Version, b: Version) -> int:
    """Semantic versioning's precedence, written out: -1, 0 or 1."""

    def sign(x: object, y: object) -> int:
        return (x > y) - (x < y)  # type: ignore[operator]

    width = max(len(a.numbers), len(b.numbers))
    numbers = sign(
        a.numbers + (0,) * (width - len(a.numbers)), b.numbers + (0,) * (width - len(b.numbers))
    )
    if numbers or a.pre == b.pre:
        return numbers
    if not a.pre or not b.pre:
        return -1 if a.pre else 1  # a pre-release comes before its release
    for x, y in zip(a.pre, b.pre, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return sign(int(x), int(y))
        if x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1  # numbers before words
        return sign(x, y)
    return sign(len(a.pre), len(b.pre))


@given(accepted_versions)
def test_every_accepted_version_reads_back_as_written(version: Version) -> None:
    text = str(version)
    assert is_version(text)
    assert parse_version(text) == version
    assert str(parse_version(text)) == text
    assert is_semantic(text)
    assert major(text) == version.numbers[0]


@given(accepted_versions, accepted_versions)
def test_accepted_versions_order_as_documented(a: Version, b: Version) -> None:
    ka, kb = a.key, b.key
    assert (ka > kb) - (ka < kb) == _precedence(a, b)


@given(accepted_versions, st.sampled_from(["0", "00", "x", "+b", " ", "-", "..", "V"]))
def test_an_accepted_version_spoilt_is_refused(version: Version, spoiler: str) -> None:
    text = str(version)
    bare = text.removeprefix("v")
    spoilt = {
        "0": version.prefix + "0" + bare,  # a leading zero
        "00": text + ".00",  # a leading zero in a number or a pre-release part
        "x": text.replace("-", "-x..", 1) if version.pre else text + ".x",
        "+b": text + "+b",
        " ": " " + text,
        "-": text + "." if version.pre else text + "-",  # an empty part
        "..": text.replace(".", "..", 1) if "." in text else text + "..1",
        "V": "V" + bare,
    }[spoiler]
    assert not is_version(spoilt), spoilt
    with pytest.raises(InvalidVersion, match=r": use an optional v, one to four"):
        check_version(spoilt)


@given(st.text(max_size=20).filter(lambda text: re.search(r"[^0-9A-Za-z.\-]", text) is not None))
def test_generated_text_holding_another_character_is_refused(text: str) -> None:
    # Versions are made of ASCII letters, digits, dots and hyphens: anything
    # holding another character (a space, a comma, a +, a non-ASCII digit) is refused.
    assert not is_version(text)
    with pytest.raises(InvalidVersion) as refused:
        check_version(text)
    assert str(refused.value).endswith(f": use {VERSION_FORMS}")
    assert "\n" not in str(refused.value)  # one line, whatever the text holds
