"""The orchestrator: load, resolve, evaluate, label and order; nothing else lives here."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..cue.runner import Cue
from ..definitions import DefinitionLoader, default_loader
from ..documents import read_documents
from ..errors import Problem, raise_problems
from ..legacy.pipeline import is_legacy, render_legacy
from ..model import Application, Environment, RenderedObject, RenderOptions, RenderResult, RenderStats
from ..output.labels import component_objects
from .environments import in_environments, plan_environments, read_inputs, select
from .evaluate import Job, evaluate_jobs
from .policies import render_policies
from .resolve import resolve
from .validate import validate_apps

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


EnvOutput = tuple[list[RenderedObject], list[Problem], list[Problem]]


def render_each_environment(envs: Sequence[tuple[Environment, Application]], loader: DefinitionLoader,
                            options: RenderOptions, cue: Cue) -> list[EnvOutput]:
    """Per environment: its objects, its problems and its warnings (what deserves a word but
    does not stop the render). The environments may belong to different apps.

    All environments share each evaluation layer's cue process, and one more for custom policies.
    """
    jobs, found = [], []
    for _, app in envs:
        resolved, problems = resolve(app, loader)
        jobs.append(Job(app, resolved))
        found.append(problems)
    # Properties that break their schema are reported here and kept away from cue.
    checked = validate_apps([(job.app, job.resolved) for job in jobs], cue, strict=options.strict, loader=loader)
    jobs = [Job(job.app, valid) for job, (valid, _, _) in zip(jobs, checked, strict=True)]
    for problems, (_, invalid, _) in zip(found, checked, strict=True):
        problems += invalid
    evaluated = evaluate_jobs(jobs, options, cue)
    objects: list[list[RenderedObject]] = []
    for (env, app), (runs, problems), job_problems in zip(envs, evaluated, found, strict=True):
        job_problems += problems
        objects.append([obj for run in runs for obj in component_objects(app, run, env.namespace, env.name)])
    extra, policy_problems = render_policies(envs, objects, loader, options, cue)
    for index, objs in enumerate(extra):
        objects[index] += objs
        found[index] += policy_problems[index]
    return [(objs, problems, list(said)) for objs, problems, (_, _, said) in zip(objects, found, checked, strict=True)]


def render_environments(envs: Sequence[tuple[Environment, Application]], loader: DefinitionLoader,
                        options: RenderOptions, cue: Cue,
                        warnings: list[Problem] | None = None) -> tuple[list[RenderedObject], list[Problem]]:
    """Objects of every environment, environment by environment, and every problem found;
    what deserves a word but does not stop the render goes to `warnings`."""
    each = render_each_environment(envs, loader, options, cue)
    if warnings is not None:
        warnings += in_environments([(env.name, said) for (env, _), (_, _, said) in zip(envs, each, strict=True)])
    named = [(env.name, problems) for (env, _), (_, problems, _) in zip(envs, each, strict=True)]
    return [obj for objs, _, _ in each for obj in objs], in_environments(named)


def render(app: AppSource, *, definitions: Definitions = None, options: RenderOptions | None = None,
           documents: Iterable[AppSource] = ()) -> RenderResult:
    """Render an Application (path, YAML text, dict or Application) into Kubernetes objects,
    once per environment its deploy steps describe (once as written when there are none).

    `documents` are further sources holding standalone Policy and Workflow documents (such
    documents inside `app`'s source count too); they apply where the app references them.
    `options.environment` picks one environment.

    Returns a RenderResult whose objects know their environment, component, trait and output.
    Raises an OamError subclass carrying every problem found; nothing partial is returned.
    """
    started = time.monotonic()  # the time budget covers reading the inputs too
    options = options or RenderOptions()
    loader = as_loader(definitions)
    # The legacy model (v1alpha2 Component + ApplicationConfiguration) needs no cue at all.
    docs = [d for s in (app, *documents) if not isinstance(s, Application) for d in read_documents(s)]
    if is_legacy(docs):
        return render_legacy(docs, loader, options)
    inputs = read_inputs([app, *documents])
    plan = plan_environments(inputs, loader, options.namespace)
    raise_problems(plan.problems)
    envs = select(plan, options.environment)
    cue = Cue(options.cue_binary, options.timeout, started, options.jobs)
    warnings: list[Problem] = []
    objects, problems = render_environments(envs, loader, options, cue, warnings)
    raise_problems(problems)
    return RenderResult(inputs.app.name, tuple(objects), RenderStats(cue.processes),
                        tuple(env for env, _ in envs),
                        (*plan.warnings, *map(str, sorted(warnings, key=Problem.sort_key))))
