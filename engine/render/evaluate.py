"""Evaluate components and traits through cue, in as few processes as trait chains allow."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .. import contract
from ..codes import ABSENT_OPTIONAL
from ..cue.diagnose import diagnose
from ..cue.program import Evaluated, Instance, chunked, compose, describe, split_results
from ..cue.runner import MEMORY_LIMIT_TEXT, Cue, CueFailed
from ..cue.syntax import CueSyntaxError, parse_concrete, template_facts
from ..cue.syntax.guards import guard_object_comprehensions
from ..errors import Fixer, Location, Problem, definition_problem
from ..model import JSON, Application, RenderOptions
from .arbitrate import Check, arbitrate
from .patching import apply_trait, settle, take_trait_conflicts
from .resolve import ResolvedComponent, check_traits, declared_workload, workload_type_of
from .state import ComponentRun, Extra, errs_problems


def base_context(app: Application, name: str, properties: Mapping[str, JSON],
                 options: RenderOptions) -> dict[str, JSON]:
    """`context` as KubeVela's offline dry-run fills it, for one component."""
    major, minor = options.cluster_version
    return {
        contract.CTX_NAME: name,
        contract.CTX_APP_NAME: app.name,
        contract.CTX_NAMESPACE: app.namespace,
        contract.CTX_APP_REVISION: "",
        contract.CTX_APP_REVISION_NUM: 0,
        contract.CTX_REVISION: "",
        contract.CTX_APP_LABELS: dict(app.labels),
        contract.CTX_APP_ANNOTATIONS: dict(app.annotations),
        contract.CTX_WORKFLOW_NAME: app.annotations.get(contract.ANNOTATION_WORKFLOW_NAME, ""),
        contract.CTX_PUBLISH_VERSION: app.annotations.get(contract.ANNOTATION_PUBLISH_VERSION, ""),
        contract.CTX_REPLICA_KEY: "",
        contract.CTX_CLUSTER: "",
        contract.CTX_CLUSTER_VERSION: {"major": str(major), "minor": minor,
                                       "gitVersion": f"v{major}.{minor}.0", "platform": ""},
        contract.CTX_PARAMETER: dict(properties),
    }


def trait_layers(resolved: ResolvedComponent) -> list[int]:
    """Layer 0 runs with the component; a trait reading context.output waits for those before it."""
    layers: list[int] = []
    for trait in resolved.traits:
        if template_facts(trait.template).checked().reads_output:
            layers.append(max(layers, default=0) + 1)
        else:
            layers.append(0)
    return layers


def _trait_instance(run: ComponentRun, index: int) -> Instance:
    comp = run.resolved.component
    trait, definition = comp.traits[index], run.resolved.traits[index]
    context = dict(run.context, **{contract.CTX_PARAMETER: dict(trait.properties),
                                   contract.CTX_COMPONENT_TYPE: comp.type})
    if run.layers[index] > 0:
        context[contract.CTX_OUTPUT] = copy.deepcopy(run.workload) if run.workload is not None else {}
        context[contract.CTX_OUTPUTS] = {e.name: copy.deepcopy(e.body) for e in run.extras}
    probes = template_facts(definition.template).checked().patch_patterns
    return Instance(definition, trait.properties, context, trait.path, probes, run.shared)


def _layer_instances(runs: Sequence[ComponentRun], layer: int) -> list[tuple[ComponentRun, int, Instance]]:
    """Instances of this layer: (run, -1 for the component or the trait index, instance)."""
    batch = []
    for run in runs:
        if run.failed:
            continue
        if layer == 0:
            comp = run.resolved.component
            run.instance = Instance(run.resolved.definition, comp.properties, run.context, comp.path,
                                    shared=run.shared)
            batch.append((run, -1, run.instance))
        for index, trait_layer in enumerate(run.layers):
            if trait_layer == layer:
                batch.append((run, index, _trait_instance(run, index)))
    return batch


def _run_once(cue: Cue, instances: Sequence[Instance]) -> tuple[list[Evaluated], list[Problem]]:
    program = compose(instances)
    try:
        text = cue.export(program.files, program.data, program.expression,
                          task=f"evaluated {describe(instances)}")
    except CueFailed as failed:
        if failed.out_of_memory:
            return _halves(cue, instances)
        return [], diagnose(program, instances, failed.diagnostics)
    try:
        data, markers = parse_concrete(text)
    except CueSyntaxError as exc:
        return [], [definition_problem("cue-output", f"cannot read cue's output: {exc}")]
    return split_results(instances, data, markers), []


