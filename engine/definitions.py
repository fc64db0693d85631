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
from .facts import FactsCache
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
    return _parse_text(_read(path), str(path))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _broken(str(path), f"cannot read: {exc}") from exc


def _parse_text(text: str, source: str) -> list[Definition]:
    if source.endswith(".cue"):
        return [parse_cue_definition(text, source)]
    return parse_yaml_definitions(text, source)


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
    """Definitions in files and folders (searched recursively), each file read when first needed.

    A lookup reads only the files that can hold the name: a file's text must spell it (cheap to
    check; a cached file's names are known exactly). With `named_by_path` (the bundled folder),
    `<kind>/<name>.cue` is tried first. Facts of each file come from `cache_dir` when given
    (None: they are kept in memory for the process only).
    """

    def __init__(self, paths: Iterable[str | Path], cache_dir: str | Path | None = None, *,
                 named_by_path: bool = False) -> None:
        self.paths = [Path(p) for p in paths]
        self._facts = FactsCache(cache_dir)
        self._named_by_path = named_by_path
        self._found: list[Path] | None = None
        self._texts: dict[Path, str] = {}
        self._loaded: dict[Path, list[Definition]] = {}
        self._broken: dict[Path, Problem] = {}

    def _files(self) -> list[Path]:
        if self._found is None:
            self._found = []
            for path in self.paths:
                if path.is_dir():
                    self._found += sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
                else:
                    self._found.append(path)
        return self._found

    def _text(self, file: Path) -> str | None:
        if file not in self._texts and file not in self._broken:
            if not file.exists():
                self._broken[file] = _broken(str(file), "no such file or folder").problem
            else:
                try:
                    self._texts[file] = _read(file)
                except BrokenDefinition as exc:
                    self._broken[file] = exc.problem
        return self._texts.get(file)

    def _load(self, file: Path) -> list[Definition]:
        if file not in self._loaded:
            text = self._text(file)
            self._loaded[file] = []
            if text is not None:
                try:
                    found = self._facts.file_facts(file, text, _parse_text)
                except BrokenDefinition as exc:
                    self._broken[file] = exc.problem
                else:
                    self._loaded[file] = [f.definition for f in found]
        return self._loaded[file]

    def _may_hold(self, file: Path, name: str) -> bool:
        if file in self._loaded:
            return True
        text = self._text(file)
        return text is not None and name in text

    def get(self, kind: str, name: str) -> Definition | None:
        if self._named_by_path:
            for file in self._files():
                if file.stem == name and file.parent.name == kind:
                    found = next((d for d in self._load(file) if d.kind == kind and d.name == name), None)
                    if found is not None:
                        return found
        for file in self._files():
            if self._may_hold(file, name):
                found = next((d for d in self._load(file) if d.kind == kind and d.name == name), None)
                if found is not None:
                    return found
        return None

    def _all(self) -> list[Definition]:
        return [d for file in self._files() for d in self._load(file)]

    def names(self, kind: str) -> list[str]:
        return sorted({d.name for d in self._all() if d.kind == kind})

    def broken(self) -> list[Problem]:
        self._all()
        return [self._broken[file] for file in self._files() if file in self._broken]

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


def bundled_loader(cache_dir: str | Path | None = None) -> DirectoryLoader:
    """The definitions shipped with oam-render (each in `<kind>/<name>.cue`)."""
    return DirectoryLoader([BUNDLED_DIR], cache_dir, named_by_path=True)


def default_loader(extra: Iterable[str | Path] = (), cache_dir: str | Path | None = None) -> ChainLoader:
    """User files and folders first, then the bundled definitions; facts cached under `cache_dir`."""
    extra = list(extra)
    loaders: list[DefinitionLoader] = [DirectoryLoader(extra, cache_dir)] if extra else []
    return ChainLoader([*loaders, bundled_loader(cache_dir)])


def strip_version(type_name: str) -> str:
    """`webservice@v1` -> `webservice` (versions are not kept apart offline)."""
    return type_name.split("@", 1)[0]
