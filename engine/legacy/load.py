"""Read core.oam.dev/v1alpha2 documents into a checked, typed legacy app (no rendering here)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .. import contract
from ..definitions import DefinitionLoader
from ..documents import Document
from ..errors import Problem, app_problem, definition_problem, raise_problems
from ..model import JSON, resource_type
from .fieldpath import FieldPathError, parse_field_path

V1ALPHA2: Final = contract.LEGACY_API_VERSION
KIND_COMPONENT: Final = "Component"
KIND_APP_CONFIG: Final = "ApplicationConfiguration"
KIND_TRAIT_DEFINITION: Final = "TraitDefinition"
SCOPE_LABEL_PREFIX: Final = "scope.oam.dev/"
# A revisionName is `<component>-v<N>`; offline there is one revision: the Component itself.
_REVISION_SUFFIX = re.compile(r"-v\d+$")


@dataclass(frozen=True)
class LegacyParameter:
    """A parameter of a Component: the field paths its value is written to."""

    name: str
    field_paths: tuple[str, ...]
    required: bool = False
    description: str = ""
    line: int | None = None


@dataclass(frozen=True)
class LegacyComponent:
    """A v1alpha2 Component: a raw workload plus its parameters."""

    name: str
    workload: Mapping[str, JSON]
    parameters: tuple[LegacyParameter, ...]
    source: str = ""
    line: int | None = None

    def parameter(self, name: str) -> LegacyParameter | None:
        return next((p for p in self.parameters if p.name == name), None)


@dataclass(frozen=True)
class LegacyTrait:
    """A trait object of an AppConfig entry, with the type and name it renders with."""

    body: Mapping[str, JSON]
    type: str  # its TraitDefinition's name, else its kind in lower case
    name: str  # metadata.name, or <component>-<type's first segment>[-N]
    workload_ref_path: str  # from its TraitDefinition; "" = no reference
    path: str  # components[web].traits[0]
    named: bool  # the object carried its own name

    @property
    def short_type(self) -> str:
        return self.type.split(".", 1)[0]


@dataclass(frozen=True)
class LegacyInstance:
    """One entry of the AppConfig: a Component with its values, traits and scopes."""

    name: str
    component: LegacyComponent
    values: Mapping[str, JSON]
    traits: tuple[LegacyTrait, ...]
    scopes: Mapping[str, str]  # scope label key -> scope name
    path: str  # components[web]


@dataclass(frozen=True)
class LegacyApp:
    """An ApplicationConfiguration with everything it refers to, checked."""

    name: str
    namespace: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    instances: tuple[LegacyInstance, ...]
    source: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # Problems found while reading; the render adds its own and raises them all together.
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def is_v1alpha2(doc: Document, kind: str) -> bool:
    return doc.api_version == V1ALPHA2 and doc.kind == kind


def _mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping; else an empty one (the caller reports the shape)."""
    return value if isinstance(value, dict) else {}


def _meta(doc: Document) -> dict[str, Any]:
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    return meta if isinstance(meta, dict) else {}


def _spec(doc: Document) -> dict[str, Any]:
    spec = doc.data.get("spec") if isinstance(doc.data, dict) else None
    return spec if isinstance(spec, dict) else {}


def _component_problem(doc: Document, name: str, message: str, key: str = "") -> Problem:
    return definition_problem("legacy-component", message, definition=name, definition_kind=KIND_COMPONENT,
                              file=doc.source, line=doc.lines.get(key, doc.line))


def _parameters(doc: Document, name: str, problems: list[Problem]) -> tuple[LegacyParameter, ...]:
    found: list[LegacyParameter] = []
    declared = _spec(doc).get("parameters")
    if declared is not None and not isinstance(declared, list):
        problems.append(_component_problem(doc, name, f"component {name}: spec.parameters must be a list",
                                           "parameters"))
        declared = []
    for index, raw in enumerate(declared or []):
        label = raw.get("name") if isinstance(raw, dict) else None
        key = f"parameters[{label if label else index}]"
        paths = raw.get("fieldPaths") if isinstance(raw, dict) else None
        if not label or not isinstance(paths, list) or not paths:
            problems.append(_component_problem(doc, name, f"component {name}: parameter {key} needs a name"
                                               " and a non-empty fieldPaths list", key))
            continue
        if any(p.name == label for p in found):
            problems.append(_component_problem(doc, name, f"component {name}: parameter {label} is declared"
                                               " twice", key))
            continue
        good = []
        for number, path in enumerate(paths):
            try:
                parse_field_path(path)
                good.append(str(path))
            except FieldPathError as exc:
                problems.append(_component_problem(doc, name, f"component {name}: parameter {label}: {exc}",
                                                   f"{key}.fieldPaths[{number}]"))
        # A bad path is reported once, here; the good ones still render, to find other errors.
        found.append(LegacyParameter(str(label), tuple(good), bool(raw.get("required")),
                                     str(raw.get("description") or ""), doc.lines.get(key, doc.line)))
    return tuple(found)


