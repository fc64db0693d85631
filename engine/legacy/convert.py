"""Convert a v1alpha2 AppConfig and its Components into a v1beta1 Application and the definitions it needs.

The Application has one component per AppConfig entry, of a component type named after its
Component: a ComponentDefinition whose `spec.schematic.kube` holds the Component's workload
and parameters (each parameter's `type` is taken from the value given, "string" when none is).
Each distinct trait type becomes a TraitDefinition whose CUE template emits the trait object
from the trait's properties (the object minus apiVersion and kind, which the template pins),
names it `<component>-<type>` unless the properties name it, and fills the workload
reference from `context.output` when the v1alpha2 TraitDefinition declared workloadRefPath.
Scopes become the `legacy-scopes` trait, which patches their labels onto the workload.
Namespaces are dropped: the Application's namespace applies, as the AppConfig's did.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from .. import contract
from ..definitions import DefinitionLoader
from ..documents import Document
from ..errors import Problem, app_problem, raise_problems
from ..model import JSON
from .fieldpath import FieldPathError, parse_field_path, set_field
from .load import KIND_COMPONENT, V1ALPHA2, LegacyApp, LegacyInstance, LegacyTrait, load_legacy, read_component
from .objects import legacy_workload, trait_object, workload_reference

SCOPES_TRAIT: Final = "legacy-scopes"
_VALUE_TYPES: Final = ((bool, "boolean"), (int, "number"), (float, "number"), (str, "string"))

_SCOPES_TEMPLATE: Final = """\
// The labels the legacy model put on the workload of a component in scopes.
patch: metadata: labels: parameter
// +usage=Scope labels (scope.oam.dev/<Kind>) and the scope names, by key
parameter: [string]: string
"""


def _value_type(value: JSON, known: bool) -> str | None:
    if not known:
        return "string"
    return next((name for kind, name in _VALUE_TYPES if isinstance(value, kind)), None)


def component_definition(doc: Document, values: Mapping[str, JSON]) -> dict[str, Any]:
    """The ComponentDefinition (schematic.kube) equivalent to a v1alpha2 Component document."""
    component = read_component(doc, [])
    assert component is not None  # load_legacy has checked every Component document
    template = copy.deepcopy(dict(component.workload))
    meta = template.get("metadata")
    if isinstance(meta, dict):
        meta.pop("namespace", None)
        if not meta:
            template.pop("metadata")
    parameters = []
    for parameter in component.parameters:
        entry: dict[str, Any] = {"name": parameter.name, "required": parameter.required}
        kind = _value_type(values.get(parameter.name), parameter.name in values)
        if kind:
            entry["type"] = kind
        entry["fieldPaths"] = list(parameter.field_paths)
        if parameter.description:
            entry["description"] = parameter.description
        parameters.append(entry)
    return {
        "apiVersion": contract.OAM_API_VERSION, "kind": "ComponentDefinition",
        "metadata": {"name": component.name, "annotations": {
            contract.DESCRIPTION_ANNOTATION: f"Converted from the {V1ALPHA2} Component {component.name}"}},
        "spec": {"workload": {"definition": {"apiVersion": template["apiVersion"], "kind": template["kind"]}},
                 "schematic": {"kube": {"template": template, "parameters": parameters}}},
    }


def _map_path(path: str) -> tuple[str, ...] | None:
    """The keys of a workloadRefPath the template can write, or None when it has list indices."""
    try:
        segments = parse_field_path(path)
    except FieldPathError:
        return None
    return tuple(s for s in segments if isinstance(s, str)) if all(isinstance(s, str) for s in segments) else None


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_KEYWORDS = frozenset({"if", "for", "in", "let", "import", "package", "true", "false", "null"})


def _label(key: str) -> str:
    """A CUE label for `key`: bare when it is a plain identifier, else a quoted string."""
    return key if _IDENTIFIER.fullmatch(key) and key not in _KEYWORDS else json.dumps(key)


def trait_template(trait: LegacyTrait) -> str:
    """The CUE template emitting `trait`'s kind of object from the properties (indented with
    spaces, so that the YAML holding it can use a literal block)."""
    short = trait.short_type
    lines = [
        f"// Emits a {trait.body['kind']} as the legacy model did: the object as written in the properties.",
        f"outputs: {_label(short)}: {{",
        "  parameter",
        f"  apiVersion: {json.dumps(trait.body['apiVersion'])}",
        f"  kind:       {json.dumps(trait.body['kind'])}",
        f"  metadata: name: *(context.name + {json.dumps('-' + short)}) | string",
    ]
    keys = _map_path(trait.workload_ref_path) if trait.workload_ref_path else None
    if keys:
        lines += [
            f"  {': '.join(_label(k) for k in keys)}: {{",
            "    apiVersion: context.output.apiVersion",
            "    kind:       context.output.kind",
            "    name:       context.output.metadata.name",
            "  }",
        ]
    lines += ["}", "// +usage=The trait object's fields other than apiVersion and kind", "parameter: {...}", ""]
    return "\n".join(lines)


def _trait_definition(name: str, template: str, description: str) -> dict[str, Any]:
    return {"apiVersion": contract.OAM_API_VERSION, "kind": "TraitDefinition",
            "metadata": {"name": name, "annotations": {contract.DESCRIPTION_ANNOTATION: description}},
            "spec": {"appliesToWorkloads": ["*"], "schematic": {"cue": {"template": template}}}}


def _delete(body: dict[str, Any], keys: Sequence[str]) -> None:
    node: Any = body
    for key in keys[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(keys[-1], None)


def trait_properties(instance: LegacyInstance, trait: LegacyTrait, workload: Mapping[str, JSON]) -> dict[str, Any]:
    """The properties that make the generated trait emit what the legacy render emits."""
    props = copy.deepcopy({k: v for k, v in trait.body.items() if k not in ("apiVersion", "kind")})
    found = props.get("metadata")
    meta: dict[str, Any] = dict(found) if isinstance(found, dict) else {}
    meta.pop("namespace", None)
    if trait.name != f"{instance.name}-{trait.short_type}":
        meta["name"] = trait.name
    if meta:
        props["metadata"] = meta
    else:
        props.pop("metadata", None)
    keys = _map_path(trait.workload_ref_path) if trait.workload_ref_path else None
    if keys:
        _delete(props, keys)  # the template writes it; a stale value would conflict
    elif trait.workload_ref_path:
        set_field(props, trait.workload_ref_path, workload_reference(workload))
    return props


def _traits(app: LegacyApp) -> list[dict[str, Any]]:
    """A TraitDefinition per trait type, checking each type stands for one kind of object."""
    found: dict[str, LegacyTrait] = {}
    problems = []
    for instance in app.instances:
        for trait in instance.traits:
            first = found.setdefault(trait.type, trait)
            shape = (first.body["apiVersion"], first.body["kind"], first.workload_ref_path)
            if (trait.body["apiVersion"], trait.body["kind"], trait.workload_ref_path) != shape:
                problems.append(app_problem(
                    "convert", f"trait type {trait.type} stands for both {shape[1]} and {trait.body['kind']};"
                    f" give them distinct {contract.LABEL_TRAIT_TYPE} labels", trait.path, file=app.source))
    raise_problems(problems)
    definitions = [_trait_definition(name, trait_template(trait), f"Converted from {V1ALPHA2} traits of kind"
                                     f" {trait.body['kind']} ({trait.body['apiVersion']})")
                   for name, trait in found.items()]
    if any(instance.scopes for instance in app.instances):
        definitions.append(_trait_definition(SCOPES_TRAIT, _SCOPES_TEMPLATE, "Scope labels of the legacy model"))
    return definitions


def _application(app: LegacyApp, workloads: Mapping[str, Mapping[str, JSON]]) -> dict[str, Any]:
    components = []
    for instance in app.instances:
        entry: dict[str, Any] = {"name": instance.name, "type": instance.component.name}
        if instance.values:
            entry["properties"] = dict(instance.values)
        traits = [{"type": t.type, "properties": trait_properties(instance, t, workloads[instance.name])}
                  for t in instance.traits]
        if instance.scopes:
            traits.append({"type": SCOPES_TRAIT, "properties": dict(instance.scopes)})
        if traits:
            entry["traits"] = traits
        components.append(entry)
    meta: dict[str, Any] = {"name": app.name, "namespace": app.namespace}
    if app.labels:
        meta["labels"] = dict(app.labels)
    if app.annotations:
        meta["annotations"] = dict(app.annotations)
    return {"apiVersion": contract.OAM_API_VERSION, "kind": "Application", "metadata": meta,
            "spec": {"components": components}}


def _workloads(app: LegacyApp) -> dict[str, Mapping[str, JSON]]:
    """Every entry's workload, checking that it and its traits render (what the legacy render checks)."""
    workloads: dict[str, Mapping[str, JSON]] = {}
    problems: list[Problem] = list(app.problems)
    for instance in app.instances:
        workload, found = legacy_workload(instance)
        problems += found
        if workload is not None:
            workloads[instance.name] = workload
            problems += [p for t in instance.traits for p in trait_object(t, workload)[1]]
    raise_problems(problems)
    return workloads


def convert(docs: Sequence[Document], loader: DefinitionLoader | None = None) -> list[dict[str, Any]]:
    """The Application, then a ComponentDefinition per Component, then the TraitDefinitions.

    Raises an OamError subclass carrying every problem when the input would not render.
    """
    app = load_legacy(docs, loader)
    workloads = _workloads(app)
    values = {i.component.name: i.values for i in app.instances}
    components = [component_definition(d, values.get(str((d.data.get("metadata") or {}).get("name")), {}))
                  for d in docs if d.api_version == V1ALPHA2 and d.kind == KIND_COMPONENT]
    return [_application(app, workloads), *components, *_traits(app)]