def _halves(cue: Cue, instances: Sequence[Instance]) -> tuple[list[Evaluated], list[Problem]]:
    """cue ran out of memory: each half apart, down to the one instance too large alone."""
    if len(instances) == 1:
        inst = instances[0]
        where = Location(inst.app_path, inst.definition.name, inst.definition.kind,
                         inst.definition.source)
        return [], [Problem("size-limit", f"evaluating this alone, cue passed its memory limit of"
                            f" {MEMORY_LIMIT_TEXT} (a size limit of oam-render): the template"
                            " builds values too large from these properties", Fixer.DEFINITION,
                            where)]
    middle = len(instances) // 2
    first, first_failed = _run_once(cue, instances[:middle])
    second, second_failed = _run_once(cue, instances[middle:])
    if first_failed or second_failed:
        return [], first_failed + second_failed
    return first + second, []


def _run_batch(cue: Cue, instances: Sequence[Instance]) -> tuple[list[Evaluated | None], list[Problem]]:
    """Evaluate a batch; on errors, again without the failed instances, so that every error
    is found (cue holds back incomplete values while real conflicts exist). An instance whose
    only errors are comprehensions over absent optional fields runs again with them guarded."""
    instances = list(instances)
    pending = list(range(len(instances)))
    results: list[Evaluated | None] = [None] * len(instances)
    problems: list[Problem] = []
    guarded: set[int] = set()
    while pending:
        found, failed = _run_once(cue, [instances[i] for i in pending])
        if not failed:
            for i, result in zip(pending, found, strict=True):
                results[i] = result
            break
        retried = _guard_absent(instances, pending, failed, guarded)
        failed = [p for p in failed if not any(p.location.app_path == instances[i].app_path for i in retried)]
        problems += failed
        paths = {p.location.app_path for p in failed}
        remaining = [i for i in pending if not any(_within(path, instances[i].app_path)
                                                   for path in paths)]
        if len(remaining) == len(pending) and not retried:
            break  # nothing attributable: more runs would print the same
        pending = remaining
    return results, problems


def _owns(instance: Instance, problem: Problem) -> bool:
    """Whether `problem` is about this instance itself (not a trait below a component)."""
    path = problem.location.app_path
    return path == instance.app_path or path.startswith(f"{instance.app_path}.properties")


def _guard_absent(instances: list[Instance], pending: Sequence[int], failed: Sequence[Problem],
                  guarded: set[int]) -> set[int]:
    """Replace, in `instances`, each pending one whose only problems are comprehensions over
    absent optional fields by its guarded form (once each); returns the indexes replaced.

    KubeVela walks `outputs` one object at a time, so such a comprehension there adds no
    object; cue would call the whole struct incomplete instead (see README, the definition
    format)."""
    retried: set[int] = set()
    for i in pending:
        own = [p for p in failed if _owns(instances[i], p)]
        if i in guarded or not own or any(p.code != ABSENT_OPTIONAL for p in own):
            continue
        guarded.add(i)
        definition = instances[i].definition
        template = guard_object_comprehensions(definition.template, (contract.OUTPUTS, contract.PATCH_OUTPUTS))
        if template != definition.template:
            instances[i] = dataclasses.replace(
                instances[i], definition=dataclasses.replace(definition, template=template))
            retried.add(i)
    return retried


def _within(path: str, owner: str) -> bool:
    return path == owner or path.startswith(owner + ".")


def _start(run: ComponentRun, result: Evaluated) -> list[Problem]:
    """Take the component's own output and outputs; check its traits against the workload."""
    comp = run.resolved.component
    problems = errs_problems(result, comp.path, run.resolved.definition)
    run.workload = result.values.get(contract.OUTPUT)
    for name, body in (result.values.get(contract.OUTPUTS) or {}).items():
        run.extras.append(Extra(name, body, None))
    if not declared_workload(run.resolved.definition) and isinstance(run.workload, dict):
        problems += check_traits(comp, run.resolved.definition, run.resolved.traits,
                                 workload_type_of(run.workload))
    return problems


def _advance(run: ComponentRun) -> list[Problem]:
    """Merge every evaluated trait, in app order, up to the first one still waiting
    (for its layer, or for cue to judge its conflicts)."""
    problems: list[Problem] = []
    while run.applied < len(run.layers) and run.applied in run.results and not run.pending:
        index = run.applied
        problems += apply_trait(run, index, run.results[index])
        run.applied += 1
    return problems


def _advance_all(runs: Sequence[ComponentRun], cue: Cue) -> list[tuple[ComponentRun, Problem]]:
    """Advance every component; conflicts of all of them are judged in one cue run a round.
    Returns each problem with the component it belongs to."""
    problems: list[tuple[ComponentRun, Problem]] = []
    while True:
        moved = False
        for run in runs:
            before = run.applied
            problems += [(run, p) for p in _advance(run)]
            held = bool(run.pending)
            if run.pending:
                problems += [(run, p) for p in take_trait_conflicts(run)]
            if run.pending and run.instance is None:
                problems += [(run, p) for p in settle(run, [False] * len(run.pending))]
            moved = moved or run.applied != before or (held and not run.pending)
        waiting = [run for run in runs if run.pending]
        if waiting:
            checks = [Check(run.instance, c.location, c.patch) for run in waiting if run.instance
                      for c in run.pending]
            verdicts = iter(arbitrate(cue, checks))
            for run in waiting:
                problems += [(run, p) for p in settle(run, [next(verdicts) for _ in run.pending])]
            # settled: the next round advances them further
        elif not moved:
            return problems