def read_component(doc: Document, problems: list[Problem]) -> LegacyComponent | None:
    """A Component document; None (with problems) when it lacks a name or a workload."""
    name = str(_meta(doc).get("name") or "")
    workload = _spec(doc).get("workload")
    if not name or not isinstance(workload, dict) or not isinstance(workload.get("kind"), str) \
            or not isinstance(workload.get("apiVersion"), str) or not workload["kind"] or not workload["apiVersion"]:
        problems.append(_component_problem(doc, name, f"component {name or '?'}: needs metadata.name and a"
                                           " spec.workload with apiVersion and kind", "workload"))
        return None
    return LegacyComponent(name, workload, _parameters(doc, name, problems), doc.source, doc.line)


@dataclass
class _Reader:
    """State while reading one AppConfig: the documents it can refer to, and what went wrong."""

    config: Document
    components: dict[str, LegacyComponent]
    trait_definitions: dict[str, Mapping[str, JSON]]  # name (and definitionRef name) -> spec
    loader: DefinitionLoader | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def problem(self, code: str, message: str, path: str, line_key: str) -> None:
        line = self.config.lines.get(line_key, self.config.line)
        self.problems.append(app_problem(code, message, path, file=self.config.source, line=line))

    def definition(self, body: Mapping[str, JSON]) -> tuple[str, Mapping[str, JSON]]:
        """The trait's TraitDefinition (name, spec): by its trait.oam.dev/type label, else by
        its resource name (`manualscalertraits.core.oam.dev`), as the OAM runtime looked it up."""
        labels = _mapping(_mapping(body.get("metadata")).get("labels"))
        names = [str(labels[contract.LABEL_TRAIT_TYPE])] if labels.get(contract.LABEL_TRAIT_TYPE) else []
        names.append(resource_type(str(body.get("apiVersion", "")), str(body.get("kind", ""))))
        for name in names:
            if name in self.trait_definitions:
                return name, self.trait_definitions[name]
        for name in names:
            found = self.loader.get(contract.KIND_TRAIT, name) if self.loader is not None else None
            if found is not None:
                return found.name, found.spec
        return "", {}


def _trait_definitions(docs: Sequence[Document]) -> dict[str, Mapping[str, JSON]]:
    found: dict[str, Mapping[str, JSON]] = {}
    for doc in docs:
        if is_v1alpha2(doc, KIND_TRAIT_DEFINITION) and _meta(doc).get("name"):
            spec = _spec(doc)
            found[str(_meta(doc)["name"])] = spec
            ref = _mapping(spec.get("definitionRef")).get("name")
            if ref:
                found.setdefault(str(ref), spec)
    return found


def _listed(reader: _Reader, entry: dict[str, Any], key: str, name: str, index: int) -> list[Any]:
    """The list under `key` of a component entry (none: empty); anything else is reported."""
    value = entry.get(key)
    if value is None or isinstance(value, list):
        return value or []
    reader.problem("input", f"{key} must be a list", f"components[{name}].{key}", f"components[{index}].{key}")
    return []


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    return candidate


def _traits(reader: _Reader, entry: dict[str, Any], index: int, name: str) -> tuple[LegacyTrait, ...]:
    traits: list[LegacyTrait] = []
    taken: set[str] = set()
    for number, raw in enumerate(_listed(reader, entry, "traits", name, index)):
        path, key = f"components[{name}].traits[{number}]", f"components[{index}].traits[{number}]"
        body = raw.get("trait") if isinstance(raw, dict) else None
        if not isinstance(body, dict) or not body.get("apiVersion") or not body.get("kind"):
            reader.problem("input", "a trait needs a `trait` object with apiVersion and kind", path, key)
            continue
        definition, spec = reader.definition(body)
        trait_type = definition or str(body["kind"]).lower()
        ref_path = str(spec.get("workloadRefPath") or "")
        if ref_path:
            try:
                parse_field_path(ref_path)
            except FieldPathError as exc:
                reader.problems.append(definition_problem(
                    "legacy-trait-definition", f"workloadRefPath: {exc}", app_path=path, definition=definition,
                    definition_kind=contract.KIND_TRAIT))
        own = str(_mapping(body.get("metadata")).get("name") or "")
        trait_name = own or _unique(f"{name}-{trait_type.split('.', 1)[0]}", taken)
        taken.add(trait_name)
        traits.append(LegacyTrait(body, trait_type, trait_name, ref_path, path, bool(own)))
    return tuple(traits)


def _scopes(reader: _Reader, entry: dict[str, Any], index: int, name: str) -> dict[str, str]:
    scopes: dict[str, str] = {}
    for number, raw in enumerate(_listed(reader, entry, "scopes", name, index)):
        ref = raw.get("scopeRef") if isinstance(raw, dict) else None
        if not isinstance(ref, dict) or not ref.get("kind") or not ref.get("name"):
            reader.problem("input", "a scope needs a scopeRef with kind and name",
                           f"components[{name}].scopes[{number}]", f"components[{index}].scopes[{number}]")
            continue
        scopes[f"{SCOPE_LABEL_PREFIX}{ref['kind']}"] = str(ref["name"])
    return scopes


