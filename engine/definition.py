"""One definition: its typed value and its two file formats (standalone `.cue`, CRD YAML)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import contract
from .cue.syntax.lexer import CueSyntaxError
from .errors import DefinitionError, Problem, definition_problem
from .yamlio import YamlInputError, load_documents

JSON = Any  # a Kubernetes body or a properties tree: plain dicts, lists and scalars


@dataclass(frozen=True)
class Definition:
    """A component, trait, policy or workflow-step type with its CUE template."""

    name: str
    """The type name an app uses (`webservice`, `scaler`)."""
    kind: str
    """`component`, `trait`, `policy` or `workflow-step`."""
    template: str
    """The CUE template body, its imports removed."""
    imports: str = ""
    """The import declarations that go in front of the template."""
    source: str = ""
    """The file (or name given to text in memory) it was read from, for messages."""
    template_line: int = 1
    """The line in `source` of the template body's first line."""
    description: str = ""
    """What it does, from `description` or the `definition.oam.dev/description` annotation."""
    spec: Mapping[str, JSON] = field(default_factory=dict)
    """The `attributes` of the `.cue` form, or the CRD's `spec`."""
    annotations: Mapping[str, str] = field(default_factory=dict)
    """The definition's annotations."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """The definition's labels."""

    @property
    def workload_type(self) -> str:
        """The workload as `deployments.apps`, or "" when the definition does not say."""
        workload = self.spec.get("workload")
        workload = workload if isinstance(workload, Mapping) else {}
        if workload.get("type"):
            return str(workload["type"])
        ref = workload.get("definition")
        ref = ref if isinstance(ref, Mapping) else {}
        if ref.get("kind"):
            return resource_type(str(ref.get("apiVersion", "")), str(ref["kind"]))
        return ""

    @property
    def applies_to(self) -> tuple[str, ...]:
        """`appliesToWorkloads`: the workloads a trait may patch (empty: any)."""
        return _strings(self.spec.get("appliesToWorkloads"))

    @property
    def conflicts_with(self) -> tuple[str, ...]:
        """`conflictsWith`: the traits this trait cannot sit beside on one component."""
        return _strings(self.spec.get("conflictsWith"))

    def position(self, template_line: int) -> int:
        """The line in `source` of line `template_line` of the template body."""
        return self.template_line + template_line - 1

    @classmethod
    def from_cue(cls, text: str, source: str = "<memory>") -> Definition:
        """The definition in `text`, written in the standalone `.cue` form (what `vela def`
        reads: optional imports, one `NAME: {type: ...}` metadata field and a `template`).

        `source` names the text in messages. Raises DefinitionError (an OamError) with the
        reason and line when the text is not such a definition.
        """
        _check_text(text, source)
        try:
            return parse_cue_definition(text, source)
        except BrokenDefinition as exc:
            raise DefinitionError([exc.problem]) from None

    @classmethod
    def from_yaml(cls, text: str, source: str = "<memory>") -> Definition:
        """The definition in `text`, a CRD YAML document (`ComponentDefinition`,
        `TraitDefinition`, `PolicyDefinition`, `WorkflowStepDefinition`, `WorkloadDefinition`).

        Other documents of the stream are skipped; exactly one definition must remain (for a
        stream of several, give the text to `DictLoader`). Raises DefinitionError otherwise.
        """
        _check_text(text, source)
        try:
            found = parse_yaml_definitions(text, source)
        except BrokenDefinition as exc:
            raise DefinitionError([exc.problem]) from None
        if len(found) != 1:
            names = ", ".join(d.name for d in found) or "none"
            raise DefinitionError([definition_problem(
                "bad-definition", f"expected one definition document, found {len(found)} ({names});"
                " DictLoader reads a stream of several", file=source)])
        return found[0]


def _check_text(text: object, source: str) -> None:
    if not isinstance(text, str):
        raise DefinitionError([definition_problem(
            "bad-definition", f"definition text must be a str, not {type(text).__name__}", file=str(source))])


