"""The evolving state of one component while its traits apply."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import contract
from ..cue.program import Evaluated, Instance
from ..errors import Problem, app_problem, definition_problem
from ..model import JSON, Definition
from ..output.labels import shape_problems
from .merge import Conflict
from .resolve import ResolvedComponent


@dataclass
class Extra:
    """An extra object: a component's or a trait's `outputs` entry."""

    name: str
    body: Any
    trait: str | None


@dataclass
class ComponentRun:
    """The evolving state of one component while its traits apply (private to this stage)."""

    resolved: ResolvedComponent
    context: dict[str, JSON]
    layers: list[int]  # the layer each trait is evaluated in
    workload: Any = None
    extras: list[Extra] = field(default_factory=list)
    results: dict[int, Evaluated] = field(default_factory=dict)  # trait index -> result
    applied: int = 0  # traits merged so far
    setters: dict[str, str] = field(default_factory=dict)  # workload leaf path -> who set it
    failed: bool = False
    instance: Instance | None = None  # the component's own evaluation, for arbitration
    # Conflicts of trait `pending_trait` that cue must still judge (a default may yield).
    pending: list[Conflict] = field(default_factory=list)
    pending_trait: int = -1
    # Context the app's instances share, sent to cue once: (data key, {context key: value}).
    shared: tuple[str, dict[str, JSON]] = ("", {})


def unprintable_problems(field_name: str, body: Any, path: str, definition: Definition) -> list[Problem]:
    """What keeps an object a template made (its `field_name`) from being a Kubernetes object:
    problems of `definition`, at `path`; empty when it can be printed."""
    return [definition_problem("template", f"{field_name}: {message}", app_path=path, definition=definition.name,
                               definition_kind=definition.kind, file=definition.source)
            for message in shape_problems(body)]


def errs_problems(result: Evaluated, path: str, definition: Definition) -> list[Problem]:
    """A template's own `errs`: the app author's mistakes, in the template author's words."""
    errs = result.values.get(contract.ERRS) or []
    declared = re.search(rf"^\s*{contract.ERRS}\s*:", definition.template, re.MULTILINE)
    line = definition.position(definition.template.count("\n", 0, declared.start()) + 1) if declared else None
    return [app_problem("errs", str(message), path, definition=definition.name,
                        definition_kind=definition.kind, file=definition.source, line=line)
            for message in errs]


