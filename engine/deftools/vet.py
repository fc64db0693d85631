"""`def vet`: check definition files (metadata, attributes, markers, docs, template compilation)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import contract
from ..cue.runner import Cue
from ..cue.syntax import CueSyntaxError, parse_concrete, split_definition_file, split_imports
from ..definitions import BrokenDefinition, parse_cue_definition, parse_yaml_definitions
from ..model import Definition
from ..paths import Parts
from ..yamlio import YamlInputError, load_documents
from .checks import (
    STATUS_SNIPPETS,
    WORKLOAD_DEFINITION_EXTRA,
    Locate,
    check_attributes,
    check_name,
    check_string_map,
    cue_locator,
    yaml_locator,
)
from .compile import Unit, compile_units, status_context, stub_context
from .lint import Note, template_notes

_SUFFIXES = (".cue", ".yaml", ".yml")


@dataclass(frozen=True)
class Finding:
    """One problem in a definition file: `FILE:LINE: error|warning: message`."""

    file: str
    line: int
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass
class _FileReport:
    file: str
    notes: list[Note] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    def error(self, line: int | None, message: str) -> None:
        self.notes.append(Note(line or 1, "error", message))

    def definition(self, definition: Definition, spec: Mapping[str, Any], locate: Locate,
                   spec_path: tuple[str, ...]) -> None:
        """Queue the template (and status snippets) for compilation and scan its source."""
        if not definition.template.strip() and not definition.imports:
            return
        self.notes += [dataclasses.replace(n, line=definition.position(n.line))
                       for n in template_notes(definition.template)]
        self.units.append(Unit(definition, "", stub_context(definition.kind)))
        status = spec.get("status")
        for key in STATUS_SNIPPETS:
            snippet = status.get(key) if isinstance(status, Mapping) else None
            if isinstance(snippet, str) and snippet.strip():
                line = locate((*spec_path, "status", key)) + (1 if "\n" in snippet else 0)
                unit = Definition(name=definition.name, kind=definition.kind, template=snippet,
                                  source=definition.source, template_line=line)
                self.units.append(Unit(unit, f"status.{key}", status_context()))


# --- standalone .cue files -------------------------------------------------------------------


def _cue_metadata_notes(metadata: Any, locate: Locate) -> list[Note]:
    if not isinstance(metadata, Mapping):
        return [Note(locate(()), "error", "the metadata must be a struct")]
    known = ", ".join(contract.METADATA_KEYS)
    notes = [Note(locate((key,)), "error", f"unknown metadata field {key!r} (known: {known})")
             for key in metadata if key not in contract.METADATA_KEYS]
    kind = metadata.get("type")
    if kind not in contract.KIND_TO_CRD:
        notes.append(Note(locate(("type",)), "error",
                          f"type must be one of {', '.join(contract.KIND_TO_CRD)}, not {kind!r}"))
    for key in ("description", "alias"):
        if key in metadata and not isinstance(metadata[key], str):
            notes.append(Note(locate((key,)), "error", f"{key} must be a string"))
    if not metadata.get("description"):
        notes.append(Note(locate(()), "warning", "no description: docs and UIs show an empty one"))
    for key in ("annotations", "labels"):
        notes += check_string_map(metadata.get(key), key, (key,), locate)
    if kind in contract.KIND_TO_CRD:
        notes += check_attributes(kind, metadata.get("attributes") or {}, ("attributes",), locate)
    return notes


def _vet_cue(report: _FileReport, text: str) -> None:
    try:
        parts = split_definition_file(text)
    except CueSyntaxError as exc:
        report.error(exc.line, f"not a definition file: {exc.message}")
        return
    try:
        metadata, _ = parse_concrete(parts.metadata_source)
    except CueSyntaxError as exc:
        report.error(parts.metadata_line + exc.line - 1, f"the metadata must be plain data: {exc.message}")
        metadata = None
    locate = cue_locator(parts.metadata_source, parts.metadata_line)
    report.notes += check_name(parts.name, parts.metadata_line)
    if metadata is not None:
        report.notes += _cue_metadata_notes(metadata, locate)
    errors = any(n.severity == "error" for n in report.notes)
    try:
        definition = parse_cue_definition(text, report.file, shapes=False)
    except BrokenDefinition as exc:
        if not errors:  # anything the checks above did not already explain
            report.error(exc.problem.location.line, exc.problem.message)
        kind = metadata.get("type") if isinstance(metadata, Mapping) else None
        definition = Definition(name=parts.name, kind=kind if kind in contract.KIND_TO_CRD else "component",
                                template=parts.template_body, imports=parts.imports, source=report.file,
                                template_line=parts.template_line)
    spec = metadata.get("attributes") if isinstance(metadata, Mapping) else None
    report.definition(definition, spec if isinstance(spec, Mapping) else {}, locate, ("attributes",))


# --- CRD YAML files --------------------------------------------------------------------------


def _key_lines(node: yaml.Node, path: Parts, out: dict[Parts, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _key_lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[(*path, index)] = item.start_mark.line + 1
            _key_lines(item, (*path, index), out)


def _crd_notes(doc: Mapping[str, Any], locate: Locate) -> list[Note]:
    kind = contract.CRD_KINDS[doc["kind"]]
    notes = []
    if doc["kind"] == "WorkloadDefinition":
        notes.append(Note(locate(("kind",)), "warning", "WorkloadDefinition is legacy; it is read as a component"))
    if doc.get("apiVersion") != contract.OAM_API_VERSION:
        notes.append(Note(locate(("apiVersion",)), "warning",
                          f"apiVersion should be {contract.OAM_API_VERSION}, not {doc.get('apiVersion')!r}"))
    meta = doc.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    notes += check_name(str(meta.get("name", "")), locate(("metadata", "name")))
    for key in ("annotations", "labels"):
        notes += check_string_map(meta.get(key), key, ("metadata", key), locate)
    if not (meta.get("annotations") or {}).get(contract.DESCRIPTION_ANNOTATION):
        notes.append(Note(locate(("metadata",)), "warning",
                          f"no description (annotation {contract.DESCRIPTION_ANNOTATION})"))
    spec = doc.get("spec") or {}
    legacy = WORKLOAD_DEFINITION_EXTRA if doc["kind"] == "WorkloadDefinition" else None
    notes += check_attributes(kind, spec, ("spec",), locate, legacy)
    extension = spec.get("extension") if isinstance(spec, Mapping) else None
    if isinstance(extension, Mapping) and extension.get("template") is not None:
        notes.append(Note(locate(("spec", "extension")), "warning",
                          "spec.extension.template is legacy; use spec.schematic.cue.template"))
    return notes


_UNSCANNABLE = "the template cannot be scanned"


def _template_scan_notes(doc: Mapping[str, Any], locate: Locate) -> list[Note]:
    """A template whose brackets or strings do not close (the loader cannot split its imports)."""
    for route in (("spec", "schematic", "cue", "template"), ("spec", "extension", "template")):
        node: Any = doc
        for key in route:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, str):
            try:
                split_imports(node)
            except CueSyntaxError as exc:
                # A block scalar's text starts on the line after its key.
                line = locate(route) + (exc.line if "\n" in node else 0)
                return [Note(line, "error", f"{_UNSCANNABLE}: {exc.message}")]
            return []
    return []


def _vet_yaml(report: _FileReport, text: str) -> None:
    try:  # the one bounded, plain-data YAML reader: no alias bombs, no tags, no dates
        loaded = load_documents(text)
    except YamlInputError as exc:
        for issue in exc.issues:
            report.error(issue.line or 1, f"{issue.message} at {issue.path}" if issue.path else issue.message)
        return
    located = []
    for document in loaded:
        node, doc = document.node, document.data
        if isinstance(doc, dict) and doc.get("kind") in contract.CRD_KINDS:
            lines: dict[Parts, int] = {}
            _key_lines(node, (), lines)
            located.append((doc, yaml_locator(lines, node.start_mark.line + 1)))
    if not located:
        report.error(1, "no ComponentDefinition, TraitDefinition, PolicyDefinition or WorkflowStepDefinition")
        return
    for doc, locate in located:
        report.notes += _crd_notes(doc, locate) + _template_scan_notes(doc, locate)
    if any(n.severity == "error" and n.message.startswith(_UNSCANNABLE) for n in report.notes):
        return
    try:
        definitions = parse_yaml_definitions(text, report.file, shapes=False)  # its notes say them
    except BrokenDefinition as exc:
        report.error(exc.problem.location.line, exc.problem.message)
        return
    for definition, (doc, locate) in zip(definitions, located, strict=True):
        spec = doc.get("spec")
        report.definition(definition, spec if isinstance(spec, Mapping) else {}, locate, ("spec",))


# --- the command -----------------------------------------------------------------------------


def definition_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to vet: files as given, folders searched recursively for .cue/.yaml/.yml."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
        else:
            files.append(path)
    return files


def _read(path: Path, report: _FileReport) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.error(1, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
        return
    (_vet_cue if path.suffix == ".cue" else _vet_yaml)(report, text)


def vet_files(paths: Sequence[str | Path], cue: Cue) -> list[Finding]:
    """Every problem in the definition files under `paths`, in file order then line order.

    Template compilation of all files is batched into as few cue processes as cue allows.
    Raises CueEnvironmentError only when cue itself is unusable.
    """
    reports = []
    for path in definition_files(paths):
        report = _FileReport(str(path))
        _read(path, report)
        reports.append(report)
    units = [(report, unit) for report in reports for unit in report.units]
    for index, notes in compile_units([unit for _, unit in units], cue).items():
        units[index][0].notes.extend(notes)
    findings = []
    for report in reports:
        ordered = sorted(dict.fromkeys(report.notes), key=lambda n: (n.line, n.severity != "error"))
        findings += [Finding(report.file, n.line, n.severity, n.message) for n in ordered]
    return findings
