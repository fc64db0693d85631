"""Unit tests of the pure-Python parts of the cue gateway: error parsing."""

from __future__ import annotations

import pytest

from engine.cue.runner import Diagnostic, Position, parse_errors
from engine.paths import parse_cue_path as split_path

STDERR = """oam_i0.parameter.image: conflicting values 5 and string (mismatched types int and string):
    ./oam_data.json:1:32
    ./i0.cue:14:21
oam_result.r1.output.metadata."app.oam.dev/name": incomplete value string:
    ./i1.cue:6:19
some instances are incomplete
"""


def test_parse_errors_blocks() -> None:
    found = parse_errors(STDERR)
    assert found[0] == Diagnostic(
        ("oam_i0", "parameter", "image"),
        "conflicting values 5 and string (mismatched types int and string)",
        (Position("oam_data.json", 1, 32), Position("i0.cue", 14, 21)))
    assert found[1].path == ("oam_result", "r1", "output", "metadata", "app.oam.dev/name")
    assert found[1].positions == (Position("i1.cue", 6, 19),)
    assert found[2] == Diagnostic((), "some instances are incomplete", ())


@pytest.mark.parametrize(("text", "parts"), [
    ("a.b.c", ("a", "b", "c")),
    ('a."b.c".d', ("a", "b.c", "d")),
    ('x."y\\"z"', ("x", 'y"z')),
    ("list.0.name", ("list", "0", "name")),
], ids=["plain", "quoted-dot", "quoted-escape", "index"])
def test_split_path(text: str, parts: tuple[str, ...]) -> None:
    assert split_path(text) == parts


def test_crash_is_one_diagnostic() -> None:
    from engine.cue.runner import _crash

    stderr = "fatal error: out of memory\n\ngoroutine 1 [running]:\nruntime.throw(...)\n\t/x.go:1\n"
    (only,) = _crash(stderr)
    assert "out of memory" in only.message and only.path == ()
    assert _crash("a.b: conflicting values 1 and 2:\n    ./i0.cue:1:1\n") == ()
