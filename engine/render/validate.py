"""Validate component and trait properties against their schemas before cue sees them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from .. import contract
from ..cue.runner import Cue
from ..definitions import DefinitionLoader, strip_version
from ..errors import Problem, app_problem
from ..model import JSON, Application, Definition, Policy
from ..paths import app_text
from ..schema.dialect import DRAFT_2020_12, Schema
from ..schema.export import canonical_schemas, finish
from ..schema.store import StoredSchemas, digest
from .resolve import ResolvedComponent
from .unknown_keys import CODE as UNKNOWN
from .unknown_keys import unknown_keys

CODE = "schema"
_BOUND_WORDS = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}


def schemas_for(definitions: Iterable[Definition], cue: Cue,
                stored: StoredSchemas | None = None) -> dict[tuple[str, str, str], Schema]:
    """A 2020-12 schema per definition (by kind, name, digest): the checked-in one when the
    definition is the bundled one it was made from, else from one `cue def` run for all the
    others. Definitions cue cannot export are left out: evaluation reports their errors."""
    store = stored or StoredSchemas()
    found: dict[tuple[str, str, str], Schema] = {}
    missing: dict[tuple[str, str, str], Definition] = {}
    for definition in definitions:
        key = (definition.kind, definition.name, digest(definition))
        if key in found or key in missing:
            continue
        schema = store.get(definition)
        if schema is None:
            missing[key] = definition
        else:
            found[key] = schema
    if missing:
        pending = list(missing.values())
        exported, _ = canonical_schemas(pending, cue)
        for position, canonical in exported.items():
            definition = pending[position]
            found[(definition.kind, definition.name, digest(definition))] = finish(definition, canonical,
                                                                                  DRAFT_2020_12)
    return found


Checked = tuple[list[ResolvedComponent], list[Problem], list[Problem]]


def validate_apps(apps: Sequence[tuple[Application, Sequence[ResolvedComponent]]], cue: Cue,
                  stored: StoredSchemas | None = None, *, strict: bool = False,
                  loader: DefinitionLoader | None = None) -> list[Checked]:
    """For each (app, its resolved components): the components whose properties, and their
    traits' properties, fit their schemas, a problem for every violation in the others
    (which are not to be sent to cue), and a warning for every property key a parameter does
    not declare (a problem instead when `strict`). With a `loader`, the app's policies' keys
    are checked too. At most one cue process for all apps together."""
    policies = [_policy_definitions(app, loader) for app, _ in apps] if loader else [[] for _ in apps]
    everything = [d for _, resolved in apps for r in resolved for d in (r.definition, *r.traits)]
    everything += [d for found in policies for _, d in found]
    schemas = schemas_for(everything, cue, stored)
    checked = []
    for (app, resolved), found in zip(apps, policies, strict=True):
        valid, problems = _validate(app, resolved, schemas)
        unknown = _unknown_keys(app, resolved, found, schemas)
        checked.append((valid, problems + unknown, []) if strict else (valid, problems, unknown))
    return checked


def _policy_definitions(app: Application, loader: DefinitionLoader) -> list[tuple[Policy, Definition]]:
    found = [(p, loader.get(contract.KIND_POLICY, strip_version(p.type))) for p in app.policies]
    return [(p, d) for p, d in found if d is not None]


def _unknown_keys(app: Application, resolved: Sequence[ResolvedComponent],
                  policies: Sequence[tuple[Policy, Definition]],
                  schemas: Mapping[tuple[str, str, str], Schema]) -> list[Problem]:
    """A problem for every undeclared property key of the app's components, traits and policies."""
    owners: list[tuple[Definition, Mapping[str, JSON], str]] = []
    for item in resolved:
        owners.append((item.definition, item.component.properties, f"{item.component.path}.properties"))
        owners += [(d, t.properties, f"{t.path}.properties")
                   for t, d in zip(item.component.traits, item.traits, strict=True)]
    owners += [(d, p.properties, f"{p.path}.properties") for p, d in policies]
    problems = []
    for definition, properties, base in owners:
        schema = schemas.get((definition.kind, definition.name, digest(definition)))
        for path, message in unknown_keys(schema, dict(properties)) if schema else ():
            where = app_text(path, base)
            problems.append(app_problem(UNKNOWN, message, where, definition=definition.name,
                                        definition_kind=definition.kind, file=app.source,
                                        line=_line(app, _as_recorded(base, path, properties))))
    return problems


def _as_recorded(base: str, path: Sequence[Any], properties: Mapping[str, JSON]) -> str:
    """The path as the app's line map spells it: list items by their name (or type) if they have one."""
    text, node = base, cast(Any, properties)
    for step in path:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            item = node[step]
            names = [item.get(k) for k in ("name", "type")] if isinstance(item, dict) else []
            text += f"[{next((n for n in names if isinstance(n, str)), step)}]"
            node = item
        else:
            text += f".{step}"
            node = node.get(step) if isinstance(node, Mapping) else None
    return text


def _validate(app: Application, resolved: Sequence[ResolvedComponent],
              schemas: Mapping[tuple[str, str, str], Schema]) -> tuple[list[ResolvedComponent], list[Problem]]:
    valid: list[ResolvedComponent] = []
    problems: list[Problem] = []
    for item in resolved:
        comp = item.component
        found = check(app, item.definition, schemas, comp.properties, f"{comp.path}.properties")
        for trait, definition in zip(comp.traits, item.traits, strict=True):
            found += check(app, definition, schemas, trait.properties, f"{trait.path}.properties")
        if found:
            problems += found
        else:
            valid.append(item)
    return valid, problems


