"""Every command's --help: a description, help for every flag, examples and exit codes."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from engine.cli.common import leaf_parsers
from engine.cli.main import build_parser, run

COMMANDS = leaf_parsers(build_parser())


def test_every_command_is_found() -> None:
    assert {"render", "validate", "diff", "version", "completion", "def vet", "schema"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_describes_every_flag(name: str) -> None:
    parser = COMMANDS[name]
    assert parser.description, f"{name}: no description"
    assert parser.epilog and "Exit codes" in parser.epilog, f"{name}: no exit codes in the epilog"
    undocumented = [a.dest for a in parser._actions
                    if not isinstance(a, argparse._HelpAction) and not (a.help and a.help.strip())]
    assert not undocumented, f"{name}: options without help text: {undocumented}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_prints(name: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run([*name.split(), "--help"], io.StringIO(), out, err) == 0
    assert "Exit codes:" in out.getvalue() and not err.getvalue()


def test_defaults_are_shown() -> None:
    out = io.StringIO()
    run(["render", "--help"], io.StringIO(), out, io.StringIO())
    text = " ".join(out.getvalue().split())
    assert "(default: yaml)" in text and "(default: 1.31)" in text and "(default: text)" in text


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - {"version", "completion"}))
def test_every_command_that_reports_problems_takes_an_error_format(name: str) -> None:
    dests = {a.dest for a in COMMANDS[name]._actions}
    assert {"error_format", "error_output"} <= dests


def test_the_error_formats_are_the_gates_formats() -> None:
    from engine.cli.common import ERROR_FORMATS
    from engine.gates import ERROR_FORMATS as WRITTEN

    assert ERROR_FORMATS == WRITTEN


def test_starting_the_command_loads_no_gates() -> None:
    import subprocess
    import sys

    code = "import sys, engine.cli.main; assert 'engine.gates' not in sys.modules and 'deepdiff' not in sys.modules"
    root = Path(__file__).resolve().parent.parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=root)
