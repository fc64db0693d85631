"""A JSON Forms UI schema that places every field of a parameter schema, and the form shape."""

from __future__ import annotations

from .dialect import Schema, resolve_local
from .forms import YAML_TEXT

__all__ = ["ui_schema"]


def ui_schema(schema: Schema) -> Schema:
    """A VerticalLayout of Controls (`scope: "#/properties/..."`) for every property of
    `schema` (a JSON Schema export): objects with properties of their own as nested Groups; a
    union of such objects (`anyOf`/`oneOf`, "set one of these forms") as a Group per form, its
    fields scoped into the branch (`#/anyOf/0/properties/...`, which JSON Forms binds to the
    same data); and the YAML text of a free-form value (the form shape) as a multi-line field."""
    return {"type": "VerticalLayout", "elements": _place(schema, schema, "#", str(schema.get("title") or ""))}


def _place(root: Schema, schema: Schema, scope: str, label: str) -> list[Schema]:
    """The elements for the value at `scope`: its fields when it has properties, a Group per
    form when it is a union of objects, else one Control."""
    target = resolve_local(root, schema)
    if _is_group(target):
        return _elements(root, target, scope)
    union = _object_union(root, target)
    if union:
        keyword, branches = union
        return [{"type": "Group", "label": str(branch.get("title") or f"{label} (form {index + 1})".strip()),
                 "elements": _elements(root, branch, f"{scope}/{keyword}/{index}")}
                for index, branch in enumerate(branches)]
    return [_control(root, target, scope)]


def _elements(root: Schema, schema: Schema, scope: str) -> list[Schema]:
    elements: list[Schema] = []
    properties = resolve_local(root, schema).get("properties") or {}
    for name, sub in properties.items():
        path = f"{scope}/properties/{_escape(name)}"
        target = resolve_local(root, sub) if isinstance(sub, dict) else {}
        label = str(target.get("title") or name)
        if _is_group(target) or _object_union(root, target):
            elements.append({"type": "Group", "label": label, "elements": _place(root, target, path, label)})
        else:
            elements.append(_control(root, target, path))
    return elements


def _object_union(root: Schema, schema: Schema) -> tuple[str, list[Schema]] | None:
    """(`anyOf` or `oneOf`, its branches) when every branch is an object with properties."""
    for keyword in ("anyOf", "oneOf"):
        branches = [resolve_local(root, b) if isinstance(b, dict) else {} for b in schema.get(keyword) or []]
        if branches and "properties" not in schema and all(_is_group(b) for b in branches):
            return keyword, branches
    return None


def _control(root: Schema, schema: Schema, scope: str) -> Schema:
    """One Control; a list whose items have more than plain fields gets the layout of an item
    as its `detail` (JSON Forms draws a table of plain cells otherwise, with no cell for an
    object or a list)."""
    if schema.get("$comment") == YAML_TEXT:
        return {"type": "Control", "scope": scope, "options": {"multi": True}}
    items = schema.get("items")
    if _has_type(schema, "array") and isinstance(items, dict):
        item = resolve_local(root, items)
        if (_is_group(item) or _object_union(root, item)) and not _plain_fields(root, item):
            label = str(item.get("title") or schema.get("title") or "")
            detail = {"type": "VerticalLayout", "elements": _place(root, item, "#", label)}
            return {"type": "Control", "scope": scope, "options": {"detail": detail}}
    return {"type": "Control", "scope": scope}


_PLAIN = ("string", "number", "integer", "boolean", "null")


def _plain_fields(root: Schema, item: Schema) -> bool:
    """Whether every field of an item is a plain value: a table row draws them as cells."""
    if not _is_group(item) or any(k in item for k in ("allOf", "anyOf", "oneOf", "if")):
        return False  # JSON Forms draws such an item as one Control, which no cell takes
    for sub in (item.get("properties") or {}).values():
        target = resolve_local(root, sub) if isinstance(sub, dict) else {}
        kind = target.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "enum" not in target and not all(k in _PLAIN for k in kinds):
            return False
    return True


def _has_type(schema: Schema, kind: str) -> bool:
    found = schema.get("type")
    return found == kind or (isinstance(found, list) and kind in found)


def _is_group(schema: Schema) -> bool:
    """An object whose properties are known: its fields are placed one by one."""
    return bool(schema.get("properties")) and ("type" not in schema or _has_type(schema, "object"))


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


