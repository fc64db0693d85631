"""Resolve an Application against the definitions: every type found, every trait allowed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from .. import contract
from ..definitions import DefinitionLoader, strip_version
from ..errors import Problem, app_problem
from ..legacy.kube import is_kube_definition, kube_stand_in
from ..model import JSON, Application, Component, Definition, Trait, resource_type
from ..suggest import did_you_mean


@dataclass(frozen=True)
class ResolvedComponent:
    """A component with its definition and its traits' definitions, in app order."""

    component: Component
    definition: Definition
    traits: tuple[Definition, ...]


def _unknown(kind: str, type_name: str, path: str, loader: DefinitionLoader, app: Application) -> Problem:
    known = loader.names(kind)
    hint = did_you_mean(type_name, known)
    broken = [str(p) for p in loader.broken()]
    also = f"; unreadable definition files: {'; '.join(broken)}" if broken else ""
    return app_problem("unknown-type", f"unknown {kind} type {type_name!r} (looked in"
                       f" {loader.describe()}){hint}{also}", path, file=app.source,
                       line=app.lines.get(f"{path}.type"))


def find(loader: DefinitionLoader, kind: str, type_name: str) -> Definition | None:
    return loader.get(kind, strip_version(type_name))


def _templateless(definition: Definition, path: str) -> Problem | None:
    """A v1alpha2 definition loads (the legacy renderer reads it) but cannot render here."""
    if definition.template.strip() or is_kube_definition(definition):
        return None
    return app_problem("no-template", f"{definition.kind} type {definition.name!r} has no CUE template"
                       f" ({definition.source}); a v1beta1 Application cannot use it", path,
                       definition=definition.name, definition_kind=definition.kind, file=definition.source)


def _usable(loader: DefinitionLoader, kind: str, type_name: str, path: str, app: Application,
            problems: list[Problem]) -> Definition | None:
    """The definition of `type_name`, or None with the reason added to `problems`."""
    definition = find(loader, kind, type_name)
    if definition is None:
        problems.append(_unknown(kind, type_name, path, loader, app))
    elif (empty := _templateless(definition, path)) is not None:
        problems.append(empty)
        definition = None
    return definition


def resolve(app: Application, loader: DefinitionLoader) -> tuple[list[ResolvedComponent], list[Problem]]:
    """Definitions for every component and trait; problems for unknown or misapplied types."""
    resolved: list[ResolvedComponent] = []
    problems: list[Problem] = []
    for comp in app.components:
        definition = _usable(loader, contract.KIND_COMPONENT, comp.type, comp.path, app, problems)
        traits: list[Definition] = []
        known: list[Trait] = []
        for trait in comp.traits:
            trait_def = _usable(loader, contract.KIND_TRAIT, trait.type, trait.path, app, problems)
            if trait_def is not None:
                traits.append(trait_def)
                known.append(trait)
        if definition is not None and is_kube_definition(definition):
            stand_in, found = kube_stand_in(definition, comp, app)
            problems += found
            if stand_in is None:
                continue
            definition, comp = stand_in
        if definition is not None:
            # Unknown traits are left out so the rest still evaluates and reports its errors;
            # the render fails on the unknown ones anyway.
            comp = replace(comp, traits=tuple(known))
            resolved.append(ResolvedComponent(comp, definition, tuple(traits)))
            problems += check_traits(comp, definition, tuple(traits), definition.workload_type)
    return resolved, problems


def _applies(trait: Definition, component: Definition, workload_type: str) -> bool:
    allowed = trait.applies_to
    if not allowed or "*" in allowed:
        return True
    names = {component.name, workload_type}
    # `deployments.apps` also matches `Deployment`-style and `apps/v1.Deployment` spellings.
    return any(a in names or a.lower() == workload_type.split(".")[0].rstrip("s") for a in allowed)


def check_traits(comp: Component, definition: Definition, traits: tuple[Definition, ...],
                 workload_type: str) -> list[Problem]:
    """appliesToWorkloads and conflictsWith, enforced (KubeVela only documents them)."""
    problems: list[Problem] = []
    types = [t.name for t in traits]
    for trait_def, trait in zip(traits, comp.traits, strict=True):
        if workload_type and not _applies(trait_def, definition, workload_type):
            problems.append(app_problem(
                "trait-not-applicable",
                f"trait {trait_def.name} does not apply to component type {definition.name}"
                f" (workload {workload_type}); it applies to {', '.join(trait_def.applies_to)}",
                trait.path, definition=trait_def.name, definition_kind=contract.KIND_TRAIT,
                file=trait_def.source))
        clashes = [t for t in trait_def.conflicts_with if t in types and t != trait_def.name]
        for other in clashes:
            problems.append(app_problem(
                "trait-conflict", f"trait {trait_def.name} conflicts with trait {other} on the same"
                " component", trait.path, definition=trait_def.name,
                definition_kind=contract.KIND_TRAIT, file=trait_def.source))
    return problems


def workload_type_of(body: Mapping[str, JSON]) -> str:
    """The `deployments.apps` form of a rendered object, for autodetected workloads."""
    return resource_type(str(body.get("apiVersion", "")), str(body.get("kind", "")))
