"""Build the objects of one legacy AppConfig entry: its workload with the values set, its traits."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .. import contract
from ..errors import Problem, definition_problem
from ..model import JSON
from .fieldpath import FieldPathError, set_field, set_parameters
from .load import KIND_COMPONENT, LegacyInstance, LegacyTrait


def legacy_workload(instance: LegacyInstance) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The instance's workload with its parameter values set; None when a field path fails."""
    component = instance.component
    body = copy.deepcopy(dict(component.workload))
    paths = {p.name: p.field_paths for p in component.parameters}
    problems = []
    for name, _, message in set_parameters(body, paths, instance.values):
        parameter = component.parameter(name)
        problems.append(definition_problem(
            "legacy-field-path", f"component {component.name}: parameter {name}: {message}",
            app_path=f"{instance.path}.parameterValues[{name}]", definition=component.name,
            definition_kind=KIND_COMPONENT, file=component.source, line=parameter.line if parameter else None))
    if problems:
        return None, problems
    name_if_unnamed(body, instance.name)
    return body, []


def name_if_unnamed(body: dict[str, Any], name: str) -> None:
    meta = body.get("metadata")
    body["metadata"] = meta = dict(meta) if isinstance(meta, dict) else {}
    if not meta.get("name"):
        meta["name"] = name


def workload_reference(workload: Mapping[str, JSON]) -> dict[str, JSON]:
    """The `{apiVersion, kind, name}` a trait's workloadRefPath receives."""
    return {"apiVersion": workload.get("apiVersion"), "kind": workload.get("kind"),
            "name": (workload.get("metadata") or {}).get("name")}


def trait_object(trait: LegacyTrait, workload: Mapping[str, JSON]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The trait as written, named, with the workload reference its definition asks for."""
    body = copy.deepcopy(dict(trait.body))
    name_if_unnamed(body, trait.name)
    if trait.workload_ref_path:
        try:
            set_field(body, trait.workload_ref_path, workload_reference(workload))
        except FieldPathError as exc:
            return None, [definition_problem("legacy-trait-definition", f"workloadRefPath: {exc}",
                                             app_path=trait.path, definition=trait.type,
                                             definition_kind=contract.KIND_TRAIT)]
    return body, []
