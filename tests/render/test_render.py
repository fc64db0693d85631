"""Render behaviour through the real cue binary: data safety, batching, errors, CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import AppError, DefinitionError, DictLoader, OamError, RenderOptions, render
from engine.cli.main import run
from engine.definitions import BUNDLED_DIR, parse_cue_definition

HOSTILE = [
    'quote " inside',
    "back\\slash \\(interp)",
    '"} evil: {',
    "line\nbreak",
    "}\n\toutput: {kind: \"Secret\"}\n{",
    "unicode ✓ ünïcødé 🚀",
    "\\u0041 not an escape",
    "#\"raw\"#",
]


def app(components: list[dict[str, Any]], **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": "demo", **meta}, "spec": {"components": components}}


def web(name: str = "web", **props: Any) -> dict[str, Any]:
    return {"name": name, "type": "webservice", "properties": {"image": "nginx:1.27", **props}}


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def test_hostile_properties_arrive_verbatim() -> None:
    env = [{"name": f"V{i}", "value": value} for i, value in enumerate(HOSTILE)]
    result = render(app([web(env=env, labels={"x": HOSTILE[2]})]))
    container = result.objects[0].body["spec"]["template"]["spec"]["containers"][0]
    assert [e["value"] for e in container["env"]] == HOSTILE
    assert result.objects[0].body["spec"]["template"]["metadata"]["labels"]["x"] == HOSTILE[2]
    assert [o.kind for o in result.objects] == ["Deployment"]


def test_processes_do_not_grow_with_components() -> None:
    one = render(app([web("a")]))
    many = render(app([web(f"c{i}", ports=[{"port": 80 + i, "expose": True}]) for i in range(12)]))
    assert one.stats.cue_processes == many.stats.cue_processes == 1
    assert [o.component for o in many.objects][:4] == ["c0", "c0", "c1", "c1"]


def test_labels_namespace_and_provenance() -> None:
    result = render(app([web(ports=[{"port": 80, "expose": True}])], namespace="shop",
                        labels={"team": "a"}, annotations={"note": "n"}))
    workload, service = result.objects
    assert workload.trait is None and workload.output_name is None
    assert service.output_name == "webserviceExpose" and service.trait is None
    assert workload.body["metadata"]["name"] == "web"
    assert workload.body["metadata"]["namespace"] == "shop"
    labels = workload.body["metadata"]["labels"]
    assert labels["app.oam.dev/name"] == "demo" and labels["team"] == "a"
    assert labels["workload.oam.dev/type"] == "webservice"
    assert labels["app.oam.dev/resourceType"] == "WORKLOAD"
    assert service.body["metadata"]["labels"]["trait.oam.dev/type"] == "AuxiliaryWorkload"
    assert service.body["metadata"]["annotations"] == {"note": "n"}


def test_all_errors_reported_with_paths() -> None:
    bad = app([{"name": "a", "type": "webservice", "properties": {}},
               {"name": "b", "type": "webservice", "properties": {"image": 5}},
               {"name": "c", "type": "websrvice", "properties": {}}])
    with pytest.raises(OamError) as caught:
        render(bad)
    by_code = {(p.code, p.location.app_path) for p in caught.value.problems}
    assert ("missing-parameter", "components[a].properties.image") in by_code
    # A wrong type is caught by schema validation before cue; cue's own check says the same.
    assert by_code & {("schema", "components[b].properties.image"),
                      ("invalid-parameter", "components[b].properties.image")}
    assert ("unknown-type", "components[c]") in by_code
    unknown = next(p for p in caught.value.problems if p.code == "unknown-type")
    assert "webservice" in unknown.message  # the closest known name
    missing = next(p for p in caught.value.problems if p.code == "missing-parameter")
    assert str(missing).startswith("components[a].properties.image: required parameter is missing (webservice)")
    invalid = next(p for p in caught.value.problems if p.location.app_path == "components[b].properties.image")
    assert "string" in invalid.message
    # where the definition declares the constraint
    assert any(r.startswith(str(BUNDLED_DIR / "component" / "webservice.cue") + ":") for r in invalid.related), invalid


BROKEN_TEMPLATE = '''broken: {
	type: "component"
	attributes: workload: type: "deployments.apps"
}
template: {
	output: {
		apiVersion: "apps/v1"
		kind:       "Deployment"
		spec: replicas: parameter.count & string
	}
	parameter: count: *1 | int
}
'''


def test_template_error_names_definition_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "broken.cue"
    source.write_text(BROKEN_TEMPLATE)
    loader = DictLoader([parse_cue_definition(BROKEN_TEMPLATE, str(source))])
    with pytest.raises(DefinitionError) as caught:
        render(app([{"name": "x", "type": "broken"}]), definitions=loader)
    problem = caught.value.problems[0]
    assert problem.location.app_path == "components[x]"
    assert problem.location.file == str(source) and problem.location.line == 9


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text("apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: [\n")
    with pytest.raises(AppError) as caught:
        render(path)
    assert caught.value.problems[0].location.file == str(path)
    assert caught.value.problems[0].location.line


def test_non_application_document() -> None:
    with pytest.raises(AppError, match="expected one Application"):
        render("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")


def test_cluster_version_reaches_templates() -> None:
    cron = {"name": "job", "type": "cron-task",
            "properties": {"image": "busybox", "schedule": "*/5 * * * *"}}
    old = render(app([cron]), options=RenderOptions(cluster_version=(1, 20)))
    new = render(app([cron]), options=RenderOptions(cluster_version=(1, 29)))
    assert old.objects[0].body["apiVersion"] == "batch/v1beta1"
    assert new.objects[0].body["apiVersion"] == "batch/v1"


def test_result_serialises() -> None:
    result = render(app([web()]))
    assert list(yaml.safe_load_all(result.to_yaml())) == result.bodies()
    assert json.loads(result.to_json())["items"] == result.bodies()


def test_cli_render_yaml_json_and_exit_codes(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(app([web()])))
    code, out, _ = cli("render", "-f", str(path))
    assert code == 0 and next(yaml.safe_load_all(out))["kind"] == "Deployment"
    code, out, _ = cli("render", "-f", str(path), "-o", "json", "-n", "other")
    assert code == 0 and json.loads(out)["items"][0]["metadata"]["namespace"] == "other"
    assert cli("render")[0] == 2
    assert cli("render", "-f", str(path), "--cluster-version", "x")[0] == 2
    path.write_text(yaml.safe_dump(app([{"name": "w", "type": "webservice"}])))
    code, out, err = cli("render", "-f", str(path))
    assert code == 1 and out == ""
    assert "components[w].properties.image: required parameter is missing" in err
    assert "Traceback" not in err


def test_cli_stdin_and_output_dir_is_all_or_nothing(tmp_path: Path) -> None:
    good = yaml.safe_dump(app([web(ports=[{"port": 80, "expose": True}])]))
    target = tmp_path / "out"
    code, _, _ = cli("render", "-f", "-", "--output-dir", str(target), stdin=good)
    assert code == 0
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*.yaml")) == [
        "web/deployment-web.yaml", "web/service-web.yaml"]
    bad = yaml.safe_dump(app([{"name": "w", "type": "webservice"}]))
    fresh = tmp_path / "fresh"
    assert cli("render", "-f", "-", "--output-dir", str(fresh), stdin=bad)[0] == 1
    assert not fresh.exists()


def test_cli_usage_errors_go_to_the_given_stream() -> None:
    code, out, err = cli("render", "--no-such-flag")
    assert code == 2 and out == "" and "usage: oam-render" in err
    code, out, err = cli("--help")
    assert code == 0 and "render" in out and err == ""


def test_broken_yaml_template_is_reported_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: core.oam.dev/v1beta1\nkind: TraitDefinition\nmetadata:\n  name: bad\n"
                   "spec:\n  schematic:\n    cue:\n      template: |\n        patch: {\n"
                   "          x: \"unterminated\n")
    with pytest.raises(OamError) as caught:
        render(app([web(), {"name": "b", "type": "webservice", "properties": {"image": "x"},
                            "traits": [{"type": "bad"}]}]), definitions=[bad])
    broken = [p for p in caught.value.problems if "bad.yaml" in p.message or p.location.file.endswith("bad.yaml")]
    assert broken, caught.value.describe()
