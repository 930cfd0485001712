"""Questions answered beside the comparison: does one document still hold,
is one schema a subset of another."""

from __future__ import annotations

from pytest_contracts.compat import DocumentVerdict, document_compatible, is_subset

from .compat_cases import DRAFT7, I, S, obj

# -- the direct question about one document ----------------------------------------------------


def test_document_valid_under_both_versions_is_compatible() -> None:
    old = obj({"age": {"type": "integer", "maximum": 120}})
    new = obj({"age": {"type": "integer", "maximum": 100}})
    verdict = document_compatible({"age": 40}, old, new)
    assert verdict == DocumentVerdict(True, True, [])
    assert verdict.compatible


def test_document_valid_under_old_but_not_new_names_the_error() -> None:
    old = obj({"age": {"type": "integer", "maximum": 120}})
    new = obj({"age": {"type": "integer", "maximum": 100}}, ["name"])
    verdict = document_compatible({"age": 110}, old, new)
    assert verdict.valid_under_old
    assert not verdict.compatible
    assert verdict.errors_under_new == [
        "(root): 'name' is a required property",
        "/age: 110 is greater than the maximum of 100",
    ]


def test_document_invalid_under_old_can_become_valid_under_new() -> None:
    verdict = document_compatible("x", I, {"type": ["integer", "string"]})
    assert (verdict.valid_under_old, verdict.valid_under_new) == (False, True)


def test_document_check_applies_formats_and_each_schemas_own_draft() -> None:
    old = {"$schema": DRAFT7, "items": [S], "additionalItems": False}
    new = {"prefixItems": [{"type": "string", "format": "email"}], "items": False}
    assert not document_compatible(["a", "b"], old, new).valid_under_old
    verdict = document_compatible(["not an email"], old, new)
    assert verdict.valid_under_old
    assert not verdict.valid_under_new
    assert "email" in verdict.errors_under_new[0]


# -- subsets --------------------------------------------------------------------------------


def test_is_subset_answers_true_false_or_unknown() -> None:
    assert is_subset(I, {"type": "number"}) is True
    assert is_subset({"type": "number"}, I) is False
    assert is_subset(obj({"a": S}, ["a"]), obj({"a": S})) is True
    assert is_subset(obj({"a": S}), obj({"a": S}, additional=False)) is False
    assert is_subset({"not": S}, {"not": I}) is None
    assert is_subset(True, False) is False
    assert is_subset(False, S) is True
