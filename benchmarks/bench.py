"""Benchmarks: the issue-11 table (apps/s, ms per app, cue processes, time in cue, peak RSS).

Numbers only; nothing here asserts a timing. Run with `make bench` (or `python
benchmarks/bench.py`); `--quick` runs smaller cases for a CI-like check. Each case is a fresh
`oam-render render` process over files on disk, as CI would run it:

  (a) one small app, cold cache     (b) the same, warm
  (c) one app of 200 components x 3 traits, cold
  (d) 1,000 generated apps (seeded: 1-5 components, 0-4 traits, bundled definitions), cold
  (e) the same 1,000 apps, warm

A case runs in a worker process (`--worker`) that counts the cue processes and the seconds
they took, and reports the peak RSS of itself plus its largest child (a cue process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ["webservice", "worker", "daemon"]
# Trait types with properties that fit every component type above.
TRAITS: dict[str, dict[str, Any]] = {
    "labels": {"team": "bench"},
    "annotations": {"owner": "bench@example.com"},
    "sidecar": {"name": "log", "image": "fluentd:v1.16"},
    "resource": {"cpu": "250m", "memory": "128Mi"},
    "env": {"env": {"MODE": "bench"}},
    "command": {"command": ["/bin/app", "--serve"]},
}
THREE = [("scaler", {"replicas": 3}), ("sidecar", TRAITS["sidecar"]), ("labels", TRAITS["labels"])]


def application(name: str, components: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": name, "namespace": "bench"}, "spec": {"components": components}}


def component(name: str, kind: str, traits: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return {"name": name, "type": kind,
            "properties": {"image": f"registry.example/{name}:1.0", "cpu": "250m"},
            "traits": [{"type": t, "properties": p} for t, p in traits]}


def wide_app(components: int) -> dict[str, Any]:
    """One app of `components` webservices with three traits each."""
    return application("wide", [component(f"svc-{i}", "webservice", THREE) for i in range(components)])


def generated_apps(count: int, seed: int = 11) -> list[dict[str, Any]]:
    """`count` apps, the same for the same seed: 1-5 components of bundled types, 0-4 traits each."""
    rng = random.Random(seed)
    apps = []
    for index in range(count):
        comps = []
        for c in range(rng.randint(1, 5)):
            traits = rng.sample(sorted(TRAITS), rng.randint(0, 4))
            comps.append(component(f"c{c}", rng.choice(COMPONENTS), [(t, TRAITS[t]) for t in traits]))
        apps.append(application(f"app-{index:04d}", comps))
    return apps


def write_apps(folder: Path, apps: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for app in apps:
        (folder / f"{app['metadata']['name']}.yaml").write_text(json.dumps(app), encoding="utf-8")


# --- the worker: one CLI run, measured from inside ---------------------------------------------


def worker(argv: list[str]) -> None:
    """Run `oam-render render ARGV` in this process; print its figures as JSON on stdout."""
    sys.path.insert(0, str(ROOT))  # the engine of this checkout, whatever is installed
    import engine.cli.render as cli_render
    from engine.cli.main import run

    cue = {"processes": 0, "seconds": 0.0}
    real_run = subprocess.run

    def timed(command: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_run(command, *args, **kwargs)
        finally:
            if "version" not in command:  # the version check is not an evaluation
                cue["processes"] += 1
                cue["seconds"] += time.perf_counter() - started

    subprocess.run = timed  # type: ignore[assignment]
    batches: list[Any] = []
    real_many = cli_render.render_many

    def kept(*args: Any, **kwargs: Any) -> Any:
        batches.append(real_many(*args, **kwargs))
        return batches[-1]

    cli_render.render_many = kept  # type: ignore[assignment]
    with open(os.devnull, "w") as sink:
        code = run(["render", *argv], sys.stdin, sink, sys.stderr)
    outcomes = [o for b in batches for o in b.outcomes]
    parses = [getattr(o.result.stats, "template_parses", None) for o in outcomes if o.result]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({
        "code": code, "apps": len(outcomes), "failed": sum(1 for o in outcomes if not o.ok),
        "components": sum(len({(x.environment, x.component) for x in o.result.objects if x.component})
                          for o in outcomes if o.result),
        "cached": sum(1 for o in outcomes if o.cached),
        "cue_processes": cue["processes"], "cue_seconds": cue["seconds"],
        "template_parses": None if not parses or None in parses else sum(parses),
        "rss_mb": (own + children) / 1024,
    }))


# --- the table ---------------------------------------------------------------------------------


def measure(label: str, args: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--worker", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - started
    try:
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        sys.exit(f"case {label} failed:\n{done.stderr}")
    if figures["code"] != 0:
        sys.exit(f"case {label} exited {figures['code']}:\n{done.stderr[-2000:]}")
    return {"case": label, "wall": wall, **figures}


HEAD = ("case", "apps", "comps", "apps/s", "ms/app", "cue procs", "cue s (sum)", "total s",
        "tmpl parses", "peak RSS MB")


def row(f: dict[str, Any]) -> tuple[str, ...]:
    parses = "-" if f["template_parses"] is None else str(f["template_parses"])
    return (f["case"], str(f["apps"]), str(f["components"]), f"{f['apps'] / f['wall']:.1f}",
            f"{f['wall'] * 1000 / f['apps']:.1f}", str(f["cue_processes"]), f"{f['cue_seconds']:.2f}",
            f"{f['wall']:.2f}", parses, f"{f['rss_mb']:.0f}")


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in [HEAD, *rows]) for i in range(len(HEAD))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in [HEAD, *rows]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def cases(work: Path, quick: bool) -> list[tuple[str, list[str]]]:
    small = work / "small"
    write_apps(small, [application("small", [component("web", "webservice", THREE)])])
    wide = work / "wide"
    write_apps(wide, [wide_app(20 if quick else 200)])
    many = work / "many"
    count = 50 if quick else 1000
    write_apps(many, generated_apps(count))
    cache = ["--cache-dir", str(work / "cache")]
    return [
        ("(a) 1 small app, cold", ["-f", str(small), *cache]),
        ("(b) 1 small app, warm", ["-f", str(small), *cache]),
        (f"(c) 1 app, {20 if quick else 200} comps x 3 traits", ["-f", str(wide), "--no-cache"]),
        (f"(d) {count} apps, cold", ["-f", str(many), *cache]),
        (f"(e) {count} apps, warm", ["-f", str(many), *cache]),
    ]


def plain_cli(work: Path, runs: int = 5) -> str:
    """The warm one-app case as a user runs it: the `oam-render` console script (no worker
    around it: the worker's own imports and counting add about 20 ms). The median of `runs`."""
    script = shutil.which("oam-render")
    if script is None:
        return "plain CLI: oam-render is not on PATH (make venv)"
    argv = [script, "render", "-f", str(work / "small"), "--cache-dir", str(work / "cache")]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return f"plain CLI, (b) warm: median {sorted(times)[runs // 2]:.3f} s of {runs} runs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases (20 components, 50 apps)")
    parser.add_argument("--keep", type=Path, help="write the apps here instead of a temp folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="oam-bench-"))
    try:
        rows = []
        for label, argv in cases(work, args.quick):
            rows.append(row(measure(label, argv)))
            print(f"  {label}: {rows[-1][7]} s", file=sys.stderr)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f} at the end")
        print(table(rows))
        print(plain_cli(work))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2:])
    else:
        main()
