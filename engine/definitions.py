"""Definitions: read both file formats, and find them through loaders on a search path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import yaml

from . import contract
from .cue.syntax import CueSyntaxError, parse_concrete, split_definition_file, split_imports
from .errors import Problem, definition_problem
from .model import Definition
from .yamlio import YamlInputError, load_documents

# In a wheel the bundled definitions sit inside the package; in a checkout, at its root.
_PACKAGED = Path(__file__).resolve().parent / "bundled_definitions"
BUNDLED_DIR = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "definitions"
_SUFFIXES = (".cue", ".yaml", ".yml")


class BrokenDefinition(Exception):
    """A definition file that cannot be read, with the reason and position."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _broken(file: str, message: str, line: int | None = None, name: str = "") -> BrokenDefinition:
    return BrokenDefinition(definition_problem("bad-definition", message, file=file, line=line,
                                               definition=name))


# --- standalone .cue files -------------------------------------------------------------------


def parse_cue_definition(text: str, source: str = "") -> Definition:
    """Read the standalone `.cue` form (`NAME: {type, ...}` plus `template: {...}`)."""
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
    extra = sorted(set(attributes) - set(contract.ATTRIBUTES[kind]))
    if extra:
        raise _broken(source, f"unknown attributes {extra} for a {kind}", parts.metadata_line, parts.name)
    return Definition(
        name=parts.name, kind=kind, template=parts.template_body, imports=parts.imports,
        source=source, template_line=parts.template_line,
        description=str(metadata.get("description", "")), spec=attributes,
        annotations=metadata.get("annotations") or {}, labels=metadata.get("labels") or {})


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


def _crd_definition(doc: dict[str, Any], node: yaml.Node, source: str) -> Definition:
    kind = contract.CRD_KINDS[doc["kind"]]
    raw_meta = doc.get("metadata")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    name = meta.get("name")
    if not name or not isinstance(name, str):
        raise _broken(source, f"{doc['kind']} without metadata.name", node.start_mark.line + 1)
    template_node, _ = _template_node(node)
    spec = dict(doc["spec"]) if isinstance(doc.get("spec"), dict) else {}
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
    try:
        imports, body, body_line = split_imports(template_node.value)
    except CueSyntaxError as exc:
        line = first + getattr(exc, "line", 1) - 1
        raise _broken(source, f"{name}: the template does not scan: {exc}", line, name) from exc
    return Definition(
        name=name, kind=kind, template=body, imports=imports, source=source,
        template_line=first + body_line - 1, description=_description(meta), spec=spec,
        annotations=meta.get("annotations") or {}, labels=meta.get("labels") or {})


def _description(meta: Mapping[str, Any]) -> str:
    return str((meta.get("annotations") or {}).get(contract.DESCRIPTION_ANNOTATION, ""))


def parse_yaml_definitions(text: str, source: str = "") -> list[Definition]:
    """Read every definition document of a CRD YAML file (other documents are skipped)."""
    try:
        loaded = load_documents(text)
    except YamlInputError as exc:
        issue = exc.issues[0]
        where = f" at {issue.path}" if issue.path else ""
        raise _broken(source, f"{issue.message}{where}", issue.line) from exc
    return [_crd_definition(d.data, d.node, source) for d in loaded
            if isinstance(d.data, dict) and d.data.get("kind") in contract.CRD_KINDS]


def parse_definition_file(path: Path) -> list[Definition]:
    """Definitions in one file (either format); raises BrokenDefinition."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _broken(str(path), f"cannot read: {exc}") from exc
    if path.suffix == ".cue":
        return [parse_cue_definition(text, str(path))]
    return parse_yaml_definitions(text, str(path))


# --- loaders ---------------------------------------------------------------------------------


@runtime_checkable
class DefinitionLoader(Protocol):
    """Where definitions come from. `get` returns None for names it does not have."""

    def get(self, kind: str, name: str) -> Definition | None: ...

    def names(self, kind: str) -> list[str]: ...

    def broken(self) -> list[Problem]: ...

    def describe(self) -> str: ...


@dataclass
class DictLoader:
    """Definitions held in memory (tests, embedding)."""

    definitions: Sequence[Definition]
    label: str = "memory"

    def get(self, kind: str, name: str) -> Definition | None:
        return next((d for d in self.definitions if d.kind == kind and d.name == name), None)

    def names(self, kind: str) -> list[str]:
        return sorted({d.name for d in self.definitions if d.kind == kind})

    def broken(self) -> list[Problem]:
        return []

    def describe(self) -> str:
        return self.label


class DirectoryLoader:
    """Definitions in files and folders (searched recursively); files are read on first use."""

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self._loaded: list[Definition] | None = None
        self._broken: list[Problem] = []

    def _files(self) -> list[Path]:
        files: list[Path] = []
        for path in self.paths:
            if path.is_dir():
                files += sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            else:
                files.append(path)
        return files

    def _all(self) -> list[Definition]:
        if self._loaded is None:
            self._loaded = []
            for file in self._files():
                if not file.exists():
                    self._broken.append(_broken(str(file), "no such file or folder").problem)
                    continue
                try:
                    self._loaded += parse_definition_file(file)
                except BrokenDefinition as exc:
                    self._broken.append(exc.problem)
        return self._loaded

    def get(self, kind: str, name: str) -> Definition | None:
        return next((d for d in self._all() if d.kind == kind and d.name == name), None)

    def names(self, kind: str) -> list[str]:
        return sorted({d.name for d in self._all() if d.kind == kind})

    def broken(self) -> list[Problem]:
        self._all()
        return list(self._broken)

    def describe(self) -> str:
        return ", ".join(str(p) for p in self.paths)


class ChainLoader:
    """Loaders tried in turn: the first that has a name wins (user folders before bundled)."""

    def __init__(self, loaders: Sequence[DefinitionLoader]) -> None:
        self.loaders = list(loaders)

    def get(self, kind: str, name: str) -> Definition | None:
        for loader in self.loaders:
            found = loader.get(kind, name)
            if found is not None:
                return found
        return None

    def names(self, kind: str) -> list[str]:
        return sorted({n for loader in self.loaders for n in loader.names(kind)})

    def broken(self) -> list[Problem]:
        return [p for loader in self.loaders for p in loader.broken()]

    def describe(self) -> str:
        return "; ".join(loader.describe() for loader in self.loaders)


def bundled_loader() -> DirectoryLoader:
    """The definitions shipped with oam-render."""
    return DirectoryLoader([BUNDLED_DIR])


def default_loader(extra: Iterable[str | Path] = ()) -> ChainLoader:
    """User files and folders first, then the bundled definitions."""
    extra = list(extra)
    loaders: list[DefinitionLoader] = [DirectoryLoader(extra)] if extra else []
    return ChainLoader([*loaders, bundled_loader()])


def strip_version(type_name: str) -> str:
    """`webservice@v1` -> `webservice` (versions are not kept apart offline)."""
    return type_name.split("@", 1)[0]
