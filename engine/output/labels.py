"""Label, name, namespace and order the objects of a component, as KubeVela's dry-run does."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import contract
from ..model import Application, RenderedObject
from ..names import yaml_type

if TYPE_CHECKING:
    from ..render.state import ComponentRun

# Kinds that live outside namespaces: they never get the app's namespace.
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService", "CSIDriver",
    "CSINode", "VolumeSnapshotClass", "ClusterIssuer", "PodSecurityPolicy",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
})


def _filter_keys(annotations: Mapping[str, str], key: str) -> set[str]:
    listed = annotations.get(key, "")
    return {k.strip() for k in listed.split(",") if k.strip()} | contract.NEVER_COPIED


def inherited(app: Application) -> tuple[dict[str, str], dict[str, str]]:
    """The app's labels and annotations that every object carries, filters applied."""
    drop_labels = _filter_keys(app.annotations, contract.ANNOTATION_FILTER_LABEL_KEYS)
    drop_annotations = _filter_keys(app.annotations, contract.ANNOTATION_FILTER_ANNOTATION_KEYS)
    labels = {k: v for k, v in app.labels.items() if k not in drop_labels}
    annotations = {k: v for k, v in app.annotations.items() if k not in drop_annotations}
    return labels, annotations


_NAMES = ("name", "namespace", "generateName")
_STRING_MAPS = ("labels", "annotations")


def shape_problems(body: Any) -> list[str]:
    """Why `body` cannot be printed as a Kubernetes object: `apiVersion` and `kind` strings,
    `metadata` a mapping whose names are strings and whose labels and annotations map strings
    to strings. Empty when it can (cue and the templates decide the rest)."""
    if not isinstance(body, Mapping):
        return [f"an object must be a mapping, not {yaml_type(body)}"]
    found = [f"{key} must be a string, not {yaml_type(body.get(key))}" for key in ("apiVersion", "kind")
             if not isinstance(body.get(key), str)]
    meta = body.get("metadata", {})
    if not isinstance(meta, Mapping):
        return [*found, f"metadata must be a mapping, not {yaml_type(meta)}"]
    found += [f"metadata.{key} must be a string, not {yaml_type(meta[key])}" for key in _NAMES
              if key in meta and not isinstance(meta[key], str)]
    for key in _STRING_MAPS:
        if meta.get(key) is not None and not contract.fits(contract.STRING_MAP, meta[key]):
            found.append(f"metadata.{key} must map names to strings")
    return found


def finish_object(body: Any, namespace: str, oam_labels: Mapping[str, str], app: Application | None = None, *,
                  name: str = "", replace_namespace: bool = False) -> dict[str, Any]:
    """A labelled, placed copy of `body`, its header keys first (apiVersion, kind, metadata, then
    the rest, as `kubectl` and `vela dry-run` print them); `body` is not changed.

    With `app`, the object also carries the app's inherited labels and annotations (components,
    legacy objects); without, only `oam_labels`, set after the namespace (policy objects, as
    KubeVela labels them). `name` is the name when the template gave none. The namespace is set
    where the template left none (KubeVela), or on every object when `replace_namespace` (the
    legacy runtime); cluster-scoped kinds never get one.
    """
    obj = copy.deepcopy(dict(body)) if isinstance(body, Mapping) else {}
    meta = obj["metadata"] = dict(obj["metadata"]) if isinstance(obj.get("metadata"), Mapping) else {}
    if name:
        meta.setdefault("name", name)
    if app is not None:
        labels, annotations = inherited(app)
        meta["labels"] = {**labels, **_map(meta.get("labels")), **oam_labels}
        meta["annotations"] = {**annotations, **_map(meta.get("annotations"))}
    if isinstance(obj.get("kind"), str) and obj["kind"] in CLUSTER_SCOPED:
        if replace_namespace:
            meta.pop("namespace", None)
    elif replace_namespace or not meta.get("namespace"):
        meta["namespace"] = namespace
    if app is None:
        meta["labels"] = {**_map(meta.get("labels")), **oam_labels}
    head: dict[str, Any] = {k: obj[k] for k in ("apiVersion", "kind", "metadata") if k in obj}
    return {**head, **{k: v for k, v in obj.items() if k not in head}}


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def component_objects(app: Application, run: ComponentRun, namespace: str,
                      environment: str = "") -> list[RenderedObject]:
    """The workload first, then extra objects in the order they were produced."""
    comp = run.resolved.component
    common = {
        contract.LABEL_APP_NAME: app.name,
        contract.LABEL_COMPONENT: comp.name,
        contract.LABEL_APP_REVISION: "",
        contract.LABEL_NAMESPACE: namespace,
    }
    objects = []
    if isinstance(run.workload, dict):
        labels = {**common, contract.LABEL_WORKLOAD_TYPE: comp.type.split("@")[0],
                  contract.LABEL_RESOURCE_TYPE: contract.RESOURCE_TYPE_WORKLOAD}
        workload = copy.deepcopy(run.workload)
        if isinstance(workload.setdefault("metadata", {}), dict):
            workload["metadata"].setdefault("name", comp.name)
        body = finish_object(workload, namespace, labels, app)
        objects.append(RenderedObject(body, comp.name, None, None, environment))
    for extra in run.extras:
        labels = {**common, contract.LABEL_TRAIT_TYPE: extra.trait or contract.AUXILIARY_WORKLOAD,
                  contract.LABEL_TRAIT_RESOURCE: extra.name,
                  contract.LABEL_RESOURCE_TYPE: contract.RESOURCE_TYPE_TRAIT}
        body = finish_object(extra.body, namespace, labels, app)
        objects.append(RenderedObject(body, comp.name, extra.trait, extra.name, environment))
    return objects
