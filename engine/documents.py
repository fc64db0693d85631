"""Load Applications from files, YAML text or dicts, remembering the line of every path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import contract, names
from .errors import AppError, Problem, app_problem, raise_problems
from .model import Application, Component, Policy, Trait, WorkflowStep
from .yamlio import MAX_TEXT_CHARS, YamlInputError, YamlIssue, check_data, entry_label, load_documents

APP_KIND = "Application"
_LONGEST_PATH = 4096  # longer text given as a source is YAML, never a file name


@dataclass(frozen=True)
class Document:
    """One YAML document and where it came from."""

    data: Any
    source: str
    line: int
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return _text(self.data.get("kind")) if isinstance(self.data, dict) else ""

    @property
    def api_version(self) -> str:
        return _text(self.data.get("apiVersion")) if isinstance(self.data, dict) else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _issue_problems(issues: tuple[YamlIssue, ...], source: str) -> AppError:
    return AppError([app_problem(i.code, i.message, i.path, file=source, line=i.line) for i in issues])


def parse_documents(text: str, source: str = "<input>") -> list[Document]:
    """Every document of a YAML stream; unreadable, oversized or non-plain YAML raises AppError
    with file, path and line."""
    try:
        loaded = load_documents(text)
    except YamlInputError as exc:
        raise _issue_problems(exc.issues, source) from exc
    return [Document(d.data, source, d.line, d.lines) for d in loaded]


def _is_file(source: str) -> bool:
    if "\n" in source or "\0" in source or len(source) > _LONGEST_PATH:
        return False
    try:
        return Path(source).is_file()
    except (OSError, ValueError):
        return False


def _read(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.read(MAX_TEXT_CHARS + 1)  # one more than allowed: the parser says it is too big
    except (OSError, UnicodeDecodeError) as exc:
        raise AppError([app_problem("input", f"cannot read: {exc}", "", file=str(path))]) from exc


def read_documents(source: str | Path | Mapping[str, Any]) -> list[Document]:
    """Documents from a path, a YAML string or an already-parsed dict."""
    if isinstance(source, Mapping):
        issues = check_data(dict(source))
        if issues:
            raise _issue_problems(tuple(issues), "<dict>")
        return [Document(dict(source), "<dict>", 1)]
    if isinstance(source, Path) or _is_file(source):
        return parse_documents(_read(Path(source)), str(source))
    if _looks_like_a_path(source):
        raise AppError([app_problem("input", "no such file (text on one line is read as a path; YAML text"
                                    " has several lines, or is one {...} flow mapping)", "", file=source)])
    return parse_documents(source)


def _looks_like_a_path(source: str) -> bool:
    """One line that is not a `{...}` mapping: no Application fits there, so it names a file."""
    text = source.strip()
    return bool(text) and "\n" not in text and not text.startswith("{") and len(source) <= _LONGEST_PATH


# --- shapes ----------------------------------------------------------------------------------


def _at(doc: Document, path: str, code: str, message: str) -> Problem:
    return app_problem(code, message, path, file=doc.source, line=doc.lines.get(path, doc.line))


def _mapping(value: Any, path: str, problems: list[Problem], doc: Document) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(_at(doc, path, "input", f"must be a mapping, not {names.yaml_type(value)}"))
        return {}
    return value


def _list(value: Any, path: str, problems: list[Problem], doc: Document) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(_at(doc, path, "input", f"must be a list, not {names.yaml_type(value)}"))
        return []
    return value


def _type(raw: Any, path: str, what: str, problems: list[Problem], doc: Document) -> str | None:
    """The `type` of an entry, which names a definition: non-empty text."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    if isinstance(kind, str) and kind:
        return kind
    found = "" if kind is None or kind == "" else f", not {names.yaml_type(kind)}"
    problems.append(_at(doc, path if kind is None else f"{path}.type", "input", f"{what} needs a type{found}"))
    return None


