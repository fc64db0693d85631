"""Diffs of two sets of objects: golden cases from tests/golden-diff, and sides read or rendered."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from engine import RenderOptions, render
from engine.gates import diff, diff_paths
from engine.gates.paths import drop
from engine.output.emit import write_output_dir
from engine.paths import parse_brackets as parse_path

ROOT = Path(__file__).parent.parent
GOLDEN_DIFF = ROOT / "golden-diff"
CASES = sorted(p for p in GOLDEN_DIFF.iterdir() if (p / "old.yaml").is_file())


def _ignore(case: Path) -> list[str]:
    file = case / "ignore.txt"
    return [line for line in file.read_text().splitlines() if line.strip()] if file.is_file() else []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_diff(case: Path, update_golden: bool) -> None:
    """A folder holds old.yaml, new.yaml, optionally ignore.txt (a path a line), and the
    expected text and JSON forms; `--update-golden` rewrites those two."""
    result = diff_paths(case / "old.yaml", case / "new.yaml", ignore=_ignore(case))
    if update_golden:
        (case / "expected.txt").write_text(result.to_text())
        (case / "expected.json").write_text(result.to_json())
    assert result.to_text() == (case / "expected.txt").read_text()
    assert json.loads(result.to_json()) == json.loads((case / "expected.json").read_text())
    assert result.equal == (case.name == "equal")


@pytest.mark.parametrize("text, parts", [
    ("spec.template.spec.containers[0].image", ("spec", "template", "spec", "containers", 0, "image")),
    ('metadata.labels["app.oam.dev/appRevision"]', ("metadata", "labels", "app.oam.dev/appRevision")),
    ("spec.containers[*].env", ("spec", "containers", "*", "env")),
    ("metadata.annotations.*", ("metadata", "annotations", "*")),
    ("/metadata/labels/app.oam.dev~1name", ("metadata", "labels", "app.oam.dev/name")),
], ids=["dotted", "bracketed-key", "any-index", "any-key", "json-pointer"])
def test_ignore_path_syntax(text: str, parts: tuple[str | int, ...]) -> None:
    assert parse_path(text) == parts


@pytest.mark.parametrize("text", ["", "spec..x", "spec[x]", ".spec", 'a["unterminated]'])
def test_bad_ignore_paths_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_path(text)


def test_drop_leaves_other_fields() -> None:
    body = {"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"c": [{"x": 1, "y": 2}, {"x": 3}]}}
    assert drop(drop(body, ("metadata", "labels", "a")), ("spec", "c", "*", "x")) == {
        "metadata": {"labels": {"b": "2"}}, "spec": {"c": [{"y": 2}, {}]}}


def test_same_name_twice_keeps_both() -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    result = diff([body], [body, {**body, "data": {}}])
    assert result.to_text() == "+ ConfigMap c#2 (v1)\n"


APP = ROOT / "golden" / "component-webservice" / "app.yaml"


def test_an_unchanged_app_rendered_again_is_equal(tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    shutil.copy(APP, app_dir / "app.yaml")
    result = diff_paths(APP, app_dir)
    assert result.equal
    assert result.to_text() == "no differences\n"


def test_sides_may_be_a_stream_an_output_dir_or_an_app(tmp_path: Path) -> None:
    rendered = render(APP, options=RenderOptions())
    stream = tmp_path / "out.yaml"
    stream.write_text(rendered.to_yaml())
    write_output_dir(rendered, tmp_path / "out")
    assert diff_paths(stream, tmp_path / "out").equal
    assert diff_paths(APP, stream).equal
    changed = yaml.safe_load(APP.read_text())
    changed["spec"]["components"][0]["properties"]["image"] = "nginx:9"
    (tmp_path / "changed.yaml").write_text(yaml.safe_dump(changed))
    result = diff_paths(stream, tmp_path / "changed.yaml")
    assert [(f.path, f.new) for c in result.changed for f in c.fields] == [
        ("spec.template.spec.containers[0].image", "nginx:9")]
