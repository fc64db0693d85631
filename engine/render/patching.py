"""Apply one evaluated trait to a component: its outputs, its patch, its patchOutputs."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .. import contract
from ..cue.program import Evaluated
from ..cue.syntax import CueSyntaxError, field_markers, top_level_patch_strategy
from ..errors import Problem, app_problem
from ..paths import Parts as PatchPath
from .merge import Conflict, MergeError, merge_patch
from .state import ComponentRun, Extra, errs_problems
from .strategies import WHOLE_PATCH, lookup


def _under(markers: Mapping[PatchPath, Mapping[str, str]], *prefix: str | int) -> dict[PatchPath, Mapping[str, str]]:
    size = len(prefix)
    return {p[size:]: m for p, m in markers.items() if p[:size] == prefix}


def _markers_by_label(template: str) -> dict[str, frozenset[tuple[str, str]]] | None:
    # field_markers reads each template once per process (cue.syntax.facts keeps its facts).
    try:
        source = field_markers(template)
    except CueSyntaxError:
        return None
    return {label: frozenset((k, v) for _, k, v in entries) for label, entries in source.items()}


def relocate_markers(markers: Mapping[PatchPath, Mapping[str, str]],
                     template: str) -> dict[PatchPath, Mapping[str, str]]:
    """Put each marker back on the field the template writes it above.

    cue prints a comment written above a shorthand chain `a: b: v` on the innermost field
    `b`; a marker whose key the source gives only to an enclosing label moves up to it.
    """
    by_label = _markers_by_label(template)
    if by_label is None:
        return dict(markers)
    moved: dict[PatchPath, dict[str, str]] = {}
    for path, marks in markers.items():
        for key, value in marks.items():
            target = path
            if not path or (key, value) not in by_label.get(str(path[-1]), set()):
                for end in range(len(path) - 1, 0, -1):
                    label = path[end - 1]
                    if isinstance(label, str) and (key, value) in by_label.get(label, set()):
                        target = path[:end]
                        break
            moved.setdefault(target, {})[key] = value
    return dict(moved)


def leaf_paths(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of `value` by its path, spelt as merge conflicts spell them (a.b[0].c)."""
    if isinstance(value, dict) and value:
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(leaf_paths(item, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(value, list) and value:
        found = {}
        for index, item in enumerate(value):
            found.update(leaf_paths(item, f"{prefix}[{index}]"))
        return found
    return {prefix: value}


def _record(run: ComponentRun, before: Any, after: Any, who: str) -> None:
    old = leaf_paths(before)
    for path, leaf in leaf_paths(after).items():
        if path not in old or old[path] != leaf:
            run.setters[path] = who


def conflict_problem(run: ComponentRun, index: int, conflict: Conflict) -> Problem:
    comp = run.resolved.component
    trait = comp.traits[index]
    owner = run.setters.get(conflict.path, f"component {comp.name} ({comp.type})")
    order = ", ".join(t.type for t in comp.traits)
    message = (f"trait {trait.type} sets {conflict.path} to {conflict.patch!r}, but {owner} set it to"
               f" {conflict.base!r}; traits apply in the order listed: {order}")
    return app_problem("conflict", message, trait.path, definition=trait.type,
                       definition_kind=contract.KIND_TRAIT, file=run.resolved.traits[index].source)


def _patch_workload(run: ComponentRun, index: int, result: Evaluated) -> list[Problem]:
    patch = result.values.get(contract.PATCH)
    if patch is None:
        return []
    definition = run.resolved.traits[index]
    trait = run.resolved.component.traits[index]
    who = f"trait {trait.type}"
    if not isinstance(run.workload, dict):
        return [app_problem("no-workload", "this trait patches the workload, but the component has"
                            " none", trait.path, definition=definition.name)]
    strategy = top_level_patch_strategy(definition.template)
    whole = lookup(strategy, WHOLE_PATCH)  # else the patch merges, steered by field strategies
    before = run.workload
    try:
        if whole is not None and whole.apply is not None:
            run.workload = whole.apply(before, patch)
        else:
            markers = relocate_markers(_under(result.markers, contract.PATCH), definition.template)
            merged = merge_patch(before, patch, markers, result.patterns)
            run.workload = merged.value
            run.pending, run.pending_trait = list(merged.conflicts), index
    except MergeError as exc:
        return [app_problem("patch", f"{strategy} patch failed: {exc}", trait.path,
                            definition=definition.name, file=definition.source)]
    _record(run, before, run.workload, who)
    return []


def _patch_outputs(run: ComponentRun, index: int, result: Evaluated) -> list[Problem]:
    trait = run.resolved.component.traits[index]
    problems: list[Problem] = []
    for name, patch in (result.values.get(contract.PATCH_OUTPUTS) or {}).items():
        targets = [e for e in run.extras if e.name == name]
        if not targets:
            problems.append(app_problem("patch-outputs", f"patchOutputs.{name}: no earlier object"
                                        f" called {name}", trait.path, definition=trait.type))
        markers = relocate_markers(_under(result.markers, contract.PATCH_OUTPUTS, name),
                                   run.resolved.traits[index].template)
        for extra in targets:
            merged = merge_patch(extra.body, patch, markers)
            extra.body = merged.value
            problems += [app_problem("conflict", f"patchOutputs.{name}: {c.path} is {c.base!r},"
                                     f" the patch sets {c.patch!r}", trait.path,
                                     definition=trait.type) for c in merged.conflicts]
    return problems


def set_at(value: Any, location: PatchPath, leaf: Any) -> None:
    """Put `leaf` at `location` inside `value` (which has every step but the last)."""
    for step in location[:-1]:
        value = value[step]
    value[location[-1]] = copy.deepcopy(leaf)


def take_trait_conflicts(run: ComponentRun) -> list[Problem]:
    """Conflicts with a value an earlier trait set are errors outright: only the component's
    own defaults may yield to a patch, and arbitration consults the component alone."""
    ours = [c for c in run.pending if run.setters.get(c.path, "").startswith("trait ")]
    run.pending = [c for c in run.pending if c not in ours]
    problems = [conflict_problem(run, run.pending_trait, c) for c in ours]
    if not run.pending:
        run.pending_trait = -1
    return problems


def settle(run: ComponentRun, verdicts: list[bool]) -> list[Problem]:
    """Apply cue's verdicts on the pending conflicts: overrides of defaults, or errors."""
    problems = []
    trait = run.resolved.component.traits[run.pending_trait]
    for conflict, allowed in zip(run.pending, verdicts, strict=True):
        if allowed:
            set_at(run.workload, conflict.location, conflict.patch)
            run.setters[conflict.path] = f"trait {trait.type}"
        else:
            problems.append(conflict_problem(run, run.pending_trait, conflict))
    run.pending, run.pending_trait = [], -1
    return problems


def apply_trait(run: ComponentRun, index: int, result: Evaluated) -> list[Problem]:
    """Outputs first (so patchOutputs can reach them), then patch, then patchOutputs."""
    trait = run.resolved.component.traits[index]
    problems = errs_problems(result, trait.path, run.resolved.traits[index])
    for name, body in (result.values.get(contract.OUTPUTS) or {}).items():
        run.extras.append(Extra(name, body, trait.type))
    problems += _patch_workload(run, index, result)
    problems += _patch_outputs(run, index, result)
    return problems
