"""The small terms of the schema mapping: comment markers, condition predicates, merged keywords."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..cue.program import Program
from ..cue.syntax.defs import Binary, Bottom, LetDecl, Literal, Opaque, Ref, Unary

Schema = dict[str, Any]
MISSING: Any = object()
_MARKER = re.compile(r"^//\s*\+([A-Za-z_][\w.\-]*)(?:=(.*))?$")
_LOWER = {"minimum", "exclusiveMinimum", "minLength", "minItems"}
_UPPER = {"maximum", "exclusiveMaximum", "maxLength", "maxItems"}


def markers(comments: tuple[str, ...]) -> dict[str, str]:
    """`// +key=value` lines of a field's doc comment (`// +flag` gives "")."""
    found: dict[str, str] = {}
    for line in comments:
        match = _MARKER.match(line.strip())
        if match:
            found[match[1]] = (match[2] or "").strip()
    return found


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def render_expr(expr: Any) -> str:
    """CUE-like text of a condition, with `parameter.` dropped: what users see in descriptions."""
    if isinstance(expr, Literal):
        return json.dumps(expr.value)
    if isinstance(expr, Ref):
        path = expr.path[1:] if expr.path[:1] == ("parameter",) and len(expr.path) > 1 else expr.path
        return ".".join(path)
    if isinstance(expr, Bottom):
        return "_|_"
    if isinstance(expr, Unary):
        return f"{expr.op}{render_expr(expr.operand)}"
    if isinstance(expr, Binary) and isinstance(expr.right, Bottom) and expr.op in ("==", "!="):
        return f"{render_expr(expr.left)} is {'not ' if expr.op == '==' else ''}set"
    if isinstance(expr, Binary):
        return f"{render_expr(expr.left)} {expr.op} {render_expr(expr.right)}"
    if isinstance(expr, Opaque):
        return expr.text
    return "…"


def flatten(expr: Any, op: str) -> Iterator[Any]:
    if isinstance(expr, Binary) and expr.op == op:
        yield from flatten(expr.left, op)
        yield from flatten(expr.right, op)
    else:
        yield expr


@dataclass
class Scope:
    """The struct being converted, for conditions that name its fields."""

    fields: dict[str, tuple[bool, Any]]  # name -> (optional without default, default or MISSING)
    root: bool


def forbid_outside(allowed: dict[str, list[Any]]) -> list[Schema]:
    """In a closed struct, a conditional field is not allowed while none of its conditions holds."""
    rules = []
    for name, predicates in allowed.items():
        if any(p is None for p in predicates):
            continue
        holds = predicates[0] if len(predicates) == 1 else {"anyOf": predicates}
        rules.append({"if": {"not": holds}, "then": {"properties": {name: False}}})
    return rules


def def_name(let: LetDecl) -> str:
    """The path cue printed for a `let` (`#HealthProbe` of an instance) -> `HealthProbe`
    (nested definitions join with dots)."""
    parts = [p.lstrip("#") for p in Program.inner_reference(let.cue_path).split(".") if p.startswith("#")]
    return ".".join(parts) or let.name.title()


def predicate_all(chain: tuple[Any, ...], scope: Scope) -> Schema | None:
    parts = [_predicate(c, scope) for c in chain]
    if any(p is None for p in parts):
        return None
    return parts[0] if len(parts) == 1 else {"allOf": parts}


def _field_of(expr: Any, scope: Scope) -> str | None:
    """The name of a field of this struct that a condition reads, or None."""
    if not isinstance(expr, Ref):
        return None
    path = expr.path
    if path[:1] == ("parameter",):
        if not scope.root:
            return None
        path = path[1:]
    return path[0] if len(path) == 1 and path[0] in scope.fields else None


