"""Typed values that cross stage boundaries: the app, definitions, options and results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import contract
from .errors import OamError

JSON = Any  # a Kubernetes body or a properties tree: plain dicts, lists and scalars


@dataclass(frozen=True)
class Trait:
    """One trait attached to a component, as written in the app."""

    type: str
    properties: Mapping[str, JSON]
    path: str  # e.g. components[web].traits[sidecar]


@dataclass(frozen=True)
class Component:
    """One component of the app, as written in the app."""

    name: str
    type: str
    properties: Mapping[str, JSON]
    traits: tuple[Trait, ...]
    depends_on: tuple[str, ...]
    path: str  # e.g. components[web]
    raw: Mapping[str, JSON]  # the entry as written, for `context.components`


@dataclass(frozen=True)
class Policy:
    name: str
    type: str
    properties: Mapping[str, JSON]
    path: str


@dataclass(frozen=True)
class WorkflowStep:
    name: str
    type: str
    properties: Mapping[str, JSON]
    path: str


@dataclass(frozen=True)
class Application:
    """A core.oam.dev/v1beta1 Application."""

    name: str
    namespace: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    components: tuple[Component, ...]
    policies: tuple[Policy, ...] = ()
    workflow: tuple[WorkflowStep, ...] = ()
    source: str = ""  # file it came from, for messages
    # App path -> line in `source`, for messages about what the user wrote.
    lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Definition:
    """A component, trait, policy or workflow-step type with its CUE template."""

    name: str
    kind: str  # contract.KIND_*
    template: str  # the template body (imports removed)
    imports: str = ""  # import declarations that go in front of the template
    source: str = ""  # file it was loaded from
    template_line: int = 1  # line in `source` of the template body's first line
    description: str = ""
    spec: Mapping[str, JSON] = field(default_factory=dict)  # attributes / CRD spec
    annotations: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def workload_type(self) -> str:
        """The workload as `deployments.apps`, or "" when the definition does not say."""
        workload = self.spec.get("workload") or {}
        if workload.get("type"):
            return str(workload["type"])
        ref = workload.get("definition") or {}
        if ref.get("kind"):
            return resource_type(str(ref.get("apiVersion", "")), str(ref["kind"]))
        return ""

    @property
    def applies_to(self) -> tuple[str, ...]:
        return tuple(self.spec.get("appliesToWorkloads") or ())

    @property
    def conflicts_with(self) -> tuple[str, ...]:
        return tuple(self.spec.get("conflictsWith") or ())

    def position(self, template_line: int) -> int:
        """The line in `source` of line `template_line` of the template body."""
        return self.template_line + template_line - 1


def resource_type(api_version: str, kind: str) -> str:
    """`apps/v1`, `Deployment` -> `deployments.apps` (core group: just `services`)."""
    lower = kind.lower()
    if lower.endswith(("s", "x", "ch", "sh")):
        plural = lower + "es"
    elif lower.endswith("y") and lower[-2:-1] not in "aeiou":
        plural = lower[:-1] + "ies"
    else:
        plural = lower + "s"
    group = api_version.rpartition("/")[0]
    return f"{plural}.{group}" if group else plural


@dataclass(frozen=True)
class RenderOptions:
    """Knobs of one render; everything the engine would otherwise read from its environment."""

    cluster_version: tuple[int, int] = contract.DEFAULT_CLUSTER_VERSION
    namespace: str | None = None  # overrides the app's namespace
    cue_binary: str | None = None  # None: `cue` on PATH
    # Seconds the whole render may take; every cue process gets what is left of it.
    timeout: float = 120.0
    environment: str | None = None  # render only this environment
    strict: bool = False  # property keys a definition does not declare are errors, not warnings
    # cue processes at a time (None: the gateway's default of two); the CLI passes the CPU count.
    jobs: int | None = None
    # Where caches live (rendered apps, definition facts); None: no cache at all.
    cache_dir: Path | None = None


@dataclass(frozen=True)
class RenderedObject:
    """One Kubernetes object and where it came from."""

    body: Mapping[str, JSON]
    component: str
    trait: str | None  # the trait type that produced it, or None
    output_name: str | None  # NAME in `outputs: NAME`, None for the workload
    environment: str = ""
    policy: str | None = None  # the policy that produced it (then `component` is "")

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.body.get("metadata") or {}).get("name", ""))


@dataclass(frozen=True)
class RenderStats:
    cue_processes: int = 0


@dataclass(frozen=True)
class Environment:
    """One place the app deploys to: a topology policy (or the app as written)."""

    name: str  # "" for the app as written
    namespace: str
    clusters: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()  # the policies applied, in order
    title: str = ""  # how output headers name it: `shop with topology eu`


@dataclass(frozen=True)
class RenderResult:
    """Everything one render produced, in output order."""

    app: str
    objects: tuple[RenderedObject, ...]
    stats: RenderStats = field(default_factory=RenderStats)
    environments: tuple[Environment, ...] = ()
    warnings: tuple[str, ...] = ()
    # The YAML stream when already known (the render cache keeps it with the objects).
    text: str = field(default="", compare=False, repr=False)

    def bodies(self) -> list[JSON]:
        return [dict(o.body) for o in self.objects]

    def by_environment(self) -> dict[str, list[RenderedObject]]:
        grouped: dict[str, list[RenderedObject]] = {e.name: [] for e in self.environments}
        for obj in self.objects:
            grouped.setdefault(obj.environment, []).append(obj)
        return grouped

    def to_yaml(self) -> str:
        if self.text:
            return self.text
        from .output.emit import yaml_stream

        return yaml_stream(self)

    def to_json(self) -> str:
        from .output.emit import json_list

        return json_list(self)


@dataclass(frozen=True)
class AppOutcome:
    """One app of a batch: its result, or the error that stopped it (never both)."""

    source: str  # the file (or `<input>`, `<dict>`) the app came from
    app: str  # the app's name; "" when its document could not be read
    result: RenderResult | None = None
    error: OamError | None = None
    cached: bool = False  # taken from the render cache

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class BatchStats:
    apps: int = 0
    cue_processes: int = 0
    cache_hits: int = 0
    cache_misses: int = 0


@dataclass(frozen=True)
class BatchResult:
    """Every app of a batch in input order, with notes about documents that were not apps."""

    outcomes: tuple[AppOutcome, ...]
    stats: BatchStats = field(default_factory=BatchStats)
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> tuple[AppOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def results(self) -> tuple[RenderResult, ...]:
        """The results of the apps that rendered, in input order."""
        return tuple(o.result for o in self.outcomes if o.result is not None)
