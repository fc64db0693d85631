"""Render many apps in one call: shared cue processes, one outcome per app, the render cache."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import contract
from ..cue.runner import Cue
from ..definitions import DefinitionLoader
from ..documents import APP_KIND, Document, parse_documents, read_documents
from ..errors import OamError, Problem, app_problem, raise_problems
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
from ..yamlio import MAX_TEXT_CHARS
from . import compat
from .arguments import AppSource, Definitions, as_loader
from .environments import POLICY_KIND, WORKFLOW_KIND, in_environments, plan_environments, read_inputs, select
from .rendercache import Parts, RenderCache
from .shared import with_shared

if TYPE_CHECKING:
    from .pipeline import EnvOutput, ObjectCheck

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
    parts: Parts | None = None  # for the render cache: its own documents' key and definition names
    # An app of a file the cache knows (the file, the app's place among its apps, its text):
    # its documents are read only when it must render.
    lazy: tuple[Path, int, str] | None = None
    label: str = ""  # the app's name when its document is not read

    @property
    def name(self) -> str:
        if self.label:
            return self.label
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


def split_sources(apps: Iterable[AppSource], documents: Iterable[AppSource] = (),
                  cache: RenderCache | None = None) -> _Split:
    """One unit per Application document, in order; other kinds are noted and skipped. With a
    cache, a file it read before in the same text is not parsed again (its units are lazy)."""
    split = _Split([], [], [], [])
    for source in apps:
        if isinstance(source, Application):
            split.units.append(Unit(source.source or "<application>", source))
            continue
        text = _text(source) if cache is not None and isinstance(source, Path) else None
        known = cache.known_file(source, text) if cache is not None and isinstance(source, Path) and text else None
        if known is not None and isinstance(source, Path) and text is not None:
            split.units += [Unit(str(source), parts=parts, lazy=(source, index, text), label=name)
                            for index, (name, parts) in enumerate(known[0])]
            split.notes += known[1]
            continue
        try:
            docs = read_documents(source) if text is None else parse_documents(text, str(source))
        except OamError as error:
            split.units.append(Unit(_where(source, []), error=error))
            continue
        units, notes = len(split.units), len(split.notes)
        _add_file(split, _where(source, docs), docs, cache)
        mine = [(u.name, u.parts) for u in split.units[units:] if u.parts is not None]
        # Only files of apps are remembered: the others' documents are needed as they are.
        if cache is not None and isinstance(source, Path) and text is not None and mine:
            cache.remember_file(source, text, mine, split.notes[notes:])
    for source in documents:  # shared inputs: an unreadable one stops the batch, as in render()
        docs = read_documents(source) if not isinstance(source, Application) else []
        split.documents += docs
        split.shared += [d for d in docs if d.kind in _STANDALONE]
    return split


def _text(source: AppSource) -> str | None:
    """A file's text when it is a readable file within the size limit (else the reader says why)."""
    if not isinstance(source, Path):
        return None
    try:
        with source.open(encoding="utf-8") as handle:
            text = handle.read(MAX_TEXT_CHARS + 1)
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) <= MAX_TEXT_CHARS else None


def _add_file(split: _Split, where: str, docs: Sequence[Document], cache: RenderCache | None) -> None:
    split.documents += docs
    found = [d for d in docs if d.kind == APP_KIND]
    beside = tuple(d for d in docs if d.kind in _STANDALONE)
    ignored = [d.kind or "?" for d in docs if d.kind != APP_KIND and d.kind not in _STANDALONE]
    if ignored:
        split.notes.append(f"{where}: ignored {', '.join(ignored)} (not an Application, Policy or Workflow)")
    split.units += [Unit(where, d, beside, parts=cache.parts([d, *beside]) if cache else None) for d in found]
    if not found:
        split.shared += beside


def _read_lazy(unit: Unit) -> Unit:
    """A lazy unit with its documents read: it must render after all."""
    if unit.lazy is None:
        return unit
    path, index, text = unit.lazy
    try:
        docs = parse_documents(text, str(path))
    except OamError as error:
        return replace(unit, error=error, lazy=None)
    found = [d for d in docs if d.kind == APP_KIND]
    beside = tuple(d for d in docs if d.kind in _STANDALONE)
    return replace(unit, app=found[index], beside=beside, lazy=None)


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
    referred: Sequence[Document] = ()  # what its ref-objects and service-binding may refer to


def _plan(index: int, unit: Unit, loader: DefinitionLoader, options: RenderOptions) -> _Planned:
    assert unit.app is not None
    inputs = read_inputs([unit.app, *unit.beside])
    plan = plan_environments(inputs, loader, options.namespace)
    planned, let_through = compat.split(plan.problems, options.compat)
    raise_problems(planned)
    from .references import load_objects  # the render stages load only when an app must render
    warnings = [*plan.warnings, *map(str, sorted(let_through, key=Problem.sort_key))]
    return _Planned(index, inputs.app, select(plan, options.environment), warnings,
                    (*inputs.objects, *load_objects(options.objects)))


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
    from .pipeline import render_each_environment  # not for a batch of cache hits

    try:
        runner = Cue if len(planned) == 1 else _Runner  # one app: the budget of its whole render
        cue = runner(options.cue_binary, options.timeout, jobs=options.jobs)
        each = render_each_environment([pair for p in planned for pair in p.envs], loader, options, cue,
                                       [p.referred for p in planned for _ in p.envs])
    except OamError as error:  # no cue, or the budget of the whole batch ran out
        for p in planned:
            outcomes[p.index] = AppOutcome(units[p.index].source, p.app.name, error=error)
        return outcomes, 0
    start = 0
    for p in planned:
        mine = each[start:start + len(p.envs)]
        start += len(p.envs)
        outcomes[p.index] = _outcome(units[p.index], p, mine, cue.processes, options.compat)
    return outcomes, cue.processes


