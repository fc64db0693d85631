"""Convert definitions between the standalone `.cue` form and the CRD YAML form."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from .. import contract
from ..cue.runner import Cue, CueFailed
from ..cue.syntax import CueSyntaxError, parse_concrete, split_definition_file
from ..definitions import BrokenDefinition, parse_cue_definition, parse_yaml_definitions
from ..errors import definition_problem
from ..model import JSON, Definition
from ..yamlio import Dumper, represent_str

ALIAS_ANNOTATION = "definition.oam.dev/alias"
_IDENTIFIER = re.compile(r"[A-Za-z$][\w$]*")
# Words that cannot stand unquoted as a label, or would read as something else there.
_RESERVED = frozenset({"if", "for", "in", "let", "import", "package", "true", "false", "null", "_"})
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@")


@dataclass(frozen=True)
class DefinitionForm:
    """What both file formats carry: the metadata the `.cue` form spells out, and the template."""

    name: str
    kind: str
    template: str  # the body, as in Definition.template
    imports: str = ""
    description: str = ""
    alias: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)  # without description and alias
    labels: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, JSON] = field(default_factory=dict)  # the spec without the template
    source: str = ""  # the file it was read from, for messages
    template_line: int = 1  # line in `source` of the template body's first line


def _broken(source: str, message: str, line: int | None = None) -> BrokenDefinition:
    return BrokenDefinition(definition_problem("bad-definition", message, file=source, line=line))


def form_from_cue(text: str, source: str = "") -> DefinitionForm:
    """Read a standalone `.cue` definition; raises BrokenDefinition."""
    definition = parse_cue_definition(text, source)  # validates layout, type and attributes
    try:
        metadata, _ = parse_concrete(split_definition_file(text).metadata_source)
    except CueSyntaxError as exc:  # pragma: no cover - parse_cue_definition read it
        raise _broken(source, str(exc)) from exc
    return DefinitionForm(
        name=definition.name, kind=definition.kind, template=definition.template,
        imports=definition.imports, description=definition.description,
        alias=str(metadata.get("alias", "")), annotations=dict(definition.annotations),
        labels=dict(definition.labels), attributes=dict(definition.spec), source=source,
        template_line=definition.template_line)


def form_from_definition(definition: Definition) -> DefinitionForm:
    """The form of a definition read from CRD YAML (description and alias live in annotations)."""
    annotations = dict(definition.annotations)
    annotations.pop(contract.DESCRIPTION_ANNOTATION, None)
    alias = str(annotations.pop(ALIAS_ANNOTATION, ""))
    attributes = dict(definition.spec)
    schematic = dict(attributes.pop("schematic", None) or {})
    schematic.pop("cue", None)
    if schematic:  # e.g. a kube schematic: not a CUE template, keep it as an attribute
        attributes["schematic"] = schematic
    attributes.pop("extension", None)  # the legacy home of the template
    reference = attributes.pop("definitionRef", None)  # a legacy WorkloadDefinition's workload
    if isinstance(reference, Mapping) and reference.get("name") and "workload" not in attributes:
        attributes["workload"] = {"type": str(reference["name"])}
    return DefinitionForm(
        name=definition.name, kind=definition.kind, template=definition.template,
        imports=definition.imports, description=definition.description, alias=alias,
        annotations=annotations, labels=dict(definition.labels), attributes=attributes,
        source=definition.source, template_line=definition.template_line)


def forms_from_yaml(text: str, source: str = "") -> list[DefinitionForm]:
    """Every definition in a CRD YAML file; raises BrokenDefinition (also when there is none)."""
    try:
        definitions = parse_yaml_definitions(text, source)
    except CueSyntaxError as exc:  # the loader lets a template it cannot scan through
        raise _broken(source, f"a template cannot be scanned: {exc.message} (line {exc.line} of the template)") from exc
    if not definitions:
        raise _broken(source, "no ComponentDefinition, TraitDefinition, PolicyDefinition or"
                              " WorkflowStepDefinition document")
    for definition in definitions:
        if not definition.template:
            raise _broken(source, f"{definition.name}: has no CUE template to convert")
    return [form_from_definition(d) for d in definitions]


# --- CRD YAML --------------------------------------------------------------------------------


def template_text(form: DefinitionForm) -> str:
    """The CRD template string: the imports, then the body moved to the left margin."""
    body = textwrap.dedent(form.template).strip("\n") + "\n"
    imports = form.imports.strip()
    return f"{imports}\n\n{body}" if imports else body


def crd_document(form: DefinitionForm) -> dict[str, Any]:
    """The definition as a core.oam.dev/v1beta1 object."""
    annotations: dict[str, str] = {}
    if form.description:
        annotations[contract.DESCRIPTION_ANNOTATION] = form.description
    if form.alias:
        annotations[ALIAS_ANNOTATION] = form.alias
    annotations.update(form.annotations)
    metadata: dict[str, Any] = {"name": form.name}
    if annotations:
        metadata["annotations"] = annotations
    if form.labels:
        metadata["labels"] = dict(form.labels)
    spec = dict(form.attributes)
    schematic = dict(spec.pop("schematic", None) or {})
    schematic["cue"] = {"template": template_text(form)}
    spec["schematic"] = schematic
    return {"apiVersion": contract.OAM_API_VERSION, "kind": contract.KIND_TO_CRD[form.kind],
            "metadata": metadata, "spec": spec}


class _Dumper(Dumper):
    """Writes multi-line strings as literal blocks, tabs included (PyYAML quotes them)."""

    def analyze_scalar(self, scalar: str) -> Any:
        analysis = super().analyze_scalar(scalar)
        if "\n" in scalar and _block_safe(scalar):
            analysis.allow_block = True
        return analysis


def _block_safe(text: str) -> bool:
    # A blank line holding only spaces would lose them; control characters need escapes.
    lines = text.split("\n")
    if any(line and not line.strip(" \t") for line in lines) or text.startswith(("\t", " ")):
        return False
    return all(ch == "\t" or ch == "\n" or (ch >= " " and ch not in "\x7f\x85\u2028\u2029\ufeff")
               for ch in text)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text and _block_safe(text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return represent_str(dumper, text)


_Dumper.add_representer(str, _represent_str)


def render_yaml(forms: list[DefinitionForm]) -> str:
    """The CRD YAML stream of `forms`, templates as literal blocks."""
    return yaml.dump_all([crd_document(f) for f in forms], Dumper=_Dumper, sort_keys=False,
                         allow_unicode=True, width=1 << 16)


# --- the .cue form ---------------------------------------------------------------------------


def cue_label(name: str) -> str:
    """A field label, quoted when it is not a plain identifier."""
    if _IDENTIFIER.fullmatch(name) and name not in _RESERVED:
        return name
    return json.dumps(name, ensure_ascii=False)


def _multiline(text: str, indent: str) -> str:
    hashes = "#"
    while f'"""{hashes}' in text or f"\\{hashes}" in text:
        hashes += "#"
    inner = indent + "\t"
    lines = [inner + line if line else "" for line in text.split("\n")]
    return "\n".join([f'{hashes}"""', *lines, f'{inner}"""{hashes}'])


