"""The form shape of a parameter schema, what form renderers draw, and the way back to properties.

JSON Forms has no widget for a map (an object with no properties of its own: `labels`,
`[string]: T`) nor for a value of any shape (`{...}`, a chart's `values`). The form shape
(`export_schema(..., form=True)`) writes each map as a list of `{key, value}` entries and each
free-form value as YAML text, and marks both with a `$comment` (a standard keyword: a strict
Ajv takes it). `to_form` turns properties into form data of that shape and `from_form` turns
form data back into properties, guided by the marks of the form schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from ..codes import FORM_DATA
from ..errors import AppError, Problem, app_problem
from ..paths import Parts, app_text
from ..yamlio import YamlInputError, dump, load_documents
from .dialect import Schema, annotations_only, walk, with_conditional_types

__all__ = ["MAP_ENTRIES", "YAML_TEXT", "form_shape", "from_form", "to_form"]

MAP_ENTRIES: Final = "oam-render form: a map, edited as a list of key and value entries"
YAML_TEXT: Final = "oam-render form: a value of any shape, edited as YAML text"

_SAME_BOUNDS = (("minProperties", "minItems"), ("maxProperties", "maxItems"))
_COMPOSITE = ("allOf", "anyOf", "oneOf", "if", "not", "enum", "const")
_OMIT: Final = object()  # a YAML text left empty: the field is not set


def form_shape(schema: Schema) -> Schema:
    """`schema` (JSON Schema, `$ref`s already inlined) with every map and free-form value
    replaced by its form shape, nullable types as type lists, and the types of conditional
    fields (kept in `if`/`then` rules) also on the fields: a renderer picks a widget by them."""
    return walk(with_conditional_types(schema), _reshape)  # type: ignore[no-any-return]


def _reshape(schema: Schema) -> Schema:
    schema = _free_fields_as_text(schema)
    if "type" not in schema and _objects_only(schema):
        # JSON Forms resolves a field's scope only under a schema that says it is an object.
        return {**schema, "type": "object"}
    nullable = _nullable(schema)
    if nullable is not None:
        return nullable
    if _is_tuple(schema) or _scalar_union(schema):
        return _as_text(schema)  # no widget draws a fixed-length list, or a value of several types
    if not _is_map(schema):
        return schema
    patterns = schema.get("patternProperties") or {}
    value = next(iter(patterns.values())) if patterns else schema.get("additionalProperties", True)
    if _is_free(value):
        return _as_text(schema)
    out: Schema = {k: schema[k] for k in ("title", "description") if k in schema}
    key: Schema = {**(schema.get("propertyNames") or {}), "title": "key"}
    key.setdefault("type", "string")
    if patterns:
        key["pattern"] = next(iter(patterns))
    entry = {"type": "object", "properties": {"key": key, "value": {"title": "value", **value}},
             "required": ["key", "value"], "additionalProperties": False}
    out.update({"type": "array", "$comment": MAP_ENTRIES, "items": entry})
    out.update({items: schema[props] for props, items in _SAME_BOUNDS if props in schema})
    if isinstance(schema.get("default"), Mapping):
        out["default"] = [{"key": k, "value": v} for k, v in schema["default"].items()]
    return out


def _is_map(schema: Schema) -> bool:
    """An object whose keys the schema does not name: a map of one value type (for every key,
    or for the keys of one pattern: its entries' keys must match it), or free-form."""
    if schema.get("type") != "object" or schema.get("properties") or schema.get("required") \
            or any(k in schema for k in _COMPOSITE):
        return False
    patterns = schema.get("patternProperties") or {}
    if patterns:
        return len(patterns) == 1 and schema.get("additionalProperties", False) in (False, True)
    return schema.get("additionalProperties", True) is not False


def _is_tuple(schema: Schema) -> bool:
    return isinstance(schema.get("items"), list) or "prefixItems" in schema


_SCALARS = frozenset({"string", "integer", "number", "boolean", "null"})
_JSON_TYPES: dict[type, str] = {str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}


def _scalar_union(schema: Schema) -> bool:
    """`anyOf`/`oneOf` of plain values of more than one type (`"auto" | int`)."""
    branches = [b for keyword in ("anyOf", "oneOf") for b in schema.get(keyword) or []]
    if len(branches) < 2 or not all(isinstance(b, dict) for b in branches):
        return False
    kinds = set()
    for branch in branches:
        kind = branch.get("type")
        if kind is None and ("const" in branch or "enum" in branch):
            values = [branch["const"]] if "const" in branch else list(branch["enum"])
            found = {_JSON_TYPES.get(type(v)) for v in values}
            if None in found:
                return False  # a list or object literal
            kinds |= {k for k in found if k is not None}
            continue
        if not isinstance(kind, str) or kind not in _SCALARS:
            return False
        kinds.add(kind)
    return len(kinds - {"null"}) > 1


def _free_fields_as_text(schema: Schema) -> Schema:
    """Fields and list items of any value (`_`: a schema of annotations only) as YAML text."""
    out = schema
    properties = schema.get("properties")
    if isinstance(properties, dict) and any(_is_free(p) for p in properties.values()):
        out = {**out, "properties": {name: _as_text(sub) if _is_free(sub) else sub for name, sub in properties.items()}}
    if _is_free(schema.get("items")):
        out = {**out, "items": _as_text(schema["items"])}
    return out


def _is_free(schema: Any) -> bool:
    return schema is True or annotations_only(schema)


def _as_text(schema: Any) -> Schema:
    annotations = schema if isinstance(schema, dict) else {}
    out: Schema = {k: annotations[k] for k in ("title", "description") if k in annotations}
    out.update({"type": "string", "$comment": YAML_TEXT})
    if "default" in annotations:
        out["default"] = _text(annotations["default"])
    return out


def _nullable(schema: Schema) -> Schema | None:
    """`anyOf: [{type: null}, X]` (`*null | X` in CUE) as X with `type: [X's type, "null"]`:
    form renderers pick no widget for an `anyOf`, and draw a nullable type as its type."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2 or {"type": "null"} not in branches:
        return None
    other = branches[1 - branches.index({"type": "null"})]
    if not isinstance(other, dict) or not isinstance(other.get("type"), str) or "anyOf" in other:
        return None
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    if "anyOf" in rest or any(k in rest and k in other for k in ("oneOf", "allOf", "if")):
        return None
    return {**other, **rest, "type": [other["type"], "null"]}


def _objects_only(schema: Schema) -> bool:
    """A union (`anyOf`/`oneOf`) whose every branch is an object."""
    branches = [b for keyword in ("anyOf", "oneOf") for b in schema.get(keyword) or []]
    return bool(branches) and all(isinstance(b, dict) and b.get("type") == "object" for b in branches)


def _text(value: Any) -> str:
    """A value as the YAML text a user edits: no end-of-document marker after a lone scalar."""
    text = "" if value is None else dump(value)
    return text[:-4] if text.endswith("\n...\n") else text


def to_form(schema: Schema, properties: Any) -> Any:
    """`properties` as form data for `schema` (a `form=True` export): each map a list of
    `{"key": ..., "value": ...}` entries, each free-form value its YAML text. The input is not
    changed; parts of it the schema does not describe are shared, not copied."""
    return _Converter(forward=True, base="properties").convert(properties, [schema], ())


def from_form(schema: Schema, data: Any, *, app_path: str = "properties") -> Any:
    """Form data of `schema` (a `form=True` export) back as properties: entries become maps
    again, YAML texts their values (an empty text leaves the field out), and the text of a
    field of several types (`int | string`) the number it spells.

    Raises AppError with every problem (an entry with no key, a key given twice, YAML text that
    cannot be read), each at its path under `app_path` (`properties.labels[2].key`).
    """
    converter = _Converter(forward=False, base=app_path)
    out = converter.convert(data, [schema], ())
    if converter.problems:
        raise AppError(converter.problems)
    return {} if out is _OMIT else out


class _Converter:
    def __init__(self, *, forward: bool, base: str) -> None:
        self.forward = forward
        self.base = base
        self.problems: list[Problem] = []

    def convert(self, value: Any, schemas: list[Any], at: Parts) -> Any:
        facets = _facets(schemas)
        if not facets:
            return value  # past what the schema describes there is nothing to convert
        marks = {f.get("$comment") for f in facets}
        if YAML_TEXT in marks:
            return _text(value) if self.forward else self._read_text(value, at)
        if MAP_ENTRIES in marks:
            values = [f["items"]["properties"]["value"] for f in facets
                      if f.get("$comment") == MAP_ENTRIES and isinstance(f.get("items"), dict)]
            if self.forward and isinstance(value, Mapping):
                return [{"key": k, "value": self.convert(v, values, (*at, str(k)))} for k, v in value.items()]
            if not self.forward and isinstance(value, list):
                return self._read_entries(value, values, at)
        if not self.forward and isinstance(value, str):
            return _as_typed(value, facets)
        if isinstance(value, Mapping):
            out = {}
            for key, item in value.items():
                converted = self.convert(item, _member(facets, str(key)), (*at, str(key)))
                if converted is not _OMIT:
                    out[key] = converted
            return out
        if isinstance(value, list):
            return [self.convert(item, _element(facets, index), (*at, index)) for index, item in enumerate(value)]
        return value

    def _read_entries(self, entries: list[Any], values: list[Any], at: Parts) -> Any:
        out: dict[str, Any] = {}
        first: dict[str, int] = {}
        for index, entry in enumerate(entries):
            where = (*at, index)
            if not isinstance(entry, Mapping):
                self._problem(where, "an entry must be an object with a key and a value")
                continue
            key = entry.get("key")
            if not isinstance(key, str):
                self._problem((*where, "key"), "an entry needs a key (a string)")
                continue
            if key in first:
                self._problem((*where, "key"), f"the key {key!r} is given twice (also in entry {first[key]})")
                continue
            first[key] = index
            if "value" not in entry:
                self._problem((*where, "value"), f"the entry of key {key!r} needs a value")
                continue
            converted = self.convert(entry["value"], values, (*where, "value"))
            out[key] = None if converted is _OMIT else converted
        return out

    def _read_text(self, value: Any, at: Parts) -> Any:
        if not isinstance(value, str):
            return value  # already data (a caller that skipped to_form)
        if not value.strip():
            return _OMIT
        try:
            documents = load_documents(value)
        except YamlInputError as exc:
            for issue in exc.issues:
                where = f" ({issue.path}, line {issue.line})" if issue.path else (
                    f" (line {issue.line})" if issue.line else "")
                self._problem(at, f"YAML text: {issue.message}{where}")
            return _OMIT
        if len(documents) > 1:
            self._problem(at, f"YAML text: one value expected, found {len(documents)} documents")
            return _OMIT
        return documents[0].data if documents else _OMIT

    def _problem(self, at: Parts, message: str) -> None:
        self.problems.append(app_problem(FORM_DATA, message, app_text(at, self.base)))


_INTEGER = re.compile(r"[-+]?[0-9]+")
_NUMBER = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


def _as_typed(text: str, facets: list[Schema]) -> Any:
    """A form's text for a field of several types (`type: [integer, string]`: a port, a
    quantity) as the number it spells, as a user means `8080`; other text stays text."""
    kinds = {k for f in facets if isinstance(f.get("type"), list) for k in f["type"]}
    if "string" not in kinds:
        return text
    if "integer" in kinds and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in kinds and _NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() and _INTEGER.fullmatch(text) else number
    return text


def _facets(schemas: list[Any]) -> list[Schema]:
    """The schemas that describe one place: the given ones and their `allOf`/`anyOf`/`oneOf`
    branches and `then`/`else` rules, whichever applies (the marks do not depend on it)."""
    out: list[Schema] = []
    stack = list(schemas)
    while stack:
        schema = stack.pop()
        if not isinstance(schema, dict):
            continue
        out.append(schema)
        for key in ("allOf", "anyOf", "oneOf"):
            stack += schema.get(key) or []
        stack += [schema[k] for k in ("then", "else") if isinstance(schema.get(k), dict)]
    return out


def _member(facets: list[Schema], key: str) -> list[Any]:
    found: list[Any] = []
    for schema in facets:
        if key in (schema.get("properties") or {}):
            found.append(schema["properties"][key])
        found += [sub for pattern, sub in (schema.get("patternProperties") or {}).items() if _search(pattern, key)]
        if isinstance(schema.get("additionalProperties"), dict):
            found.append(schema["additionalProperties"])
    return found


def _element(facets: list[Schema], index: int) -> list[Any]:
    found: list[Any] = []
    for schema in facets:
        items, prefix = schema.get("items"), schema.get("prefixItems")
        if isinstance(items, list):  # draft-07 tuple
            found.append(items[index] if index < len(items) else schema.get("additionalItems"))
        elif isinstance(prefix, list) and index < len(prefix):
            found.append(prefix[index])
        elif isinstance(items, dict):
            found.append(items)
    return found


def _search(pattern: str, key: str) -> bool:
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return False