def _outcome(unit: Unit, planned: _Planned, each: Sequence[EnvOutput], processes: int,
             compat_mode: str | None) -> AppOutcome:
    names = [env.name for env, _ in planned.envs]
    found = in_environments([(name, found) for name, (_, found, _) in zip(names, each, strict=True)])
    problems, let_through = compat.split(found, compat_mode)
    if problems:
        return AppOutcome(unit.source, planned.app.name, error=_failed(problems))
    said = [*in_environments([(name, s) for name, (_, _, s) in zip(names, each, strict=True)]), *let_through]
    result = RenderResult(planned.app.name, tuple(o for objs, _, _ in each for o in objs), RenderStats(processes),
                          tuple(env for env, _ in planned.envs),
                          (*planned.warnings, *map(str, sorted(said, key=Problem.sort_key))))
    return AppOutcome(unit.source, planned.app.name, result, application=planned.app)


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


def _is_legacy(documents: Sequence[Document]) -> bool:
    from ..legacy.pipeline import is_legacy  # loaded only for v1alpha2 documents

    return is_legacy(documents)


def render_many(apps: Iterable[AppSource], *, definitions: Definitions = None,
                options: RenderOptions | None = None, documents: Iterable[AppSource] = (),
                on_done: OnDone | None = None, check: ObjectCheck | None = None) -> BatchResult:
    """Render many Applications (paths, YAML text, dicts or Applications; a source may hold
    several) in one call: one outcome per Application, in input order.

    One app's errors never hide another's objects: each outcome holds a result or the error
    of that app alone. Components of all apps share each evaluation layer's cue program (cue
    runs it in chunks, `options.jobs` at a time), so the number of cue processes does not grow
    with the number of apps. Policy and Workflow documents beside an app in its source apply
    to that app; those of a source holding no app, and `documents`, to the apps whose workflow
    names them (to the app, when there is one).
    Other kinds are skipped with a note. With several apps, `options.timeout` bounds each
    cue process rather than the whole batch. With `options.cache_dir`, apps rendered before with
    the same documents, definitions, options, engine and cue are taken from the cache.
    `on_done` is called with each outcome as it is known (cache hits first). `check` (such as
    engine.gates.KubernetesCheck) looks at each rendered app's objects; its problems fail that app.
    """
    options = options or RenderOptions()
    loader = as_loader(definitions, options.cache_dir)
    cache = RenderCache(options.cache_dir, loader, options) if options.cache_dir else None
    split = split_sources(apps, documents, cache)
    legacy = any(d.api_version == contract.LEGACY_API_VERSION for d in split.documents)
    if not split.units and legacy and _is_legacy(split.documents):
        return _legacy(split.documents, loader, options, on_done)
    # A check cites the Application each object came from, which a cache hit does not keep:
    # with a check, every app renders (and the cache is still written).
    outcomes, processes, unused = _cached_or_rendered(split, cache, loader, options, on_done, check is None)
    counts = cache.store.counts if cache else None
    stats = BatchStats(len(outcomes), processes, counts.hits if counts else 0, counts.misses if counts else 0)
    if check is not None:
        outcomes = [checked(outcome, check) for outcome in outcomes]
    return BatchResult(tuple(outcomes), stats, (*split.notes, *unused))


def checked(outcome: AppOutcome, check: ObjectCheck) -> AppOutcome:
    """`outcome`, failed with the check's problems when its objects have any."""
    if outcome.result is None:
        return outcome
    try:
        raise_problems(check(outcome.result, outcome.application))
    except OamError as error:
        return replace(outcome, result=None, error=error)
    return outcome


def _cached_or_rendered(split: _Split, cache: RenderCache | None, loader: DefinitionLoader, options: RenderOptions,
                        on_done: OnDone | None, read_cache: bool = True) -> tuple[list[AppOutcome], int, list[str]]:
    units = split.units
    shared = cache.parts(split.shared) if cache is not None else ("", ())
    entries = [cache.entry(u.parts, shared) if cache is not None and u.parts else None for u in units]
    outcomes: list[AppOutcome | None] = [None] * len(units)
    for index, (unit, entry) in enumerate(zip(units, entries, strict=True)):
        hit = cache.get(entry) if cache is not None and entry and read_cache else None
        if hit is not None:
            outcomes[index] = found = AppOutcome(unit.source, hit.app, hit, cached=True)
            if on_done:
                on_done(found)
    pending = [i for i, o in enumerate(outcomes) if o is None]
    ready, unused = with_shared([_read_lazy(units[i]) for i in pending], split.shared, several=len(units) > 1)
    rendered, processes = render_units(ready, loader, options)
    for index, outcome in zip(pending, rendered, strict=True):
        outcomes[index] = outcome
        entry = entries[index]
        if cache is not None and entry is not None and outcome.result is not None:
            kept = replace(outcome.result, text=outcome.result.to_yaml())
            outcome = outcomes[index] = replace(outcome, result=kept)
            cache.put(entry, kept)
        if on_done:
            on_done(outcome)
    # Shared documents no app uses: known only when every app was read.
    return [o for o in outcomes if o is not None], processes, unused if len(pending) == len(units) else []


def _legacy(documents: Sequence[Document], loader: DefinitionLoader, options: RenderOptions,
            on_done: OnDone | None) -> BatchResult:
    """The v1alpha2 model: every document together is one app, rendered without cue."""
    where = documents[0].source if documents else "<input>"
    try:
        from ..legacy.pipeline import render_legacy  # loaded only for v1alpha2 documents

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
