"""Check objects of custom kinds against the openAPIV3Schema of their CustomResourceDefinitions."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from ..errors import AppError, Fixer, Location, Problem
from ..paths import Parts
from .objects import MISSING_FIELD, UNKNOWN_FIELD, WRONG_TYPE, Finding, describe
from .sources import read_objects

INVALID_VALUE = "k8s-invalid-value"
CRD_API_VERSION = "apiextensions.k8s.io/v1"
CRD_KIND = "CustomResourceDefinition"
PRESERVE = "x-kubernetes-preserve-unknown-fields"
INT_OR_STRING = "x-kubernetes-int-or-string"
EMBEDDED = "x-kubernetes-embedded-resource"
# Every object, custom or not, has these at its top (and so does an embedded resource).
_OBJECT_HEADER = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}}
_JSON_TYPES = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "a boolean",
               "object": "a mapping", "array": "a list", "null": "null"}


@dataclass(frozen=True)
class CustomKinds:
    """JSON Schema validators for custom kinds: (group, version, kind) -> validator."""

    validators: Mapping[tuple[str, str, str], jsonschema.protocols.Validator]

    def validator(self, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
        group, _, version = api_version.rpartition("/")
        return self.validators.get((group, version, kind))


def load_crds(paths: Iterable[str | Path]) -> CustomKinds:
    """The kinds the CustomResourceDefinitions in `paths` (files or folders) define.

    Documents of other kinds are skipped. Raises AppError for a CRD without a usable schema.
    """
    validators: dict[tuple[str, str, str], jsonschema.protocols.Validator] = {}
    for subject in read_objects(paths):
        body = subject.body
        if body.get("apiVersion") != CRD_API_VERSION or body.get("kind") != CRD_KIND:
            continue
        spec = body.get("spec") or {}
        group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
        for version in spec.get("versions") or []:
            schema = ((version or {}).get("schema") or {}).get("openAPIV3Schema")
            if not (group and kind and isinstance(schema, dict)):
                raise AppError([Problem("crd", f"CRD {subject.title}: a version without openAPIV3Schema",
                                        Fixer.APP, Location(file=subject.file, line=subject.line))])
            validators[(group, str(version.get("name")), kind)] = jsonschema.Draft4Validator(
                to_json_schema(schema, root=True))
    return CustomKinds(validators)


def to_json_schema(schema: Mapping[str, Any], root: bool = False) -> dict[str, Any]:
    """A JSON Schema that means what the structural schema means to the API server.

    Unknown fields are errors (the server prunes or rejects them) unless the node says
    `x-kubernetes-preserve-unknown-fields`; `x-kubernetes-int-or-string` takes an integer
    or a string; an `x-kubernetes-embedded-resource` (and the root) has apiVersion, kind
    and metadata; `nullable` allows null.
    """
    node = copy.deepcopy(dict(schema))
    for key in ("properties", "patternProperties"):
        if isinstance(node.get(key), dict):
            node[key] = {name: to_json_schema(sub) for name, sub in node[key].items()}
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(node.get(key), list):
            node[key] = [to_json_schema(sub) for sub in node[key]]
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            node[key] = to_json_schema(node[key])
    if root or node.get(EMBEDDED):
        node["properties"] = {**_OBJECT_HEADER, **node.get("properties", {})}
    if node.get(INT_OR_STRING):
        node["type"] = ["integer", "string"]
    if _closed(node):
        node["additionalProperties"] = False
    if node.get("nullable") and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
    return node


def _closed(node: Mapping[str, Any]) -> bool:
    is_object = node.get("type") == "object" or "properties" in node
    return is_object and not node.get(PRESERVE) and "additionalProperties" not in node


def check_custom(body: Mapping[str, Any], validator: jsonschema.protocols.Validator) -> list[Finding]:
    """Findings in one object of a custom kind, sorted by field path."""
    findings = [f for error in validator.iter_errors(body) for f in _findings(error)]
    return sorted(findings, key=lambda f: [str(p) for p in f.path])


def _findings(error: jsonschema.ValidationError) -> Iterator[Finding]:
    path: Parts = tuple(error.absolute_path)
    instance, schema = error.instance, error.schema
    if error.validator == "additionalProperties" and isinstance(instance, dict) and isinstance(schema, Mapping):
        known = set(schema.get("properties") or {})
        for key in instance:
            if key not in known:
                yield Finding(UNKNOWN_FIELD, (*path, key), "unknown field")
    elif error.validator == "required" and isinstance(instance, dict):
        for name in error.validator_value or ():  # type: ignore[union-attr]
            if name not in instance:
                yield Finding(MISSING_FIELD, (*path, name), "required field is missing")
    elif error.validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        expected = " or ".join(_JSON_TYPES.get(str(t), str(t)) for t in wanted)
        yield Finding(WRONG_TYPE, path, f"expected {expected}, found {describe(instance)}")
    else:
        yield Finding(INVALID_VALUE, path, error.message)
