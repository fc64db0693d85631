"""Environments: turn an app, its policies and its deploy steps into one app per place it deploys to."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import names
from ..definitions import DefinitionLoader
from ..documents import APP_KIND, Document, check_name, named_entries, read_documents, to_application, workflow_of
from ..errors import AppError, Problem, app_problem
from ..model import Application, Environment, Policy, WorkflowStep
from .overrides import Where, apply_override

POLICY_KIND = "Policy"
WORKFLOW_KIND = "Workflow"
OVERRIDE = "override"
TOPOLOGY = "topology"
DEPLOY = "deploy"

Source = Application | Document | str | Path | Mapping[str, Any]


@dataclass(frozen=True)
class Inputs:
    """The Application and the standalone Policy and Workflow documents given next to it."""

    app: Application
    policies: Mapping[str, Policy] = field(default_factory=dict)  # standalone, by name
    workflows: Mapping[str, tuple[WorkflowStep, ...]] = field(default_factory=dict)
    workflow_ref: str = ""  # the app's spec.workflow.ref
    origins: Mapping[str, Where] = field(default_factory=dict)  # "Policy/x", "Workflow/x" -> file
    objects: tuple[Document, ...] = ()  # other Kubernetes objects, for ref-objects and service-binding


@dataclass
class Plan:
    """Every environment with its app, what went wrong, and what deserves a word."""

    environments: list[tuple[Environment, Application]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------


def _steps(raw: Any, doc: Document, problems: list[Problem]) -> tuple[WorkflowStep, ...]:
    entries = raw if isinstance(raw, list) else []
    if not isinstance(raw, list):
        problems.append(app_problem("input", "a Workflow needs a list of steps", "steps", file=doc.source,
                                    line=doc.lines.get("steps", doc.line)))
    return tuple(WorkflowStep(*s) for s in named_entries(entries, "workflow.steps", problems, doc))


def _standalone_name(doc: Document, rule: names.NameRule, problems: list[Problem]) -> str | None:
    """A standalone document's metadata.name, checked; None (and a problem) when it is wrong."""
    meta = doc.data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if name is None or name == "":
        problems.append(app_problem("input", f"a {doc.kind} needs metadata.name", "", file=doc.source,
                                    line=doc.line))
        return None
    return name if check_name(name, "metadata.name", rule, problems, doc) else None


def _standalone_policy(doc: Document, problems: list[Problem]) -> Policy | None:
    data = doc.data
    name = _standalone_name(doc, names.LABEL, problems)
    kind = data.get("type")
    if name is None or not isinstance(kind, str) or not kind:
        if name is not None:
            problems.append(app_problem("input", "a Policy needs a type", "type", file=doc.source,
                                        line=doc.lines.get("type", doc.line)))
        return None
    props = data.get("properties")
    if props is not None and not isinstance(props, dict):
        problems.append(app_problem("input", "properties must be a mapping", f"policies[{name}].properties",
                                    file=doc.source, line=doc.lines.get("properties", doc.line)))
        props = None
    return Policy(name, kind, props or {}, f"policies[{name}]")


def _workflow_ref(doc: Document) -> str:
    """The app's spec.workflow.ref; its shape is the app's to report (to_application does)."""
    ref = workflow_of(doc, []).get("ref")
    return ref if isinstance(ref, str) else ""


def _documents(source: Source | Document) -> Iterable[Document | Application]:
    if isinstance(source, (Application, Document)):
        return [source]  # a Document: one already read (a batch splits a file into its apps)
    return read_documents(source)


