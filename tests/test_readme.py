"""The README's examples are run: console blocks through the CLI, python blocks as code.

A ```console block holds `$ oam-render ...` lines, each followed by its exact output (stdout,
then stderr) up to the next `$` line. `pytest --update-golden` rewrites those outputs.
A ```python block is executed as is and must not raise. Paths are relative to the repo root.
"""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path

import pytest

from engine.cli.main import run

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(console|python)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def _blocks(kind: str) -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m[2]) for m in BLOCK.finditer(text) if m[1] == kind]


def _commands(block: str) -> list[tuple[str, str]]:
    """(command, shown output) pairs of a console block."""
    pairs: list[tuple[str, str]] = []
    for line in block.splitlines(keepends=True):
        if line.startswith("$ "):
            pairs.append((line[2:].strip(), ""))
        elif pairs:
            pairs[-1] = (pairs[-1][0], pairs[-1][1] + line)
    return pairs


def _run(command: str) -> tuple[int, str]:
    argv = shlex.split(command)
    assert argv[0] == "oam-render", f"README console blocks run oam-render only: {command}"
    out, err = io.StringIO(), io.StringIO()
    code = run(argv[1:], io.StringIO(""), out, err)
    return code, out.getvalue() + err.getvalue()


CONSOLE = _blocks("console")
PYTHON = _blocks("python")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize(("line", "block"), CONSOLE, ids=[f"line-{n}" for n, _ in CONSOLE])
def test_console_examples(line: int, block: str, update_golden: bool) -> None:
    for command, shown in _commands(block):
        _, output = _run(command)
        if update_golden:
            text = README.read_text(encoding="utf-8")
            old = f"$ {command}\n{shown}"
            assert old in text
            README.write_text(text.replace(old, f"$ {command}\n{output}", 1), encoding="utf-8")
            continue
        assert output == shown, f"README line {line}: `{command}` printed:\n{output}"


@pytest.mark.parametrize(("line", "block"), PYTHON, ids=[f"line-{n}" for n, _ in PYTHON])
def test_python_examples(line: int, block: str) -> None:
    exec(compile(block, f"README.md:{line}", "exec"), {"__name__": "readme"})  # noqa: S102


def test_readme_has_examples() -> None:
    assert len(CONSOLE) >= 3 and len(PYTHON) >= 1
    assert os.path.exists(ROOT / "examples" / "quickstart" / "app.yaml")


def test_definition_example_is_the_file_it_names() -> None:
    shown = re.search(r"```cue\n(.*?)```\n", README.read_text(encoding="utf-8"), re.DOTALL)
    assert shown is not None
    assert shown[1] == (ROOT / "examples" / "shout" / "shout.cue").read_text(encoding="utf-8")
