"""Rewrite a canonical (JSON Schema 2020-12) parameter schema into draft-07 or OpenAPI 3.0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Schema = dict[str, Any]

DRAFT_07 = "draft-07"
DRAFT_2020_12 = "2020-12"
OPENAPI_30 = "openapi-3.0"
DIALECTS = (OPENAPI_30, DRAFT_07, DRAFT_2020_12)
META_SCHEMA = {
    DRAFT_07: "http://json-schema.org/draft-07/schema#",
    DRAFT_2020_12: "https://json-schema.org/draft/2020-12/schema",
}
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("additionalProperties", "items", "additionalItems", "not", "if", "then", "else")


def walk(schema: Any, rewrite: Callable[[Schema], Schema]) -> Any:
    """Apply `rewrite` to every schema object, children first."""
    if not isinstance(schema, dict):
        return schema
    out: Schema = {}
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: walk(sub, rewrite) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [walk(sub, rewrite) for sub in value]
        elif key in _SCHEMA_ONE or (key == "items" and isinstance(value, list)):
            out[key] = [walk(s, rewrite) for s in value] if isinstance(value, list) else walk(value, rewrite)
        else:
            out[key] = value
    return rewrite(out)


def convert(schema: Schema, dialect: str, *, vendor_keywords: bool = True, form: bool = False) -> Schema:
    """The canonical schema in `dialect` (one of DIALECTS); raises ValueError for others.

    Without `vendor_keywords`, a JSON Schema dialect is one Ajv compiles in strict mode as it
    is: no `x-` keywords, and union types written as `anyOf` (see `portable`). With `form`,
    `$ref`s are replaced by their targets (see `for_forms`) and union types stay: form
    renderers draw `type: [number, string]` as a text field, and no `anyOf` (Ajv then needs
    `allowUnionTypes`)."""
    if form and dialect != OPENAPI_30:
        schema = for_forms(schema)
    if dialect == DRAFT_2020_12:
        body = schema if vendor_keywords else portable(schema, unions=not form)
        return {"$schema": META_SCHEMA[dialect], **body}
    if dialect == DRAFT_07:
        body = walk(schema, _draft07)
        return {"$schema": META_SCHEMA[dialect], **(body if vendor_keywords else portable(body, unions=not form))}
    if dialect == OPENAPI_30:
        return _openapi(schema)
    raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")


def portable(schema: Schema, *, unions: bool = True) -> Schema:
    """`schema` without vendor (`x-`) keywords and, with `unions`, without union types
    (`type: [a, b]` becomes an `anyOf` of one type each; `[T, "null"]` stays): what validators
    in strict mode accept."""
    return walk(schema, _portable_node if unions else _without_vendor)  # type: ignore[no-any-return]


def _without_vendor(schema: Schema) -> Schema:
    return {k: v for k, v in schema.items() if not k.startswith("x-")}


def _portable_node(schema: Schema) -> Schema:
    out = _without_vendor(schema)
    kinds = out.get("type")
    if not isinstance(kinds, list) or len([k for k in kinds if k != "null"]) < 2:
        return out
    del out["type"]
    branches = [{"type": k} for k in kinds]
    if "anyOf" in out:
        out["allOf"] = [*out.get("allOf", []), {"anyOf": branches}]
    else:
        out["anyOf"] = branches
    return out


def for_forms(schema: Schema) -> Schema:
    """`schema` with every `$ref` replaced by its target and no `$defs`: form renderers pick a
    widget by a property's own `type`, which a `$ref` (or draft-07's `allOf: [{$ref}]`) hides.
    A recursive reference becomes an open object that says which schema it repeats."""
    return _inline(schema, schema.get("$defs", {}), ())  # type: ignore[no-any-return]


def resolve_local(root: Schema, schema: Schema) -> Schema:
    """`schema` with a local `$ref` (`#/$defs/X`, `#/definitions/X`) and `allOf` branches that
    are references merged in: the schema a form renderer draws for it."""
    out = dict(schema)
    for _depth in range(8):
        ref = out.pop("$ref", None)
        refs = [b["$ref"] for b in out.get("allOf", []) if isinstance(b, dict) and set(b) == {"$ref"}]
        if ref is None and not refs:
            return out
        if refs:
            out["allOf"] = [b for b in out["allOf"] if not (isinstance(b, dict) and set(b) == {"$ref"})]
            if not out["allOf"]:
                del out["allOf"]
        for target in ([ref] if isinstance(ref, str) else []) + refs:
            head, _, name = str(target).rpartition("/")
            found = root.get(head.removeprefix("#/"), {}).get(name, {}) if head.startswith("#/") else {}
            out = {**found, **out}
    return out


# --- draft-07 --------------------------------------------------------------------------------


def _draft07(schema: Schema) -> Schema:
    out = dict(schema)
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")
    if "prefixItems" in out:
        rest = out.pop("items", None)
        out["items"] = out.pop("prefixItems")
        if rest is not None:
            out["additionalItems"] = rest
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        ref = "#/definitions/" + ref[len("#/$defs/"):]
        out["$ref"] = ref
    if ref and len(out) > 1:
        # draft-07 ignores the siblings of $ref: keep them beside it in allOf.
        del out["$ref"]
        out["allOf"] = [{"$ref": ref}, *out.get("allOf", [])]
    return out


# --- OpenAPI 3.0 -----------------------------------------------------------------------------


def _openapi(schema: Schema) -> Schema:
    defs = schema.get("$defs", {})
    inlined = _inline(with_conditional_types(schema), defs, ())
    return walk(inlined, _openapi_node)  # type: ignore[no-any-return]


def with_conditional_types(schema: Schema) -> Schema:
    """The types of conditional fields (kept in `if`/`then` rules) copied onto their properties:
    for readers without `if`/`then`, such as OpenAPI 3.0 forms and the docs."""
    return walk(schema, _merge_conditional)  # type: ignore[no-any-return]


def _merge_conditional(schema: Schema) -> Schema:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not schema.get("allOf"):
        return schema
    merged = dict(properties)
    for rule in schema["allOf"]:
        typed = (rule.get("then") or {}).get("properties") or {} if isinstance(rule, dict) else {}
        for name, sub in typed.items():
            if isinstance(sub, dict) and name in merged and _annotations_only(merged[name]):
                merged[name] = {**sub, **merged[name]}
    return {**schema, "properties": merged}


_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
                          "$comment"})


def annotations_only(schema: Any) -> bool:
    """A schema that only annotates (title, description, default, `x-` keywords...): it says
    nothing of the value, which may be anything."""
    return isinstance(schema, dict) and all(k in _ANNOTATIONS or k.startswith("x-") for k in schema)


def _annotations_only(schema: Any) -> bool:
    """A conditional field's own schema: it says what the field is, its `then` rule what it holds."""
    return isinstance(schema, dict) and ("x-oam-condition" in schema or annotations_only(schema))


