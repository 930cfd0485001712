"""The comparison as a whole: a verdict table, then one test per behaviour of the walk."""

# The verdict table keeps one row per line, so that it reads as a table.
# ruff: noqa: E501

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from pytest_contracts.compat import Effect, Mode, Policy, compare, document_compatible
from pytest_contracts.errors import InvalidSchema

from .compat_cases import DRAFT4, DRAFT7, DRAFT2019, DRAFT2020, STR_OR_NULL, I, N, S, obj


def tagged(kind: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A oneOf branch told apart by a required "kind" constant."""
    return obj({"kind": {"const": kind}, "x": extra or I}, ["kind"])


# Each row: id, old, new, then breaks(BACKWARD), breaks(FORWARD) under LENIENT,
# then breaks(BACKWARD), breaks(FORWARD) under STRICT. Written out, not computed.
ROWS: list[tuple[str, Any, Any, bool, bool, bool, bool]] = [
    # type
    ("type.narrowed/drop-null", STR_OR_NULL, S, True, False, True, False),
    ("type.widened/add-null", S, STR_OR_NULL, False, True, False, True),
    ("type.widened/integer-to-number", I, {"type": "number"}, False, True, False, True),
    ("type.narrowed/number-to-integer", {"type": "number"}, I, True, False, True, False),
    ("type.changed/string-to-integer", S, I, True, True, True, True),
    ("type/string-vs-one-item-list", S, {"type": ["string"]}, False, False, False, False),
    ("type.narrowed/added", {}, S, True, False, True, False),
    ("type.widened/removed", S, {}, False, True, False, True),
    # boolean schemas
    ("schema.narrowed/true-to-false", True, False, True, False, True, False),
    ("schema.widened/false-to-true", False, True, False, True, False, True),
    ("schema/true-to-empty-object", True, {}, False, False, False, False),
    # property.added
    ("property.added/optional-open", obj({"a": S}), obj({"a": S, "b": I}), False, False, True, False),
    ("property.added/optional-open-any", obj({"a": S}), obj({"a": S, "b": {}}), False, False, False, False),
    ("property.added/optional-closed", obj({"a": S}, additional=False), obj({"a": S, "b": I}, additional=False), False, True, False, True),
    ("property.added/partial-same", obj({}, additional=S), obj({"b": S}, additional=S), False, False, False, False),
    ("property.added/partial-narrower", obj({}, additional=S), obj({"b": {"type": "string", "maxLength": 3}}, additional=S), True, False, True, False),
    ("property.added/partial-wider", obj({}, additional=S), obj({"b": STR_OR_NULL}, additional=S), False, True, False, True),
    ("property.added/required-open", obj({"a": S}), obj({"a": S, "b": I}, ["b"]), True, False, True, False),
    ("property.added/required-closed", obj({"a": S}, additional=False), obj({"a": S, "b": I}, ["b"], additional=False), True, True, True, True),
    # property.removed
    ("property.removed/optional-open", obj({"a": S, "b": I}), obj({"a": S}), False, False, False, True),
    ("property.removed/optional-open-any", obj({"a": S, "b": {}}), obj({"a": S}), False, False, False, False),
    ("property.removed/optional-closed", obj({"a": S, "b": I}, additional=False), obj({"a": S}, additional=False), True, False, True, False),
    ("property.removed/partial-same", obj({"b": S}, additional=S), obj({}, additional=S), False, False, False, False),
    ("property.removed/required-open", obj({"a": S, "b": I}, ["b"]), obj({"a": S}), False, True, False, True),
    ("property.removed/required-closed", obj({"a": S, "b": I}, ["b"], additional=False), obj({"a": S}, additional=False), True, True, True, True),
    # required
    ("required.added", obj({"a": S}), obj({"a": S}, ["a"]), True, False, True, False),
    ("required.removed", obj({"a": S}, ["a"]), obj({"a": S}), False, True, False, True),
    ("required/reordered", obj({"a": S, "b": S}, ["a", "b"]), obj({"a": S, "b": S}, ["b", "a"]), False, False, False, False),
    # additionalProperties
    ("additional_properties.closed", obj({"a": S}), obj({"a": S}, additional=False), True, False, True, False),
    ("additional_properties.opened", obj({"a": S}, additional=False), obj({"a": S}), False, True, False, True),
    ("additional_properties.narrowed", obj({"a": S}), obj({"a": S}, additional=S), True, False, True, False),
    ("additional_properties.widened", obj({"a": S}, additional=False), obj({"a": S}, additional=S), False, True, False, True),
    ("additional_properties.opened/from-schema", obj({}, additional=S), obj({}, additional=True), False, True, False, True),
    ("additional_properties/schema-narrowed", obj({}, additional=STR_OR_NULL), obj({}, additional=S), True, False, True, False),
    # patternProperties
    ("pattern_properties.added", obj({}), {**obj({}), "patternProperties": {"^x_": S}}, True, False, True, True),
    ("pattern_properties/schema-narrowed", {"patternProperties": {"^x_": STR_OR_NULL}}, {"patternProperties": {"^x_": S}}, True, False, True, False),
    # enum
    ("enum.values_added", {"enum": ["a", "b"]}, {"enum": ["a", "b", "c"]}, False, True, False, True),
    ("enum.values_removed", {"enum": ["a", "b"]}, {"enum": ["a"]}, True, False, True, False),
    ("enum.values_added+removed", {"enum": ["a", "b"]}, {"enum": ["a", "c"]}, True, True, True, True),
    ("enum.added", S, {**S, "enum": ["a"]}, True, False, True, False),
    ("enum.removed", {**S, "enum": ["a"]}, S, False, True, False, True),
    ("enum/reordered", {"enum": ["a", "b"]}, {"enum": ["b", "a"]}, False, False, False, False),
    ("enum/1-equals-1.0", {"enum": [1, 2]}, {"enum": [1.0, 2]}, False, False, False, False),
    ("enum.values_added/true-is-not-1", {"enum": [1]}, {"enum": [1, True]}, False, True, False, True),
    # const
    ("const.changed", {"const": "a"}, {"const": "b"}, True, True, True, True),
    ("const.added", S, {**S, "const": "a"}, True, False, True, False),
    ("const.removed", {"const": "a"}, {}, False, True, False, True),
    ("const-to-enum-containing-it", {"const": "a"}, {"enum": ["a", "b"]}, False, True, False, True),
    # numeric bounds
    ("bound.tightened/maximum-lowered", {"maximum": 120}, {"maximum": 100}, True, False, True, False),
    ("bound.loosened/maximum-raised", {"maximum": 100}, {"maximum": 120}, False, True, False, True),
    ("bound.added/minimum", I, {**I, "minimum": 0}, True, False, True, False),
    ("bound.removed/minimum", {**I, "minimum": 0}, I, False, True, False, True),
    ("bound.tightened/exclusiveMinimum-raised", {"exclusiveMinimum": 0}, {"exclusiveMinimum": 1}, True, False, True, False),
    ("bound.removed/exclusiveMaximum", {"exclusiveMaximum": 10}, {}, False, True, False, True),
    ("bound/minimum-to-exclusiveMinimum", {"minimum": 5}, {"exclusiveMinimum": 5}, True, False, True, False),
    ("bound/exclusiveMaximum-to-maximum", {"exclusiveMaximum": 5}, {"maximum": 5}, False, True, False, True),
    ("bound/draft4-exclusive-flag-added", {"$schema": DRAFT4, "maximum": 10}, {"$schema": DRAFT4, "maximum": 10, "exclusiveMaximum": True}, True, False, True, False),
    ("bound.tightened/multipleOf-2-to-4", {"multipleOf": 2}, {"multipleOf": 4}, True, False, True, False),
    ("bound.loosened/multipleOf-4-to-2", {"multipleOf": 4}, {"multipleOf": 2}, False, True, False, True),
    ("bound.loosened/multipleOf-0.5-to-0.25", {"multipleOf": 0.5}, {"multipleOf": 0.25}, False, True, False, True),
    ("bound.changed/multipleOf-2-to-3", {"multipleOf": 2}, {"multipleOf": 3}, True, True, True, True),
    ("bound.added/multipleOf", I, {**I, "multipleOf": 5}, True, False, True, False),
    ("bound.removed/multipleOf", {**I, "multipleOf": 5}, I, False, True, False, True),
    # string bounds, pattern, format
    ("bound.tightened/minLength-raised", {"minLength": 1}, {"minLength": 2}, True, False, True, False),
    ("bound.loosened/maxLength-raised", {"maxLength": 10}, {"maxLength": 20}, False, True, False, True),
    ("bound.added/maxLength", S, {**S, "maxLength": 5}, True, False, True, False),
    ("bound.removed/minLength", {**S, "minLength": 3}, S, False, True, False, True),
    ("bound.added/minLength-0-no-effect", S, {**S, "minLength": 0}, False, False, False, False),
    ("pattern.added", S, {**S, "pattern": "^a"}, True, False, True, False),
    ("pattern.removed", {**S, "pattern": "^a"}, S, False, True, False, True),
    ("pattern.changed", {**S, "pattern": "^a"}, {**S, "pattern": "^[ab]"}, False, True, True, True),
    ("format.added", S, {**S, "format": "email"}, True, False, True, False),
    ("format.removed", {**S, "format": "email"}, S, False, True, False, True),
    ("format.changed", {**S, "format": "date"}, {**S, "format": "date-time"}, True, True, True, True),
    # array bounds and items
    ("bound.tightened/minItems", {"minItems": 1}, {"minItems": 2}, True, False, True, False),
    ("bound.tightened/maxItems", {"maxItems": 5}, {"maxItems": 3}, True, False, True, False),
    ("bound.removed/maxItems", {"maxItems": 5}, {}, False, True, False, True),
    ("bound.added/uniqueItems", {"type": "array"}, {"type": "array", "uniqueItems": True}, True, False, True, False),
    ("bound.removed/uniqueItems", {"type": "array", "uniqueItems": True}, {"type": "array"}, False, True, False, True),
    ("bound/uniqueItems-false-is-absent", {"type": "array"}, {"type": "array", "uniqueItems": False}, False, False, False, False),
    ("items/narrowed-inside", {"items": STR_OR_NULL}, {"items": S}, True, False, True, False),
    ("items.narrowed/added", {"type": "array"}, {"type": "array", "items": S}, True, False, True, False),
    ("items.opened/removed", {"type": "array", "items": S}, {"type": "array"}, False, True, False, True),
    ("items.closed", {"prefixItems": [S]}, {"prefixItems": [S], "items": False}, True, False, True, False),
    ("prefix_items.added/open-rest", {"prefixItems": [S]}, {"prefixItems": [S, I]}, True, False, True, False),
    ("prefix_items.added/closed-rest", {"prefixItems": [S], "items": False}, {"prefixItems": [S, I], "items": False}, False, True, False, True),
    ("prefix_items.removed/closed-rest", {"prefixItems": [S, I], "items": False}, {"prefixItems": [S], "items": False}, True, False, True, False),
    ("prefix_items/draft7-items-array", {"$schema": DRAFT7, "items": [S], "additionalItems": False}, {"$schema": DRAFT7, "items": [S, I], "additionalItems": False}, False, True, False, True),
    ("items.opened/draft7-additionalItems", {"$schema": DRAFT7, "items": [S], "additionalItems": False}, {"$schema": DRAFT7, "items": [S]}, False, True, False, True),
    # object size bounds
    ("bound.tightened/minProperties", {"minProperties": 1}, {"minProperties": 2}, True, False, True, False),
    ("bound.removed/maxProperties", {"maxProperties": 3}, {}, False, True, False, True),
    # anyOf, oneOf, allOf
    ("any_of.branch_added", {"anyOf": [S, I]}, {"anyOf": [S, I, {"type": "null"}]}, False, True, False, True),
    ("any_of.branch_removed", {"anyOf": [S, I]}, {"anyOf": [S]}, True, False, True, False),
    ("any_of/branch-edited-in-place", {"anyOf": [{**S, "maxLength": 5}, {"type": "null"}]}, {"anyOf": [{**S, "maxLength": 3}, {"type": "null"}]}, True, False, True, False),
    ("any_of/branches-reordered", {"anyOf": [S, I]}, {"anyOf": [I, S]}, False, False, False, False),
    ("any_of/removed-and-added-unmatched", {"anyOf": [S, I]}, {"anyOf": [S, {"type": "null"}, {"type": "boolean"}]}, True, True, True, True),
    ("any_of.added", {}, {"anyOf": [S, I]}, True, False, True, False),
    ("any_of.removed", {"anyOf": [S, I]}, {}, False, True, False, True),
    ("one_of.branch_added/disjoint", {"oneOf": [S, I]}, {"oneOf": [S, I, {"type": "null"}]}, False, True, False, True),
    ("one_of.branch_added/overlapping", {"oneOf": [S, I]}, {"oneOf": [S, I, {"type": "number"}]}, True, True, True, True),
    ("one_of.branch_removed/disjoint", {"oneOf": [S, I]}, {"oneOf": [S]}, True, False, True, False),
    ("one_of.branch_added/discriminated", {"oneOf": [tagged("a"), tagged("b")]}, {"oneOf": [tagged("a"), tagged("b"), tagged("c")]}, False, True, False, True),
    ("one_of.branch_added/same-discriminator", {"oneOf": [tagged("a"), tagged("b")]}, {"oneOf": [tagged("a"), tagged("b"), tagged("b", S)]}, True, True, True, True),
    ("all_of.branch_added", {"allOf": [S]}, {"allOf": [S, {"maxLength": 3}]}, True, False, True, False),
    ("all_of.branch_removed", {"allOf": [S, {"maxLength": 3}]}, {"allOf": [S]}, False, True, False, True),
    # bounds on values a side does not accept
    ("bound.added/object-has-no-minimum", {"type": "object"}, {"type": "object", "minimum": 0}, False, False, False, False),
    ("bound.added/enum-of-strings", {"enum": ["x"]}, {"enum": ["x"], "minimum": 0}, False, False, False, False),
    ("pattern.added/integer", I, {**I, "pattern": "^a"}, False, False, False, False),
    ("bound.added/all-of-an-object", {"allOf": [{"type": "object"}]}, {"allOf": [{"type": "object"}], "minimum": 0}, False, False, False, False),
    ("bound.added/any-of-strings-or-integers", {"anyOf": [S, I]}, {"anyOf": [S, I], "minimum": 0}, True, False, True, False),
    ("bound.added/number-in-a-type-list", {"type": ["string", "integer"]}, {"type": ["string", "integer"], "minimum": 0}, True, False, True, False),
    # combinators judged by what they accept
    ("one_of.added/old-inside-one-branch", S, {"oneOf": [N, S]}, False, True, False, True),
    ("one_of.added/branches-overlap-the-old", S, {"oneOf": [S, {"maxLength": 3}]}, True, True, True, True),
    ("any_of.added/old-inside-a-branch", S, {"anyOf": [N, {**S, "minLength": 0}]}, False, True, False, True),
    ("one_of.removed/new-inside-one-branch", {"oneOf": [N, S]}, S, True, False, True, False),
    ("any_of.removed/new-inside-a-branch", {"anyOf": [N, S]}, S, True, False, True, False),
    ("any_of.branch_removed/inside-another", {"anyOf": [S, {**S, "maxLength": 3}]}, {"anyOf": [S]}, False, False, False, False),
    ("any_of.branch_added/inside-another", {"anyOf": [S]}, {"anyOf": [S, {**S, "maxLength": 3}]}, False, False, False, False),
    ("all_of.branch_added/duplicate", {"allOf": [S]}, {"allOf": [S, S]}, False, False, False, False),
    ("all_of.branch_added/implied", {"allOf": [{**S, "maxLength": 2}]}, {"allOf": [{**S, "maxLength": 2}, {"maxLength": 3}]}, False, False, False, False),
    ("all_of.branch_added/implied-by-siblings", {**S, "maxLength": 2}, {**S, "maxLength": 2, "allOf": [{"maxLength": 3}]}, False, False, False, False),
    ("not.changed/only-widens", {"not": N}, {"not": I}, False, True, False, True),
    ("not.changed/only-narrows", {"not": I}, {"not": N}, True, False, True, False),
    ("not.added/apart-from-the-old", S, {**S, "not": N}, False, False, False, False),
    ("required.added/required-swapped", obj({"foo": S}, ["foo"]), obj({"foo": S}, ["bar"]), True, True, True, True),
    # keywords whose effect the engine does not judge
    ("not.changed", {"not": S}, {"not": I}, True, True, True, True),
    ("not.added", {}, {"not": S}, True, False, True, False),
    ("not.removed", {"not": S}, {}, False, True, False, True),
    ("then.changed", {"if": S, "then": {"maxLength": 3}}, {"if": S, "then": {"maxLength": 2}}, True, False, True, True),
    ("dependent_required.added/requires-nothing", obj({"a": S}), {**obj({"a": S}), "dependentRequired": {"a": []}}, False, False, False, False),
    ("dependent_schemas.added/requires-nothing", obj({"a": S}), {**obj({"a": S}), "dependentSchemas": {"a": True}}, False, False, False, False),
    ("dependent_required.added", obj({"a": S, "b": S}), {**obj({"a": S, "b": S}), "dependentRequired": {"a": ["b"]}}, True, False, True, False),
    ("dependent_schemas.added/entry", {"dependentSchemas": {"a": {"required": ["b"]}}}, {"dependentSchemas": {"a": {"required": ["b"]}, "c": {"required": ["d"]}}}, False, False, True, False),
    ("property.added/unevaluated-decides", {"allOf": [obj({"a": {}})], "unevaluatedProperties": False}, {"allOf": [obj({"a": {}})], "unevaluatedProperties": False, "properties": {"b": S}}, False, True, True, True),
    ("property.added/matches-a-pattern", {"patternProperties": {"^x": S}}, {"patternProperties": {"^x": S}, "properties": {"xa": S}}, False, False, False, False),
    ("contains.changed", {"contains": S}, {"contains": I}, False, False, True, True),
    ("property_names.added", {"type": "object"}, {"type": "object", "propertyNames": {"maxLength": 3}}, True, False, True, False),
    ("unevaluated_properties.added", {"allOf": [obj({"a": S})]}, {"allOf": [obj({"a": S})], "unevaluatedProperties": False}, True, False, True, False),
    # unevaluatedItems and unevaluatedProperties as the schema for the rest
    ("additional_properties.closed/unevaluated", obj({"a": S}), {**obj({"a": S}), "unevaluatedProperties": False}, True, False, True, False),
    ("prefix_items.removed/unevaluated-closed", {"prefixItems": [S, N], "unevaluatedItems": False}, {"prefixItems": [S], "unevaluatedItems": False}, True, False, True, False),
    ("prefix_items.removed/unevaluated-schema", {"prefixItems": [S, N], "unevaluatedItems": N}, {"prefixItems": [S], "unevaluatedItems": N}, False, False, False, False),
    ("items.removed/draft2019-unevaluated", {"$schema": DRAFT2019, "items": [S, N], "unevaluatedItems": False}, {"$schema": DRAFT2019, "items": [S], "unevaluatedItems": False}, True, False, True, False),
    ("items.closed/unevaluated", {"prefixItems": [S], "items": N, "unevaluatedItems": False}, {"prefixItems": [S], "unevaluatedItems": False}, True, False, True, False),
    ("additional_properties.closed/unevaluated-decides", obj({"a": S}, additional=N), {**obj({"a": S}), "unevaluatedProperties": False}, True, False, True, False),
    ("property.added/closed-by-unevaluated", {"properties": {"a": S}, "unevaluatedProperties": False}, {"properties": {"a": S, "b": S}, "unevaluatedProperties": False}, False, True, False, True),
    ("property.removed/closed-by-unevaluated", {"properties": {"a": S, "b": S}, "unevaluatedProperties": False}, {"properties": {"a": S}, "unevaluatedProperties": False}, True, False, True, False),
    ("additional_properties.widened/unevaluated", {"unevaluatedProperties": False}, {"unevaluatedProperties": S}, False, True, False, True),
    ("items.widened/unevaluated", {"unevaluatedItems": False}, {"unevaluatedItems": S}, False, True, False, True),
    ("unknown/unevaluated-in-draft7", {"$schema": DRAFT7, "unevaluatedItems": False}, {"$schema": DRAFT7, "unevaluatedItems": S}, False, False, True, True),
    ("items.changed/unevaluated-next-to-all-of", {"allOf": [{}], "prefixItems": [S], "items": S, "unevaluatedItems": False}, {"allOf": [{}], "prefixItems": [S], "unevaluatedItems": False}, True, False, True, True),
    ("additional_properties.changed/unevaluated-next-to-all-of", {"allOf": [{}], "additionalProperties": S, "unevaluatedProperties": False}, {"allOf": [{}], "unevaluatedProperties": False}, True, False, True, True),
    ("unevaluated_properties.reached", {"allOf": [obj({"a": S})], "unevaluatedProperties": False}, {"allOf": [obj({"a": S, "b": S})], "unevaluatedProperties": False}, False, False, True, True),
    ("unevaluated_items.reached", {"allOf": [{"prefixItems": [S]}], "unevaluatedItems": False}, {"allOf": [{"prefixItems": [S, S]}], "unevaluatedItems": False}, True, True, True, True),
    ("metadata.changed/unevaluated-inert", obj({"a": S}, additional=False), {**obj({"a": S}, additional=False), "unevaluatedProperties": N}, False, False, False, False),
    # references
    ("ref/target-narrowed", {"$defs": {"Age": {"maximum": 120}}, "properties": {"age": {"$ref": "#/$defs/Age"}}}, {"$defs": {"Age": {"maximum": 100}}, "properties": {"age": {"$ref": "#/$defs/Age"}}}, True, False, True, False),
    ("ref/draft7-definitions", {"$schema": DRAFT7, "definitions": {"A": S}, "items": {"$ref": "#/definitions/A"}}, {"$schema": DRAFT7, "definitions": {"A": STR_OR_NULL}, "items": {"$ref": "#/definitions/A"}}, False, True, False, True),
    ("ref/inlined-equivalent", {"$defs": {"A": S}, "properties": {"a": {"$ref": "#/$defs/A"}}}, {"properties": {"a": S}}, False, False, False, False),
    ("ref/renamed-definition", {"$defs": {"A": S}, "items": {"$ref": "#/$defs/A"}}, {"$defs": {"B": S}, "items": {"$ref": "#/$defs/B"}}, False, False, False, False),
    ("ref/draft7-siblings-are-ignored", {"$schema": DRAFT7, "definitions": {"A": S}, "properties": {"a": {"$ref": "#/definitions/A", "maxLength": 3}}}, {"$schema": DRAFT7, "definitions": {"A": S}, "properties": {"a": {"$ref": "#/definitions/A", "maxLength": 1}}}, False, False, False, False),
    ("ref/2020-siblings-apply", {"$defs": {"A": S}, "properties": {"a": {"$ref": "#/$defs/A", "maxLength": 3}}}, {"$defs": {"A": S}, "properties": {"a": {"$ref": "#/$defs/A", "maxLength": 1}}}, True, False, True, False),
    ("ref.unresolvable/remote-changed", {"$ref": "https://example.com/a.json"}, {"$ref": "https://example.com/b.json"}, False, False, True, True),
    ("ref/remote-identical", {"$ref": "https://example.com/a.json", "title": "x"}, {"$ref": "https://example.com/a.json", "title": "y"}, False, False, False, False),
    ("ref.added/next-to-keywords", {"$defs": {"A": {"minLength": 1}}, "type": "string"}, {"$defs": {"A": {"minLength": 1}}, "type": "string", "$ref": "#/$defs/A"}, True, False, True, False),
    # annotations, dialects, unknown keywords
    ("metadata.changed/title", {**S, "title": "Name"}, {**S, "title": "Full name"}, False, False, False, False),
    ("metadata.changed/default-examples-deprecated", {**S, "default": "a"}, {**S, "default": "b", "examples": ["c"], "deprecated": True}, False, False, False, False),
    ("dialect.changed", {"$schema": DRAFT7, **S}, {"$schema": DRAFT2020, **S}, False, False, True, True),
    # A keyword no validator of the dialect knows is ignored by it: an annotation.
    ("metadata.changed/vendor-keyword", {**S, "x-kafka-topic": "users"}, {**S, "x-kafka-topic": "people"}, False, False, False, False),
    ("metadata.changed/id-after-draft-4", {"$schema": DRAFT7, **S, "id": "users"}, {"$schema": DRAFT7, **S, "id": "people"}, False, False, False, False),
    # In draft 4, "id" moves where references lead: the engine does not follow that.
    ("unknown/draft-4-id", {"$schema": DRAFT4, **S, "id": "users"}, {"$schema": DRAFT4, **S, "id": "people"}, False, False, True, True),
    ("definition.changed/unreferenced", {"$defs": {"Unused": S}, **I}, {"$defs": {"Unused": I}, **I}, False, False, False, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "lenient_backward", "lenient_forward", "strict_backward", "strict_forward"),
    [pytest.param(*row[1:], id=row[0]) for row in ROWS],
)
def test_verdict_table(
    old: Any,
    new: Any,
    lenient_backward: bool,
    lenient_forward: bool,
    strict_backward: bool,
    strict_forward: bool,
) -> None:
    lenient = compare(old, new, policy=Policy.LENIENT)
    strict = compare(old, new, policy=Policy.STRICT)
    verdicts = (
        lenient.breaks(Mode.BACKWARD),
        lenient.breaks(Mode.FORWARD),
        strict.breaks(Mode.BACKWARD),
        strict.breaks(Mode.FORWARD),
    )
    expected = (lenient_backward, lenient_forward, strict_backward, strict_forward)
    assert verdicts == expected, "\n".join(strict.render(120))


def test_table_covers_every_documented_change_kind() -> None:
    seen = {
        change.kind
        for _, old, new, *_ in ROWS
        for change in compare(old, new, policy="strict").changes
    }
    documented = {
        "type.narrowed", "type.widened", "type.changed", "schema.narrowed", "schema.widened",
        "property.added", "property.removed", "required.added", "required.removed",
        "additional_properties.closed", "additional_properties.opened",
        "additional_properties.narrowed", "additional_properties.widened",
        "pattern_properties.added", "enum.values_added", "enum.values_removed", "enum.added",
        "enum.removed", "const.changed", "const.added", "const.removed", "bound.tightened",
        "bound.loosened", "bound.added", "bound.removed", "bound.changed", "pattern.added",
        "pattern.removed", "pattern.changed", "format.added", "format.removed", "format.changed",
        "items.closed", "items.opened", "items.narrowed", "prefix_items.added",
        "prefix_items.removed", "any_of.branch_added", "any_of.branch_removed", "any_of.added",
        "any_of.removed", "one_of.branch_added", "one_of.branch_removed", "one_of.overlap",
        "all_of.branch_added", "all_of.branch_removed", "not.changed", "not.added",
        "dependent_schemas.added",
        "not.removed", "then.changed", "dependent_required.added", "contains.changed",
        "property_names.added", "unevaluated_properties.added", "ref.unresolvable",
        "items.changed", "additional_properties.changed", "unevaluated_properties.reached",
        "unevaluated_items.reached", "one_of.added", "one_of.removed",
        "ref.added", "metadata.changed", "dialect.changed", "unknown", "definition.changed",
    }  # fmt: skip
    assert documented <= seen, sorted(documented - seen)


@pytest.mark.parametrize("mode", ["BACKWARD", "FORWARD", "FULL"])
def test_transitive_mode_judges_a_pair_as_its_plain_form(mode: str) -> None:
    for _, old, new, *_ in ROWS:
        report = compare(old, new, policy="strict")
        assert report.breaks(f"{mode}_TRANSITIVE") == report.breaks(mode)


# -- where, what and how much ---------------------------------------------------------


def test_change_records_location_old_and_new_values() -> None:
    old = obj({"user": obj({"age": {"type": "integer", "maximum": 120}})})
    new = obj({"user": obj({"age": {"type": "integer", "maximum": 100}})})
    (change,) = compare(old, new).changes
    assert change.kind == "bound.tightened"
    assert change.location == "/properties/user/properties/age/maximum"
    assert (change.old, change.new) == (120, 100)
    assert (change.readers, change.writers) == (Effect.BREAKING, Effect.SAFE)
    assert change.message == "maximum lowered 120 -> 100"


def test_location_escapes_tilde_and_slash_in_property_names() -> None:
    old = obj({"a/b": S, "c~d": S})
    new = obj({"a/b": I, "c~d": I})
    locations = [change.location for change in compare(old, new).changes]
    assert locations == ["/properties/a~1b/type", "/properties/c~0d/type"]


def test_removed_property_is_located_and_carries_its_old_schema() -> None:
    (change,) = compare(obj({"gone": S}), obj({}), policy="strict").changes
    assert (change.kind, change.location) == ("property.removed", "/properties/gone")
    assert (change.old, change.new) == (S, None)
    assert change.writers is Effect.BREAKING


def test_required_change_points_into_the_required_list() -> None:
    changes = compare(obj({"a": S, "b": S}, ["a"]), obj({"a": S, "b": S}, ["a", "b"])).changes
    assert [(c.kind, c.location, c.old, c.new) for c in changes] == [
        ("required.added", "/required/1", None, "b")
    ]


def test_enum_change_lists_only_the_values_added_and_removed() -> None:
    changes = compare({"enum": ["a", "b", "c"]}, {"enum": ["a", "d"]}).changes
    assert [(c.kind, c.old, c.new) for c in changes] == [
        ("enum.values_added", None, ["d"]),
        ("enum.values_removed", ["b", "c"], None),
    ]


def test_changes_are_ordered_by_location_then_kind() -> None:
    old = obj({"b": S, "a": S, "c": {"enum": [1, 2]}}, additional=False)
    new = obj({"a": I, "b": {**S, "maxLength": 1}, "c": {"enum": [2, 3]}})
    report = compare(old, new)
    keys = [(c.location, c.kind) for c in report.changes]
    assert keys == [
        ("/additionalProperties", "additional_properties.opened"),
        ("/properties/a/type", "type.changed"),
        ("/properties/b/maxLength", "bound.added"),
        ("/properties/c/enum", "enum.values_added"),
        ("/properties/c/enum", "enum.values_removed"),
    ]
    assert compare(old, new).changes == report.changes


def test_numbered_locations_sort_as_numbers() -> None:
    old = {"prefixItems": [S] * 11}
    new = {"prefixItems": [I] * 11}
    locations = [c.location for c in compare(old, new).changes]
    assert locations == [f"/prefixItems/{i}/type" for i in range(11)]


def test_identical_schemas_have_no_changes() -> None:
    schema = obj({"a": {"anyOf": [S, I]}, "b": {"items": {"enum": [1, 2]}}}, ["a"])
    report = compare(schema, json.loads(json.dumps(schema)))
    assert report.changes == ()
    assert not report.breaks(Mode.FULL)


# -- additions and removals ---------------------------------------------------------------

# (the schema without the thing, the schema with it): read one way it is added, the other way removed.
MIRRORED = [
    ("property/open", obj({"a": S}), obj({"a": S, "b": I})),
    ("property/closed", obj({"a": S}, additional=False), obj({"a": S, "b": I}, additional=False)),
    ("property/compared-below", obj({}, additional=S), obj({"b": {**S, "maxLength": 3}}, additional=S)),
    ("property/unevaluated", {"unevaluatedProperties": False}, {"unevaluatedProperties": False, "properties": {"b": S}}),
    ("property/patterned", {"patternProperties": {"^x": S}}, {"patternProperties": {"^x": S}, "properties": {"xa": S}}),
    ("tuple-item/open-rest", {"prefixItems": [S]}, {"prefixItems": [S, I]}),
    ("tuple-item/closed-rest", {"prefixItems": [S], "items": False}, {"prefixItems": [S, I], "items": False}),
    ("tuple-item/draft7", {"$schema": DRAFT7, "items": [S], "additionalItems": False}, {"$schema": DRAFT7, "items": [S, I], "additionalItems": False}),
    ("required", obj({"a": S, "b": S}, ["a"]), obj({"a": S, "b": S}, ["a", "b"])),
    ("const", S, {**S, "const": "a"}),
    ("enum", S, {**S, "enum": ["a"]}),
    ("enum-values", {"enum": ["a"]}, {"enum": ["a", "b", 3]}),
    ("pattern-and-format", S, {**S, "pattern": "^a", "format": "email"}),
    ("pattern-properties", obj({}), {**obj({}), "patternProperties": {"^x_": S}}),
    ("any-of", {}, {"anyOf": [S, I]}),
    ("one-of", {}, {"oneOf": [S, I]}),
    ("any-of-branch", {"anyOf": [S, I]}, {"anyOf": [S, I, {"type": "null"}]}),
    ("one-of-branch/overlapping", {"oneOf": [S, I]}, {"oneOf": [S, I, {"type": "number"}]}),
    ("all-of-branch", {"allOf": [S]}, {"allOf": [S, {"maxLength": 3}]}),
    ("opaque-keyword", {}, {"not": S, "propertyNames": {"maxLength": 3}}),
    ("dependent-entry", {"dependentSchemas": {"a": {"required": ["b"]}}}, {"dependentSchemas": {"a": {"required": ["b"]}, "c": {"required": ["d"]}}}),
    ("ref-next-to-keywords", {"$defs": {"A": {"minLength": 1}}, "type": "string"}, {"$defs": {"A": {"minLength": 1}}, "type": "string", "$ref": "#/$defs/A"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lacking", "having"), [pytest.param(*row[1:], id=row[0]) for row in MIRRORED]
)
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_a_removal_is_reported_as_the_addition_seen_from_the_other_side(
    lacking: Any, having: Any, policy: str
) -> None:
    added = compare(lacking, having, policy=policy).changes
    removed = compare(having, lacking, policy=policy).changes
    assert any(".added" in c.kind or "_added" in c.kind for c in added)
    mirrored = sorted(
        (
            c.kind.replace("added", "removed"),
            c.location,
            repr(c.new),
            repr(c.old),
            c.writers,
            c.readers,
        )
        for c in added
    )
    assert mirrored == sorted(
        (c.kind, c.location, repr(c.old), repr(c.new), c.readers, c.writers) for c in removed
    )


# -- inputs that are not schemas ----------------------------------------------------------


@pytest.mark.parametrize("bad", [1, "string", None, [], 2.5])
def test_non_schema_input_is_invalid_schema(bad: Any) -> None:
    with pytest.raises(InvalidSchema, match="old schema must be a JSON Schema"):
        compare(bad, S)
    with pytest.raises(InvalidSchema, match="new schema must be a JSON Schema"):
        compare(S, bad)
    with pytest.raises(InvalidSchema, match="new schema"):
        document_compatible({}, S, bad)


def test_malformed_schema_is_invalid_schema_naming_the_place() -> None:
    with pytest.raises(InvalidSchema, match="new schema is not a valid JSON Schema") as caught:
        compare(S, {"properties": {"a": {"type": 5}}})
    assert caught.value.path == "/properties/a/type"


# -- what the module may import -------------------------------------------------------------------


def test_engine_imports_neither_pytest_nor_storage_libraries() -> None:
    code = (
        "import sys, pytest_contracts.compat as c;"
        "c.compare({'type': 'string'}, {'type': 'integer'});"
        "c.is_subset({'type': 'integer'}, {'type': 'number'});"
        "c.document_compatible(1, {'type': 'integer'}, {'type': 'number'});"
        "print(sorted(m for m in ('pytest', 'sqlalchemy', 'redis') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
