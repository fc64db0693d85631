"""A render reads each definition it uses once, the app's documents once, and loads only what it needs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine import RenderOptions, render
from engine.cache import Store
from engine.cli.main import run
from engine.facts import NAMESPACE, forget

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart" / "app.yaml"
TRAITS = [{"type": "scaler", "properties": {"replicas": 2}},
          {"type": "labels", "properties": {"tier": "web"}},
          {"type": "sidecar", "properties": {"name": "log", "image": "fluentd:v1"}}]


def application(components: int) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": "many", "namespace": "default"},
            "spec": {"components": [{"name": f"svc-{i}", "type": "webservice",
                                     "properties": {"image": f"nginx:{i}"}, "traits": TRAITS}
                                    for i in range(components)]}}


def test_a_hundred_components_parse_each_template_once() -> None:
    forget()
    first = render(application(100))
    assert len(first.objects) == 100
    # Three trait templates, each parsed once; four definition files read (webservice too).
    assert (first.stats.template_parses, first.stats.definition_parses) == (3, 4)
    again = render(application(100))
    assert (again.stats.template_parses, again.stats.definition_parses) == (0, 0)
    assert again.stats.definition_cache_hits == 4
    assert again.bodies() == first.bodies()


def test_a_warm_disk_cache_parses_nothing(tmp_path: Path) -> None:
    options = RenderOptions(cache_dir=tmp_path)
    forget()
    cold = render(application(2), options=options)
    assert cold.stats.definition_parses == 4
    assert len(list(Store(tmp_path).entries(NAMESPACE))) == 4
    forget()  # a new process: only the disk remembers
    warm = render(application(2), options=options)
    assert (warm.stats.template_parses, warm.stats.definition_parses, warm.stats.definition_cache_hits) == (0, 0, 4)
    assert warm.bodies() == cold.bodies()


def test_documents_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.documents as documents

    calls: list[str] = []
    real = documents.parse_documents

    def counting(text: str, source: str = "<text>") -> Any:
        calls.append(source)
        return real(text, source)

    monkeypatch.setattr(documents, "parse_documents", counting)
    render(QUICKSTART)
    assert calls == [str(QUICKSTART)]


def test_cache_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("OAM_RENDER_NO_CACHE", raising=False)
    out, err = io.StringIO(), io.StringIO()
    forget()
    assert run(["render", "-f", str(QUICKSTART), "--cache-dir", str(tmp_path / "mine")], io.StringIO(), out, err) == 0
    assert len(list(Store(tmp_path / "mine").entries(NAMESPACE))) == 2
    forget()
    assert run(["render", "-f", str(QUICKSTART), "--no-cache"], io.StringIO(), io.StringIO(), err) == 0
    assert not (tmp_path / "xdg").exists()
    forget()
    assert run(["render", "-f", str(QUICKSTART)], io.StringIO(), io.StringIO(), err) == 0, err.getvalue()
    assert len(list(Store(tmp_path / "xdg" / "oam-render").entries(NAMESPACE))) == 2


LOADED = """
import io, json, sys
from engine.cli.main import run
code = run(["render", "-f", sys.argv[1], "--no-cache"], io.StringIO(), io.StringIO(), sys.stderr)
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith("engine."))]))
"""


def test_a_render_loads_only_what_it_needs() -> None:
    proc = subprocess.run([sys.executable, "-c", LOADED, str(QUICKSTART)], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120)
    code, modules = json.loads(proc.stdout)
    assert code == 0, proc.stderr
    for unneeded in ("engine.deftools", "engine.gates", "engine.schema.docs", "engine.legacy.pipeline",
                     "engine.legacy.convert", "engine.cli.schema", "engine.cli.deftools", "engine.cli.legacy"):
        assert unneeded not in modules, unneeded