def _inline(schema: Any, defs: dict[str, Schema], stack: tuple[str, ...]) -> Any:
    """Replace `$ref`s by their targets: an OpenAPI 3.0 schema object has nowhere to keep them."""
    if isinstance(schema, list):
        return [_inline(s, defs, stack) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: Schema = {}
    for key, value in schema.items():
        if key == "$defs":
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _inline(sub, defs, stack) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS or key in _SCHEMA_ONE:
            out[key] = _inline(value, defs, stack)
        else:
            out[key] = value
    ref = out.pop("$ref", None)
    if isinstance(ref, str):
        name = ref.rpartition("/")[2]
        if name in stack:
            note = f"recursive: the same schema as {name} (see the JSON Schema export)"
            return {**out, "type": "object", "x-oam-recursive": name, "description": out.get("description", note)}
        target = _inline(defs.get(name, {}), defs, (*stack, name))
        out = {**target, **out}
    return out


def _openapi_node(schema: Schema) -> Schema:
    out = {k: v for k, v in schema.items() if k not in ("$comment", "if", "then", "else", "patternProperties",
                                                         "$schema")}
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for exclusive, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(exclusive), (int, float)) and not isinstance(out[exclusive], bool):
            out[inclusive] = out.pop(exclusive)
            out[exclusive] = True
    if "prefixItems" in out:
        del out["prefixItems"]  # no tuples in OpenAPI 3.0: the rest's schema, else any item
    if not isinstance(out.get("items", {}), dict):
        out["items"] = {}
    if out.get("type") == "array" and "items" not in out:
        out["items"] = {}
    out = _openapi_types(out)
    out = _openapi_unions(out)
    if "allOf" in out:
        kept = [s for s in out["allOf"] if s and not s.get("x-oam-exclusive")]
        out.pop("allOf")
        if kept:
            out["allOf"] = kept
    return out


def _openapi_types(out: Schema) -> Schema:
    kind = out.get("type")
    if kind == "null":
        out.pop("type")
        return {**out, "nullable": True, "enum": [None]}
    if not isinstance(kind, list):
        return out
    kinds = [k for k in kind if k != "null"]
    if len(kinds) < len(kind):
        out["nullable"] = True
    out.pop("type")
    if len(kinds) == 1:
        out["type"] = kinds[0]
    elif kinds:
        out["anyOf"] = [{"type": k, **({"items": {}} if k == "array" else {})} for k in kinds]
    return out


def _openapi_unions(out: Schema) -> Schema:
    """`anyOf: [{null}, T]` becomes a nullable T: OpenAPI 3.0 has no null type."""
    for key in ("anyOf", "oneOf"):
        branches = out.get(key)
        if not isinstance(branches, list):
            continue
        plain = [b for b in branches if not (b.get("nullable") and b.get("enum") == [None])]
        if len(plain) == len(branches):
            continue
        del out[key]
        if len(plain) == 1:
            out = {**plain[0], **out}
        elif plain:
            out[key] = [{**b, "nullable": True} for b in plain]
        out["nullable"] = True
    return out
