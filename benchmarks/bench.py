"""Benchmarks: print render time, cue processes and memory for apps of growing size.

Numbers only; nothing here asserts a timing. Run with `make bench`; `--large` adds an app
of 2,000 components (about a minute), which cue evaluates in chunks (compose.CHUNK_SIZE).
Each line starts cold (definition facts forgotten): `parses` counts the template and definition
file parses of the first render, then of each later one (facts then known in memory).
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from engine import RenderOptions, RenderResult, render
from engine.facts import forget

TRAITS = [
    {"type": "scaler", "properties": {"replicas": 3}},
    {"type": "sidecar", "properties": {"name": "log", "image": "fluentd:v1"}},
    {"type": "labels", "properties": {"tier": "web"}},
    {"type": "resource", "properties": {"cpu": "500m", "memory": "256Mi"}},
]


def application(components: int, with_traits: bool) -> dict[str, Any]:
    entries = []
    for index in range(components):
        entry: dict[str, Any] = {
            "name": f"svc-{index}", "type": "webservice",
            "properties": {"image": f"registry.example/svc-{index}:1.0",
                           "ports": [{"port": 8080, "expose": True}], "cpu": "250m"},
        }
        if with_traits:
            entry["traits"] = TRAITS
        entries.append(entry)
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": "bench", "namespace": "bench"}, "spec": {"components": entries}}


def parses(result: RenderResult) -> str:
    """Templates / definition files parsed during one render."""
    return f"{result.stats.template_parses}/{result.stats.definition_parses}"


def measure(components: int, with_traits: bool, repeats: int) -> None:
    app = application(components, with_traits)
    times = []
    results: list[RenderResult] = []
    forget()
    for _ in range(repeats):
        start = time.perf_counter()
        results.append(render(app))
        times.append(time.perf_counter() - start)
    result = results[-1]
    label = f"{components:>4} components{' + 4 traits each' if with_traits else '':<17}"
    print(f"{label} objects={len(result.objects):>5}  cue processes={result.stats.cue_processes}  "
          f"median={statistics.median(times) * 1000:8.1f} ms  min={min(times) * 1000:8.1f} ms  "
          f"per component={statistics.median(times) * 1000 / components:6.2f} ms  "
          f"parses (templates/files) first={parses(results[0])} next={parses(result)}")


def measure_disk_cache() -> None:
    """One small app whose definition facts come from the on-disk cache (memory forgotten)."""
    app = application(1, True)
    with tempfile.TemporaryDirectory(prefix="oam-bench-") as folder:
        options = RenderOptions(cache_dir=Path(folder))
        forget()
        cold = render(app, options=options)
        forget()
        start = time.perf_counter()
        warm = render(app, options=options)
        took = time.perf_counter() - start
    print(f"   1 component + 4 traits, definitions from the disk cache: {took * 1000:.1f} ms  "
          f"parses cold={parses(cold)} warm={parses(warm)}  files from the cache={warm.stats.definition_cache_hits}")


def main() -> None:
    print(f"python {sys.version.split()[0]}; each line: median of several renders")
    cases = [(1, False, 7), (1, True, 7), (10, True, 5), (50, True, 3), (100, True, 2), (200, True, 2)]
    if "--large" in sys.argv[1:]:
        cases.append((2000, True, 1))
    for components, with_traits, repeats in cases:
        measure(components, with_traits, repeats)
    measure_disk_cache()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: python {own:.0f} MiB, largest cue process {children:.0f} MiB")


if __name__ == "__main__":
    main()
