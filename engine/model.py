"""Typed values that cross stage boundaries: the app, definitions, options and results."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from . import contract
from .definition import Definition as Definition  # defined with its file formats; kept here
from .definition import resource_type as resource_type
from .errors import AppError, OamError, app_problem
from .names import LABEL, name_error

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
class RenderOptions:
    """Knobs of one render; everything the engine would otherwise read from its environment.

    Every field is checked when the options are made: a value of the wrong type raises an
    AppError (an OamError) naming the field, and `cluster_version` is normalised to a
    `(major, minor)` tuple.
    """

    cluster_version: tuple[int, int] = contract.DEFAULT_CLUSTER_VERSION
    """The Kubernetes version templates see in `context.clusterVersion`, `(1, 29)`. Text such as
    `"1.29"` or `"v1.29.3"` (from a config file) is accepted too and normalised: the field is
    always a `(major, minor)` tuple once made. Default: 1.31."""
    namespace: str | None = None
    """The namespace of objects that set none, instead of the app's (`-n`). None: the app's,
    else `default`."""
    cue_binary: str | None = None
    """The `cue` executable (v0.17.1) to run, a path or a name on PATH. None: `cue` on PATH."""
    timeout: float = 120.0
    """Seconds the whole render may take, reading the inputs included; every cue process gets
    what is left of it."""
    environment: str | None = None
    """Render only this environment (a topology policy or a deploy step, `--env`). None: all."""
    strict: bool = False
    """Property keys a definition does not declare are errors (`unknown-property`), not warnings."""
    compat: str | None = None
    """"kubevela": what KubeVela lets through (a trait outside its appliesToWorkloads, traits in
    conflictsWith, an override naming no component) is a warning instead of an error. None:
    oam-render's strictness."""
    objects: tuple[str, ...] = ()
    """Files or folders of Kubernetes objects that ref-objects components and service-binding
    traits refer to (besides the non-Application documents given with the app, `--objects`)."""
    helm_binary: str | None = None
    """The `helm` executable for helmchart components. None: `helm` on PATH."""
    cache_dir: Path | None = None
    """Where the on-disk caches live (definition facts; rendered apps for `render_many`). None:
    kept in memory for the process only."""
    jobs: int | None = None
    """cue processes run at a time (None: two); the CLI passes the CPU count (`--jobs`)."""

    def __post_init__(self) -> None:
        problems = [message for message in (
            _version_problem(self.cluster_version), _namespace_problem(self.namespace),
            _type_problem("cue_binary", self.cue_binary, str), _timeout_problem(self.timeout),
            _type_problem("environment", self.environment, str), _type_problem("strict", self.strict, bool),
            _compat_problem(self.compat), _type_problem("helm_binary", self.helm_binary, str),
            _objects_problem(self.objects), _cache_dir_problem(self.cache_dir),
            _jobs_problem(self.jobs),
        ) if message]
        if problems:
            raise AppError([app_problem("input", message, "") for message in problems])
        # Frozen: the normal forms are set once, here.
        object.__setattr__(self, "cluster_version", _version(self.cluster_version))
        object.__setattr__(self, "timeout", float(self.timeout))


def _version(value: object) -> tuple[int, int]:
    """`"1.29"`, `"v1.29.3"`, `(1, 29)` -> (1, 29); raises ValueError for anything else."""
    if isinstance(value, str):
        parts = value.strip().removeprefix("v").split(".")
        if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
            return int(parts[0]), int(parts[1])
    elif isinstance(value, tuple | list) and len(value) == 2 \
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value):
        return int(value[0]), int(value[1])
    raise ValueError(value)


def _version_problem(value: object) -> str | None:
    try:
        _version(value)
    except ValueError:
        return (f"RenderOptions.cluster_version: expected MAJOR.MINOR such as \"1.29\", \"v1.29.3\" or"
                f" (1, 29), not {value!r}")
    return None


def _type_problem(name: str, value: object, kind: type) -> str | None:
    if value is None and kind is str or isinstance(value, kind):
        return None
    wanted = "True or False" if kind is bool else "a str or None"
    return f"RenderOptions.{name}: expected {wanted}, not {type(value).__name__} {value!r}"


def _namespace_problem(value: object) -> str | None:
    if value is None:
        return None
    error = name_error(value, LABEL)
    return f"RenderOptions.namespace: {error}" if error else None


def _compat_problem(value: object) -> str | None:
    if value is None or value == "kubevela":
        return None
    return f"RenderOptions.compat: expected \"kubevela\" or None, not {value!r}"


def _objects_problem(value: object) -> str | None:
    if isinstance(value, tuple | list) and all(isinstance(v, str | PathLike) for v in value):
        return None
    return f"RenderOptions.objects: expected a tuple of file or folder paths, not {value!r}"


def _cache_dir_problem(value: object) -> str | None:
    if value is None or isinstance(value, str | PathLike):
        return None
    return f"RenderOptions.cache_dir: expected a folder path or None, not {value!r}"


def _jobs_problem(value: object) -> str | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return None
    return f"RenderOptions.jobs: expected a whole number above 0 or None, not {value!r}"


