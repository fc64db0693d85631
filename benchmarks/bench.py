"""Benchmarks: print render time, cue processes and memory for apps of growing size.

Numbers only; nothing here asserts a timing. Run with `make bench`; `--large` adds an app
of 2,000 components (about a minute), which cue evaluates in chunks (compose.CHUNK_SIZE).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from typing import Any

from engine import render

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


def measure(components: int, with_traits: bool, repeats: int) -> None:
    app = application(components, with_traits)
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = render(app)
        times.append(time.perf_counter() - start)
    assert result is not None
    label = f"{components:>4} components{' + 4 traits each' if with_traits else '':<17}"
    print(f"{label} objects={len(result.objects):>5}  cue processes={result.stats.cue_processes}  "
          f"median={statistics.median(times) * 1000:8.1f} ms  min={min(times) * 1000:8.1f} ms  "
          f"per component={statistics.median(times) * 1000 / components:6.2f} ms")


def main() -> None:
    print(f"python {sys.version.split()[0]}; each line: median of several renders")
    cases = [(1, False, 7), (1, True, 7), (10, True, 5), (50, True, 3), (200, True, 2)]
    if "--large" in sys.argv[1:]:
        cases.append((2000, True, 1))
    for components, with_traits, repeats in cases:
        measure(components, with_traits, repeats)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: python {own:.0f} MiB, largest cue process {children:.0f} MiB")


if __name__ == "__main__":
    main()
