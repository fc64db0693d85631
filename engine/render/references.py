"""Objects an app refers to (ref-objects, service-binding), found among the documents given next to it."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..definitions import strip_version
from ..documents import Document, read_documents
from ..errors import Problem, app_problem
from ..model import JSON, Application, Component, resource_type
from .overrides import entry_label

REF_OBJECTS = "ref-objects"
SERVICE_BINDING = "service-binding"
_SUFFIXES = (".yaml", ".yml", ".json")
# What KubeVela clears from a referred object before dispatching it again.
_CLEARED_METADATA = ("resourceVersion", "generation", "ownerReferences", "deletionTimestamp",
                     "managedFields", "uid", "creationTimestamp")


def load_objects(paths: Iterable[str | Path]) -> list[Document]:
    """The documents of the YAML/JSON files given, folders searched recursively (sorted by path).

    Raises AppError for a file that cannot be read or parsed."""
    documents: list[Document] = []
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file()) if path.is_dir() else [path]
        for file in files:
            documents += read_documents(file)
    return documents


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def _metadata(body: Mapping[str, JSON]) -> Mapping[str, JSON]:
    meta = body.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _same_type(selector: Mapping[str, JSON], body: Mapping[str, JSON]) -> bool:
    """KubeVela's type match: `resource` (singular or plural) in `group` (the core group when
    left out), else the legacy `apiVersion` and `kind`."""
    api_version, kind = str(body.get("apiVersion", "")), str(body.get("kind", ""))
    resource = str(selector.get("resource") or "").lower()
    if resource:
        plural = resource_type(api_version, kind).split(".")[0]
        return resource in (kind.lower(), plural) and _group(api_version) == str(selector.get("group") or "")
    return api_version == selector.get("apiVersion") and kind == selector.get("kind")


def _in_namespace(body: Mapping[str, JSON], namespace: str) -> bool:
    # A document without a namespace is taken to be wherever it is asked for, as `kubectl apply`.
    found = _metadata(body).get("namespace")
    return not found or found == namespace


def _labelled(body: Mapping[str, JSON], wanted: Mapping[str, JSON]) -> bool:
    labels = _metadata(body).get("labels") or {}
    return isinstance(labels, dict) and all(labels.get(k) == v for k, v in wanted.items())


def _describe(selector: Mapping[str, JSON], name: str, namespace: str) -> str:
    what = selector.get("resource") or selector.get("kind") or "?"
    group = selector.get("group") or _group(str(selector.get("apiVersion") or ""))
    kind = f"{what}.{group}" if group else str(what)
    if selector.get("labelSelector"):
        labels = ",".join(f"{k}={v}" for k, v in dict(selector["labelSelector"]).items())
        return f"{kind} with labels {labels} in namespace {namespace}"
    return f"{kind} {namespace}/{name}"


def cleared(body: Mapping[str, JSON]) -> dict[str, JSON]:
    """A copy of a referred object without what its cluster wrote (status, uid, versions...)."""
    found = copy.deepcopy(dict(body))
    found.pop("status", None)
    meta = found.get("metadata")
    if isinstance(meta, dict):
        for key in _CLEARED_METADATA:
            meta.pop(key, None)
    spec: dict[str, JSON] = found["spec"] if isinstance(found.get("spec"), dict) else {}
    service = found.get("apiVersion") == "v1" and found.get("kind") == "Service"
    if service and "clusterIP" in spec and spec["clusterIP"] != "None":
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
    return found


def select(selector: Mapping[str, JSON], component: str, namespace: str,
           documents: Sequence[Document]) -> tuple[list[dict[str, JSON]], str | None]:
    """The objects one ref-objects selector picks, cleared; or an error message."""
    labels = selector.get("labelSelector")
    if labels and selector.get("name"):
        return [], "name and labelSelector cannot be both set"
    if not selector.get("resource") and not (selector.get("apiVersion") and selector.get("kind")):
        return [], "neither resource nor apiVersion and kind are set"
    ns = str(selector.get("namespace") or namespace)
    name = str(selector.get("name") or component)
    bodies = [d.data for d in documents if isinstance(d.data, dict)]
    typed = [b for b in bodies if _same_type(selector, b) and _in_namespace(b, ns)]
    if isinstance(labels, dict) and labels:
        found = [b for b in typed if _labelled(b, labels)]
    else:
        found = [b for b in typed if _metadata(b).get("name") == name][:1]
    if not found:
        return [], (f"no referenced object matches {_describe(selector, name, ns)}{_group_hint(selector, bodies)};"
                    " give it in a document next to the app (-f) or in a folder of objects (--objects)")
    return [cleared(b) for b in found], None


def _group_hint(selector: Mapping[str, JSON], bodies: Sequence[Mapping[str, JSON]]) -> str:
    """Since KubeVela 1.10 a resource outside the core group needs its group: say which one."""
    if not selector.get("resource"):
        return ""
    groups = sorted({_group(str(b.get("apiVersion", ""))) for b in bodies
                     if _same_type({**selector, "group": _group(str(b.get("apiVersion", "")))}, b)}
                    - {str(selector.get("group") or "")})
    return f" (there are such objects in group {', '.join(groups)}: set group)" if groups else ""


def _ref_objects(comp: Component, namespace: str, documents: Sequence[Document],
                 app: Application) -> tuple[Component, list[Problem]]:
    selectors = comp.properties.get("objects")
    if not isinstance(selectors, list):
        return comp, []  # the parameter check reports the shape
    objects: list[JSON] = []
    problems = []
    for index, selector in enumerate(selectors):
        if not isinstance(selector, dict):
            return comp, []
        found, error = select(selector, comp.name, namespace, documents)
        path = f"{comp.path}.properties.objects[{entry_label(selector, index)}]"
        if error:
            problems.append(app_problem("missing-object", error, path, definition=REF_OBJECTS,
                                        file=app.source, line=app.lines.get(path)))
        objects += found
    properties = dict(comp.properties, objects=objects)
    return dataclasses.replace(comp, properties=properties), problems


def _binding_problems(comp: Component, namespace: str, documents: Sequence[Document],
                      app: Application) -> list[Problem]:
    """Every env var a service-binding trait takes from a Secret: the Secret must be given, with the key."""
    problems = []
    for trait in comp.traits:
        mappings = trait.properties.get("envMappings") if strip_version(trait.type) == SERVICE_BINDING else None
        if not isinstance(mappings, dict):
            continue
        for env, ref in mappings.items():
            if not isinstance(ref, dict) or not isinstance(ref.get("secret"), str):
                continue  # the parameter check reports the shape
            problem = _secret_key_problem(ref["secret"], str(ref.get("key") or env), namespace, documents)
            if problem:
                path = f"{trait.path}.properties.envMappings.{env}"
                problems.append(app_problem("missing-object", problem, path, definition=SERVICE_BINDING,
                                            file=app.source, line=app.lines.get(path)))
    return problems


def _secret_key_problem(name: str, key: str, namespace: str, documents: Sequence[Document]) -> str | None:
    found, error = select({"resource": "secret", "name": name}, name, namespace, documents)
    if error:
        return error
    secret = found[0]
    keys = {*(secret.get("data") or {}), *(secret.get("stringData") or {})}
    if key not in keys:
        return f"secret {namespace}/{name} has no key {key!r} (keys: {', '.join(sorted(keys)) or 'none'})"
    return None


def with_references(app: Application, documents: Sequence[Document]) -> tuple[Application, list[Problem]]:
    """The app with each ref-objects component's selectors replaced by the objects they pick, and
    the problems of selectors and service bindings that find nothing among `documents`."""
    components: list[Component] = []
    problems: list[Problem] = []
    for comp in app.components:
        if strip_version(comp.type) == REF_OBJECTS:
            comp, found = _ref_objects(comp, app.namespace, documents, app)
            problems += found
            if found:
                continue  # rendering what was found would only add errors of the missing ones
        problems += _binding_problems(comp, app.namespace, documents, app)
        components.append(comp)
    return dataclasses.replace(app, components=tuple(components)), problems


