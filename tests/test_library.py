"""The library as a Python caller meets it: wrong arguments, in-memory definitions, options, results."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

import engine
from engine import (
    AppError,
    Definition,
    DefinitionError,
    DictLoader,
    OamError,
    RenderOptions,
    export_schema,
    render,
)

ROOT = Path(__file__).resolve().parent.parent
SHOUT = ROOT / "examples" / "shout"
SHOUT_CUE = (SHOUT / "shout.cue").read_text(encoding="utf-8")
SHOUT_APP = str(SHOUT / "app.yaml")
SHOUT_YAML = """\
apiVersion: core.oam.dev/v1beta1
kind: TraitDefinition
metadata:
  name: whisper
spec:
  schematic:
    cue:
      template: |
        patch: metadata: annotations: whisper: parameter.text
        parameter: text: string
"""


def app(components: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": "lib"},
            "spec": {"components": components}}


WEB = {"name": "web", "type": "webservice", "properties": {"image": "nginx:1.27"}}


def messages(error: OamError) -> list[str]:
    return [p.message for p in error.problems]


# --- wrong arguments -------------------------------------------------------------------------


def test_a_list_of_apps_points_to_render_many() -> None:
    with pytest.raises(AppError) as caught:
        render([app([WEB]), app([WEB])])  # type: ignore[arg-type]
    [message] = messages(caught.value)
    assert "render_many()" in message and "not a list" in message


def test_every_wrong_argument_is_reported_at_once() -> None:
    with pytest.raises(AppError) as caught:
        render(42, definitions=3, options={"strict": True}, documents="policy.yaml")  # type: ignore[arg-type]
    found = messages(caught.value)
    assert len(found) == 4
    assert any(m.startswith("app must be a path, YAML text") and m.endswith("not int") for m in found)
    assert any(m.startswith("definitions must be a loader") for m in found)
    assert any("RenderOptions(**mapping)" in m for m in found)
    assert any(m.startswith("documents must be a list of sources") for m in found)


def test_definitions_of_the_wrong_shape_say_what_fits() -> None:
    shout = Definition.from_cue(SHOUT_CUE)
    with pytest.raises(AppError, match=r"DictLoader\(\[\.\.\.\]\)"):
        render(SHOUT_APP, definitions=[shout])  # type: ignore[list-item]
    with pytest.raises(AppError, match=r"DictLoader\(\{file name: text\}\)"):
        render(SHOUT_APP, definitions={"shout.cue": SHOUT_CUE})  # type: ignore[arg-type]


def test_iterators_are_read_once() -> None:
    result = render(SHOUT_APP, definitions=iter([SHOUT]), documents=iter([]))
    assert result.objects[0].body["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == "GOOD MORNING"


@pytest.mark.parametrize("path", ["no/such/app.yaml", "nosuchfile", "C:\\apps\\shop.txt"])
def test_a_path_that_does_not_exist_is_no_such_file(path: str) -> None:
    with pytest.raises(AppError) as caught:
        render(path)
    [problem] = caught.value.problems
    assert problem.message.startswith("no such file") and problem.location.file == path


def test_one_line_flow_mapping_is_still_yaml() -> None:
    with pytest.raises(AppError, match="expected one Application"):
        render('{"apiVersion": "v1", "kind": "ConfigMap"}')


def test_unknown_schema_dialect_is_an_oam_error() -> None:
    with pytest.raises(AppError, match="unknown schema dialect 'draft-04'; expected one of openapi-3.0"):
        export_schema("scaler", dialect="draft-04")


# --- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["1.29", "v1.29.3", " 1.29 ", (1, 29), [1, 29]])
def test_cluster_version_is_normalised(given: Any) -> None:
    options = RenderOptions(cluster_version=given)
    assert options.cluster_version == (1, 29)
    assert options == RenderOptions(cluster_version=(1, 29))


@pytest.mark.parametrize("given", ["1", "1.x", "latest", "1.29.3.4", (1,), (1, 29, 3), (True, 1), 1.29, None])
def test_other_cluster_versions_are_refused(given: Any) -> None:
    with pytest.raises(AppError, match=r"RenderOptions.cluster_version: expected MAJOR.MINOR"):
        RenderOptions(cluster_version=given)


def test_options_of_the_wrong_type_are_all_reported() -> None:
    with pytest.raises(AppError) as caught:
        RenderOptions(namespace=3, cue_binary=Path("cue"), timeout=-1, environment=["eu"],  # type: ignore[arg-type]
                      strict="yes")  # type: ignore[arg-type]
    assert sorted(m.split(":")[0] for m in messages(caught.value)) == [
        "RenderOptions.cue_binary", "RenderOptions.environment", "RenderOptions.namespace",
        "RenderOptions.strict", "RenderOptions.timeout"]


def test_options_stay_frozen_and_replaceable() -> None:
    options = RenderOptions(cluster_version="1.20", timeout=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.strict = True  # type: ignore[misc]
    changed = dataclasses.replace(options, strict=True)
    assert (changed.cluster_version, changed.timeout, changed.strict) == ((1, 20), 5.0, True)


def test_a_string_cluster_version_reaches_the_templates() -> None:
    cron = {"name": "nightly", "type": "cron-task", "properties": {"image": "busybox", "schedule": "0 1 * * *"}}
    assert render(app([cron]), options=RenderOptions(cluster_version="v1.20.4")).objects[0].body[
        "apiVersion"] == render(app([cron]), options=RenderOptions(cluster_version=(1, 20))).objects[0].body[
        "apiVersion"]


# --- in-memory definitions -------------------------------------------------------------------


def test_definition_from_cue_and_from_yaml() -> None:
    shout = Definition.from_cue(SHOUT_CUE, source="shout.cue")
    assert (shout.name, shout.kind, shout.source) == ("shout", "trait", "shout.cue")
    whisper = Definition.from_yaml(SHOUT_YAML)
    assert (whisper.name, whisper.kind, whisper.source) == ("whisper", "trait", "<memory>")


def test_unreadable_definition_text_is_a_definition_error_with_its_line() -> None:
    with pytest.raises(DefinitionError) as caught:
        Definition.from_cue('shout: {type: "trate"}\ntemplate: {}\n', source="bad.cue")
    [problem] = caught.value.problems
    assert (problem.location.file, problem.location.line) == ("bad.cue", 1)
    with pytest.raises(DefinitionError, match="expected one definition document, found 2"):
        Definition.from_yaml(SHOUT_YAML + "---\n" + SHOUT_YAML)
    with pytest.raises(DefinitionError, match="must be a str, not bytes"):
        Definition.from_cue(SHOUT_CUE.encode())  # type: ignore[arg-type]


def test_dict_loader_adds_to_the_bundled_definitions() -> None:
    # `worker` is bundled, `shout` comes from memory: both are found.
    result = render(SHOUT_APP, definitions=DictLoader({"shout.cue": SHOUT_CUE}))
    assert result.objects[0].body["metadata"]["labels"]["workload.oam.dev/type"] == "worker"
    assert render(SHOUT_APP, definitions=DictLoader([Definition.from_cue(SHOUT_CUE)])).to_yaml() == result.to_yaml()


def test_dict_loader_can_replace_the_bundled_definitions() -> None:
    loader = DictLoader({"shout.cue": SHOUT_CUE}, bundled=False)
    with pytest.raises(AppError, match=r"unknown component type 'worker' \(looked in memory\)"):
        render(SHOUT_APP, definitions=loader)
    assert loader.names("trait") == ["shout"]


def test_a_definition_in_memory_wins_over_a_bundled_one() -> None:
    scaler = SHOUT_YAML.replace("name: whisper", "name: scaler")
    loader = DictLoader({"scaler.yaml": scaler})
    traits = [{"type": "scaler", "properties": {"text": "psst"}}]
    body = render(app([{**WEB, "traits": traits}]), definitions=loader).objects[0].body
    assert body["metadata"]["annotations"] == {"whisper": "psst"}
    assert "scaler" in loader.names("trait") and "webservice" in loader.names("component")


def test_dict_loader_reports_every_unreadable_text_at_once() -> None:
    with pytest.raises(DefinitionError) as caught:
        DictLoader({"a.cue": "a: {type: 1}\ntemplate: {}\n", "b.yaml": "kind: TraitDefinition\nspec: {}\n",
                    "c.cue": b"bytes"})  # type: ignore[dict-item]
    assert sorted(p.location.file for p in caught.value.problems) == ["a.cue", "b.yaml", "c.cue"]
    with pytest.raises(DefinitionError, match="DictLoader takes Definition values"):
        DictLoader("shout.cue")  # type: ignore[arg-type]


# --- version and results ---------------------------------------------------------------------


def test_version_is_the_projects() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert engine.__version__ == project["version"]


def test_result_fields_are_frozen_and_bodies_are_the_callers() -> None:
    result = render(SHOUT_APP, definitions=DictLoader({"shout.cue": SHOUT_CUE}))
    obj = result.objects[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.component = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.objects = ()  # type: ignore[misc]
    before = result.to_yaml()
    copies = result.bodies()
    copies[0]["spec"]["template"]["spec"]["containers"][0]["image"] = "changed:1"
    assert result.to_yaml() == before  # bodies() are deep copies
    obj.body["metadata"]["labels"]["team"] = "blue"  # the body itself is the caller's to change
    assert yaml.safe_load(result.to_yaml())["metadata"]["labels"]["team"] == "blue"


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return done.stdout.strip()


HEAVY = ("jsonschema", "engine.render.validate", "engine.render.evaluate", "engine.cue.syntax.parser",
         "engine.schema.build", "tomllib", "importlib.metadata")


def test_import_engine_loads_no_stage_machinery() -> None:
    """`import engine` gives every public name but loads neither jsonschema, the evaluator, the
    CUE parser nor the schema builder (they load on first use); nor the version readers."""
    code = f"import sys, engine; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    assert _fresh(code) == "[]"
    assert _fresh("import engine.render.batch\nfrom engine import render\nprint(callable(render))") == "True"


@pytest.mark.needs_cue
def test_a_render_cache_hit_loads_no_render_stage(tmp_path: Path) -> None:
    """A warm `oam-render render` (every app a cache hit) imports neither the render stages,
    the CUE parser nor jsonschema: its time is the interpreter's and the cache read."""
    app = str(Path(__file__).resolve().parent.parent / "examples" / "quickstart" / "app.yaml")
    code = ("import io, sys\nfrom engine.cli.main import run\n"
            f"code = run(['render', '-f', {app!r}, '--cache-dir', {str(tmp_path)!r}], io.StringIO(), io.StringIO(),"
            " sys.stderr)\n"
            f"print(code, sorted(m for m in {HEAVY[:4]!r} if m in sys.modules))")
    assert _fresh(code) == f"0 {sorted(HEAVY[:4])}"  # cold: it renders
    assert _fresh(code) == "0 []"  # warm: every app a cache hit