def check_name(value: Any, path: str, rule: names.NameRule, problems: list[Problem], doc: Document) -> bool:
    """Whether `value` is a valid name; a problem at `path` when not."""
    error = names.name_error(value, rule)
    if error is not None:
        problems.append(_at(doc, path, "invalid-name", error))
    return error is None


def _strings(value: Any, path: str, problems: list[Problem], doc: Document) -> dict[str, str]:
    """Labels or annotations: text to text."""
    found = {}
    for key, text in _mapping(value, path, problems, doc).items():
        if isinstance(key, str) and isinstance(text, str):
            found[key] = text
        else:
            wrong = f"key {key!r} must be text" if not isinstance(key, str) else \
                f"must be text, not {names.yaml_type(text)} (quote it)"
            problems.append(_at(doc, f"{path}.{key}", "input", wrong))
    return found


def _traits(entry: dict[str, Any], path: str, problems: list[Problem], doc: Document) -> tuple[Trait, ...]:
    traits = []
    for index, raw in enumerate(_list(entry.get("traits"), f"{path}.traits", problems, doc)):
        kind = _type(raw, f"{path}.traits[{index}]", "a trait", problems, doc)
        if kind is None:
            continue
        tpath = f"{path}.traits[{entry_label(kind, index)}]"
        props = _mapping(raw.get("properties"), f"{tpath}.properties", problems, doc)
        traits.append(Trait(kind, props, tpath))
    return tuple(traits)


def _depends_on(raw: dict[str, Any], path: str, problems: list[Problem], doc: Document) -> tuple[str, ...]:
    depends = _list(raw.get("dependsOn"), f"{path}.dependsOn", problems, doc)
    if not all(isinstance(d, str) for d in depends):
        problems.append(_at(doc, f"{path}.dependsOn", "input", "must be a list of component names"))
        return ()
    return tuple(depends)


def _component(raw: Any, index: int, problems: list[Problem], doc: Document) -> Component | None:
    name = raw.get("name") if isinstance(raw, dict) else None
    path = f"components[{entry_label(name, index)}]"
    if not isinstance(raw, dict) or not name or raw.get("type") in (None, ""):
        problems.append(_at(doc, path, "input", "a component needs a name and a type"))
        return None
    kind = _type(raw, path, "a component", problems, doc)
    named = check_name(name, f"{path}.name", names.LABEL, problems, doc)
    props = _mapping(raw.get("properties"), f"{path}.properties", problems, doc)
    traits = _traits(raw, path, problems, doc)
    depends = _depends_on(raw, path, problems, doc)
    if kind is None or not named:
        return None
    return Component(name, kind, props, traits, depends, path, raw)


def _components(spec: dict[str, Any], problems: list[Problem], doc: Document) -> tuple[Component, ...]:
    entries = spec.get("components")
    if not isinstance(entries, list) or not entries:
        found = "" if entries is None or entries == [] else f", a list, not {names.yaml_type(entries)}"
        problems.append(_at(doc, "components", "input", f"an Application needs spec.components{found}"))
        return ()
    found_components: list[Component] = []
    for index, raw in enumerate(entries):
        component = _component(raw, index, problems, doc)
        if component is None:
            continue
        if any(c.name == component.name for c in found_components):
            problems.append(_at(doc, component.path, "input", "component names must be unique"))
            continue
        found_components.append(component)
    return tuple(found_components)


_Named = tuple[str, str, dict[str, Any], str]


def named_entries(entries: list[Any], what: str, problems: list[Problem], doc: Document) -> list[_Named]:
    """Policies or workflow steps: (name, type, properties, path); a missing name is the index."""
    named = []
    for index, raw in enumerate(entries):
        name = raw.get("name") if isinstance(raw, dict) else None
        path = f"{what}[{entry_label(name, index)}]"
        kind = _type(raw, f"{what}[{index}]" if name is None else path, f"a {what} entry", problems, doc)
        if name is not None and not check_name(name, f"{path}.name", names.LABEL, problems, doc):
            continue
        if kind is None:
            continue
        name = name if name is not None else str(index)
        named.append((name, kind, _mapping(raw.get("properties"), f"{path}.properties", problems, doc), path))
    return named