@dataclass(frozen=True)
class Job:
    """One app (an environment of it) whose components share cue processes with other jobs."""

    app: Application
    resolved: Sequence[ResolvedComponent]


_TAG = re.compile(r"^jobs\[(\d+)\]\.(.*)$")


def _untag(problem: Problem) -> tuple[int | None, Problem]:
    match = _TAG.match(problem.location.app_path)
    if match is None:
        return None, problem
    location = dataclasses.replace(problem.location, app_path=match[2])
    return int(match[1]), dataclasses.replace(problem, location=location)


def _run_chunks(cue: Cue, instances: Sequence[Instance]) -> tuple[list[Evaluated | None], list[Problem]]:
    """_run_batch in chunks, so that memory stays bounded however large the app."""
    results: list[Evaluated | None] = []
    problems: list[Problem] = []
    for found, failed in cue.map(lambda chunk: _run_batch(cue, chunk), chunked(instances)):
        results += found
        problems += failed
    return results, list(dict.fromkeys(problems))  # a problem no instance owns: once


def evaluate_groups(cue: Cue, groups: Sequence[Sequence[Instance]]) -> tuple[list[list[Evaluated | None]],
                                                                              list[list[Problem]]]:
    """Evaluate the instances of several groups (environments) in one batch.

    Paths are tagged with the group while cue runs, so that every problem lands in its group;
    a problem no instance owns lands in every group. Returns results and problems by group.
    """
    if len(groups) == 1:
        alone, trouble = _run_chunks(cue, groups[0])
        return [alone], [trouble]
    tagged = [dataclasses.replace(inst, app_path=f"jobs[{g}].{inst.app_path}")
              for g, group in enumerate(groups) for inst in group]
    flat, found = _run_chunks(cue, tagged)
    results: list[list[Evaluated | None]] = []
    start = 0
    for group in groups:
        results.append(flat[start:start + len(group)])
        start += len(group)
    problems: list[list[Problem]] = [[] for _ in groups]
    for problem in found:
        index, plain = _untag(problem)
        for g in (range(len(groups)) if index is None else [index]):
            problems[g].append(plain)
    return results, problems


def _take(run: ComponentRun, index: int, result: Evaluated | None) -> list[Problem]:
    if result is None:
        run.failed = True
        return []
    if index < 0:
        return _start(run, result)
    run.results[index] = result
    return []


def _runs(job: Job, index: int, options: RenderOptions) -> list[ComponentRun]:
    # context.components goes to cue once per job (environments may differ in components).
    shared = (f"oam_app{index}", {contract.CTX_COMPONENTS: [dict(c.raw) for c in job.app.components]})
    return [ComponentRun(r, base_context(job.app, r.component.name, r.component.properties, options),
                         trait_layers(r), shared=shared) for r in job.resolved]


def evaluate_jobs(jobs: Sequence[Job], options: RenderOptions,
                  cue: Cue) -> list[tuple[list[ComponentRun], list[Problem]]]:
    """Run every layer of every job; each layer is one cue process for all jobs together.

    Returns, per job, its component runs (in app order) and its problems.
    """
    runs = [_runs(job, index, options) for index, job in enumerate(jobs)]
    problems: list[list[Problem]] = [[] for _ in jobs]
    last = max((max(r.layers, default=0) for group in runs for r in group), default=0)
    for layer in range(last + 1):
        batches = [_layer_instances(group, layer) for group in runs]
        if not any(batches):
            continue
        results, failed = evaluate_groups(cue, [[inst for _, _, inst in batch] for batch in batches])
        for job, batch in enumerate(batches):
            problems[job] += failed[job]
            for (run, index, _), result in zip(batch, results[job], strict=True):
                problems[job] += _take(run, index, result)
        _advance_jobs(runs, problems, cue)
    return list(zip(runs, problems, strict=True))


def _advance_jobs(runs: Sequence[Sequence[ComponentRun]], problems: list[list[Problem]], cue: Cue) -> None:
    """Advance the components of every job; their conflicts are judged together, one cue run a round."""
    flat = [run for group in runs for run in group]
    owner = {id(run): job for job, group in enumerate(runs) for run in group}
    for run, problem in _advance_all(flat, cue):
        problems[owner[id(run)]].append(problem)
