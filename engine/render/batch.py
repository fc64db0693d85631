"""Render many apps in one call: shared cue processes, one outcome per app, the render cache."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..cue.runner import Cue
from ..definitions import DefinitionLoader
from ..documents import APP_KIND, Document, read_documents
from ..errors import OamError, Problem, app_problem, raise_problems
from ..legacy.pipeline import is_legacy, render_legacy
from ..model import (
    Application,
    AppOutcome,
    BatchResult,
    BatchStats,
    Environment,
    RenderOptions,
    RenderResult,
    RenderStats,
)
from .environments import POLICY_KIND, WORKFLOW_KIND, in_environments, plan_environments, read_inputs, select
from .pipeline import AppSource, Definitions, EnvOutput, as_loader, render_each_environment
from .rendercache import RenderCache

_STANDALONE = (POLICY_KIND, WORKFLOW_KIND)
OnDone = Callable[[AppOutcome], None]


@dataclass(frozen=True)
class Unit:
    """One app to render: its document (or Application) and the standalone documents it sees,
    or the error that stopped its source from being read."""

    source: str
    app: Document | Application | None = None
    beside: tuple[Document, ...] = ()  # Policy and Workflow documents of its source, then shared ones
    error: OamError | None = None

    @property
    def name(self) -> str:
        if isinstance(self.app, Application):
            return self.app.name
        data = self.app.data if isinstance(self.app, Document) else None
        meta = data.get("metadata") if isinstance(data, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) else ""


def _where(source: AppSource, docs: Sequence[Document]) -> str:
    if isinstance(source, Path):
        return str(source)
    if docs:
        return docs[0].source
    return "<dict>" if isinstance(source, Mapping) else "<input>"


@dataclass
class _Split:
    units: list[Unit]
    shared: list[Document]  # standalone documents of sources holding no app: every app sees them
    notes: list[str]
    documents: list[Document]  # everything read, to tell the v1alpha2 model


def split_sources(apps: Iterable[AppSource], documents: Iterable[AppSource] = ()) -> _Split:
    """One unit per Application document, in order; other kinds are noted and skipped."""
    split = _Split([], [], [], [])
    for source in apps:
        if isinstance(source, Application):
            split.units.append(Unit(source.source or "<application>", source))
            continue
        try:
            docs = read_documents(source)
        except OamError as error:
            split.units.append(Unit(_where(source, []), error=error))
            continue
        split.documents += docs
        where = _where(source, docs)
        found = [d for d in docs if d.kind == APP_KIND]
        beside = tuple(d for d in docs if d.kind in _STANDALONE)
        ignored = [d.kind or "?" for d in docs if d.kind != APP_KIND and d.kind not in _STANDALONE]
        if ignored:
            split.notes.append(f"{where}: ignored {', '.join(ignored)} (not an Application, Policy or Workflow)")
        split.units += [Unit(where, d, beside) for d in found]
        if not found:
            split.shared += beside
    for source in documents:  # shared inputs: an unreadable one stops the batch, as in render()
        docs = read_documents(source) if not isinstance(source, Application) else []
        split.documents += docs
        split.shared += [d for d in docs if d.kind in _STANDALONE]
    return split


def _strings(data: object, found: set[str]) -> set[str]:
    if isinstance(data, str):
        found.add(data)
    elif isinstance(data, dict):
        for value in data.values():
            _strings(value, found)
    elif isinstance(data, list):
        for item in data:
            _strings(item, found)
    return found


def _doc_name(doc: Document) -> str:
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def _referenced(unit: Unit, shared: Sequence[Document]) -> list[Document]:
    """The shared documents `unit`'s workflow names (a workflow it names may name policies)."""
    app = unit.app
    data = app.data if isinstance(app, Document) else None
    spec = data.get("spec") if isinstance(data, dict) else None
    named = _strings(spec.get("workflow") if isinstance(spec, dict) else None, set())
    if isinstance(app, Application):
        named |= {n for step in app.workflow for n in _strings(dict(step.properties), set())}
    for doc in shared:
        if doc.kind == WORKFLOW_KIND and _doc_name(doc) in named:
            named |= _strings(doc.data.get("steps"), set())
    return [doc for doc in shared if _doc_name(doc) in named]


