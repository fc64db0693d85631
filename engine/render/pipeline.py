"""The orchestrator: load, resolve, evaluate, label and order; nothing else lives here."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .. import contract, facts
from ..cue.runner import Cue
from ..definitions import DefinitionLoader
from ..documents import Document, read_documents
from ..errors import Problem, raise_problems
from ..model import Application, Environment, RenderedObject, RenderOptions, RenderResult, RenderStats
from ..output.labels import component_objects
from . import compat
from .arguments import AppSource, Definitions, as_loader, check_render_arguments
from .environments import in_environments, plan_environments, read_inputs, select
from .references import load_objects, with_references
from .state import unprintable_problems

if TYPE_CHECKING:
    from .state import ComponentRun


class ObjectCheck(Protocol):
    """A check of a finished render's objects (engine.gates.KubernetesCheck is one): its problems."""

    def __call__(self, result: RenderResult, app: Application | None) -> Sequence[Problem]: ...


EnvOutput = tuple[list[RenderedObject], list[Problem], list[Problem]]


def render_each_environment(envs: Sequence[tuple[Environment, Application]], loader: DefinitionLoader,
                            options: RenderOptions, cue: Cue,
                            referred: Sequence[Sequence[Document]] = ()) -> list[EnvOutput]:
    """Per environment: its objects, its problems and its warnings (what deserves a word but
    does not stop the render). The environments may belong to different apps. `referred` holds,
    environment by environment, the objects its ref-objects components and service-binding
    traits may refer to (empty: none anywhere).

    All environments share each evaluation layer's cue process, and one more for custom policies.
    """
    # The stages load here, on the first render: `import engine`, and a batch of render cache
    # hits, load none of them (jsonschema, the evaluator, the patch machinery).
    from .charts import helm_factory, with_charts
    from .evaluate import Job, evaluate_jobs
    from .policies import render_policies
    from .resolve import resolve
    from .validate import validate_apps

    jobs, found = [], []
    helm = helm_factory(options)
    for index, (_, app) in enumerate(envs):
        app, problems = with_references(app, referred[index] if referred else ())
        app, charted = with_charts(app, options, helm)
        problems += charted
        resolved, more = resolve(app, loader)
        problems += more
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
        for run in runs:
            job_problems += _unprintable(run)
        objects.append([obj for run in runs for obj in component_objects(app, run, env.namespace, env.name)])
    extra, policy_problems = render_policies(envs, objects, loader, options, cue)
    for index, objs in enumerate(extra):
        objects[index] += objs
        found[index] += policy_problems[index]
    return [(objs, problems, list(said)) for objs, problems, (_, _, said) in zip(objects, found, checked, strict=True)]


def _unprintable(run: ComponentRun) -> list[Problem]:
    """Objects a template made that cannot be Kubernetes objects (a `kind` that is a list, a
    `metadata` that is no mapping): each a problem of its definition, and left out."""
    comp = run.resolved.component
    traits = {d.name: (d, t.path) for d, t in zip(run.resolved.traits, comp.traits, strict=False)}
    found: list[Problem] = []

    def bad(field_name: str, body: Any, trait: str | None) -> bool:
        definition, path = traits.get(trait, (run.resolved.definition, comp.path)) if trait \
            else (run.resolved.definition, comp.path)
        said = unprintable_problems(field_name, body, path, definition)
        found.extend(said)
        return bool(said)

    if run.workload is not None and bad(contract.OUTPUT, run.workload, None):
        run.workload = None
    run.extras = [e for e in run.extras if not bad(f"{contract.OUTPUTS}.{e.name}", e.body, e.trait)]
    return found


def render_environments(envs: Sequence[tuple[Environment, Application]], loader: DefinitionLoader,
                        options: RenderOptions, cue: Cue, warnings: list[Problem] | None = None,
                        referred: Sequence[Document] = ()) -> tuple[list[RenderedObject], list[Problem]]:
    """Objects of every environment, environment by environment, and every problem found;
    what deserves a word but does not stop the render goes to `warnings`."""
    each = render_each_environment(envs, loader, options, cue, [referred] * len(envs))
    if warnings is not None:
        warnings += in_environments([(env.name, said) for (env, _), (_, _, said) in zip(envs, each, strict=True)])
    named = [(env.name, problems) for (env, _), (_, problems, _) in zip(envs, each, strict=True)]
    return [obj for objs, _, _ in each for obj in objs], in_environments(named)


def render_stats(cue: Cue, before: Mapping[str, int]) -> RenderStats:
    """The stats of a render that used `cue` and started when the cache counters read `before`."""
    after = facts.counts()
    return RenderStats(cue.processes, **{name: after[name] - before[name] for name in
                                          ("template_parses", "definition_parses", "definition_cache_hits")})


def render(app: AppSource, *, definitions: Definitions = None, options: RenderOptions | None = None,
           documents: Iterable[AppSource] = (), check: ObjectCheck | None = None) -> RenderResult:
    """Render an Application (path, YAML text, dict or Application) into Kubernetes objects,
    once per environment its deploy steps describe (once as written when there are none).

    `documents` are further sources holding standalone Policy and Workflow documents (such
    documents inside `app`'s source count too); they apply where the app references them.
    `options.environment` picks one environment. `check` (when given) looks at the objects
    last; its problems are raised like the render's own (`check=KubernetesCheck()` from
    engine.gates checks them against the Kubernetes API types offline).

    Returns a RenderResult whose objects know their environment, component, trait and output.
    Raises an OamError subclass carrying every problem found; nothing partial is returned.
    Arguments of the wrong type (a list of apps: see `render_many`) are an AppError too.
    """
    started = time.monotonic()  # the time budget covers reading the inputs too
    definitions, documents = check_render_arguments(app, definitions, options, documents, check)
    options = options or RenderOptions()
    before = facts.counts()
    loader = as_loader(definitions, options.cache_dir)
    # The legacy model (v1alpha2 Component + ApplicationConfiguration) needs no cue at all.
    read = [d for s in (app, *documents) for d in ([s] if isinstance(s, Application) else read_documents(s))]
    docs = [d for d in read if not isinstance(d, Application)]
    if any(d.api_version == contract.LEGACY_API_VERSION for d in docs):  # the legacy renderer loads only when needed
        from ..legacy.pipeline import is_legacy, render_legacy

        if is_legacy(docs):
            return _checked(render_legacy(docs, loader, options), None, check)
    inputs = read_inputs(read)
    plan = plan_environments(inputs, loader, options.namespace)
    planned, warnings = compat.split(plan.problems, options.compat)
    raise_problems(planned)
    envs = select(plan, options.environment)
    cue = Cue(options.cue_binary, options.timeout, started, options.jobs)
    referred = (*inputs.objects, *load_objects(options.objects))
    objects, found = render_environments(envs, loader, options, cue, warnings, referred)
    problems, let_through = compat.split(found, options.compat)
    raise_problems(problems)
    warnings += let_through
    result = RenderResult(inputs.app.name, tuple(objects), render_stats(cue, before),
                          tuple(env for env, _ in envs),
                          (*plan.warnings, *map(str, sorted(warnings, key=Problem.sort_key))))
    return _checked(result, inputs.app, check)


def _checked(result: RenderResult, app: Application | None, check: ObjectCheck | None) -> RenderResult:
    if check is not None:
        raise_problems(check(result, app))
    return result