def cue_data(value: JSON, indent: str = "") -> str:
    """`value` as CUE source (plain data), laid out the way `cue fmt` keeps it."""
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = indent + "\t"
        fields = [f"{inner}{cue_label(str(k))}: {cue_data(v, inner)}" for k, v in value.items()]
        return "{\n" + "\n".join(fields) + f"\n{indent}}}"
    if isinstance(value, list):
        return "[" + ", ".join(cue_data(v, indent) for v in value) + "]"
    if isinstance(value, str) and "\n" in value:
        return _multiline(value, indent)
    return json.dumps(value, ensure_ascii=False)


def cue_source(form: DefinitionForm) -> str:
    """The standalone `.cue` text of `form` (not yet formatted)."""
    metadata: dict[str, Any] = {"type": form.kind}
    if form.description:
        metadata["description"] = form.description
    if form.alias:
        metadata["alias"] = form.alias
    metadata.update(annotations=dict(form.annotations), labels=dict(form.labels),
                    attributes=dict(form.attributes))
    body = textwrap.dedent(form.template).strip("\n")
    indented = "\n".join("\t" + line if line.strip() else "" for line in body.split("\n"))
    parts = [form.imports.strip()] if form.imports.strip() else []
    parts.append(f"{cue_label(form.name)}: {cue_data(metadata)}\ntemplate: {{\n{indented}\n}}")
    return "\n\n".join(parts) + "\n"


def format_cue(text: str, cue: Cue) -> str:
    """`text` as `cue fmt` writes it; raises CueFailed when cue cannot parse it."""
    name = "definition.cue"
    diff = cue.run(["fmt", "--diff", "--files", name], {name: text})
    return apply_diff(text, diff) if diff.strip() else text


def apply_diff(original: str, diff: str) -> str:
    """Apply the unified diff `cue fmt --diff` printed for `original`."""
    old = original.splitlines(keepends=True)
    out: list[str] = []
    cursor, old_left, new_left = 0, 0, 0
    for line in diff.splitlines(keepends=True):
        hunk = _HUNK.match(line)
        if hunk and not (old_left or new_left):
            old_left, new_left = int(hunk[2] or 1), int(hunk[3] or 1)
            start = int(hunk[1]) - (1 if old_left else 0)
            out += old[cursor:start]
            cursor = start
        elif line.startswith("\\"):  # "\ No newline at end of file" for the line before
            if out and not (old_left or new_left):
                out[-1] = out[-1].removesuffix("\n")
        elif old_left or new_left:
            tag, content = line[:1], line[1:]
            if tag in (" ", "-"):
                cursor, old_left = cursor + 1, old_left - 1
            if tag in (" ", "+"):
                out.append(content)
                new_left -= 1
    return "".join(out + old[cursor:])


def formatted_cue(form: DefinitionForm, cue: Cue) -> str:
    """The `.cue` text of `form`, formatted; raises BrokenDefinition (at the template line cue
    points to) when cue cannot parse it."""
    text = cue_source(form)
    try:
        return format_cue(text, cue)
    except CueFailed as failed:
        first = failed.diagnostics[0] if failed.diagnostics else None
        line = form.template_line
        if first is not None and first.positions:
            # The body starts on the line after `template: {`; blank lines above it were dropped.
            body_start = text[:text.rindex("\ntemplate: {\n")].count("\n") + 3
            dropped = len(form.template) - len(form.template.lstrip("\n"))
            line += max(0, first.positions[0].line - body_start) + dropped
        message = first.message if first is not None else failed.stderr.strip()
        raise _broken(form.source, f"{form.name}: the template does not parse: {message}", line) from failed
