"""The wheel installs and renders on its own: bundled definitions and schemas travel inside it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart" / "app.yaml"

pytestmark = pytest.mark.skipif(shutil.which("cue") is None, reason="renders with the cue CLI")

CHECK = textwrap.dedent("""
    import json, sys
    import engine
    from engine.definitions import BUNDLED_DIR
    from engine.schema.store import SCHEMA_DIR
    result = engine.render(sys.argv[1])
    print(json.dumps({"engine": engine.__file__, "definitions": str(BUNDLED_DIR), "schemas": str(SCHEMA_DIR),
                      "cue_processes": result.stats.cue_processes, "objects": len(result.objects)}))
""")


def _run(args: list[str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_wheel_renders_the_quickstart_from_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # No build isolation: the build needs nothing beyond the test extras (setuptools, wheel).
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(dist), str(ROOT)], tmp_path)
    wheel = next(dist.glob("oam_render-*.whl"))
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     tmp_path).strip())
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
          str(wheel)], tmp_path)
    # Then the dependencies already installed here, after the venv's own site-packages (this
    # folder's .pth files are not run: the checkout's editable install stays out). Only after
    # the install: pip would otherwise see that editable install and skip the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "work"
    work.mkdir()
    found = json.loads(_run([str(python), "-c", CHECK, str(QUICKSTART)], work))
    for where in ("engine", "definitions", "schemas"):
        assert Path(found[where]).is_relative_to(venv), (where, found)
    assert found["cue_processes"] == 1, found
    assert found["objects"] == 3, found
    out = _run([str(venv / "bin" / "oam-render"), "render", "-f", str(QUICKSTART), "--cache-dir",
                str(tmp_path / "cache")], work)
    assert out == _run([sys.executable, "-m", "engine", "render", "-f", str(QUICKSTART), "--no-cache"], ROOT)
