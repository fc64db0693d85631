"""helmchart components: a local chart rendered by `helm template`, its objects handed to the template."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

from ..definitions import strip_version
from ..documents import parse_documents
from ..errors import AppError, Fixer, Location, Problem, app_problem
from ..helm.runner import Helm, HelmFailed, HelmUnavailable, Release
from ..model import JSON, Application, Component, RenderOptions

HELMCHART = "helmchart"
_REMOTE = ("oci://", "http://", "https://", "git://", "git@", "s3://", "gs://")
# The workload of a chart is its first object of these kinds (helm orders by install order,
# which puts ServiceAccounts and ConfigMaps first); traits patch that one.
_WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")

HelmFactory = Callable[[], Helm]


def _source_dir(app: Application) -> Path:
    source = Path(app.source) if app.source else None
    return source.parent if source is not None and source.is_file() else Path()


def _chart_path(chart: Mapping[str, JSON], app: Application) -> tuple[Path | None, str | None]:
    """The chart on disk, or why it cannot be had offline."""
    source = str(chart.get("source") or "")
    if chart.get("repoURL") or source.startswith(_REMOTE):
        where = chart.get("repoURL") or source
        return None, (f"chart {source!r} comes from {where}: oam-render renders offline and fetches"
                      " nothing; `helm pull` it and give the folder or .tgz as chart.source")
    path = Path(source)
    path = path if path.is_absolute() else _source_dir(app) / path
    if not path.exists():
        return None, f"no chart at {path} (a chart folder or a packaged .tgz, relative to the app file)"
    return path, None


def _ordered(bodies: list[JSON]) -> list[JSON]:
    """The chart's objects with its first workload in front (the component's workload)."""
    for index, body in enumerate(bodies):
        if body.get("kind") in _WORKLOAD_KINDS:
            return [body, *bodies[:index], *bodies[index + 1:]]
    return bodies


def _mapping(properties: Mapping[str, JSON], key: str) -> dict[str, JSON]:
    value = properties.get(key)
    return value if isinstance(value, dict) else {}


def _release(comp: Component, chart: Path, app: Application, options: RenderOptions) -> Release:
    release, flags, values = (_mapping(comp.properties, key) for key in ("release", "options", "values"))
    major, minor = options.cluster_version
    return Release(chart, str(release.get("name") or comp.name), str(release.get("namespace") or app.namespace),
                   values, f"{major}.{minor}.0", bool(flags.get("includeCRDs", True)),
                   bool(flags.get("skipTests", True)))


def _rendered(comp: Component, app: Application, options: RenderOptions,
              helm: HelmFactory) -> tuple[Component, Problem | None]:
    chart = comp.properties.get("chart")
    if not isinstance(chart, dict):
        return comp, None  # the parameter check reports the shape
    path = f"{comp.path}.properties.chart"
    where, error = _chart_path(chart, app)
    if where is not None:
        try:
            text = helm().template(_release(comp, where, app, options))
            bodies = [d.data for d in parse_documents(text, f"helm template {where.name}") if isinstance(d.data, dict)]
            if bodies:
                return dataclasses.replace(comp, properties=dict(comp.properties, objects=_ordered(bodies))), None
            error = f"chart {where} renders no objects with these values"
        except HelmFailed as failed:
            error = f"helm template {where}: {failed}"
        except AppError as unreadable:
            error = f"cannot read what helm printed: {unreadable.problems[0].message}"
    return comp, app_problem("helm-chart", str(error), path, definition=HELMCHART, file=app.source,
                             line=app.lines.get(path))


def with_charts(app: Application, options: RenderOptions, helm: HelmFactory) -> tuple[Application, list[Problem]]:
    """The app with each helmchart component's `objects` filled with what its chart renders;
    problems for charts that cannot be had offline or that helm rejects. `helm` is called only
    when the app has a helmchart component."""
    components, problems = [], []
    for comp in app.components:
        if strip_version(comp.type) == HELMCHART:
            try:
                comp, problem = _rendered(comp, app, options, helm)
            except HelmUnavailable as missing:
                problem = Problem("helm-unavailable", str(missing), Fixer.ENVIRONMENT, Location(comp.path))
            if problem is not None:
                problems.append(problem)
                continue
        components.append(comp)
    return dataclasses.replace(app, components=tuple(components)), problems


def helm_factory(options: RenderOptions) -> HelmFactory:
    """One Helm runner for the render, made when first needed."""
    made: list[Helm] = []

    def factory() -> Helm:
        if not made:
            made.append(Helm(options.helm_binary, options.timeout))
        return made[0]
    return factory
