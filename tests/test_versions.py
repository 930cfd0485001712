"""Version order (registry/versions.py): semantic where a version reads as
one, by text after all of those otherwise, and never an error."""

from __future__ import annotations

import itertools
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_contracts.registry.versions import is_semantic, major, version_key


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
