"""One real subprocess run of the installed console script (the rest drive run() in-process)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.support import TESTS

ROOT = TESTS.parent


def test_console_script_renders_the_quickstart() -> None:
    script = shutil.which("oam-render")
    if script is None:
        pytest.skip("oam-render is not installed on PATH")
    done = subprocess.run([script, "render", "-f", "examples/quickstart/app.yaml"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(done.stdout) if d]
    assert kinds[0] == "Deployment" and "Service" in kinds
    bad = subprocess.run([script, "render", "-f", "examples/errors/app.yaml"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 1 and bad.stdout == "" and "Traceback" not in bad.stderr
