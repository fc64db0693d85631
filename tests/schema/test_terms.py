"""The small terms of the schema mapping, without cue: merged array conjuncts."""

from __future__ import annotations

import jsonschema

from engine.schema.terms import merge_into

WEIGHT = {"type": "object", "properties": {"weight": {"type": "integer"}}, "required": ["weight"]}


def _merged(*conjuncts: dict) -> dict:
    merged: dict = {}
    for conjunct in conjuncts:
        assert merge_into(merged, conjunct)
    return merged


def test_items_bind_the_prefix_of_another_conjunct() -> None:
    # `[...X] & [_, ...]`: cue unifies the first element with X too (tests/golden-schema/disjunctions)
    schema = _merged({"type": "array", "items": WEIGHT}, {"type": "array", "prefixItems": [{}], "minItems": 1})
    assert schema == {"type": "array", "items": WEIGHT, "minItems": 1}
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid([["J", True], {"weight": 1}])
    assert not validator.is_valid([])
    assert validator.is_valid([{"weight": 1}, {"weight": 2, "more": 1}])


def test_prefixes_merge_element_by_element() -> None:
    schema = _merged({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
                     {"type": "array", "prefixItems": [{}, {"minimum": 3}]})
    assert schema["prefixItems"] == [{"type": "string"}, {"allOf": [{"type": "integer"}, {"minimum": 3}]}]
    assert schema["items"] == {"type": "integer"}


def test_a_closed_list_stays_closed() -> None:
    schema = _merged({"type": "array", "prefixItems": [{"type": "string"}], "items": False},
                     {"type": "array", "items": {"type": "string"}})
    assert schema == {"type": "array", "prefixItems": [{"type": "string"}], "items": False}


def test_a_single_list_is_copied_as_it_is() -> None:
    single = {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "string"}, "minItems": 1}
    assert _merged(single) == single
