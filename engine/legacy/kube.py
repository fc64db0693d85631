"""Render the workload of a v1beta1 ComponentDefinition with `spec.schematic.kube {template, parameters}`.

The template is a raw object; each parameter `{name, type, required, fieldPaths, description}`
writes the component's property of that name at each of its field paths (legacy_fieldpath),
as the v1alpha2 Component did. `type` (string, number, boolean) is checked when given.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import contract
from ..errors import Fixer, Problem, app_problem, definition_problem
from ..model import JSON, Application, Component, Definition
from .fieldpath import set_parameters
from .objects import name_if_unnamed

# KubeVela's kube-schematic parameter types and the JSON values each accepts.
_KUBE_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "number": (int, float), "boolean": (bool,)}


def is_kube_definition(definition: Definition) -> bool:
    """A component definition rendered from `spec.schematic.kube` rather than a CUE template."""
    schematic = definition.spec.get("schematic") or {}
    return (definition.kind == contract.KIND_COMPONENT and not definition.template.strip()
            and isinstance(schematic, Mapping) and isinstance(schematic.get("kube"), Mapping))


def _kube_parameters(kube: Mapping[str, JSON], bad: list[str]) -> dict[str, Mapping[str, JSON]]:
    found: dict[str, Mapping[str, JSON]] = {}
    for index, raw in enumerate(kube.get("parameters") or []):
        paths = raw.get("fieldPaths") if isinstance(raw, Mapping) else None
        if not isinstance(raw, Mapping) or not raw.get("name") or not isinstance(paths, list) or not paths:
            bad.append(f"schematic.kube.parameters[{index}] needs a name and a non-empty fieldPaths list")
        elif raw.get("type") is not None and raw["type"] not in _KUBE_TYPES:
            bad.append(f"parameter {raw['name']}: type must be one of {', '.join(_KUBE_TYPES)}")
        else:
            found[str(raw["name"])] = raw
    return found


def _check_properties(parameters: Mapping[str, Mapping[str, JSON]], properties: Mapping[str, JSON],
                      component_name: str, definition: Definition) -> list[Problem]:
    base = f"components[{component_name}]"
    problems = []
    for name, value in properties.items():
        declared = parameters.get(name)
        kind = declared.get("type") if declared is not None else None
        if declared is None:
            message = f"{definition.name} has no parameter {name} (it has: {', '.join(parameters) or 'none'})"
        elif isinstance(kind, str) and (not isinstance(value, _KUBE_TYPES[kind])
                                        or (kind == "number" and isinstance(value, bool))):
            message = f"parameter {name} must be a {kind}, not {type(value).__name__}"
        else:
            continue
        problems.append(app_problem("kube-parameter", message, f"{base}.properties.{name}",
                                    definition=definition.name, definition_kind=contract.KIND_COMPONENT))
    for name, declared in parameters.items():
        if declared.get("required") and name not in properties:
            problems.append(app_problem("required", f"component {component_name}: parameter {name} is required",
                                        f"{base}.properties", definition=definition.name,
                                        definition_kind=contract.KIND_COMPONENT))
    return problems


def kube_workload(definition: Definition, properties: Mapping[str, JSON],
                  component_name: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The workload of a `schematic.kube` ComponentDefinition: its template with each property
    set at the field paths of its parameter, named after the component when unnamed.

    Returns (workload, []) or (None, every problem found); problems name the component's
    path (`components[web].properties.image`); app file and line are left to the caller.
    """
    kube = (definition.spec.get("schematic") or {}).get("kube") or {}
    base = f"components[{component_name}]"
    bad: list[str] = []
    template = kube.get("template")
    if not isinstance(template, Mapping) or not template.get("apiVersion") or not template.get("kind"):
        bad.append("schematic.kube.template must be an object with apiVersion and kind")
    parameters = _kube_parameters(kube, bad)
    problems = [definition_problem("kube-schematic", message, app_path=base, definition=definition.name,
                                   definition_kind=contract.KIND_COMPONENT, file=definition.source)
                for message in bad]
    problems += _check_properties(parameters, properties, component_name, definition)
    if problems or not isinstance(template, Mapping):
        return None, problems
    body = copy.deepcopy(dict(template))
    paths = {name: [str(p) for p in raw["fieldPaths"]] for name, raw in parameters.items()}
    for name, _, message in set_parameters(body, paths, properties):
        problems.append(definition_problem("legacy-field-path", f"parameter {name}: {message}",
                                           app_path=f"{base}.properties.{name}", definition=definition.name,
                                           definition_kind=contract.KIND_COMPONENT, file=definition.source))
    if problems:
        return None, problems
    name_if_unnamed(body, component_name)
    return body, []


# The engine evaluates a kube component through this stand-in: the rendered workload travels
# as the instance's parameter data (never as CUE text), and the template emits it unchanged.
KUBE_STAND_IN_TEMPLATE = f"{contract.OUTPUT}: {contract.PARAMETER}\n"


def _located(problem: Problem, app: Application) -> Problem:
    if problem.location.file or problem.fixer is not Fixer.APP:
        return problem
    path = problem.location.app_path
    line = app.lines.get(path) or app.lines.get(path.rsplit(".", 1)[0])
    return dataclasses.replace(problem, location=dataclasses.replace(problem.location, file=app.source,
                                                                        line=line))


def kube_stand_in(definition: Definition, component: Component,
                  app: Application) -> tuple[tuple[Definition, Component] | None, list[Problem]]:
    """For the resolve stage: a `schematic.kube` component as something cue can evaluate.

    Returns ((definition with KUBE_STAND_IN_TEMPLATE, component whose properties are the
    rendered workload), []) or (None, every problem, located in the app's file).
    """
    workload, problems = kube_workload(definition, component.properties, component.name)
    if workload is None:
        return None, [_located(p, app) for p in problems]
    stand_in = dataclasses.replace(definition, template=KUBE_STAND_IN_TEMPLATE, imports="")
    return (stand_in, dataclasses.replace(component, properties=workload)), []
