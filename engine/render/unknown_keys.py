"""Find property keys a definition's parameter does not declare (typos such as `replica`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import jsonschema

from ..schema.dialect import Schema
from ..schema.structs import HIDDEN
from ..suggest import did_you_mean

CODE = "unknown-property"
# A recursive `#Def` could walk an equally deep value for ever: past this depth nothing is said.
_MAX_DEPTH = 200
_BRANCHES = ("oneOf", "anyOf")


def unknown_keys(schema: Schema, value: Any) -> Iterator[tuple[list[Any], str]]:
    """(path in `value`, message) for every key of `value` that its schema does not declare.

    A struct is checked only when its schema lists its fields and says nothing of other keys:
    `additionalProperties` false (closed: the schema validation reports the key), true (`...`,
    explicitly open) or a schema (`[string]: T`, a map) leave its keys alone.
    """
    yield from _walk(_Walker(schema), [schema], value, [])


class _Walker:
    """The root schema, for `$ref`s and for telling which branch of a union a value takes."""

    def __init__(self, root: Schema) -> None:
        self.defs: Mapping[str, Schema] = root.get("$defs") or {}

    def facets(self, schemas: Sequence[Any], value: Any) -> list[Schema]:
        """Every schema `value` must meet at this level: refs resolved, `allOf` and `then` spread,
        and of a union the branches `value` fits (all of them when it fits none)."""
        found: list[Schema] = []
        pending = [s for s in schemas if isinstance(s, dict)]
        while pending and len(found) < 1000:
            schema = pending.pop(0)
            found.append(schema)
            ref = schema.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                pending.append(self.defs.get(ref.rpartition("/")[2], {}))
            pending += [s for s in schema.get("allOf") or [] if isinstance(s, dict)]
            pending += [s for s in (schema.get("then"), schema.get("else")) if isinstance(s, dict)]
            for key in _BRANCHES:
                branches = [b for b in schema.get(key) or [] if isinstance(b, dict)]
                fitting = [b for b in branches if self.fits(b, value)]
                pending += fitting or branches
        return found

    def fits(self, schema: Schema, value: Any) -> bool:
        try:
            return bool(jsonschema.Draft202012Validator({**schema, "$defs": self.defs}).is_valid(value))
        except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.RefResolutionError):
            return False


def _walk(walker: _Walker, schemas: Sequence[Any], value: Any, path: list[Any]) -> Iterator[tuple[list[Any], str]]:
    if not schemas or len(path) > _MAX_DEPTH or not isinstance(value, (dict, list)):
        return  # past what the schema describes, a value may hold anything
    facets = walker.facets(schemas, value)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(walker, _item_schemas(facets, index), item, [*path, index])
        return
    yield from _unknown_here(facets, value, path)
    for key, item in value.items():
        yield from _walk(walker, _member_schemas(facets, str(key)), item, [*path, key])


def _unknown_here(facets: Sequence[Schema], value: Mapping[str, Any],
                  path: list[Any]) -> Iterator[tuple[list[Any], str]]:
    if any("additionalProperties" in f or _opaque(f) for f in facets):
        return
    declared = [name for f in facets for name in f.get("properties") or {}]
    hidden = [name for f in facets for name in f.get(HIDDEN) or []]
    patterns = [p for f in facets for p in f.get("patternProperties") or {}]
    if not declared and not hidden and not patterns:
        return  # a struct whose fields the schema does not say (`{}`, `_`): nothing to compare with
    known = list(dict.fromkeys(declared))
    for key in value:
        name = str(key)
        if name in known or name in hidden or any(_matches(p, name) for p in patterns):
            continue
        hint = did_you_mean(name, known)
        yield [*path, key], f"unknown property{hint}"


def _opaque(schema: Schema) -> bool:
    """A part the schema could not map (`computed from`, `not mapped`): it may declare anything."""
    return "$comment" in schema and "type" not in schema


def _matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True


def _member_schemas(facets: Sequence[Schema], key: str) -> list[Any]:
    found: list[Any] = []
    for facet in facets:
        properties = facet.get("properties") or {}
        if key in properties:
            found.append(properties[key])
        found += [s for p, s in (facet.get("patternProperties") or {}).items() if _matches(p, key)]
        if key not in properties and isinstance(facet.get("additionalProperties"), dict):
            found.append(facet["additionalProperties"])
    return found


def _item_schemas(facets: Sequence[Schema], index: int) -> list[Any]:
    found: list[Any] = []
    for facet in facets:
        prefix = facet.get("prefixItems") or []
        if index < len(prefix):
            found.append(prefix[index])
        elif isinstance(facet.get("items"), dict):
            found.append(facet["items"])
    return found
