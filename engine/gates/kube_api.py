"""What the `kubernetes` client knows: served kinds and each model's fields, read lazily."""

from __future__ import annotations

import functools
import inspect
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

# A model's class name is `[Group]V<n>[alpha<n>|beta<n>]Kind`: CoreV1Event, V2HorizontalPodAutoscaler.
_VERSION_PREFIX = re.compile(r"^(?:[A-Z][a-z]+)*?V\d+(?:alpha\d+|beta\d+)?(?=[A-Z])")
_API_PATH = re.compile(r"""['"](/apis?/[^'"]+)['"]""")
_BODY_TYPE = re.compile(r"body: (\w+)|:param (\w+) body:|:type body: (\w+)")
_REQUIRED_SETTER = re.compile(r"must not be `None`")

# The client types resource.Quantity as a string, but the API server reads numbers too
# (`cpu: 1`), as its OpenAPI v3 document says (string or number): (model, field) pairs.
QUANTITY_FIELDS = frozenset({
    ("V1ResourceRequirements", "limits"), ("V1ResourceRequirements", "requests"),
    ("V1VolumeResourceRequirements", "limits"), ("V1VolumeResourceRequirements", "requests"),
    ("V1EmptyDirVolumeSource", "size_limit"), ("V1ResourceQuotaSpec", "hard"),
    ("V1LimitRangeItem", "default"), ("V1LimitRangeItem", "default_request"),
    ("V1LimitRangeItem", "max"), ("V1LimitRangeItem", "min"),
    ("V1LimitRangeItem", "max_limit_request_ratio"), ("V1PersistentVolumeSpec", "capacity"),
    ("V1Overhead", "pod_fixed"), ("V1PodSpec", "overhead"),
})


@dataclass(frozen=True)
class FieldSpec:
    """One field of a model: its JSON name, the client's type string and what else it allows."""

    json_name: str
    attribute: str
    type_name: str  # 'str', 'int', 'List[V1Container]', 'Dict[str, str]', 'V1ObjectMeta', 'object'
    required: bool
    int_or_string: bool  # an `object` field that holds an int or a string (IntOrString)
    quantity: bool  # a string (or map of strings) that may also be a number


@functools.cache
def client() -> ModuleType:
    """`kubernetes.client`, imported on first use: it takes a noticeable time to import."""
    import kubernetes.client

    return kubernetes.client


@functools.cache
def api_release() -> str:
    """The Kubernetes release whose API the client describes, e.g. `1.37` ("" if unknown)."""
    report = client().Configuration().to_debug_report()
    match = re.search(r"release-(\d+\.\d+)", report)
    return match[1] if match else ""


def model(name: str) -> type | None:
    """The model class called `name`, or None."""
    found = getattr(client(), name, None)
    return found if isinstance(found, type) and hasattr(found, "openapi_types") else None


@functools.cache
def fields(model_name: str) -> dict[str, FieldSpec]:
    """The fields of a model by JSON name."""
    cls = model(model_name)
    if cls is None:
        return {}
    specs = {}
    attribute_map: dict[str, str] = getattr(cls, "attribute_map", {})
    for attribute, type_name in getattr(cls, "openapi_types", {}).items():
        json_name = attribute_map[attribute]
        specs[json_name] = FieldSpec(json_name, attribute, type_name, _required(cls, attribute),
                                     type_name == "object" and _int_or_string(cls, attribute),
                                     (model_name, attribute) in QUANTITY_FIELDS)
    return specs


def _model_field(cls: type, attribute: str) -> Any:
    """The pydantic field of `attribute` (clients since 35); names like `_exec` become `var_exec`."""
    model_fields = getattr(cls, "model_fields", None) or {}
    return model_fields.get(attribute) or model_fields.get("var_" + attribute.lstrip("_"))


def _required(cls: type, attribute: str) -> bool:
    if getattr(cls, "model_fields", None) is not None:
        found = _model_field(cls, attribute)
        return found is not None and bool(found.is_required())
    # Older clients: the setter of a required field rejects None.
    setter = getattr(getattr(cls, attribute, None), "fset", None)
    return setter is not None and bool(_REQUIRED_SETTER.search(inspect.getsource(setter)))


def _int_or_string(cls: type, attribute: str) -> bool:
    if getattr(cls, "model_fields", None) is None:
        return attribute in {"port", "target_port", "max_surge", "max_unavailable", "min_available"}
    found = _model_field(cls, attribute)
    leaves = _leaf_types(found.annotation) if found is not None else set()
    return int in leaves and str in leaves


