"""The one CUE reader agrees with cue itself: what parses, fields and labels, comments and positions."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from engine.cue.syntax import (
    CueSyntaxError,
    field_markers,
    parse_concrete,
    parse_file,
    pattern_list_paths,
    references_context_output,
    split_definition_file,
    top_level_patch_strategy,
)
from engine.cue.syntax.defs import parse_def_output
from engine.cue.syntax.facts import field_label
from engine.cue.syntax.lexer import Lexer
from engine.cue.syntax.tree import Field, File, Node
from engine.cue.syntax.tree import StructLit as StructNode
from engine.cue.syntax.visitor import walk

ROOT = Path(__file__).resolve().parents[2]
CUE = shutil.which("cue") or str(Path("/work/main/.tools/bin/cue"))
pytestmark = pytest.mark.skipif(not Path(CUE).exists(), reason="the cue binary is needed to compare with cue")
SOURCES = sorted(
    [*ROOT.glob("definitions/*/*.cue"), *ROOT.glob("tests/**/*.cue"), *ROOT.glob("examples/**/*.cue")]
)


def _cue(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CUE_REGISTRY": "none", "CUE_CACHE_DIR": str(cwd / ".cache")}
    return subprocess.run([CUE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def _cue_fmt(texts: list[str], where: Path) -> tuple[list[str], dict[int, int]]:
    """Each text formatted by one `cue fmt` run, and for those cue cannot parse, its first error line."""
    where.mkdir(parents=True, exist_ok=True)
    names = [f"f{i}.cue" for i in range(len(texts))]
    for name, text in zip(names, texts, strict=True):
        (where / name).write_text(text)
    run = _cue(["fmt", *names], where)
    errors: dict[int, int] = {}
    for index, line in re.findall(r"\./f(\d+)\.cue:(\d+):\d+", run.stderr):
        errors.setdefault(int(index), int(line))
    return [(where / name).read_text() for name in names], errors


def _field_facts(tree: Node) -> list[tuple[int, str]]:
    return [(n.pos.line, field_label(n.label)[0]) for n in walk(tree) if isinstance(n, Field)]


def _template_facts(template: str, lines: bool) -> tuple[Any, ...]:
    markers = {label: [m if lines else m[1:] for m in found] for label, found in field_markers(template).items()}
    return (markers, pattern_list_paths(template), references_context_output(template),
            top_level_patch_strategy(template))


# --- what parses -----------------------------------------------------------------------------


def test_parses_exactly_what_cue_parses(tmp_path: Path) -> None:
    texts = [path.read_text() for path in SOURCES]
    _, cue_errors = _cue_fmt(texts, tmp_path)
    mine: dict[int, int] = {}
    for index, text in enumerate(texts):
        try:
            parse_file(text)
        except CueSyntaxError as error:
            mine[index] = error.line
    assert mine == cue_errors, [SOURCES[i].name for i in set(mine) ^ set(cue_errors)]


# --- cue fmt round trip ----------------------------------------------------------------------


def _string_lines(text: str) -> set[int]:
    """Lines of multi-line strings (their layout is data, not formatting)."""
    inside: set[int] = set()
    for token in Lexer(text).scan():
        if token.kind == "string" and "\n" in token.text:
            inside.update(range(token.pos.line, token.pos.line + token.text.count("\n") + 1))
    return inside


def _unformat(text: str, rng: random.Random) -> str:
    """The same CUE with its indentation and trailing blanks changed where cue fmt restores them."""
    keep = _string_lines(text)
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if number in keep or not line.strip():
            continue
        indent = " " * rng.randint(0, 6) if rng.random() < 0.5 else "\t" * rng.randint(0, 3)
        lines[number - 1] = indent + line.lstrip(" \t") + " " * rng.randint(0, 2)
    return "\n".join(lines)


def _valid_sources() -> Iterator[tuple[Path, str]]:
    for path in SOURCES:
        text = path.read_text()
        try:
            parse_file(text)
        except CueSyntaxError:
            continue
        yield path, text


@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_cue_fmt_keeps_fields_markers_and_lines(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    rng = random.Random(seed)
    sources = list(_valid_sources())
    messy = [_unformat(text, rng) for _, text in sources]
    formatted, errors = _cue_fmt(messy, tmp_path_factory.mktemp("fmt"))
    assert not errors
    for (path, original), again in zip(sources, formatted, strict=True):
        facts, expected = _field_facts(parse_file(again)), _field_facts(parse_file(original))
        comments = [(c.line, c.text) for c in parse_file(again).comments]
        expected_comments = [(c.line, c.text) for c in parse_file(original).comments]
        if again.count("\n") != original.count("\n"):  # cue fmt joined lines: compare without them
            facts, expected = [f[1:] for f in facts], [f[1:] for f in expected]
            comments, expected_comments = [c[1:] for c in comments], [c[1:] for c in expected_comments]
        assert facts == expected, path
        assert comments == expected_comments, path
        if original.lstrip().startswith(("package", "import")) or "template:" not in original:
            continue
        try:
            before, after = split_definition_file(original), split_definition_file(again)
        except CueSyntaxError:
            continue
        same_lines = again.count("\n") == original.count("\n")
        assert _template_facts(after.template_body, same_lines) == _template_facts(before.template_body, same_lines)


# --- cue def: the fields of each template and its parameter ----------------------------------


def _bundled_definitions() -> list[tuple[Path, Any]]:
    found = []
    for path, text in _valid_sources():
        if path.parent.parent != ROOT / "definitions":
            continue  # test data holds definitions with errors cue reports on purpose
        try:
            found.append((path, split_definition_file(text)))
        except CueSyntaxError:
            continue
    return found


def _labels(decls: tuple[Node, ...]) -> set[str]:
    return {field_label(d.label)[0] for d in decls if isinstance(d, Field) and d.label.kind in ("ident", "string")}


def _struct_field(tree: File | StructNode, name: str) -> StructNode | None:
    for decl in tree.decls:
        if isinstance(decl, Field) and field_label(decl.label) == (name, True):
            return decl.value if isinstance(decl.value, StructNode) else None
    return None


def test_template_and_parameter_fields_agree_with_cue_def(tmp_path: Path) -> None:
    definitions = _bundled_definitions()
    assert len(definitions) >= 40
    (tmp_path / "context.cue").write_text("package p\ncontext: _\n")
    for index, (_, parts) in enumerate(definitions):
        body = f"package p\n{parts.imports}\nd{index}: template: {{{parts.template_body}}}\n"
        (tmp_path / f"f{index}.cue").write_text(body)
    run = _cue(["def", "."], tmp_path)
    assert run.returncode == 0, run.stderr
    printed = parse_file(run.stdout)
    for index, (path, parts) in enumerate(definitions):
        mine = parse_file(parts.template_body)
        theirs = _struct_field(_struct_field(printed, f"d{index}") or printed, "template")
        assert theirs is not None, path
        assert _labels(mine.decls) == _labels(theirs.decls), path
        parameter, printed_parameter = _struct_field(mine, "parameter"), _struct_field(theirs, "parameter")
        if parameter is not None and printed_parameter is not None and printed_parameter.close is not None:
            assert _labels(parameter.decls) == _labels(printed_parameter.decls), path
            schema_view = parse_def_output(run.stdout[_span(printed_parameter, run.stdout)])
            assert {f.label for f in schema_view.root.fields} == _labels(parameter.decls), path


def _span(struct: StructNode, text: str) -> slice:
    assert struct.close is not None
    return slice(struct.pos.offset + 1, struct.close.offset)


# --- concrete data printed by cue export --out cue -------------------------------------------

_KEYS = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
_SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(st.characters(exclude_categories=("Cs",)))
)
_JSON = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=12
)


def _nfc_labels(value: Any) -> Any:
    """cue puts labels in Unicode normal form C (string values stay as they are)."""
    if isinstance(value, dict):
        return {unicodedata.normalize("NFC", k): _nfc_labels(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_labels(v) for v in value]
    return value


@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_JSON, min_size=10, max_size=30))
def test_cue_export_out_cue_reads_back_as_the_same_data(
    values: list[Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    where = tmp_path_factory.mktemp("export")
    data = {f"v{i}": value for i, value in enumerate(values)}
    (where / "data.json").write_text(json.dumps(data))
    run = _cue(["export", "--out", "cue", "data.json"], where)
    assert run.returncode == 0, run.stderr
    parsed, _ = parse_concrete(run.stdout)
    expected = _nfc_labels(json.loads(json.dumps(data)))
    for key in data:
        assert parsed[key] == expected[key], (key, run.stdout)