def check(app: Application, definition: Definition, schemas: Mapping[tuple[str, str, str], Schema],
          properties: Mapping[str, JSON], base: str) -> list[Problem]:
    """Every violation of `properties` against the definition's schema (none without a schema)."""
    schema = schemas.get((definition.kind, definition.name, digest(definition)))
    if schema is None:
        return []
    validator = jsonschema.Draft202012Validator(schema)
    problems: list[Problem] = []
    for error in validator.iter_errors(dict(properties)):
        # A missing required parameter is named as such, whoever finds it (this or cue).
        code = "missing-parameter" if error.validator == "required" else CODE
        for path, message in describe(error, schema):
            problem = app_problem(code, message, app_text(path, base), definition=definition.name,
                                  definition_kind=definition.kind, file=app.source,
                                  line=_line(app, app_text(path, base)))
            declared = declaration(definition, path)
            problems.append(replace(problem, related=(declared,)) if declared else problem)
    return problems


def declaration(definition: Definition, path: Sequence[Any]) -> str:
    """`file:line` where the template declares the parameter at `path` (its last named step),
    searched below `parameter:`; "" when it cannot be told."""
    names = [p for p in path if isinstance(p, str)]
    start = re.search(rf"^\s*{contract.PARAMETER}\s*:", definition.template, re.MULTILINE)
    if not names or start is None or not definition.source:
        return ""
    label = re.escape(names[-1])
    field = re.compile(rf"^\s*(?:{label}|\"{label}\")[?!]?\s*:", re.MULTILINE)
    found = field.search(definition.template, start.start())
    if found is None:
        return ""
    return f"{definition.source}:{definition.position(definition.template.count(chr(10), 0, found.start()) + 1)}"


def _line(app: Application, path: str) -> int | None:
    while path:
        if path in app.lines:
            return app.lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def describe(error: ValidationError, root: Schema) -> list[tuple[list[Any], str]]:
    """(instance path, message naming the rule broken) for one jsonschema error."""
    path = list(error.absolute_path)
    rule, value, instance = error.validator, error.validator_value, error.instance
    if rule == "required" and isinstance(instance, dict):
        when = _condition(root, list(error.absolute_schema_path))
        suffix = f" (when {when})" if when else ""
        names = value if isinstance(value, list) else []
        return [([*path, name], f"required parameter is missing{suffix}") for name in names if name not in instance]
    if rule == "additionalProperties" and isinstance(instance, dict):
        owner = error.schema if isinstance(error.schema, dict) else {}
        allowed = owner.get("properties", {})
        patterns = list(owner.get("patternProperties", {}))
        extra = [k for k in instance if k not in allowed and not _matches_any(patterns, k)]
        known = ", ".join(allowed) or "none"
        return [([*path, k], f"is not an allowed property (allowed: {known})") for k in extra]
    if rule in ("oneOf", "anyOf") and error.context:
        best = best_match(error.context)
        forms = len(value) if isinstance(value, list) else 0
        return [(p, f"{m} (in the closest of {forms} allowed forms)") for p, m in describe(best, root)]
    return [(path, _message(rule, value, instance))]


def _matches_any(patterns: list[str], key: str) -> bool:
    return any(re.search(p, key) for p in patterns)


def _message(rule: Any, value: Any, instance: Any) -> str:
    if rule == "enum":
        return f"must be one of {json.dumps(value)}"
    if rule == "const":
        return f"must be {json.dumps(value)}"
    if rule == "type":
        wanted = " or ".join(value) if isinstance(value, list) else str(value)
        return f"must be of type {wanted}, not {json.dumps(instance)}"
    if rule in _BOUND_WORDS:
        return f"must be {_BOUND_WORDS[rule]} {value}"
    if rule in ("minLength", "maxLength"):
        return f"must be at {'least' if rule == 'minLength' else 'most'} {value} characters long"
    if rule in ("minItems", "maxItems"):
        return f"must have at {'least' if rule == 'minItems' else 'most'} {value} items"
    if rule == "pattern":
        return f"must match the pattern {json.dumps(value)}"
    if rule == "uniqueItems":
        return "must not contain duplicate items"
    if rule == "not" and isinstance(value, dict) and "const" in value:
        return f"must not be {json.dumps(value['const'])}"
    if rule == "oneOf":
        return "matches more than one of the allowed forms; set the fields of only one"
    if rule in (None, False, "false", "items", "prefixItems"):
        return "is not allowed here"
    return f"breaks the schema rule {rule}: {json.dumps(value)[:80]}"


def _condition(root: Schema, schema_path: list[Any]) -> str:
    """For a `then: {required}` error, the condition the required field is declared under."""
    if len(schema_path) < 4 or schema_path[-2] != "then":
        return ""
    node: Any = root
    for key in schema_path[:-4]:
        node = _step(root, node, key)
    rule = _step(root, node, "allOf")
    rule = rule[schema_path[-3]] if isinstance(rule, list) and isinstance(schema_path[-3], int) else {}
    needed = (rule.get("then") or {}).get("required") or []
    props = node.get("properties", {}) if isinstance(node, dict) else {}
    texts = [props.get(n, {}).get("x-oam-condition", "") for n in needed]
    return next((t for t in texts if t), "")


def _step(root: Schema, node: Any, key: Any) -> Any:
    if isinstance(node, dict) and key == "$ref":
        return root.get("$defs", {}).get(str(node.get("$ref", "")).rpartition("/")[2], {})
    if isinstance(node, dict):
        return node.get(key, {})
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return {}
