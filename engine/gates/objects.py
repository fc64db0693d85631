"""Check objects of built-in kinds against the API types the `kubernetes` client describes."""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..contract import DEFAULT_CLUSTER_VERSION
from ..errors import Problem
from ..paths import Parts
from ..suggest import did_you_mean
from . import kube_api
from .subjects import Subject

UNKNOWN_FIELD = "k8s-unknown-field"
WRONG_TYPE = "k8s-wrong-type"
MISSING_FIELD = "k8s-missing-field"
UNKNOWN_KIND = "k8s-unknown-kind"

_LIST = re.compile(r"^(?:List\[(.+)\]|list\[(.+)\])$")
_DICT = re.compile(r"^(?:Dict\[str, (.+)\]|dict\(str, (.+)\))$")

# What a JSON value is called in messages.
_JSON_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
               list: "a list", dict: "a mapping", type(None): "null"}


@dataclass(frozen=True)
class Finding:
    """One thing wrong inside an object: a code, the field path and what is wrong."""

    code: str
    path: Parts
    message: str


def check_body(body: Mapping[str, Any], cluster_version: tuple[int, int] = DEFAULT_CLUSTER_VERSION,
               ) -> tuple[list[Finding], str | None]:
    """Findings in one body of a built-in kind, and a note when the client does not know its kind.

    Returns ([], note) for kinds outside the built-in groups (those need a CRD to be checked),
    and for retired group versions that `cluster_version` still serves.
    """
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
        missing = [name for name in ("apiVersion", "kind") if not isinstance(body.get(name), str)
                   or not body.get(name)]
        return [Finding(MISSING_FIELD, (name,), "required field is missing") for name in missing], None
    group, version = kube_api.split_api_version(api_version)
    served = kube_api.served()
    model_name = served.kinds.get((group, version, kind))
    if model_name is not None:
        return list(_check_model(body, model_name, ())), None
    removed = kube_api.REMOVED_IN.get((group, version))
    if removed is not None and cluster_version < removed:
        served_by = ".".join(map(str, cluster_version))
        return [], f"{kind} of {api_version}: served by Kubernetes {served_by}, not checked"
    if group in served.groups():
        return [_unknown_kind(api_version, kind)], None
    return [], f"{kind} of {api_version}: not a built-in kind, not checked"


def _unknown_kind(api_version: str, kind: str) -> Finding:
    group, _ = kube_api.split_api_version(api_version)
    versions = kube_api.served().versions_of(group, kind)
    release = kube_api.api_release() or "this"
    if versions:
        # Prefer the stable version: v1 over v1beta1, and the highest of those.
        best = max(versions, key=_version_rank)
        use = f"{group}/{best}" if group else best
        message = f"{api_version} {kind} is not served by Kubernetes {release}; use {use}"
    else:
        message = f"{api_version} has no kind {kind} in Kubernetes {release}"
    return Finding(UNKNOWN_KIND, ("apiVersion",), message)


def _version_rank(version: str) -> tuple[int, int, int]:
    match = re.match(r"v(\d+)(?:(alpha|beta)(\d+))?$", version)
    if not match:
        return (0, 0, 0)
    stability = {"alpha": 0, "beta": 1, None: 2}[match[2]]
    return (stability, int(match[1]), int(match[3] or 0))


def _check_model(value: Any, model_name: str, path: Parts) -> Iterator[Finding]:
    if not isinstance(value, Mapping):
        yield Finding(WRONG_TYPE, path, f"expected a mapping ({kube_api.kind_of(model_name) or model_name}), "
                                        f"found {describe(value)}")
        return
    specs = kube_api.fields(model_name)
    for key, item in value.items():
        spec = specs.get(str(key))
        if spec is None:
            yield Finding(UNKNOWN_FIELD, (*path, str(key)), _unknown_field_message(str(key), specs))
        elif item is not None:
            yield from _check_field(item, spec, (*path, str(key)))
    for spec in specs.values():
        if spec.required and value.get(spec.json_name) is None:
            yield Finding(MISSING_FIELD, (*path, spec.json_name), "required field is missing")


def _unknown_field_message(key: str, specs: Mapping[str, kube_api.FieldSpec]) -> str:
    return f"unknown field{did_you_mean(key, specs, most=1, form=' (did you mean {}?)')}"


def _check_field(value: Any, spec: kube_api.FieldSpec, path: Parts) -> Iterator[Finding]:
    if spec.int_or_string:
        if not _is_int(value) and not isinstance(value, str):
            yield Finding(WRONG_TYPE, path, f"expected an integer or a string, found {describe(value)}")
        return
    yield from _check_type(value, spec.type_name, path, spec.quantity)


def _check_type(value: Any, type_name: str, path: Parts, quantity: bool = False) -> Iterator[Finding]:
    """Findings for `value` against a client type string (`List[V1Container]`, `Dict[str, str]`, ...)."""
    container = _LIST.match(type_name) or _DICT.match(type_name)
    if container is not None:
        yield from _check_container(value, container, path, quantity)
    elif kube_api.model(type_name) is not None:
        yield from _check_model(value, type_name, path)
    else:
        expected = _scalar_mismatch(value, type_name, quantity)
        if expected:
            yield Finding(WRONG_TYPE, path, f"expected {expected}, found {describe(value)}")


def _check_container(value: Any, match: re.Match[str], path: Parts, quantity: bool) -> Iterator[Finding]:
    item_type = match[1] or match[2]
    is_list = match.re is _LIST
    if is_list and not isinstance(value, list):
        yield Finding(WRONG_TYPE, path, f"expected a list, found {describe(value)}")
        return
    if not is_list and not isinstance(value, Mapping):
        yield Finding(WRONG_TYPE, path, f"expected a mapping, found {describe(value)}")
        return
    items: Iterable[tuple[str | int, Any]] = enumerate(value) if is_list else value.items()
    for key, item in items:
        if item is not None:
            yield from _check_type(item, item_type, (*path, key), quantity)


def _scalar_mismatch(value: Any, type_name: str, quantity: bool) -> str:
    """What was expected, or "" when `value` fits the scalar type `type_name`."""
    if type_name == "str":
        ok = isinstance(value, str) or (quantity and (_is_int(value) or isinstance(value, float)))
        return "" if ok else ("a string or a number (a quantity)" if quantity else "a string")
    if type_name == "int":
        return "" if _is_int(value) else "an integer"
    if type_name == "float":
        return "" if _is_int(value) or isinstance(value, float) else "a number"
    if type_name == "bool":
        return "" if isinstance(value, bool) else "a boolean"
    if type_name in ("datetime", "date"):
        return "" if isinstance(value, (str, datetime.date)) else "a timestamp string"
    if type_name == "bytes":
        return "" if isinstance(value, str) and _is_base64(value) else "a base64 string"
    return ""  # `object` and anything else the client leaves open


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def describe(value: Any) -> str:
    name = _JSON_NAMES.get(type(value), type(value).__name__)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        return f"{name} ({shown})"
    return name


def check_subjects(subjects: Iterable[Subject], cluster_version: tuple[int, int] = DEFAULT_CLUSTER_VERSION,
                   ) -> tuple[list[Problem], list[str]]:
    """Problems in every subject of a built-in kind, and notes for kinds not checked."""
    problems: list[Problem] = []
    notes: list[str] = []
    for subject in subjects:
        findings, note = check_body(subject.body, cluster_version)
        problems += [subject.problem(f.code, f.path, f.message) for f in findings]
        if note:
            notes.append(f"{subject.title}: {note}")
    return problems, notes
