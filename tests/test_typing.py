"""mypy sees the installed package from outside the repository, as a user's project does."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Under tox (`make test`) the package is installed in strict editable mode: nothing may skip.
IN_TOX = "TOX_ENV_NAME" in os.environ

USER_SCRIPT = '''\
from engine import Definition, DictLoader, OamError, RenderedObject, RenderOptions, __version__, render

SHOUT = """
shout: {
	type: "trait"
	attributes: appliesToWorkloads: ["deployments.apps"]
}
template: {
	patch: metadata: annotations: shout: parameter.text
	parameter: text: string
}
"""


def kinds(path: str) -> list[str]:
    options = RenderOptions(cluster_version=(1, 29), strict=True, timeout=30.0)
    loader = DictLoader([Definition.from_cue(SHOUT, source="shout.cue")])
    try:
        result = render(path, definitions=loader, options=options)
    except OamError as error:
        return [f"{p.code}: {p.location.app_path}" for p in error.problems]
    first: RenderedObject = result.objects[0]
    return [first.kind, *(o.kind for o in result.objects[1:]), __version__]
'''
# The same calls with a mistake mypy must find: proof that it sees types, not Any.
WRONG_SCRIPT = '''\
from engine import RenderOptions, render

count: int = render("app.yaml", options=RenderOptions()).objects[0].kind
'''


def _python(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _skip(reason: str) -> None:
    if IN_TOX:
        pytest.fail(f"under tox the type check must run: {reason}")
    pytest.skip(reason)


def _installed_here(cwd: Path) -> None:
    """Skip unless this interpreter has this checkout installed (seen from outside the repo)."""
    if importlib.util.find_spec("mypy") is None:
        _skip("mypy is not installed (pip install -e '.[lint]')")
    found = _python(["-I", "-c", "import engine; print(engine.__file__)"], cwd)
    if found.returncode != 0:
        _skip(f"oam-render is not installed in {sys.executable}")
    package = Path(found.stdout.strip()).resolve().parent
    if package != ROOT / "engine":
        _skip(f"the oam-render installed in {sys.executable} is another checkout ({package})")


def _mypy(cwd: Path, script: str) -> subprocess.CompletedProcess[str]:
    (cwd / "user.py").write_text(script, encoding="utf-8")
    return _python(["-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(cwd / ".cache"),
                    "user.py"], cwd)


def test_a_user_script_type_checks_against_the_installed_package(tmp_path: Path) -> None:
    _installed_here(tmp_path)
    checked = _mypy(tmp_path, USER_SCRIPT)
    if "import-not-found" in checked.stdout:
        _skip("oam-render is installed with setuptools' editable import hook, which mypy cannot follow:"
              " install it with `make venv` (editable_mode=strict)")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    wrong = _mypy(tmp_path, WRONG_SCRIPT)
    assert wrong.returncode == 1 and 'expression has type "str", variable has type "int"' in wrong.stdout, \
        wrong.stdout + wrong.stderr