def _timeout_problem(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return None
    return f"RenderOptions.timeout: expected a number of seconds above 0, not {value!r}"


@dataclass(frozen=True)
class RenderedObject:
    """One Kubernetes object and where it came from.

    The fields cannot be reassigned, but `body` is a plain dict, and it is yours: post-process
    it in place if you like (`RenderResult.to_yaml()` and `to_json()` print the bodies as they
    are when called). `RenderResult.bodies()` gives deep copies instead.
    """

    body: dict[str, JSON]
    """The object as plain dicts, lists and scalars, in the order it is printed."""
    component: str
    """The component that produced it ("" for an object of a policy)."""
    trait: str | None
    """The trait type that produced it, or None for the component's own objects."""
    output_name: str | None
    """NAME in `outputs: NAME`, or None for the workload."""
    environment: str = ""
    """The environment it belongs to ("" for the app as written)."""
    policy: str | None = None
    """The policy that produced it (then `component` is ""), or None."""

    @property
    def kind(self) -> str:
        """The body's `kind`."""
        return str(self.body.get("kind", ""))

    @property
    def name(self) -> str:
        """The body's `metadata.name`."""
        return str((self.body.get("metadata") or {}).get("name", ""))


@dataclass(frozen=True)
class RenderStats:
    """What one render cost: cue processes, and how much definition reading the caches saved.

    The definition counters count the work of the whole process while the render ran (renders
    in other threads at the same time add to them).
    """

    cue_processes: int = 0
    """How many cue processes it started."""
    template_parses: int = 0
    """Templates parsed for their facts (0 when all were cached)."""
    definition_parses: int = 0
    """Definition files read from their text (0 when all were cached)."""
    definition_cache_hits: int = 0
    """Definition files whose facts came from a cache (in memory or on disk)."""


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
    """The Application's name."""
    objects: tuple[RenderedObject, ...]
    """Every object, environment by environment, component by component, workload first."""
    stats: RenderStats = field(default_factory=RenderStats)
    """What the render cost."""
    environments: tuple[Environment, ...] = ()
    """The environments rendered, in order (one named "" when the app has no deploy step)."""
    warnings: tuple[str, ...] = ()
    """What deserves a word but did not stop the render (unknown property keys, unused documents)."""
    text: str = field(default="", compare=False, repr=False)
    """The YAML stream, when the render cache kept it with the objects (what `to_yaml()` returns)."""

    def bodies(self) -> list[JSON]:
        """Deep copies of every object's body, in output order: yours to change."""
        return [copy.deepcopy(dict(o.body)) for o in self.objects]

    def by_environment(self) -> dict[str, list[RenderedObject]]:
        """The objects of each environment, by environment name, in output order."""
        grouped: dict[str, list[RenderedObject]] = {e.name: [] for e in self.environments}
        for obj in self.objects:
            grouped.setdefault(obj.environment, []).append(obj)
        return grouped

    def to_yaml(self) -> str:
        """The `---` separated YAML stream the CLI prints, with its header comments."""
        if self.text:
            return self.text
        from .output.emit import yaml_stream

        return yaml_stream(self)

    def to_json(self) -> str:
        """The objects as one JSON `v1` `List`, as `oam-render render -o json` prints it."""
        from .output.emit import json_list

        return json_list(self)


@dataclass(frozen=True)
class AppOutcome:
    """One app of a batch: its result, or the error that stopped it (never both)."""

    source: str
    """The file (or `<input>`, `<dict>`) the app came from."""
    app: str
    """The app's name; "" when its document could not be read."""
    result: RenderResult | None = None
    """What it rendered, when it rendered."""
    error: OamError | None = None
    """Every problem that stopped it, when it did not."""
    cached: bool = False
    """Whether the result came from the render cache."""
    application: Application | None = field(default=None, compare=False, repr=False)
    """The Application it rendered (None for a cache hit): what a check of its objects cites."""

    @property
    def ok(self) -> bool:
        """Whether the app rendered."""
        return self.error is None


@dataclass(frozen=True)
class BatchStats:
    """What a batch cost."""

    apps: int = 0
    """How many apps it held."""
    cue_processes: int = 0
    """How many cue processes it started, for every app together."""
    cache_hits: int = 0
    """Apps taken from the render cache."""
    cache_misses: int = 0
    """Apps the render cache did not have."""


@dataclass(frozen=True)
class BatchResult:
    """Every app of a batch in input order, with notes about documents that were not apps."""

    outcomes: tuple[AppOutcome, ...]
    """One outcome per Application, in input order."""
    stats: BatchStats = field(default_factory=BatchStats)
    """What the batch cost."""
    notes: tuple[str, ...] = ()
    """Documents that were skipped, and why."""

    @property
    def ok(self) -> bool:
        """Whether every app rendered."""
        return all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> tuple[AppOutcome, ...]:
        """The apps that did not render, in input order."""
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def results(self) -> tuple[RenderResult, ...]:
        """The results of the apps that rendered, in input order."""
        return tuple(o.result for o in self.outcomes if o.result is not None)
