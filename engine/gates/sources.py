"""Read objects to check or compare: YAML streams, `--output-dir` folders, or apps rendered first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import AppError, Fixer, Location, Problem
from ..model import RenderOptions
from ..paths import Parts, bracket_text
from .subjects import Subject

YAML_SUFFIXES = (".yaml", ".yml")
# Documents of these kinds make a path an app to render rather than rendered objects.
_APP_KINDS = frozenset({"Application", "ApplicationConfiguration"})
_APP_GROUP = "core.oam.dev/"
_SIDE_DOCUMENT_KINDS = frozenset({"Policy", "Workflow", "Component"})


def _input_error(message: str, file: str, line: int | None = None) -> AppError:
    return AppError([Problem("input", message, Fixer.APP, Location(file=file, line=line))])


def yaml_files(path: Path) -> list[Path]:
    """`path` itself, or every YAML file under the folder `path`, in name order."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    if path.is_file():
        return [path]
    raise _input_error("no such file or folder", str(path))


def read_stream(text: str, source: str = "<input>") -> list[Subject]:
    """Every mapping document of a YAML stream, with its line and the line of each field.

    A `List` document (`kind: List`, as `render -o json` writes) gives its items.
    Raises AppError for malformed YAML or documents that are not mappings.
    """
    loader = yaml.SafeLoader(text)
    subjects: list[Subject] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                subjects += _subjects(loader.construct_document(node), node, source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _input_error(f"malformed YAML: {getattr(exc, 'problem', None) or exc}", source,
                           mark.line + 1 if mark else None) from exc
    finally:
        loader.dispose()
    return subjects


def _subjects(body: Any, node: yaml.Node, source: str) -> list[Subject]:
    line = node.start_mark.line + 1
    if body is None:
        return []
    if not isinstance(body, dict):
        raise _input_error("a document must be a mapping (a Kubernetes object)", source, line)
    if body.get("kind") == "List" and isinstance(body.get("items"), list):
        items = _child(node, "items")
        nodes = items.value if isinstance(items, yaml.SequenceNode) else []
        return [sub for item, item_node in zip(body["items"], nodes, strict=False)
                for sub in _subjects(item, item_node, source)]
    lines: dict[str, tuple[int, int]] = {}
    _record_lines(node, (), lines)
    return [Subject(body, file=source, line=line, lines=lines)]


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v  # type: ignore[no-any-return]
    return None


def _record_lines(node: yaml.Node, path: Parts, lines: dict[str, tuple[int, int]]) -> None:
    if path:
        lines.setdefault(bracket_text(path), (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            # A field is where its key is written: that is where an editor should jump.
            child = (*path, str(getattr(key, "value", "")))
            lines.setdefault(bracket_text(child), (key.start_mark.line + 1, key.start_mark.column + 1))
            _record_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


def read_objects(paths: Iterable[str | Path]) -> list[Subject]:
    """The objects of YAML files and folders (a folder: every *.yaml and *.yml under it)."""
    subjects: list[Subject] = []
    for path in paths:
        for file in yaml_files(Path(path)):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise _input_error(f"cannot read: {exc}", str(file)) from exc
            subjects += read_stream(text, str(file))
    return subjects


@dataclass(frozen=True)
class AppInput:
    """An app to render: the file holding the Application, with the files beside it."""

    app: Path
    documents: tuple[Path, ...] = ()  # standalone Policy / Workflow documents
    definitions: tuple[Path, ...] = ()  # definition files found beside the app


def find_app(path: Path, subjects: Sequence[Subject]) -> AppInput | None:
    """The app among `subjects` (read from `path`), or None when they are rendered objects."""
    files: dict[str, set[str]] = {}
    for subject in subjects:
        files.setdefault(subject.file, set()).add(_role(subject.body))
    apps = [file for file, roles in files.items() if "app" in roles]
    if not apps:
        return None
    if len(apps) > 1:
        raise _input_error(f"more than one Application: {', '.join(sorted(apps))}", str(path))
    documents = tuple(Path(f) for f, roles in files.items() if f not in apps and "document" in roles)
    definitions = tuple(Path(f) for f, roles in files.items() if "definition" in roles)
    return AppInput(Path(apps[0]), documents, definitions)


def _role(body: Any) -> str:
    kind, api_version = str(body.get("kind", "")), str(body.get("apiVersion", ""))
    if not api_version.startswith(_APP_GROUP):
        return "object"
    if kind in _APP_KINDS:
        return "app"
    if kind.endswith("Definition"):
        return "definition"
    return "document" if kind in _SIDE_DOCUMENT_KINDS else "object"


def read_side(path: str | Path, *, definitions: Iterable[str | Path] = (),
              options: RenderOptions | None = None) -> list[dict[str, Any]]:
    """Object bodies of one side of a diff: a rendered YAML stream, an `--output-dir` folder,
    or an app file or folder, which is rendered first (with `definitions` and `options`).

    Raises AppError when the path cannot be read, and OamError when the app does not render.
    """
    target = Path(path)
    subjects = read_objects([target])
    app = find_app(target, subjects)
    if app is None:
        return [dict(s.body) for s in subjects]
    from ..render.pipeline import render  # rendering pulls in the whole pipeline: only when needed

    result = render(app.app, definitions=[*definitions, *app.definitions], options=options,
                    documents=app.documents)
    return result.bodies()
