"""Custom policies: render policy templates that emit objects, after the components they can read."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

from .. import contract
from ..cue.program import Evaluated, Instance
from ..cue.runner import Cue
from ..definitions import DefinitionLoader, strip_version
from ..errors import Problem, app_problem
from ..model import JSON, Application, Definition, Environment, Policy, RenderedObject, RenderOptions
from ..output.labels import finish_object
from ..suggest import did_you_mean
from .evaluate import base_context, evaluate_groups
from .state import errs_problems, unprintable_problems

# Types the engine interprets itself or that only steer a controller: they never emit objects.
BUILTIN_TYPES = frozenset({
    "override", "topology", "garbage-collect", "apply-once", "shared-resource", "take-over", "read-only",
    "replication", "debug", "env-binding", "health",
})
# A template that never mentions `output`/`outputs` cannot emit anything: skip the cue run.
_EMITS = re.compile(r"\boutputs?\s*:")


def artifacts(objects: Sequence[RenderedObject]) -> dict[str, Any]:
    """`context.artifacts`: per component, its `workload` and its `traits` by type and resource name."""
    found: dict[str, Any] = {}
    for obj in objects:
        if obj.policy is not None:
            continue
        entry = found.setdefault(obj.component, {})
        if obj.output_name is None:
            entry["workload"] = copy.deepcopy(dict(obj.body))
        else:
            kind = obj.trait or contract.AUXILIARY_WORKLOAD
            entry.setdefault("traits", {}).setdefault(kind, {})[obj.output_name] = copy.deepcopy(dict(obj.body))
    return found


def _definition(app: Application, policy: Policy, loader: DefinitionLoader,
                problems: list[Problem]) -> Definition | None:
    if policy.type in BUILTIN_TYPES:
        return None
    definition = loader.get(contract.KIND_POLICY, strip_version(policy.type))
    if definition is None:
        hint = did_you_mean(policy.type, loader.names(contract.KIND_POLICY))
        problems.append(app_problem("unknown-type", f"unknown policy type {policy.type!r}{hint}",
                                    policy.path, file=app.source, line=app.lines.get(f"{policy.path}.type")))
        return None
    return definition if _EMITS.search(definition.template) else None


def policy_instances(app: Application, objects: Sequence[RenderedObject], loader: DefinitionLoader,
                     options: RenderOptions, problems: list[Problem]) -> list[tuple[Policy, Instance]]:
    """An instance for every policy of the app whose definition can emit objects."""
    found = []
    context_artifacts: dict[str, Any] | None = None
    for policy in app.policies:
        definition = _definition(app, policy, loader, problems)
        if definition is None:
            continue
        if context_artifacts is None:
            context_artifacts = artifacts(objects)
        context = base_context(app, policy.name, policy.properties, options)
        context[contract.CTX_COMPONENTS] = [dict(c.raw) for c in app.components]
        context[contract.CTX_ARTIFACTS] = context_artifacts
        found.append((policy, Instance(definition, policy.properties, context, policy.path)))
    return found


def _finish(body: Any, policy: Policy, app: Application, namespace: str) -> dict[str, JSON]:
    """Named after the policy and in the environment's namespace unless the template says otherwise;
    labelled like KubeVela labels policy objects (app, policy as component, revision)."""
    labels = {contract.LABEL_APP_NAME: app.name, contract.LABEL_COMPONENT: policy.name,
              contract.LABEL_APP_REVISION: ""}
    return finish_object(body, namespace, labels, name=policy.name)


def policy_objects(env: Environment, app: Application, policy: Policy, definition: Definition,
                   result: Evaluated) -> tuple[list[RenderedObject], list[Problem]]:
    """The output first, then the outputs in template order, as for a component."""
    problems = errs_problems(result, policy.path, definition)
    bodies: list[tuple[str | None, Any]] = []
    if isinstance(result.values.get(contract.OUTPUT), dict):
        bodies.append((None, result.values[contract.OUTPUT]))
    bodies += list((result.values.get(contract.OUTPUTS) or {}).items())
    objects = []
    for name, body in bodies:
        field_name = contract.OUTPUT if name is None else f"{contract.OUTPUTS}.{name}"
        unprintable = unprintable_problems(field_name, body, policy.path, definition)
        problems += unprintable
        if not unprintable:
            objects.append(RenderedObject(_finish(body, policy, app, env.namespace), "", None, name, env.name,
                                          policy.name))
    return objects, problems


def render_policies(envs: Sequence[tuple[Environment, Application]], objects: Sequence[Sequence[RenderedObject]],
                    loader: DefinitionLoader, options: RenderOptions,
                    cue: Cue) -> tuple[list[list[RenderedObject]], list[list[Problem]]]:
    """Objects of the custom policies of every environment, in one cue run for all of them
    (none when no policy emits anything). Returns objects and problems by environment."""
    problems: list[list[Problem]] = [[] for _ in envs]
    groups = [policy_instances(app, objs, loader, options, found)
              for (_, app), objs, found in zip(envs, objects, problems, strict=True)]
    rendered: list[list[RenderedObject]] = [[] for _ in envs]
    if not any(groups):
        return rendered, problems
    results, failed = evaluate_groups(cue, [[inst for _, inst in group] for group in groups])
    for index, ((env, app), group) in enumerate(zip(envs, groups, strict=True)):
        problems[index] += failed[index]
        for (policy, instance), result in zip(group, results[index], strict=True):
            if result is not None:
                objs, found = policy_objects(env, app, policy, instance.definition, result)
                rendered[index] += objs
                problems[index] += found
    return rendered, problems