def read_inputs(sources: Sequence[Source | Document]) -> Inputs:
    """Find the one Application among `sources` (paths, YAML text, dicts, Applications or
    documents already read) and the Policy and Workflow documents beside it. Other kinds are
    kept as objects the app may refer to (ref-objects, service-binding), and otherwise ignored,
    as `vela` does.

    Raises AppError when there is not exactly one Application or a document is malformed.
    """
    apps: list[tuple[Application, str]] = []
    policies: dict[str, Policy] = {}
    workflows: dict[str, tuple[WorkflowStep, ...]] = {}
    origins: dict[str, Where] = {}
    problems: list[Problem] = []
    kinds: list[str] = []
    first: Where | None = None
    seen: list[Document | Application] = []
    for source in sources:
        for doc in _remembered(_documents(source), seen):
            if first is None and not isinstance(doc, Application):
                first = Where(doc.source, doc.line)
            if isinstance(doc, Application):
                apps.append((doc, ""))
                kinds.append(APP_KIND)
                continue
            kinds.append(doc.kind or "?")
            if doc.kind == APP_KIND:
                apps.append((to_application(doc), _workflow_ref(doc)))
            elif doc.kind == POLICY_KIND:
                policy = _standalone_policy(doc, problems)
                if policy is not None:
                    policies[policy.name] = policy
                    origins[f"{POLICY_KIND}/{policy.name}"] = Where(doc.source, doc.line)
            elif doc.kind == WORKFLOW_KIND:
                name = _standalone_name(doc, names.SUBDOMAIN, problems)
                steps = _steps(doc.data.get("steps"), doc, problems)
                if name is not None:
                    workflows[name] = steps
                    origins[f"{WORKFLOW_KIND}/{name}"] = Where(doc.source, doc.line)
    if len(apps) != 1:
        found = ", ".join(repr(k) for k in kinds) or "nothing"
        problems.append(app_problem("input", f"expected one {APP_KIND}, found {found}", "",
                                    file=first.file if first else "", line=first.line if first else None))
    if problems:
        raise AppError(problems)
    app, ref = apps[0]
    return Inputs(app, policies, workflows, ref, origins, _objects(seen))


_Read = Document | Application


def _remembered(docs: Iterable[_Read], seen: list[_Read]) -> Iterator[_Read]:
    for doc in docs:
        seen.append(doc)
        yield doc


def _objects(docs: Iterable[Document | Application]) -> tuple[Document, ...]:
    """The documents that are neither the app nor its policies and workflows: Kubernetes objects."""
    return tuple(d for d in docs if isinstance(d, Document) and d.api_version and d.kind
                 and d.kind not in (APP_KIND, POLICY_KIND, WORKFLOW_KIND))


# --- planning --------------------------------------------------------------------------------


def _where(app: Application, path: str) -> Where:
    return Where(app.source, app.lines.get(path))


def _workflow(inputs: Inputs, plan: Plan) -> tuple[WorkflowStep, ...]:
    app = inputs.app
    if not inputs.workflow_ref:
        return app.workflow
    if app.workflow:
        plan.warnings.append(f"workflow.ref {inputs.workflow_ref!r} is ignored: the app lists its own steps")
        return app.workflow
    steps = inputs.workflows.get(inputs.workflow_ref)
    if steps is None:
        known = ", ".join(sorted(inputs.workflows)) or "none given"
        where = _where(app, "workflow.ref")
        plan.problems.append(app_problem("missing-workflow", f"workflow {inputs.workflow_ref!r} not found"
                                         f" (standalone workflows: {known})", "workflow.ref",
                                         file=where.file, line=where.line))
        return ()
    return steps


def _policy_where(inputs: Inputs, policy: Policy) -> Where:
    app = inputs.app
    if any(p is policy for p in app.policies):
        return Where(app.source, app.lines.get(policy.path), app.lines)
    return inputs.origins.get(f"{POLICY_KIND}/{policy.name}", Where())


def _step_policies(inputs: Inputs, step: WorkflowStep, plan: Plan, used: set[str]) -> list[Policy] | None:
    """The policies a deploy step lists that exist, in order; None when the list is malformed."""
    names = step.properties.get("policies") or []
    path = f"{step.path}.properties.policies"
    where = _where(inputs.app, path)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        plan.problems.append(app_problem("input", "must be a list of policy names", path, file=where.file,
                                         line=where.line))
        return None
    own = {p.name: p for p in inputs.app.policies}
    found: list[Policy] = []
    for index, name in enumerate(names):
        policy = own.get(name) or inputs.policies.get(name)
        if policy is None:
            known = ", ".join([*own, *inputs.policies]) or "none"
            plan.problems.append(app_problem("missing-policy", f"policy {name!r} not found (known: {known})",
                                             f"{path}[{index}]", file=where.file,
                                             line=inputs.app.lines.get(f"{path}[{index}]", where.line)))
            continue
        if policy.name not in own:
            used.add(policy.name)
        found.append(policy)
    return found  # with a policy missing, the others still apply, so that all their problems show


def _topology_namespace(inputs: Inputs, policy: Policy, default: str, plan: Plan) -> str:
    namespace = policy.properties.get("namespace")
    if namespace is None or namespace == "":
        return default
    error = names.name_error(namespace, names.LABEL)
    if error is not None:
        where = _policy_where(inputs, policy)
        path = f"{policy.path}.properties.namespace"
        plan.problems.append(app_problem("invalid-name", f"namespace {error}", path, file=where.file,
                                         line=where.lines.get(path, where.line)))
        return default
    return str(namespace)