def _with_shared(units: Sequence[Unit], shared: Sequence[Document]) -> tuple[list[Unit], list[str]]:
    """Units with the shared Policy and Workflow documents they see: one app sees them all (as
    `render` does, warning about those it does not use); with several apps, each sees those its
    workflow names, and one note names the documents no app uses."""
    if len(units) <= 1:
        return [Unit(u.source, u.app, (*u.beside, *shared), u.error) for u in units], []
    found = [Unit(u.source, u.app, (*u.beside, *_referenced(u, shared)), u.error) for u in units]
    used = {id(doc) for u in found for doc in u.beside}
    notes = [f"{doc.source}: {doc.kind.lower()} {_doc_name(doc)!r} is not referenced by any application;"
             " ignored" for doc in shared if id(doc) not in used]
    return found, notes


def _failed(problems: Sequence[Problem]) -> OamError:
    try:
        raise_problems(problems)
    except OamError as error:
        return error
    raise AssertionError("no problems")  # pragma: no cover


@dataclass
class _Planned:
    index: int
    app: Application
    envs: list[tuple[Environment, Application]]
    warnings: list[str]


def _plan(index: int, unit: Unit, loader: DefinitionLoader, options: RenderOptions) -> _Planned:
    assert unit.app is not None
    inputs = read_inputs([unit.app, *unit.beside])
    plan = plan_environments(inputs, loader, options.namespace)
    raise_problems(plan.problems)
    return _Planned(index, inputs.app, select(plan, options.environment), list(plan.warnings))


def _together(units: Sequence[Unit], loader: DefinitionLoader,
              options: RenderOptions) -> tuple[list[AppOutcome], int]:
    """Outcomes of `units`, rendered together (each evaluation layer one cue program for all),
    and the cue processes it took."""
    outcomes = [AppOutcome(u.source, u.name) for u in units]
    planned: list[_Planned] = []
    for index, unit in enumerate(units):
        try:
            planned.append(_plan(index, unit, loader, options))
        except OamError as error:
            outcomes[index] = AppOutcome(unit.source, unit.name, error=error)
    if not planned:
        return outcomes, 0
    try:
        runner = Cue if len(planned) == 1 else _Runner  # one app: the budget of its whole render
        cue = runner(options.cue_binary, options.timeout, jobs=options.jobs)
        each = render_each_environment([pair for p in planned for pair in p.envs], loader, options, cue)
    except OamError as error:  # no cue, or the budget of the whole batch ran out
        for p in planned:
            outcomes[p.index] = AppOutcome(units[p.index].source, p.app.name, error=error)
        return outcomes, 0
    start = 0
    for p in planned:
        mine = each[start:start + len(p.envs)]
        start += len(p.envs)
        outcomes[p.index] = _outcome(units[p.index], p, mine, cue.processes)
    return outcomes, cue.processes


def _outcome(unit: Unit, planned: _Planned, each: Sequence[EnvOutput], processes: int) -> AppOutcome:
    names = [env.name for env, _ in planned.envs]
    problems = in_environments([(name, found) for name, (_, found, _) in zip(names, each, strict=True)])
    if problems:
        return AppOutcome(unit.source, planned.app.name, error=_failed(problems))
    said = in_environments([(name, s) for name, (_, _, s) in zip(names, each, strict=True)])
    result = RenderResult(planned.app.name, tuple(o for objs, _, _ in each for o in objs), RenderStats(processes),
                          tuple(env for env, _ in planned.envs),
                          (*planned.warnings, *map(str, sorted(said, key=Problem.sort_key))))
    return AppOutcome(unit.source, planned.app.name, result)


def _entangled(outcomes: Sequence[AppOutcome]) -> list[int]:
    """Failed apps that share a problem with another app: a problem cue could not place lands
    in every app of its run, so each of these is rendered again alone to learn its own."""
    seen: dict[Problem, int] = {}
    for outcome in outcomes:
        for problem in set(outcome.error.problems if outcome.error else ()):
            seen[problem] = seen.get(problem, 0) + 1
    return [i for i, o in enumerate(outcomes)
            if o.error is not None and any(seen[p] > 1 for p in o.error.problems)]


def render_units(units: Sequence[Unit], loader: DefinitionLoader,
                 options: RenderOptions) -> tuple[list[AppOutcome], int]:
    """Outcomes of `units` in order, and the cue processes started: all together first; failed
    apps whose problems another app shares (a problem cue could not place) again, in halves
    down to one app, until each has only its own."""
    ready = [i for i, u in enumerate(units) if u.error is None]
    outcomes = [AppOutcome(u.source, u.name, error=u.error) for u in units]
    together, processes = _settled([units[i] for i in ready], loader, options)
    for i, outcome in zip(ready, together, strict=True):
        outcomes[i] = outcome
    return outcomes, processes


