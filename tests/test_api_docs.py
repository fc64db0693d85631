"""Every public name is documented, and `make docs` builds the API reference from those docstrings."""

from __future__ import annotations

import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parent.parent
HAS_PDOC = importlib.util.find_spec("pdoc") is not None
# DirectoryLoader's members are documented where another branch changes the directory search
# right now; listed here until that lands with its docstrings.
PENDING = {"DirectoryLoader.paths", "DirectoryLoader.get", "DirectoryLoader.names", "DirectoryLoader.broken",
           "DirectoryLoader.describe"}


def _own_docstring(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    # A dataclass without a docstring gets its signature as one: that documents nothing.
    return "" if inspect.isclass(obj) and doc.startswith(f"{obj.__name__}(") else doc


def test_every_public_name_has_a_docstring() -> None:
    missing = [name for name in engine.__all__ if name != "__version__"
               and not _own_docstring(getattr(engine, name)).strip()]
    assert not missing, f"public names without a docstring: {missing}"
    # A variable's docstring is the string right after its assignment, where pdoc reads it.
    source = (ROOT / "engine" / "__init__.py").read_text(encoding="utf-8")
    assert re.search(r'^__version__: str( = .*)?\n"""\S', source, re.MULTILINE)


@pytest.mark.skipif(not HAS_PDOC, reason="pdoc is not installed (pip install -e '.[docs]')")
def test_every_member_of_a_public_class_is_documented() -> None:
    import pdoc.doc

    module = pdoc.doc.Module(engine)
    undocumented = []
    for name in engine.__all__:
        member = module.get(name)
        assert member is not None and member.docstring.strip(), f"{name} has no docstring for pdoc"
        if isinstance(member, pdoc.doc.Class):
            undocumented += [m.qualname for m in member.own_members
                             if not m.name.startswith("_") and not m.docstring.strip()]
    assert sorted(set(undocumented) - PENDING) == []


@pytest.mark.skipif(not HAS_PDOC, reason="pdoc is not installed (pip install -e '.[docs]')")
def test_make_docs_builds_the_reference(tmp_path: Path) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--output-directory build/api ./engine '!engine\\..*'" in makefile
    subprocess.run([sys.executable, "-m", "pdoc", "--docformat", "markdown", "--output-directory", str(tmp_path),
                    "./engine", "!engine\\..*"], cwd=ROOT, check=True, capture_output=True, timeout=300)
    page = (tmp_path / "engine.html").read_text(encoding="utf-8")
    for name in engine.__all__:
        assert f'id="{name}"' in page, f"{name} is missing from the API reference"
    assert "searched before the bundled ones" in page  # DictLoader's docstring, rendered