def _clusters(policy: Policy) -> tuple[str, ...]:
    clusters = policy.properties.get("clusters")
    return tuple(str(c) for c in clusters) if isinstance(clusters, list) else ()


def _unique(name: str, step: str, taken: set[str]) -> str:
    """Environment names double as folder names: a repeated one gets its step's name in front."""
    candidate = name if name not in taken else f"{step}-{name}"
    count = 2
    while candidate in taken:
        candidate, count = f"{step}-{name}-{count}", count + 1
    taken.add(candidate)
    return candidate


def _deploy(inputs: Inputs, step: WorkflowStep, loader: DefinitionLoader, namespace: str, plan: Plan,
            used: set[str], taken: set[str]) -> None:
    """The environments of one deploy step: one per topology it lists, or one for its overrides."""
    app = inputs.app
    policies = _step_policies(inputs, step, plan, used)
    if policies is None:
        return
    overrides = [p for p in policies if p.type == OVERRIDE]
    components = app.components
    for policy in overrides:
        components = apply_override(components, policy, loader, _policy_where(inputs, policy), plan.problems)
    applied = tuple(p.name for p in overrides)
    topologies = [p for p in policies if p.type == TOPOLOGY]
    for topology in topologies:
        ns = _topology_namespace(inputs, topology, namespace, plan)
        env = Environment(_unique(topology.name, step.name, taken), ns, _clusters(topology),
                          (topology.name, *applied), f"{app.name} with topology {topology.name}")
        plan.environments.append((env, dataclasses.replace(app, namespace=ns, components=components)))
    if not topologies:
        env = Environment(_unique(step.name, step.name, taken), namespace, (), applied,
                          f"{app.name} only with override policies in step {step.name}")
        plan.environments.append((env, dataclasses.replace(app, namespace=namespace, components=components)))


def plan_environments(inputs: Inputs, loader: DefinitionLoader, namespace: str | None = None) -> Plan:
    """One (Environment, Application) pair per topology policy of every deploy step (one per step
    that lists only overrides), in workflow order; the app as written (environment "") when the
    workflow has no deploy step. `namespace` replaces the app's own where no topology sets one.

    Problems (a missing policy or workflow, an override naming an unknown component or type)
    are returned in the plan, not raised.
    """
    plan = Plan()
    app = inputs.app
    default = namespace or app.namespace
    steps = [s for s in _workflow(inputs, plan) if s.type == DEPLOY]
    used: set[str] = set()
    taken: set[str] = set()
    for step in steps:
        _deploy(inputs, step, loader, default, plan, used, taken)
    if not steps:
        env = Environment("", default, (), (), app.name)
        plan.environments.append((env, dataclasses.replace(app, namespace=default)))
    for name in inputs.policies:
        if name not in used:
            origin = inputs.origins.get(f"{POLICY_KIND}/{name}", Where())
            plan.warnings.append(f"policy {name!r} ({origin.file or 'input'}) is not referenced by the"
                                 " application's deploy steps; ignored")
    for name in inputs.workflows:
        if name != inputs.workflow_ref or app.workflow:
            origin = inputs.origins.get(f"{WORKFLOW_KIND}/{name}", Where())
            plan.warnings.append(f"workflow {name!r} ({origin.file or 'input'}) is not referenced by the"
                                 " application (spec.workflow.ref); ignored")
    return plan


def select(plan: Plan, name: str | None) -> list[tuple[Environment, Application]]:
    """The environment called `name` (all when None); AppError naming the known ones otherwise."""
    if name is None:
        return plan.environments
    chosen = [pair for pair in plan.environments if pair[0].name == name]
    if not chosen:
        known = ", ".join(repr(e.name) for e, _ in plan.environments)
        raise AppError([app_problem("unknown-environment", f"no environment {name!r}; the app has {known}",
                                    "")])
    return chosen


def in_environments(found: Sequence[tuple[str, Sequence[Problem]]]) -> list[Problem]:
    """Problems of several environments: one copy of those every environment shares; the others
    say which environment they belong to."""
    if len(found) <= 1:
        return [p for _, problems in found for p in problems]
    counts: dict[Problem, int] = {}
    for _, problems in found:
        for problem in dict.fromkeys(problems):
            counts[problem] = counts.get(problem, 0) + 1
    merged: list[Problem] = []
    for env, problems in found:
        for problem in dict.fromkeys(problems):
            if counts[problem] == len(found):
                if problem not in merged:
                    merged.append(problem)
            else:
                merged.append(dataclasses.replace(problem, message=f"{problem.message} in environment {env}"))
    return merged

