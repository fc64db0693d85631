"""A JSON Forms UI schema that places every field of a parameter schema, and the form shape."""

from __future__ import annotations

from .dialect import Schema, resolve_local

__all__ = ["ui_schema"]


def ui_schema(schema: Schema) -> Schema:
    """A VerticalLayout of Controls (`scope: "#/properties/..."`) for every property of
    `schema` (a JSON Schema export), objects with properties of their own as nested Groups."""
    return {"type": "VerticalLayout", "elements": _elements(schema, schema, "#")}


def _elements(root: Schema, schema: Schema, scope: str) -> list[Schema]:
    elements: list[Schema] = []
    properties = resolve_local(root, schema).get("properties") or {}
    for name, sub in properties.items():
        path = f"{scope}/properties/{_escape(name)}"
        target = resolve_local(root, sub) if isinstance(sub, dict) else {}
        if _is_group(target):
            label = str(target.get("title") or name)
            elements.append({"type": "Group", "label": label, "elements": _elements(root, target, path)})
        else:
            elements.append({"type": "Control", "scope": path})
    return elements


def _is_group(schema: Schema) -> bool:
    """An object whose properties are known: its fields are placed one by one."""
    return bool(schema.get("properties")) and schema.get("type", "object") == "object"


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