def _predicate(cond: Any, scope: Scope) -> Schema | None:
    """A JSON Schema that holds exactly when the CUE condition does (defaults applied), or None."""
    if isinstance(cond, Binary) and cond.op in ("&&", "||"):
        left, right = _predicate(cond.left, scope), _predicate(cond.right, scope)
        if left is None or right is None:
            return None
        return {"allOf" if cond.op == "&&" else "anyOf": [left, right]}
    if isinstance(cond, Unary) and cond.op == "!":
        inner = _predicate(cond.operand, scope)
        return None if inner is None else {"not": inner}
    if isinstance(cond, Ref):
        cond = Binary("==", cond, Literal(True))
    if not isinstance(cond, Binary) or cond.op not in ("==", "!="):
        return None
    name = _field_of(cond.left, scope)
    if name is None:
        return None
    optional, default = scope.fields[name]
    if isinstance(cond.right, Bottom):
        exists: Schema = {"required": [name]} if optional else {}
        absent: Schema = {"not": exists} if optional else {"not": {}}
        return exists if cond.op == "!=" else absent
    if not isinstance(cond.right, Literal):
        return None
    return _compare(name, cond.right.value, cond.op == "==", optional, default)


def _compare(name: str, value: Any, equal: bool, optional: bool, default: Any) -> Schema:
    """`name == value` (or !=) as cue sees it: an absent field takes its default; an absent
    optional field makes the comparison fail either way."""
    same: Schema = {"properties": {name: {"const": value}}}
    differs: Schema = {"properties": {name: {"not": {"const": value}}}}
    present = {"required": [name]}
    test = same if equal else differs
    if optional or default is MISSING:
        return {**test, **present}
    holds_when_absent = (default == value) == equal
    return test if holds_when_absent else {**test, **present}


def merge_into(merged: Schema, schema: Schema) -> bool:
    """Merge the keywords of a conjunct; False when they clash (the caller keeps it in allOf)."""
    lists = [s for s in (merged, schema) if "prefixItems" in s or "items" in s]
    if len(lists) == 2 and ("prefixItems" in merged or "prefixItems" in schema):
        return _merge_lists(merged, schema)
    return _merge_keywords(merged, schema)


def _merge_keywords(merged: Schema, schema: Schema) -> bool:
    for key, value in schema.items():
        if key not in merged:
            continue
        if key == "type" and {merged[key], value} <= {"number", "integer"}:
            continue
        if key in _LOWER or key in _UPPER or merged[key] == value:
            continue
        return False
    for key, value in schema.items():
        if key == "type" and key in merged:
            merged[key] = "integer" if "integer" in (merged[key], value) else value
        elif key in _LOWER and key in merged:
            merged[key] = max(merged[key], value)
        elif key in _UPPER and key in merged:
            merged[key] = min(merged[key], value)
        else:
            merged[key] = value
    return True


def _merge_lists(merged: Schema, schema: Schema) -> bool:
    """Two array conjuncts, element by element: `items` only speaks past `prefixItems`, so each
    conjunct's `items` also binds the other's prefix (`[...X] & [_, ...]`: the first element is
    an X too, as cue unifies it)."""
    rest = {k: v for k, v in schema.items() if k not in ("prefixItems", "items")}
    kept = {k: v for k, v in merged.items() if k not in ("prefixItems", "items")}
    if not _merge_keywords(kept, rest):
        return False
    size = max(len(merged.get("prefixItems", [])), len(schema.get("prefixItems", [])))
    prefix = [_both(_element(merged, i), _element(schema, i)) for i in range(size)]
    items = _both(merged.get("items", True), schema.get("items", True))
    merged.clear()
    merged.update(kept)
    if any(p != items for p in prefix) or items is False:
        merged["prefixItems"] = prefix
    if items is not True:
        merged["items"] = items
    return True


def _element(schema: Schema, index: int) -> Any:
    """The schema of element `index` of an array schema (True: anything)."""
    prefix = schema.get("prefixItems", [])
    return prefix[index] if index < len(prefix) else schema.get("items", True)


def _both(left: Any, right: Any) -> Any:
    """The conjunction of two subschemas (True and `{}` accept anything)."""
    if left is False or right is False:
        return False
    if left in (True, {}) or left == right:
        return right
    if right in (True, {}):
        return left
    return {"allOf": [left, right]}
