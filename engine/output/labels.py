"""Label, name, namespace and order the objects of a component, as KubeVela's dry-run does."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import contract
from ..model import Application, RenderedObject

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


def _finish(body: Any, oam_labels: dict[str, str], app: Application, namespace: str) -> dict[str, Any]:
    obj = copy.deepcopy(body) if isinstance(body, dict) else {}
    meta = obj.setdefault("metadata", {})
    labels, annotations = inherited(app)
    meta["labels"] = {**labels, **(meta.get("labels") or {}), **oam_labels}
    meta["annotations"] = {**annotations, **(meta.get("annotations") or {})}
    if obj.get("kind") not in CLUSTER_SCOPED and not meta.get("namespace"):
        meta["namespace"] = namespace
    return _header_first(obj)


def _header_first(obj: dict[str, Any]) -> dict[str, Any]:
    """apiVersion, kind, metadata, then the rest, as `kubectl` and `vela dry-run` print them."""
    head: dict[str, Any] = {k: obj[k] for k in ("apiVersion", "kind", "metadata") if k in obj}
    return {**head, **{k: v for k, v in obj.items() if k not in head}}


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
        workload.setdefault("metadata", {}).setdefault("name", comp.name)
        body = _finish(workload, labels, app, namespace)
        objects.append(RenderedObject(body, comp.name, None, None, environment))
    for extra in run.extras:
        labels = {**common, contract.LABEL_TRAIT_TYPE: extra.trait or contract.AUXILIARY_WORKLOAD,
                  contract.LABEL_TRAIT_RESOURCE: extra.name,
                  contract.LABEL_RESOURCE_TYPE: contract.RESOURCE_TYPE_TRAIT}
        body = _finish(extra.body, labels, app, namespace)
        objects.append(RenderedObject(body, comp.name, extra.trait, extra.name, environment))
    return objects
