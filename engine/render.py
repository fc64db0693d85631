"""The orchestrator: load, resolve, evaluate, label and order; nothing else lives here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .appfile import load_application
from .cue import Cue
from .definitions import DefinitionLoader, default_loader
from .errors import Problem, raise_problems
from .evaluate import evaluate
from .labels import component_objects
from .model import Application, RenderedObject, RenderOptions, RenderResult, RenderStats
from .resolve import resolve

AppSource = Application | str | Path | Mapping[str, Any]
Definitions = DefinitionLoader | str | Path | Iterable[str | Path] | None


def as_loader(definitions: Definitions) -> DefinitionLoader:
    """A loader from what the caller gave: a loader, extra files and folders, or nothing."""
    if definitions is None:
        return default_loader()
    if isinstance(definitions, DefinitionLoader):
        return definitions
    paths = [definitions] if isinstance(definitions, (str, Path)) else list(definitions)
    return default_loader(paths)


def as_application(app: AppSource) -> Application:
    return app if isinstance(app, Application) else load_application(app)


def render_application(app: Application, loader: DefinitionLoader, options: RenderOptions,
                       cue: Cue, namespace: str | None = None,
                       environment: str = "") -> tuple[list[RenderedObject], list[Problem]]:
    """Objects of one app as written (one environment), and every problem found."""
    resolved, problems = resolve(app, loader)
    if not resolved:
        return [], problems
    runs, found = evaluate(app, resolved, options, cue)
    problems += found
    target = namespace or options.namespace or app.namespace
    objects = [obj for run in runs for obj in component_objects(app, run, target, environment)]
    return objects, problems


def render(app: AppSource, *, definitions: Definitions = None,
           options: RenderOptions | None = None) -> RenderResult:
    """Render an Application (path, YAML text, dict or Application) into Kubernetes objects.

    Returns a RenderResult whose objects know their component, trait and output name.
    Raises an OamError subclass carrying every problem found; nothing partial is returned.
    """
    options = options or RenderOptions()
    application = as_application(app)
    loader = as_loader(definitions)
    cue = Cue(options.cue_binary, options.cue_timeout)
    objects, problems = render_application(application, loader, options, cue)
    raise_problems(problems)
    return RenderResult(application.name, tuple(objects), RenderStats(cue.processes))
