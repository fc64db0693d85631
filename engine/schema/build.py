"""Map the syntax tree of a `cue def` parameter to JSON Schema (2020-12, the canonical form)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from ..cue.syntax.defs import (
    Binary,
    Bottom,
    Call,
    DefDocument,
    LetDecl,
    ListLit,
    Literal,
    Ref,
    StructLit,
    Unary,
)
from .structs import Conv, StructRules
from .terms import (
    MISSING,
    Schema,
    def_name,
    flatten,
    json_type,
    merge_into,
    render_expr,
)

EXCLUSIVE = "x-oam-exclusive"  # marks the rule that exactly one struct branch may fit loosely
_INT_RANGES = {
    "int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1), "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1), "int128": (-(2**127), 2**127 - 1), "uint": (0, None),
    "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1),
    "uint128": (0, 2**128 - 1), "rune": (0, 0x10FFFF), "byte": (0, 255),
}
_TYPES = {"string": "string", "bytes": "string", "int": "integer", "number": "number", "float": "number",
          "float32": "number", "float64": "number", "bool": "boolean"}
_BOUNDS = {">=": "minimum", ">": "exclusiveMinimum", "<=": "maximum", "<": "exclusiveMaximum"}
_CALLS: dict[tuple[str, ...], str] = {("strings", "MinRunes"): "minLength", ("strings", "MaxRunes"): "maxLength",
          ("list", "MinItems"): "minItems", ("list", "MaxItems"): "maxItems"}


@dataclass
class Builder(StructRules):
    """Converts one definition's parameter; collects the `#Defs` it references as `$defs`."""

    document: DefDocument
    instance: str  # `oam_i3`: whose `#Defs` a bare `#Name` reference means
    defs: dict[str, Schema] = field(default_factory=dict)
    _def_fills: dict[str, bool] = field(default_factory=dict)
    _inlining: set[str] = field(default_factory=set)
    _root_names: set[str] = field(default_factory=set)  # `let` names cue gave the parameter itself
    _root: StructLit | None = None

    def parameter(self, expr: Any) -> Schema:
        """The schema of the parameter expression, with `$defs` when it references `#Defs`."""
        expr = self._unwrap_root(expr)
        self._root = expr if isinstance(expr, StructLit) else None
        schema = dict(self.convert(expr, closed=False, root=True).schema)
        if self.defs:
            schema["$defs"] = {name: self.defs[name] for name in sorted(self.defs)}
        return schema

    def _unwrap_root(self, expr: Any) -> Any:
        """The parameter may come back as a reference to a `let` (when it refers to itself)."""
        seen = 0
        while isinstance(expr, Ref) and len(expr.path) == 1 and expr.path[0] in self.document.lets and seen < 8:
            self._root_names.add(expr.path[0])
            expr, seen = self.document.lets[expr.path[0]].value, seen + 1
        return expr

    def _rooted(self, expr: Any) -> Any:
        """A condition with references to the parameter's own `let` spelt `parameter.`."""
        if isinstance(expr, Ref) and expr.path[0] in self._root_names:
            return Ref(("parameter", *expr.path[1:]))
        if isinstance(expr, Binary):
            return Binary(expr.op, self._rooted(expr.left), self._rooted(expr.right))
        if isinstance(expr, Unary):
            return Unary(expr.op, self._rooted(expr.operand))
        return expr

    # --- dispatch ----------------------------------------------------------------------------

    def convert(self, expr: Any, closed: bool, root: bool = False) -> Conv:
        if isinstance(expr, Literal):
            return self._literal(expr.value)
        if isinstance(expr, StructLit) and expr.embeds and not (expr.fields or expr.patterns or expr.conditionals
                                                               or expr.open):
            # cue def prints a constrained scalar as a struct embedding it: `{=~"^a"}` is `=~"^a"`.
            return self._conjunction(list(expr.embeds), closed)
        if isinstance(expr, StructLit):
            return self.struct(expr, closed, shallow_close=False, root=root)
        if isinstance(expr, ListLit):
            return self._list(expr, closed)
        if isinstance(expr, Ref):
            return self._ref(expr, closed)
        if isinstance(expr, Call):
            return self._call(expr, closed)
        if isinstance(expr, Unary):
            return self._unary(expr, closed)
        if isinstance(expr, Binary) and expr.op == "&":
            return self._conjunction(list(flatten(expr, "&")), closed)
        if isinstance(expr, Binary) and expr.op == "|":
            return self._disjunction(list(flatten(expr, "|")), closed)
        if isinstance(expr, Bottom):
            return Conv({"not": {}})
        return Conv({"$comment": f"not mapped: {render_expr(expr)}"}, fills=True)

    def _literal(self, value: Any) -> Conv:
        if value is None:
            return Conv({"type": "null"}, True, None)
        return Conv({"type": json_type(value), "const": value}, True, value)

    # --- references --------------------------------------------------------------------------

    def _ref(self, ref: Ref, closed: bool) -> Conv:
        path = ref.path
        if len(path) == 1 and path[0] in _TYPES:
            return Conv({"type": _TYPES[path[0]]})
        if len(path) == 1 and path[0] in _INT_RANGES:
            low, high = _INT_RANGES[path[0]]
            schema: Schema = {"type": "integer", "minimum": low}
            if high is not None:
                schema["maximum"] = high
            return Conv(schema)
        if path == ("_",):
            return Conv({})
        let = self.document.lets.get(path[0])
        if let is not None and len(path) == 2 and path[1].startswith("#"):
            return self._definition(let, path[1])
        if let is not None and len(path) == 1 and path[0] not in self._inlining:
            self._inlining.add(path[0])
            try:
                return self.convert(let.value, closed)
            finally:
                self._inlining.discard(path[0])
        if len(path) == 1 and path[0].startswith("#"):
            for candidate in self.document.lets.values():
                if candidate.cue_path == f"{self.instance}.{path[0]}":
                    return self._definition(candidate, "#x")
        # A reference to a value filled at render time (context, another field): cue has a value.
        return Conv({"$comment": f"computed from {render_expr(ref)}"}, fills=True)

    def _definition(self, let: LetDecl, member: str) -> Conv:
        name = def_name(let)
        body = let.value
        if isinstance(body, StructLit):
            body = next((f.value for f in body.fields if f.label == member), body)
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: a recursive reference stops here
            self._def_fills[name] = False
            conv = self.convert(body, closed=True)
            self.defs[name] = conv.schema
            self._def_fills[name] = bool(conv.fills)
        return Conv({"$ref": f"#/$defs/{name}"}, self._def_fills[name])

    def resolve(self, schema: Schema) -> Schema:
        """A `$ref` schema's target (one level), for merging embedded definitions."""
        ref = schema.get("$ref", "")
        return self.defs.get(ref.rpartition("/")[2], schema) if ref.startswith("#/$defs/") else schema

    # --- calls and unary operators -----------------------------------------------------------

    def _call(self, call: Call, closed: bool) -> Conv:
        if call.function == ("close",) and len(call.args) == 1 and isinstance(call.args[0], StructLit):
            return self.struct(call.args[0], closed, shallow_close=True)
        keyword = _CALLS.get(call.function)
        if keyword and len(call.args) == 1 and isinstance(call.args[0], Literal):
            kind = "string" if keyword.endswith("Length") else "array"
            return Conv({"type": kind, keyword: call.args[0].value}, fills=None)
        if call.function == ("list", "UniqueItems"):
            return Conv({"type": "array", "uniqueItems": True}, fills=None)
        literal = call.args[0].value if len(call.args) == 1 and isinstance(call.args[0], Literal) else None
        if isinstance(literal, str) and call.function in (("strings", "HasPrefix"), ("strings", "HasSuffix"),
                                                          ("strings", "Contains")):
            text = re.escape(literal)
            pattern = {"HasPrefix": f"^{text}", "HasSuffix": f"{text}$", "Contains": text}[call.function[1]]
            return Conv({"type": "string", "pattern": pattern}, fills=None)
        args = ", ".join(render_expr(a) for a in call.args)
        return Conv({"$comment": f"not mapped: {'.'.join(call.function)}({args})"}, fills=None)

    def _unary(self, expr: Unary, closed: bool) -> Conv:
        operand = expr.operand
        if expr.op == "*":
            return self._disjunction([expr], closed)
        if expr.op == "-" and isinstance(operand, Literal) and isinstance(operand.value, (int, float)):
            return self._literal(-operand.value)
        if expr.op in _BOUNDS and isinstance(operand, Literal) and isinstance(operand.value, (int, float)):
            return Conv({"type": "number", _BOUNDS[expr.op]: operand.value}, fills=None)
        if expr.op in ("=~", "!~") and isinstance(operand, Literal) and isinstance(operand.value, str):
            pattern: Schema = {"pattern": operand.value}
            return Conv({"type": "string", **(pattern if expr.op == "=~" else {"not": pattern})}, fills=None)
        if expr.op == "!=" and isinstance(operand, Literal):
            return Conv({"not": {"const": operand.value}}, fills=None)
        return Conv({"$comment": f"not mapped: {render_expr(expr)}"}, fills=None)

    # --- conjunctions and disjunctions -------------------------------------------------------

    def _conjunction(self, parts: list[Any], closed: bool) -> Conv:
        convs = [self.convert(p, closed) for p in parts]
        merged: Schema = {}
        rest: list[Schema] = []
        for conv in convs:
            schema = conv.schema
            if "$ref" in schema or "oneOf" in schema or "anyOf" in schema:
                rest.append(schema)
                continue
            if not merge_into(merged, schema):
                rest.append(schema)
        if rest:
            merged = dict(rest[0], **merged) if not merged and len(rest) == 1 else \
                {**merged, "allOf": [*merged.get("allOf", []), *rest]}
        value = next((c.value for c in convs if c.value is not MISSING), MISSING)
        fills = any(c.fills is True for c in convs) and not merged.get("minItems")
        if all(c.fills is None for c in convs):
            return Conv(merged, None, value)
        return Conv(merged, fills, value)

    def _disjunction(self, branches: list[Any], closed: bool) -> Conv:
        marked = [isinstance(b, Unary) and b.op == "*" for b in branches]
        convs = [self.convert(b.operand if m else b, closed) for b, m in zip(branches, marked, strict=True)]
        defaults = [c for c, m in zip(convs, marked, strict=True) if m]
        default = defaults[0].value if defaults and all(d.value == defaults[0].value for d in defaults) \
            else MISSING
        schema = self._union(convs, overlap_allowed=bool(defaults))
        if default is not MISSING:
            schema = {**schema, "default": default}
        elif len(defaults) == 1 and len(convs) > 1 and "anyOf" in schema:
            # cue settles on the default branch whenever it does not conflict, even if it then
            # lacks a required field: so a value that fits the branch loosely must fit it fully.
            schema = {**schema, "if": self._relaxed(defaults[0].schema), "then": defaults[0].schema}
        if len(convs) == 1:
            return Conv(schema, True if defaults else convs[0].fills, convs[0].value)
        fills = bool(defaults) and all(bool(d.fills) for d in defaults)
        return Conv(schema, fills)

    def _union(self, convs: list[Conv], overlap_allowed: bool) -> Schema:
        """One schema accepting what any branch accepts; concrete values a wider branch covers go.

        Struct branches give `oneOf`, as cue fails on a value two branches accept; with a default
        marked, cue settles that overlap by the default, so the branches give `anyOf`.
        """
        typed = [c.schema for c in convs if c.value is MISSING]
        literals: list[Any] = []
        kept: list[Schema] = []
        for conv in convs:
            if conv.value is MISSING or any(self._accepts(s, conv.value) for s in typed):
                continue
            if json_type(conv.value) in ("array", "object"):
                kept.append({k: v for k, v in conv.schema.items() if k != "default"})
            elif conv.value not in literals:
                literals.append(conv.value)
        branches = [*kept, *typed]
        if literals:
            kinds = list(dict.fromkeys(json_type(v) for v in literals))
            enum: Schema = {"type": kinds[0] if len(kinds) == 1 else kinds}
            enum.update({"const": literals[0]} if len(literals) == 1 else {"enum": literals})
            branches.insert(0, {"type": "null"} if literals == [None] else enum)
        seen: dict[str, Schema] = {}
        for branch in branches:
            seen.setdefault(json.dumps(branch, sort_keys=True), branch)
        unique = list(seen.values())
        if len(unique) == 1:
            return dict(unique[0])
        if all(set(b) == {"type"} and isinstance(b["type"], str) for b in unique):
            return {"type": [b["type"] for b in unique]}
        objects = [b for b in unique if self.resolve(b).get("type") == "object"]
        exclusive = len(objects) == len(unique) and not overlap_allowed
        if not exclusive:
            return {"anyOf": unique}
        # cue keeps every branch the value does not conflict with (a missing field is no
        # conflict) and fails unless exactly one is left: so exactly one branch may fit loosely.
        loose = {"oneOf": [self._relaxed(b) for b in unique], EXCLUSIVE: True}
        return {"oneOf": unique, "allOf": [loose]}

    def _relaxed(self, schema: Schema) -> Schema:
        """The schema with every `required` dropped: what a value must not conflict with."""
        def strip(node: Any) -> Any:
            if isinstance(node, dict):
                return {k: strip(v) for k, v in node.items() if k != "required"}
            return [strip(v) for v in node] if isinstance(node, list) else node

        return strip(self.resolve(schema))  # type: ignore[no-any-return]

    def _accepts(self, schema: Schema, value: Any) -> bool:
        """Whether `schema` already admits the literal `value` (so `*"x" | string` is just string)."""
        document = {**schema, "$defs": self.defs}
        try:
            return bool(jsonschema.Draft202012Validator(document).is_valid(value))
        except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.RefResolutionError):
            return False

    # --- lists -------------------------------------------------------------------------------

    def _list(self, expr: ListLit, closed: bool) -> Conv:
        elements = [self.convert(e, closed) for e in expr.elements]
        if expr.rest is None and all(e.value is not MISSING for e in elements):
            value = [e.value for e in elements]
            return Conv({"type": "array", "const": value} if value else {"type": "array", "maxItems": 0},
                        True, value)
        schema: Schema = {"type": "array"}
        if elements:
            schema["prefixItems"] = [e.schema for e in elements]
            schema["minItems"] = len(elements)
        if expr.rest is None:
            schema["items"] = False
        elif expr.rest != Ref(("_",)):
            schema["items"] = self.convert(expr.rest, closed).schema
        return Conv(schema, all(bool(e.fills) for e in elements))
