"""Object schemas from CUE structs: properties, patterns, embeds and fields under `if`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..cue.syntax.defs import Conditional, Field, Literal, StructLit, Unary
from .terms import MISSING, Schema, Scope, forbid_outside, markers, predicate_all, render_expr

__all__ = ["HIDDEN", "Conv", "StructRules"]

_ANNOTATIONS = frozenset({"title", "description", "default", "x-immutable", "x-short", "x-oam-condition"})
HIDDEN = "x-oam-hidden"  # names of a struct's `// +ignore` fields


@dataclass(frozen=True)
class Conv:
    """A converted expression: its schema and what cue makes of it when the field is absent."""

    schema: Schema
    fills: bool | None = False  # True: cue has a value without the user (default, [], ...); None: a validator
    value: Any = MISSING  # the concrete value, when the expression is one


class StructRules:
    """The struct half of the schema builder; the builder supplies how any other expression converts."""

    def convert(self, expr: Any, closed: bool, root: bool = False) -> Conv:
        raise NotImplementedError

    def resolve(self, schema: Schema) -> Schema:
        raise NotImplementedError

    def _rooted(self, expr: Any) -> Any:
        raise NotImplementedError

    def struct(self, expr: StructLit, closed: bool, shallow_close: bool, root: bool = False) -> Conv:
        """An object schema: properties, required, patterns, embeds and conditional fields."""
        is_closed = (closed or shallow_close) and not expr.open
        properties: Schema = {}
        required: list[str] = []
        values: dict[str, Any] = {}
        scope = Scope({}, root)
        hidden = _hidden_labels(expr)
        for item in expr.fields:
            prop, needed, value = self._property(item, closed)
            optional = item.optional and "default" not in prop
            scope.fields[item.label] = (optional, prop.get("default", value))
            if "ignore" in markers(item.comments):
                continue
            properties[item.label] = prop
            if needed:
                required.append(item.label)
            values[item.label] = value
        schema: Schema = {"type": "object"}
        conditions: list[Schema] = []
        allowed: dict[str, list[Any]] = {}
        for conditional in expr.conditionals:
            self._conditional(conditional, closed, scope, properties, conditions, (), allowed)
        if is_closed:
            conditions += forbid_outside(allowed)
        if properties:
            schema["properties"] = properties
        if required:
            schema["required"] = required
        self._patterns(expr, closed, schema)
        if is_closed and not hidden and "additionalProperties" not in schema and "patternProperties" not in schema:
            schema["additionalProperties"] = False
        elif expr.open and "additionalProperties" not in schema:
            schema["additionalProperties"] = True  # explicitly open: unknown keys are welcome
        if hidden and "additionalProperties" not in schema:
            schema[HIDDEN] = hidden  # accepted though undocumented: not unknown keys
        if conditions:
            schema["allOf"] = conditions
        schema = self._embed(expr, closed, schema)
        concrete = not expr.patterns and not expr.conditionals and not expr.embeds and \
            all(v is not MISSING for v in values.values()) and len(values) == len(expr.fields)
        fills = not schema.get("required") and not any(c.get("then", {}).get("required") for c in conditions)
        return Conv(schema, fills, values if concrete else MISSING)

    def _property(self, item: Field, closed: bool) -> tuple[Schema, bool, Any]:
        conv = self.convert(item.value, closed)
        prop: Schema = {"title": item.label}
        marks = markers(item.comments)
        if marks.get("usage"):
            prop["description"] = marks["usage"]
        prop.update(conv.schema)
        if "default" not in prop and conv.value is not MISSING:
            prop["default"] = conv.value
        if "immutable" in marks:
            prop["x-immutable"] = True
        if marks.get("short"):
            prop["x-short"] = marks["short"]
        needed = item.required or (not item.optional and not conv.fills and "default" not in prop)
        return prop, needed, conv.value

    def _patterns(self, expr: StructLit, closed: bool, schema: Schema) -> None:
        for pattern in expr.patterns:
            value = self.convert(pattern.value, closed).schema
            label = pattern.label
            if isinstance(label, Unary) and label.op == "=~" and isinstance(label.operand, Literal):
                schema.setdefault("patternProperties", {})[str(label.operand.value)] = value
            else:
                schema["additionalProperties"] = value

    def _embed(self, expr: StructLit, closed: bool, schema: Schema) -> Schema:
        for embedded in expr.embeds:
            conv = self.convert(embedded, closed)
            target = self.resolve(conv.schema)
            if target.get("type") == "object" and "allOf" not in target and "oneOf" not in target:
                merged = {**target.get("properties", {}), **schema.get("properties", {})}
                schema = {**target, **schema, "properties": merged}
                needed = [*target.get("required", []), *schema.get("required", [])]
                if needed:
                    schema["required"] = list(dict.fromkeys(needed))
            else:
                schema = {**schema, "allOf": [*schema.get("allOf", []), conv.schema]}
        return schema

    # conditional fields

    def _conditional(self, conditional: Conditional, closed: bool, scope: Scope, properties: Schema,
                     conditions: list[Schema], outer: tuple[Any, ...], allowed: dict[str, list[Any]]) -> None:
        """Fields under `if cond {...}` become optional properties that say their condition.

        When the condition can be said in JSON Schema, the fields' types and the ones they
        require move into an `if`/`then` rule (a closed struct also forbids them otherwise: see
        `_forbid_outside`); the property itself keeps only the annotations. Otherwise the property
        carries the type, and its requirement goes unchecked.
        """
        if conditional.clause != "if":
            return
        chain = (*outer, self._rooted(conditional.condition))
        text = " and ".join(render_expr(c) for c in chain)
        predicate = predicate_all(chain, scope)
        typed: Schema = {}
        needed: list[str] = []
        for item in conditional.body.fields:
            earlier = properties.get(item.label)
            if "ignore" in markers(item.comments) or (earlier is not None and "x-oam-condition" not in earlier):
                continue  # hidden, or also declared unconditionally: that declaration describes it
            prop, required, _ = self._property(item, closed)
            when = f"{earlier['x-oam-condition']} or {text}" if earlier else text
            notes = {k: v for k, v in prop.items() if k in _ANNOTATIONS}
            notes["description"] = (prop.get("description", "") + f" (only when {when})").strip()
            notes["x-oam-condition"] = when
            properties[item.label] = notes if predicate is not None else {**prop, **notes}
            typed[item.label] = {k: v for k, v in prop.items() if k not in _ANNOTATIONS}
            allowed.setdefault(item.label, []).append(predicate)
            if required:
                needed.append(item.label)
        for inner in conditional.body.conditionals:
            self._conditional(inner, closed, scope, properties, conditions, chain, allowed)
        if predicate is not None and typed:
            then: Schema = {"properties": typed}
            if needed:
                then["required"] = needed
            conditions.append({"if": predicate, "then": then})


def _hidden_labels(expr: StructLit) -> list[str]:
    """Labels of the `// +ignore` fields of a struct, also those under its `if` blocks."""
    found = [f.label for f in expr.fields if "ignore" in markers(f.comments)]
    for conditional in expr.conditionals:
        found += _hidden_labels(conditional.body)
    return list(dict.fromkeys(found))