def _values(reader: _Reader, entry: dict[str, Any], index: int, name: str,
            component: LegacyComponent) -> dict[str, JSON]:
    values: dict[str, JSON] = {}
    base = f"components[{name}].parameterValues"
    for number, raw in enumerate(_listed(reader, entry, "parameterValues", name, index)):
        label = raw.get("name") if isinstance(raw, dict) else None
        path, key = f"{base}[{label or number}]", f"components[{index}].parameterValues[{label or number}]"
        if not label or "value" not in raw:
            reader.problem("input", "a parameter value needs a name and a value", path, key)
        elif component.parameter(str(label)) is None:
            known = ", ".join(p.name for p in component.parameters) or "none"
            reader.problem("unknown-parameter", f"component {component.name} has no parameter {label}"
                           f" (it has: {known})", path, key)
        elif label in values:
            reader.problem("input", f"parameter {label} is given twice", path, key)
        else:
            values[str(label)] = raw["value"]
    for parameter in component.parameters:
        if parameter.required and parameter.name not in values:
            reader.problem("required", f"component {component.name}: parameter {parameter.name} is required",
                           base, f"components[{index}]")
    return values


def _instance(reader: _Reader, entry: Any, index: int, seen: set[str]) -> LegacyInstance | None:
    ref = str(entry.get("componentName") or entry.get("revisionName") or "") if isinstance(entry, dict) else ""
    if not ref:
        reader.problem("input", "an entry needs a componentName", f"components[{index}]", f"components[{index}]")
        return None
    component = reader.components.get(ref) or reader.components.get(_REVISION_SUFFIX.sub("", ref))
    path = f"components[{ref}]"
    if component is None:
        known = ", ".join(sorted(reader.components)) or "none"
        reader.problem("unknown-component", f"no Component named {ref} in the input (found: {known})", path,
                       f"components[{index}]")
        return None
    if component.name in seen:
        reader.problem("input", f"component {component.name} is listed twice", path, f"components[{index}]")
        return None
    seen.add(component.name)
    if component.name != ref:
        reader.warnings.append(f"{path}: revisionName {ref} rendered from Component {component.name}")
    return LegacyInstance(component.name, component, _values(reader, entry, index, component.name, component),
                          _traits(reader, entry, index, component.name),
                          _scopes(reader, entry, index, component.name), f"components[{component.name}]")


def _other_documents(docs: Sequence[Document]) -> list[str]:
    known = {KIND_COMPONENT, KIND_APP_CONFIG, KIND_TRAIT_DEFINITION}
    return [f"{d.source}:{d.line}: {d.kind or 'a document without kind'} {_meta(d).get('name', '')} is not"
            " rendered".replace("  ", " ") for d in docs if not (d.api_version == V1ALPHA2 and d.kind in known)]


def _the_config(docs: Sequence[Document]) -> Document:
    configs = [d for d in docs if is_v1alpha2(d, KIND_APP_CONFIG)]
    if len(configs) != 1:
        where = configs[1] if configs else (docs[0] if docs else Document({}, "<input>", 1))
        raise_problems([app_problem("input", f"expected one {V1ALPHA2} {KIND_APP_CONFIG}, found"
                                    f" {len(configs)}", "", file=where.source, line=where.line)])
    return configs[0]


def load_legacy(docs: Sequence[Document], loader: DefinitionLoader | None = None) -> LegacyApp:
    """The AppConfig of `docs` with its Components, trait types and values, checked.

    Entries that cannot render are left out and their problems kept in `problems`; raises
    AppError only when there is not exactly one ApplicationConfiguration.
    """
    config = _the_config(docs)
    problems: list[Problem] = []
    components: dict[str, LegacyComponent] = {}
    for doc in docs:
        if is_v1alpha2(doc, KIND_COMPONENT) and (component := read_component(doc, problems)) is not None:
            if component.name in components:
                problems.append(_component_problem(doc, component.name, f"component {component.name} is"
                                                   " defined twice"))
            components[component.name] = component
    reader = _Reader(config, components, _trait_definitions(docs), loader, problems)
    if not _meta(config).get("name"):
        reader.problem("input", f"an {KIND_APP_CONFIG} needs metadata.name", "metadata", "metadata")
    entries = _spec(config).get("components")
    if not isinstance(entries, list) or not entries:
        reader.problem("input", f"an {KIND_APP_CONFIG} needs spec.components", "components", "components")
        entries = []
    seen: set[str] = set()
    instances = [inst for index, entry in enumerate(entries)
                 if (inst := _instance(reader, entry, index, seen)) is not None]
    meta = _meta(config)
    for key in ("labels", "annotations"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            reader.problem("input", f"metadata.{key} must be a mapping", f"metadata.{key}", f"metadata.{key}")
    return LegacyApp(
        name=str(meta.get("name") or ""), namespace=str(meta.get("namespace") or contract.DEFAULT_NAMESPACE),
        labels={str(k): str(v) for k, v in _mapping(meta.get("labels")).items()},
        annotations={str(k): str(v) for k, v in _mapping(meta.get("annotations")).items()},
        instances=tuple(instances), source=config.source,
        warnings=tuple(reader.warnings + _other_documents(docs)), problems=tuple(reader.problems))