def _leaf_types(annotation: Any) -> set[Any]:
    args = typing.get_args(annotation)
    if not args:
        return {annotation}
    if typing.get_origin(annotation) is typing.Annotated:
        return _leaf_types(args[0])
    return set().union(*(_leaf_types(arg) for arg in args))


@dataclass(frozen=True)
class Served:
    """The kinds the client's API serves: (group, version, kind) -> model name."""

    kinds: dict[tuple[str, str, str], str]

    def groups(self) -> set[str]:
        return {group for group, _, _ in self.kinds}

    def versions_of(self, group: str, kind: str) -> list[str]:
        return sorted(v for g, v, k in self.kinds if g == group and k == kind)


@functools.cache
def served() -> Served:
    """Every kind one can create through the client's API classes, by group and version."""
    api_dir = Path(inspect.getfile(client())).parent / "api"
    kinds: dict[tuple[str, str, str], str] = {}
    for module in sorted(api_dir.glob("*_v*_api.py")):
        for path, body in _create_endpoints(module.read_text(encoding="utf-8")):
            group_version = _group_version(path)
            kind = kind_of(body)
            if group_version and kind and model(body) is not None:
                kinds.setdefault((*group_version, kind), body)
    return Served(kinds)


def kind_of(model_name: str) -> str:
    """`V1Deployment` -> `Deployment`, `CoreV1Event` -> `Event`."""
    match = _VERSION_PREFIX.match(model_name)
    return model_name[match.end():] if match else ""


def _create_endpoints(source: str) -> list[tuple[str, str]]:
    """(resource path, body model) of each `create_*` method of one API module.

    Subresources (`pods/{name}/eviction`) are left out: their body is another kind.
    """
    chunks = dict(_methods(source))
    found = []
    for name, text in chunks.items():
        if not name.startswith("create_") or name.endswith(("_with_http_info", "_without_preload_content")):
            continue
        body = _BODY_TYPE.search(text)
        where = _API_PATH.search(chunks.get(f"_{name}_serialize", "") or chunks.get(f"{name}_with_http_info", ""))
        if body and where and "{name}" not in where[1]:
            found.append((where[1], next(g for g in body.groups() if g)))
    return found


def _methods(source: str) -> list[tuple[str, str]]:
    pieces = re.split(r"\n    def (\w+)\(", source)
    return list(zip(pieces[1::2], pieces[2::2], strict=True))


def _group_version(path: str) -> tuple[str, str] | None:
    parts = path.strip("/").split("/")
    if parts[0] == "api" and len(parts) > 1:
        return "", parts[1]
    if parts[0] == "apis" and len(parts) > 2:
        return parts[1], parts[2]
    return None


def split_api_version(api_version: str) -> tuple[str, str]:
    """`apps/v1` -> (`apps`, `v1`); `v1` -> (``, `v1`)."""
    group, _, version = api_version.rpartition("/")
    return group, version


# The release that stopped serving each retired group/version (the Kubernetes deprecation
# guide): objects of these are right for an older cluster, so a check for one is told so.
REMOVED_IN: dict[tuple[str, str], tuple[int, int]] = {
    ("extensions", "v1beta1"): (1, 22), ("apps", "v1beta1"): (1, 16), ("apps", "v1beta2"): (1, 16),
    ("networking.k8s.io", "v1beta1"): (1, 22), ("admissionregistration.k8s.io", "v1beta1"): (1, 22),
    ("apiextensions.k8s.io", "v1beta1"): (1, 22), ("apiregistration.k8s.io", "v1beta1"): (1, 22),
    ("authentication.k8s.io", "v1beta1"): (1, 22), ("authorization.k8s.io", "v1beta1"): (1, 22),
    ("certificates.k8s.io", "v1beta1"): (1, 22), ("coordination.k8s.io", "v1beta1"): (1, 22),
    ("rbac.authorization.k8s.io", "v1beta1"): (1, 22), ("scheduling.k8s.io", "v1beta1"): (1, 22),
    ("storage.k8s.io", "v1beta1"): (1, 22), ("batch", "v1beta1"): (1, 25),
    ("discovery.k8s.io", "v1beta1"): (1, 25), ("events.k8s.io", "v1beta1"): (1, 25),
    ("autoscaling", "v2beta1"): (1, 25), ("policy", "v1beta1"): (1, 25), ("node.k8s.io", "v1beta1"): (1, 25),
    ("autoscaling", "v2beta2"): (1, 26), ("flowcontrol.apiserver.k8s.io", "v1beta1"): (1, 26),
    ("flowcontrol.apiserver.k8s.io", "v1beta2"): (1, 29), ("flowcontrol.apiserver.k8s.io", "v1beta3"): (1, 32),
}
