"""Inputs shared by the tests of hostile input: values Python may hand over as
outputs, and patterns that must stay accepted."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

SAFE_PATTERNS = [
    r"^[a-z]+$",
    r"^REQ-[0-9]+$",
    r"^(foo|bar)$",
    r"^\d{4}-\d{2}$",
    r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    r"^[a-z0-9._%+-]+@([a-z0-9-]+\.)+[a-z]{2,}$",
    r"^(\d{1,3}\.){3}\d{1,3}$",
    r"^([01]?\d|2[0-4]\d|25[0-5])(\.([01]?\d|2[0-4]\d|25[0-5])){3}$",
    r"^[a-z]+(-[a-z]+)*$",
    r"^(GET|POST)(,(GET|POST))*$",
    r"^https?://[^\s/$.?#].[^\s]*$",
    r'^("[^"]*",)*"[^"]*"$',
    r"^v\d+(\.\d+)*$",
    r"(\w|\d)+",  # Python's parser turns it into one character class
    # semver.org's own pattern
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)

# Anything Python might hand over as an output, JSON or not.
any_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=4)
    | st.just(2**14_001)
    | st.builds(datetime.now),
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children)
        | st.frozensets(st.integers(), max_size=2)
        | st.dictionaries(st.text(max_size=4) | st.integers(), children, max_size=3)
    ),
    max_leaves=12,
)