def resource_type(api_version: str, kind: str) -> str:
    """`apps/v1`, `Deployment` -> `deployments.apps` (core group: just `services`)."""
    lower = kind.lower()
    if lower.endswith(("s", "x", "ch", "sh")):
        plural = lower + "es"
    elif lower.endswith("y") and lower[-2:-1] not in "aeiou":
        plural = lower[:-1] + "ies"
    else:
        plural = lower + "s"
    group = api_version.rpartition("/")[0]
    return f"{plural}.{group}" if group else plural


class BrokenDefinition(Exception):
    """A definition file that cannot be read, with the reason and position."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _broken(file: str, message: str, line: int | None = None, name: str = "") -> BrokenDefinition:
    return BrokenDefinition(definition_problem("bad-definition", message, file=file, line=line,
                                               definition=name))


# --- standalone .cue files -------------------------------------------------------------------


def parse_cue_definition(text: str, source: str = "", *, shapes: bool = True) -> Definition:
    """Read the standalone `.cue` form (`NAME: {type, ...}` plus `template: {...}`).

    With `shapes` false, attributes, annotations and labels of the wrong shape are kept as they
    are, not refused (`def vet` reports each with its own line)."""
    from .cue.syntax.concrete import parse_concrete  # the CUE readers load when a file is read
    from .cue.syntax.outline import split_definition_file

    try:
        parts = split_definition_file(text)
    except CueSyntaxError as exc:
        raise _broken(source, f"not a definition file: {exc}", getattr(exc, "line", None)) from exc
    try:
        metadata, _ = parse_concrete(parts.metadata_source)
    except CueSyntaxError as exc:
        line = parts.metadata_line + getattr(exc, "line", 1) - 1
        raise _broken(source, f"the metadata of a definition must be plain data: {exc}", line) from exc
    if not isinstance(metadata, dict):
        raise _broken(source, "the metadata of a definition must be a struct", parts.metadata_line)
    unknown = sorted(set(metadata) - set(contract.METADATA_KEYS))
    kind = metadata.get("type")
    if unknown or kind not in contract.ATTRIBUTES:
        reason = (f"unknown metadata fields {unknown}" if unknown
                  else f"type must be one of {sorted(contract.ATTRIBUTES)}, not {kind!r}")
        raise _broken(source, reason, parts.metadata_line, parts.name)
    attributes = metadata.get("attributes") or {}
    wrong = _shape_problems(kind, attributes, metadata, ("description", "alias")) if shapes else []
    if wrong:
        raise _broken(source, "; ".join(wrong), parts.metadata_line, parts.name)
    if not isinstance(attributes, dict):
        attributes = {}
    extra = sorted(set(attributes) - set(contract.ATTRIBUTES[kind]))
    if extra:
        raise _broken(source, f"unknown attributes {extra} for a {kind}", parts.metadata_line, parts.name)
    return Definition(
        name=parts.name, kind=kind, template=parts.template_body, imports=parts.imports,
        source=source, template_line=parts.template_line,
        description=str(metadata.get("description", "")), spec=attributes,
        annotations=_string_map(metadata.get("annotations")), labels=_string_map(metadata.get("labels")))


# --- CRD YAML files --------------------------------------------------------------------------


def _template_node(doc: yaml.Node) -> tuple[yaml.Node | None, str]:
    """Find the template scalar of a CRD document: schematic.cue.template, else extension.template."""
    for route in (("spec", "schematic", "cue", "template"), ("spec", "extension", "template")):
        node: yaml.Node | None = doc
        for key in route:
            node = _child(node, key)
        if node is not None:
            return node, ".".join(route)
    return None, ""


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if getattr(k, "value", None) == key:
            return v  # type: ignore[no-any-return]
    return None


def _shape_problems(kind: str, attributes: Any, meta: Mapping[str, Any], texts: tuple[str, ...] = ()) -> list[str]:
    """What the engine reads of a definition, in a shape it cannot use: attributes (by the
    shapes of contract.ATTRIBUTES), annotations and labels (names to strings), `texts`."""
    if not isinstance(attributes, dict):
        return ["attributes must be a struct"]
    found = [f"attribute {key} must be {shape}" for key, shape in contract.ATTRIBUTES[kind].items()
             if key in attributes and not contract.fits(shape, attributes[key])]
    for key in ("annotations", "labels"):
        if meta.get(key) is not None and not contract.fits(contract.STRING_MAP, meta[key]):
            found.append(f"{key} must map names to strings")
    found += [f"{key} must be a string" for key in texts if key in meta and not isinstance(meta[key], str)]
    return found


def _crd_definition(doc: dict[str, Any], node: yaml.Node, source: str, shapes: bool = True) -> Definition:
    kind = contract.CRD_KINDS[doc["kind"]]
    raw_meta = doc.get("metadata")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    name = meta.get("name")
    if not name or not isinstance(name, str):
        raise _broken(source, f"{doc['kind']} without metadata.name", node.start_mark.line + 1)
    template_node, _ = _template_node(node)
    spec = dict(doc["spec"]) if isinstance(doc.get("spec"), dict) else {}
    wrong = _shape_problems(kind, spec, meta) if shapes else []
    if wrong:
        said = [f"metadata.{p}" if p.startswith(("annotations", "labels")) else f"spec: {p}" for p in wrong]
        raise _broken(source, f"{name}: " + "; ".join(said), node.start_mark.line + 1, name)
    if template_node is None or not isinstance(template_node.value, str):
        # kube schematics and v1alpha2 definitions carry no CUE: the legacy renderer reads their spec.
        if (kind == contract.KIND_COMPONENT and "kube" in (spec.get("schematic") or {})) \
                or doc.get("apiVersion") == "core.oam.dev/v1alpha2":
            return Definition(name=name, kind=kind, template="", source=source, spec=spec,
                              description=_description(meta))
        raise _broken(source, f"{name}: no spec.schematic.cue.template", node.start_mark.line + 1, name)
    # A block scalar's text starts on the line after its indicator.
    style = getattr(template_node, "style", None)
    first = template_node.start_mark.line + (2 if style in ("|", ">") else 1)
    from .cue.syntax.outline import split_imports

    try:
        imports, body, body_line = split_imports(template_node.value)
    except CueSyntaxError as exc:
        line = first + getattr(exc, "line", 1) - 1
        raise _broken(source, f"{name}: the template does not scan: {exc}", line, name) from exc
    return Definition(
        name=name, kind=kind, template=body, imports=imports, source=source,
        template_line=first + body_line - 1, description=_description(meta), spec=spec,
        annotations=_string_map(meta.get("annotations")), labels=_string_map(meta.get("labels")))


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _string_map(value: Any) -> dict[str, str]:
    """A metadata map as the engine uses it (read leniently only when shapes were not checked)."""
    return {str(k): v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def _description(meta: Mapping[str, Any]) -> str:
    annotations = meta.get("annotations")
    return str(annotations.get(contract.DESCRIPTION_ANNOTATION, "")) if isinstance(annotations, dict) else ""


def parse_yaml_definitions(text: str, source: str = "", *, shapes: bool = True) -> list[Definition]:
    """Read every definition document of a CRD YAML file (other documents are skipped);
    `shapes` as for parse_cue_definition."""
    try:
        loaded = load_documents(text)
    except YamlInputError as exc:
        issue = exc.issues[0]
        where = f" at {issue.path}" if issue.path else ""
        raise _broken(source, f"{issue.message}{where}", issue.line) from exc
    return [_crd_definition(d.data, d.node, source, shapes) for d in loaded
            if isinstance(d.data, dict) and str(d.data.get("kind")) in contract.CRD_KINDS]
