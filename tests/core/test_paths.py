"""The one path type: each spelling, and the parsers that read them back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.paths import (
    ANY,
    Path,
    app_text,
    bracket_text,
    cue_selector,
    parse_brackets,
    parse_cue_path,
    parse_pointer,
    pointer_text,
)
from engine.suggest import did_you_mean

PARTS = st.lists(st.one_of(st.integers(min_value=0, max_value=99), st.text(min_size=1, max_size=8)), max_size=5)


def test_spellings_of_one_path() -> None:
    path = Path(("metadata", "labels", "app.oam.dev/name", 0))
    assert path == ("metadata", "labels", "app.oam.dev/name", 0)
    assert hash(path) == hash(tuple(path))
    assert path.app() == "metadata.labels.app.oam.dev/name[0]"
    assert path.brackets() == 'metadata.labels["app.oam.dev/name"][0]'
    assert path.selector() == '["metadata"]["labels"]["app.oam.dev/name"][0]'
    assert path.pointer() == "/metadata/labels/app.oam.dev~1name/0"


def test_app_text_after_a_base() -> None:
    assert app_text(("env", 0, "name"), "components[web].properties") == "components[web].properties.env[0].name"
    assert app_text(()) == ""
    assert app_text((0, "a")) == "[0].a"
    assert cue_selector(("x.y", 0)) == '["x.y"][0]'


def test_bracket_text_with_another_rule_for_bare_keys() -> None:
    assert bracket_text(("a", "b/c")) == 'a["b/c"]'
    assert bracket_text(("a", "b/c"), lambda key: "." not in key) == "a.b/c"


@pytest.mark.parametrize(("text", "parts"), [
    ('a."b.c".d', ("a", "b.c", "d")),
    ("oam_result.r0.output", ("oam_result", "r0", "output")),
    ('"x\\"y"', ('x"y',)),
])
def test_cue_paths(text: str, parts: tuple[str, ...]) -> None:
    assert parse_cue_path(text) == parts


@given(PARTS)
def test_bracket_form_round_trips(parts: list[int | str]) -> None:
    if parts and ANY not in parts:
        assert parse_brackets(bracket_text(parts)) == tuple(parts)


@given(st.lists(st.one_of(st.integers(min_value=0, max_value=99), st.text(alphabet="ab/~", min_size=1)), min_size=1))
def test_pointers_round_trip(parts: list[int | str]) -> None:
    expected = tuple(int(p) if isinstance(p, str) and p.isdigit() else p for p in parts)
    assert parse_pointer(pointer_text(parts)) == expected
    assert parse_brackets(pointer_text(parts)) == expected


def test_did_you_mean() -> None:
    assert did_you_mean("webservise", ["webservice", "worker", "task"]) == "; did you mean webservice?"
    assert did_you_mean("zzz", ["webservice"]) == ""
    assert did_you_mean("replica", ["replicas", "replics"], most=1, spell=repr) == "; did you mean 'replicas'?"
    assert did_you_mean("imag", ["image"], form=" (did you mean {}?)") == " (did you mean image?)"
