"""What a caller passed to render(): a wrong type is an AppError saying what fits, never a TypeError."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..definitions import DefinitionLoader, default_loader
from ..errors import Problem, app_problem, raise_problems
from ..model import Application, Definition, RenderOptions

AppSource = Application | str | Path | Mapping[str, Any]
Definitions = DefinitionLoader | str | Path | Iterable[str | Path] | None


def as_loader(definitions: Definitions, cache_dir: Path | None = None) -> DefinitionLoader:
    """A loader from what the caller gave: a loader, extra files and folders, or nothing
    (definition facts are cached under `cache_dir` when given)."""
    if definitions is None:
        return default_loader(cache_dir=cache_dir)
    if isinstance(definitions, DefinitionLoader):
        return definitions
    paths = [definitions] if isinstance(definitions, (str, Path)) else list(definitions)
    return default_loader(paths, cache_dir)


_SOURCE = "a path, YAML text, a mapping or an Application"


def check_render_arguments(app: object, definitions: Definitions, options: object, documents: Iterable[AppSource],
                           check: object = None) -> tuple[Definitions, tuple[AppSource, ...]]:
    """`definitions` and `documents` as given, iterators read once into sequences; raises one
    AppError listing every argument of render() that has the wrong type."""
    if isinstance(definitions, Iterable) and not isinstance(definitions, str | Path | Mapping | DefinitionLoader):
        definitions = list(definitions)
    if isinstance(documents, Iterable) and not isinstance(documents, str | Path | Mapping):
        documents = tuple(documents)
    problems = [*source_problems(app, "app"), *_definitions_problems(definitions),
                *_options_problems(options), *_documents_problems(documents)]
    if check is not None and not callable(check):
        problems.append(_wrong_argument(f"check must be a callable such as engine.gates.KubernetesCheck(),"
                                 f" not {_kind(check)}"))
    raise_problems(problems)
    return definitions, tuple(documents)


def _wrong_argument(message: str) -> Problem:
    return app_problem("input", message, "")


def _kind(value: object) -> str:
    return type(value).__name__


def source_problems(source: object, name: str) -> list[Problem]:
    """Problems with one app source: render() takes one, render_many() several."""
    if isinstance(source, list | tuple):
        return [_wrong_argument(f"{name} must be one Application ({_SOURCE}), not a {_kind(source)}; "
                         "render_many() renders several apps, and `documents=` takes the Policy and "
                         "Workflow documents that go with one")]
    if not isinstance(source, str | Path | Mapping | Application):
        return [_wrong_argument(f"{name} must be {_SOURCE}, not {_kind(source)}")]
    return []


def _definitions_problems(definitions: object) -> list[Problem]:
    if definitions is None or isinstance(definitions, DefinitionLoader | str | Path):
        return []
    if isinstance(definitions, Mapping):
        return [_wrong_argument("definitions must be a loader or paths, not a mapping; "
                         "DictLoader({file name: text}) holds definition text in memory")]
    if isinstance(definitions, Iterable) and not isinstance(definitions, bytes):
        items = list(definitions)
        if all(isinstance(item, str | Path) for item in items):
            return []
        if all(isinstance(item, Definition) for item in items):
            return [_wrong_argument("definitions must be a loader or paths; put Definition values in a "
                             "DictLoader([...]), which adds them to the bundled definitions")]
    return [_wrong_argument("definitions must be a loader (DictLoader, DirectoryLoader, ChainLoader), a path "
                     f"or a list of paths, not {_kind(definitions)}")]


def _options_problems(options: object) -> list[Problem]:
    if options is None or isinstance(options, RenderOptions):
        return []
    hint = "; RenderOptions(**mapping) makes one" if isinstance(options, Mapping) else ""
    return [_wrong_argument(f"options must be a RenderOptions, not {_kind(options)}{hint}")]


def _documents_problems(documents: object) -> list[Problem]:
    if isinstance(documents, str | Path | Mapping | Application) or not isinstance(documents, Iterable):
        return [_wrong_argument(f"documents must be a list of sources ({_SOURCE}), not one {_kind(documents)}; "
                         "wrap it in a list")]
    return [p for index, source in enumerate(documents) for p in source_problems(source, f"documents[{index}]")]
