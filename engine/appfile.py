"""Load Applications from files, YAML text or dicts, remembering the line of every path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import contract
from .errors import AppError, Problem, app_problem, raise_problems
from .model import Application, Component, Policy, Trait, WorkflowStep

APP_KIND = "Application"


@dataclass(frozen=True)
class Document:
    """One YAML document and where it came from."""

    data: Any
    source: str
    line: int
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "")) if isinstance(self.data, dict) else ""

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion", "")) if isinstance(self.data, dict) else ""


def _record_lines(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    """Map app paths (components[web].properties.image) to 1-based lines."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            label = str(getattr(key, "value", ""))
            _record_lines(value, f"{path}.{label}" if path else label, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, f"{path}[{_item_label(item, index)}]", lines)


def _item_label(node: yaml.Node, index: int) -> str:
    """Components and policies are named, traits typed: use that instead of the index."""
    if isinstance(node, yaml.MappingNode):
        keys = {getattr(k, "value", None): v for k, v in node.value}
        for key in ("name", "type"):
            if isinstance(keys.get(key), yaml.ScalarNode):
                return str(keys[key].value)
    return str(index)


def parse_documents(text: str, source: str = "<input>") -> list[Document]:
    """Every document of a YAML stream; malformed YAML raises AppError with file and line."""
    try:
        nodes = list(yaml.compose_all(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise AppError([app_problem("yaml", f"malformed YAML: {problem}", "", file=source,
                                    line=line)]) from exc
    docs = []
    for node in nodes:
        if node is None:
            continue
        lines: dict[str, int] = {}
        spec = _child(node, "spec")
        if spec is not None:
            _record_lines(spec, "", lines)
        docs.append(Document(yaml.safe_load(yaml.serialize(node)), source,
                             node.start_mark.line + 1, lines))
    return docs


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v  # type: ignore[no-any-return]
    return None


def read_documents(source: str | Path | Mapping[str, Any]) -> list[Document]:
    """Documents from a path, a YAML string or an already-parsed dict."""
    if isinstance(source, Mapping):
        return [Document(dict(source), "<dict>", 1)]
    if isinstance(source, Path) or ("\n" not in source and Path(source).is_file()):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AppError([app_problem("input", f"cannot read: {exc}", "", file=str(path))]) from exc
        return parse_documents(text, str(path))
    if "\n" not in source and source.endswith((".yaml", ".yml", ".json")):
        raise AppError([app_problem("input", "no such file", "", file=source)])
    return parse_documents(source)


def _mapping(value: Any, path: str, problems: list[Problem], doc: Document) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(_at(doc, path, "input", f"must be a mapping, not {type(value).__name__}"))
        return {}
    return value


def _at(doc: Document, path: str, code: str, message: str) -> Problem:
    return app_problem(code, message, path, file=doc.source, line=doc.lines.get(path, doc.line))


def _traits(entry: dict[str, Any], path: str, problems: list[Problem], doc: Document) -> tuple[Trait, ...]:
    traits = []
    for index, raw in enumerate(entry.get("traits") or []):
        if not isinstance(raw, dict) or not raw.get("type"):
            problems.append(_at(doc, f"{path}.traits[{index}]", "input", "a trait needs a type"))
            continue
        tpath = f"{path}.traits[{raw['type']}]"
        props = _mapping(raw.get("properties"), f"{tpath}.properties", problems, doc)
        traits.append(Trait(str(raw["type"]), props, tpath))
    return tuple(traits)


def _components(spec: dict[str, Any], problems: list[Problem], doc: Document) -> tuple[Component, ...]:
    found: list[Component] = []
    entries = spec.get("components")
    if not isinstance(entries, list) or not entries:
        problems.append(_at(doc, "components", "input", "an Application needs spec.components"))
        return ()
    for index, raw in enumerate(entries):
        if not isinstance(raw, dict) or not raw.get("name") or not raw.get("type"):
            problems.append(_at(doc, f"components[{index}]", "input", "a component needs a name and a type"))
            continue
        path = f"components[{raw['name']}]"
        if any(c.name == raw["name"] for c in found):
            problems.append(_at(doc, path, "input", "component names must be unique"))
            continue
        props = _mapping(raw.get("properties"), f"{path}.properties", problems, doc)
        depends = tuple(str(d) for d in raw.get("dependsOn") or [])
        found.append(Component(str(raw["name"]), str(raw["type"]), props,
                               _traits(raw, path, problems, doc), depends, path, raw))
    return tuple(found)


_Named = tuple[str, str, dict[str, Any], str]


def _named(entries: Any, what: str, problems: list[Problem], doc: Document) -> list[_Named]:
    named = []
    for index, raw in enumerate(entries or []):
        if not isinstance(raw, dict) or not raw.get("type"):
            problems.append(_at(doc, f"{what}[{index}]", "input", f"a {what} entry needs a type"))
            continue
        name = str(raw.get("name") or index)
        path = f"{what}[{name}]"
        named.append((name, str(raw["type"]), _mapping(raw.get("properties"), f"{path}.properties",
                                                       problems, doc), path))
    return named


def to_application(doc: Document) -> Application:
    """Check an Application document's shape and turn it into the typed model."""
    problems: list[Problem] = []
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") != APP_KIND:
        found = data.get("kind") if isinstance(data, dict) else type(data).__name__
        raise AppError([app_problem("input", f"expected an {APP_KIND}, found {found!r}", "",
                                    file=doc.source, line=doc.line)])
    meta = _mapping(data.get("metadata"), "metadata", problems, doc)
    spec = _mapping(data.get("spec"), "spec", problems, doc)
    if not meta.get("name"):
        problems.append(app_problem("input", "an Application needs metadata.name", "metadata",
                                    file=doc.source, line=doc.line))
    components = _components(spec, problems, doc)
    policies = tuple(Policy(*p) for p in _named(spec.get("policies"), "policies", problems, doc))
    steps = (spec.get("workflow") or {}).get("steps") if isinstance(spec.get("workflow"), dict) else None
    workflow = tuple(WorkflowStep(*s) for s in _named(steps, "workflow.steps", problems, doc))
    raise_problems(problems)
    return Application(
        name=str(meta["name"]), namespace=str(meta.get("namespace") or contract.DEFAULT_NAMESPACE),
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        annotations={str(k): str(v) for k, v in (meta.get("annotations") or {}).items()},
        components=components, policies=policies, workflow=workflow, source=doc.source,
        lines=dict(doc.lines))


def load_application(source: str | Path | Mapping[str, Any]) -> Application:
    """The single Application in `source` (path, YAML text or dict); AppError otherwise."""
    docs = read_documents(source)
    apps = [d for d in docs if d.kind == APP_KIND]
    if len(apps) != 1:
        where = docs[0].source if docs else str(source)[:60]
        found = ", ".join(repr(d.kind or "?") for d in docs) or "nothing"
        raise AppError([app_problem("input", f"expected one {APP_KIND}, found {found}", "", file=where)])
    return to_application(apps[0])