def _api_version(doc: Document, problems: list[Problem]) -> None:
    version = doc.data.get("apiVersion")
    if version == contract.OAM_API_VERSION:
        return
    shown = f"{version!r}" if isinstance(version, str) else names.yaml_type(version)
    hint = (" (the v1alpha2 Application of KubeVela 1.0 had components[].settings and traits[].name;"
            " write properties and traits[].type)" if version == contract.LEGACY_API_VERSION else "")
    problems.append(_at(doc, "apiVersion", "api-version",
                        f"an Application must have apiVersion {contract.OAM_API_VERSION}, not {shown}{hint}"))


def _metadata(doc: Document, problems: list[Problem]) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """name, namespace, labels and annotations."""
    meta = _mapping(doc.data.get("metadata"), "metadata", problems, doc)
    name = meta.get("name")
    if not isinstance(doc.data.get("metadata"), (dict, type(None))):
        name = None  # the shape is the problem, already reported
    elif name is None or name == "":
        problems.append(app_problem("input", "an Application needs metadata.name", "metadata",
                                    file=doc.source, line=doc.line))
    elif not check_name(name, "metadata.name", names.APP_NAME, problems, doc):
        name = None
    namespace = meta.get("namespace")
    if namespace is not None and not check_name(namespace, "metadata.namespace", names.LABEL, problems, doc):
        namespace = None
    return (str(name or ""), str(namespace or contract.DEFAULT_NAMESPACE),
            _strings(meta.get("labels"), "metadata.labels", problems, doc),
            _strings(meta.get("annotations"), "metadata.annotations", problems, doc))


def workflow_of(doc: Document, problems: list[Problem]) -> dict[str, Any]:
    """The Application's spec.workflow (a mapping, {} when absent or malformed)."""
    spec = doc.data.get("spec") if isinstance(doc.data, dict) else None
    workflow = spec.get("workflow") if isinstance(spec, dict) else None
    return _mapping(workflow, "workflow", problems, doc)


def to_application(doc: Document) -> Application:
    """Check an Application document's shape and turn it into the typed model."""
    problems: list[Problem] = []
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") != APP_KIND:
        found = repr(doc.kind) if doc.kind else names.yaml_type(data.get("kind") if isinstance(data, dict) else data)
        raise AppError([app_problem("input", f"expected an {APP_KIND}, found {found}", "",
                                    file=doc.source, line=doc.line)])
    _api_version(doc, problems)
    name, namespace, labels, annotations = _metadata(doc, problems)
    spec = _mapping(data.get("spec"), "spec", problems, doc)
    components = _components(spec, problems, doc) if spec or data.get("spec") is None else ()
    policies = named_entries(_list(spec.get("policies"), "policies", problems, doc), "policies", problems, doc)
    workflow = workflow_of(doc, problems)
    if not isinstance(workflow.get("ref", ""), str):
        problems.append(_at(doc, "workflow.ref", "input", "must be the name of a Workflow"))
    steps = named_entries(_list(workflow.get("steps"), "workflow.steps", problems, doc), "workflow.steps",
                          problems, doc)
    raise_problems(problems)
    return Application(
        name=name, namespace=namespace, labels=labels, annotations=annotations, components=components,
        policies=tuple(Policy(*p) for p in policies), workflow=tuple(WorkflowStep(*s) for s in steps),
        source=doc.source, lines=dict(doc.lines))


def load_application(source: str | Path | Mapping[str, Any]) -> Application:
    """The single Application in `source` (path, YAML text or dict); AppError otherwise."""
    docs = read_documents(source)
    apps = [d for d in docs if d.kind == APP_KIND]
    if len(apps) != 1:
        named = isinstance(source, Path) or (isinstance(source, str) and _is_file(source))
        where = docs[0].source if docs else str(source) if named else "<input>"
        found = ", ".join(repr(d.kind or "?") for d in docs) or "nothing"
        raise AppError([app_problem("input", f"expected one {APP_KIND}, found {found}", "", file=where)])
    return to_application(apps[0])