def _settled(units: Sequence[Unit], loader: DefinitionLoader,
             options: RenderOptions) -> tuple[list[AppOutcome], int]:
    outcomes, processes = _together(units, loader, options)
    tangled = _entangled(outcomes) if len(units) > 1 else []
    if not tangled:
        return outcomes, processes
    if len(tangled) == len(units):
        middle = len(units) // 2
        groups = [list(range(middle)), list(range(middle, len(units)))]
    else:
        groups = [tangled]
    for group in groups:
        again, more = _settled([units[i] for i in group], loader, options)
        processes += more
        for i, outcome in zip(group, again, strict=True):
            outcomes[i] = outcome
    return outcomes, processes


class _Runner(Cue):
    """The gateway for a batch: `timeout` bounds each cue process (a runaway template), not
    the batch, whose size is the caller's choice."""

    def _run(self, args: list[str], work: Path, task: str) -> str:
        self.deadline = time.monotonic() + self.timeout
        return super()._run(args, work, task)


def render_many(apps: Iterable[AppSource], *, definitions: Definitions = None,
                options: RenderOptions | None = None, documents: Iterable[AppSource] = (),
                on_done: OnDone | None = None) -> BatchResult:
    """Render many Applications (paths, YAML text, dicts or Applications; a source may hold
    several) in one call: one outcome per Application, in input order.

    One app's errors never hide another's objects: each outcome holds a result or the error
    of that app alone. Components of all apps share each evaluation layer's cue program (cue
    runs it in chunks, `options.jobs` at a time), so the number of cue processes does not grow
    with the number of apps. A source holding only Policy and Workflow documents, and
    `documents`, apply to every app; those beside an app in its source apply to that app.
    Other kinds are skipped with a note. With several apps, `options.timeout` bounds each
    cue process rather than the whole batch. With `options.cache_dir`, apps rendered before with
    the same documents, definitions, options, engine and cue are taken from the cache.
    `on_done` is called with each outcome as it is known (cache hits first).
    """
    options = options or RenderOptions()
    loader = as_loader(definitions)
    split = split_sources(apps, documents)
    if not split.units and is_legacy(split.documents):
        return _legacy(split.documents, loader, options, on_done)
    units, unused = _with_shared(split.units, split.shared)
    split.notes += unused
    cache = RenderCache(options.cache_dir, loader, options) if options.cache_dir else None
    outcomes, processes = _cached_or_rendered(units, cache, loader, options, on_done)
    counts = cache.store.counts if cache else None
    stats = BatchStats(len(outcomes), processes, counts.hits if counts else 0, counts.misses if counts else 0)
    return BatchResult(tuple(outcomes), stats, tuple(split.notes))


def _cached_or_rendered(units: Sequence[Unit], cache: RenderCache | None, loader: DefinitionLoader,
                        options: RenderOptions, on_done: OnDone | None) -> tuple[list[AppOutcome], int]:
    entries: list[str | None] = [None] * len(units)
    outcomes: list[AppOutcome | None] = [None] * len(units)
    for index, unit in enumerate(units):
        if cache is None or not isinstance(unit.app, Document):
            continue
        entries[index] = entry = cache.key_for([unit.app, *unit.beside])
        hit = cache.get(entry) if entry else None
        if hit is not None:
            outcomes[index] = found = AppOutcome(unit.source, hit.app, hit, cached=True)
            if on_done:
                on_done(found)
    pending = [i for i, o in enumerate(outcomes) if o is None]
    rendered, processes = render_units([units[i] for i in pending], loader, options)
    for index, outcome in zip(pending, rendered, strict=True):
        outcomes[index] = outcome
        entry = entries[index]
        if cache is not None and entry is not None and outcome.result is not None:
            kept = replace(outcome.result, text=outcome.result.to_yaml())
            outcome = outcomes[index] = replace(outcome, result=kept)
            cache.put(entry, kept)
        if on_done:
            on_done(outcome)
    return [o for o in outcomes if o is not None], processes


def _legacy(documents: Sequence[Document], loader: DefinitionLoader, options: RenderOptions,
            on_done: OnDone | None) -> BatchResult:
    """The v1alpha2 model: every document together is one app, rendered without cue."""
    where = documents[0].source if documents else "<input>"
    try:
        result = render_legacy(documents, loader, options)
        outcome = AppOutcome(where, result.app, result)
    except OamError as error:
        outcome = AppOutcome(where, "", error=error)
    if on_done:
        on_done(outcome)
    return BatchResult((outcome,), BatchStats(1))


def no_apps_error(sources: Sequence[str]) -> OamError:
    """What a batch that found no Application says."""
    return _failed([app_problem("input", "no Application found", "", file=", ".join(sources))])
