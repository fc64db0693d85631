"""Render the legacy OAM model (v1alpha2 Components and an ApplicationConfiguration) without cue.

What the objects look like, following the OAM Kubernetes runtime where its behaviour is known:

- Workload: the Component's `spec.workload` with each parameter value set at every one of its
  field paths (syntax and list rules in legacy_fieldpath), named after the component when it
  has no name, and put in the AppConfig's namespace (the runtime overwrote any namespace;
  cluster-scoped kinds get none). `RenderOptions.namespace` overrides the AppConfig's.
- Trait objects: emitted as written, in the AppConfig's namespace, named
  `<component>-<type's first segment>` (then `-2`, `-3`...) when unnamed: the runtime added a
  content hash, which makes names change with every edit, so offline names are stable instead.
  `spec.workloadRef`-style references `{apiVersion, kind, name}` of the workload are set only
  when the trait's TraitDefinition declares `workloadRefPath`, at that path. The definition is
  found, as the runtime did, by the trait's `trait.oam.dev/type` label, else by its resource
  name (`manualscalertraits.core.oam.dev`), first among the input documents, then through the
  definition loader; a TraitDefinition's `spec.definitionRef.name` also names it.
- Labels: the AppConfig's labels and annotations are copied onto every object (the object's
  own win), then `app.oam.dev/name` (the AppConfig), `app.oam.dev/component` and
  `app.oam.dev/resourceType` (WORKLOAD or TRAIT) are set; traits also get
  `trait.oam.dev/type` (their TraitDefinition's name, else their kind in lower case) and the
  workload one `scope.oam.dev/<Kind>: <name>` per scope of its entry. There is no revision
  label: offline there are no ComponentRevisions (a `revisionName` `<component>-vN` renders
  the Component itself, with a warning).
- Order: per AppConfig entry, the workload, then its traits as listed.

A v1beta1 ComponentDefinition with `spec.schematic.kube {template, parameters}` renders its
workload the same way (`kube_workload`); the engine applies its traits as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import contract
from ..definitions import DefinitionLoader
from ..documents import APP_KIND, Document
from ..errors import Problem, app_problem, raise_problems
from ..model import JSON, Application, RenderedObject, RenderOptions, RenderResult
from ..output.labels import finish_object, shape_problems
from .convert import convert as convert_v1alpha2
from .kube import is_kube_definition, kube_stand_in, kube_workload
from .load import KIND_APP_CONFIG, KIND_COMPONENT, LegacyApp, LegacyInstance, is_v1alpha2, load_legacy
from .objects import legacy_workload, trait_object

__all__ = ["convert_v1alpha2", "is_kube_definition", "is_legacy", "kube_stand_in", "kube_workload", "render_legacy"]



def is_legacy(docs: Sequence[Document]) -> bool:
    """True when the documents hold the v1alpha2 model (and no v1beta1 Application)."""
    legacy = any(is_v1alpha2(d, KIND_APP_CONFIG) or is_v1alpha2(d, KIND_COMPONENT) for d in docs)
    return legacy and not any(d.kind == APP_KIND for d in docs)


def _finish(body: Mapping[str, JSON], oam_labels: Mapping[str, str], owner: Application) -> dict[str, Any]:
    # The legacy runtime put every namespaced object in the AppConfig's namespace.
    return finish_object(body, owner.namespace, oam_labels, owner, replace_namespace=True)


def _shape_problem(path: str, what: str, message: str) -> Problem:
    return app_problem("input", f"the {what} cannot be a Kubernetes object: {message}", path)


def _instance_objects(app: LegacyApp, instance: LegacyInstance,
                      owner: Application) -> tuple[list[RenderedObject], list[Problem]]:
    workload, problems = legacy_workload(instance)
    if workload is not None and shape_problems(workload):
        problems += [_shape_problem(instance.path, "workload", message) for message in shape_problems(workload)]
        workload = None
    if workload is None:
        return [], problems
    common = {contract.LABEL_APP_NAME: app.name, contract.LABEL_COMPONENT: instance.name}
    labels = {**common, contract.LABEL_RESOURCE_TYPE: contract.RESOURCE_TYPE_WORKLOAD, **instance.scopes}
    objects = [RenderedObject(_finish(workload, labels, owner), instance.name, None, None)]
    for trait in instance.traits:
        body, found = trait_object(trait, workload)
        problems += found
        if body is not None and shape_problems(body):
            problems += [_shape_problem(trait.path, "trait", message) for message in shape_problems(body)]
            body = None
        if body is not None:
            labels = {**common, contract.LABEL_TRAIT_TYPE: trait.type,
                      contract.LABEL_RESOURCE_TYPE: contract.RESOURCE_TYPE_TRAIT}
            objects.append(RenderedObject(_finish(body, labels, owner), instance.name, trait.type, trait.name))
    return objects, problems


def render_legacy(docs: Sequence[Document], loader: DefinitionLoader | None = None,
                  options: RenderOptions | None = None) -> RenderResult:
    """Render the AppConfig in `docs` with its Components and traits (no cue process runs).

    `loader` supplies TraitDefinitions not among the documents. Returns the objects in
    output order, with warnings for documents that were not rendered; raises an OamError
    subclass carrying every problem found.
    """
    options = options or RenderOptions()
    app = load_legacy(docs, loader)
    owner = Application(app.name, options.namespace or app.namespace, app.labels, app.annotations, (),
                        source=app.source)
    objects: list[RenderedObject] = []
    problems: list[Problem] = list(app.problems)
    for instance in app.instances:
        found, failed = _instance_objects(app, instance, owner)
        objects += found
        problems += failed
    raise_problems(problems)
    return RenderResult(app.name, tuple(objects), warnings=app.warnings)
