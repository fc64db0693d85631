"""Property keys a definition's parameter does not declare: a warning each, errors with --strict."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from engine import AppError, RenderOptions, render
from engine.cli.main import run
from engine.errors import Fixer
from engine.render.unknown_keys import unknown_keys

APP = """\
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: shop
spec:
  components:
    - name: web
      type: webservice
      properties:
        image: nginx:1.27
        imagePullPolicyy: Always
        ports:
          - port: 80
            expos: true
      traits:
        - type: scaler
          properties:
            replica: 3
"""

EXPECTED = [
    "components[web].properties.imagePullPolicyy: unknown property; did you mean imagePullPolicy,"
    " imagePullSecrets? (webservice) [{app}:11]",
    "components[web].properties.ports[0].expos: unknown property; did you mean expose? (webservice) [{app}:14]",
    "components[web].traits[scaler].properties.replica: unknown property; did you mean replicas?"
    " (scaler) [{app}:18]",
]

# A user definition: nested structs, a list of structs, an explicitly open struct, a map,
# a closed #Def, a hidden (+ignore) field and a field under `if`.
USER_DEF = """\
shop: {
	type: "component"
	attributes: workload: definition: {apiVersion: "example.dev/v1", kind: "Shop"}
}
template: {
	output: {
		apiVersion: "example.dev/v1"
		kind:       "Shop"
		spec:       parameter
	}
	#Limits: {
		cpu?:    string
		memory?: string
	}
	parameter: {
		name: string
		// +ignore
		legacy?: bool
		db: {
			host: string
			port: *5432 | int
			pool?: {
				size: *5 | int
			}
		}
		extra?: {
			known?: string
			...
		}
		tags?: [string]: string
		replicas?: [...{
			zone: string
			weight?: int
		}]
		limits?: #Limits
		mode: *"simple" | "tls"
		if mode == "tls" {
			cert: string
		}
	}
}
"""


def _write(tmp_path: Path, text: str, name: str = "app.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), io.StringIO(""), out, err)
    return code, out.getvalue(), err.getvalue()


def _shop_app(properties: str) -> str:
    head = ("apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata:\n  name: s\nspec:\n  components:\n"
            "    - name: s\n      type: shop\n      properties:\n")
    return head + "".join(f"        {line}\n" for line in properties.splitlines())


def test_typos_render_with_a_warning_each(tmp_path: Path) -> None:
    path = _write(tmp_path, APP)
    result = render(path)
    assert list(result.warnings) == [w.format(app=path) for w in EXPECTED]
    deployment = next(o for o in result.objects if o.kind == "Deployment")
    assert deployment.body["spec"]["replicas"] == 1  # the typo is not a value


def test_cli_prints_warnings_and_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, APP)
    code, out, err = _cli("render", "-f", "app.yaml")
    assert code == 0 and "kind: Deployment" in out
    assert err.splitlines() == [f"warning: {w.format(app='app.yaml')}" for w in EXPECTED]


def test_strict_makes_each_an_error_reported_with_the_others(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # A second component breaks its schema: both kinds of problem come in one report.
    _write(tmp_path, APP + "    - name: bad\n      type: worker\n      properties:\n        image: 5\n")
    code, out, err = _cli("render", "-f", "app.yaml", "--strict")
    assert code == 1 and out == ""
    assert err.startswith("error: 4 errors:\n")
    for expected in EXPECTED:
        assert f"  {expected.format(app='app.yaml')}\n" in err
    assert "components[bad].properties.image: must be of type string" in err


def test_strict_library_option_raises_app_error(tmp_path: Path) -> None:
    with pytest.raises(AppError) as caught:
        render(_write(tmp_path, APP), options=RenderOptions(strict=True))
    problems = caught.value.problems
    assert [p.code for p in problems] == ["unknown-property"] * 3
    assert {p.fixer for p in problems} == {Fixer.APP}
    assert problems[2].location.app_path == "components[web].traits[scaler].properties.replica"
    assert problems[2].location.definition == "scaler" and problems[2].location.line == 18


def test_user_definition_with_the_real_cue(tmp_path: Path) -> None:
    _write(tmp_path, USER_DEF, "shop.cue")
    app = _write(tmp_path, _shop_app(
        "name: a\nnam: b\nlegacy: true\n"
        "db: {host: h, hots: x, pool: {size: 3, szie: 4}}\n"
        "extra: {known: k, anything: 1, deep: {free: 2}}\n"
        "tags: {any-key: v, other: w}\n"
        "replicas: [{zone: a}, {zone: b, wieght: 2}]\n"
        "mode: tls\ncert: c\n"))
    result = render(app, definitions=[tmp_path / "shop.cue"])
    said = [w.split(" (shop)")[0] for w in result.warnings]
    assert said == [
        "components[s].properties.db.hots: unknown property; did you mean host?",
        "components[s].properties.db.pool.szie: unknown property; did you mean size?",
        "components[s].properties.nam: unknown property; did you mean name?",
        "components[s].properties.replicas[1].wieght: unknown property; did you mean weight?",
    ]
    assert result.objects[0].body["spec"]["db"]["hots"] == "x"  # a warning only: cue still gets it


def test_user_definition_closed_struct_is_an_error_once(tmp_path: Path) -> None:
    """A closed `#Def` already rejects the key (schema validation): no warning besides."""
    _write(tmp_path, USER_DEF, "shop.cue")
    app = _write(tmp_path, _shop_app("name: a\ndb: {host: h}\nlimits: {cpu: '1', gpu: '2'}\n"))
    with pytest.raises(AppError) as caught:
        render(app, definitions=[tmp_path / "shop.cue"], options=RenderOptions(strict=True))
    assert [(p.code, p.location.app_path) for p in caught.value.problems] == \
        [("schema", "components[s].properties.limits.gpu")]


def test_user_definition_open_at_the_top(tmp_path: Path) -> None:
    """`parameter: {name: string, ...}` welcomes any key, nested values included."""
    opened = USER_DEF.replace("\t\tmode: *", "\t\t...\n\t\tmode: *")
    _write(tmp_path, opened, "shop.cue")
    app = _write(tmp_path, _shop_app("name: a\ndb: {host: h}\nwhatever: {x: 1}\n"))
    result = render(app, definitions=[tmp_path / "shop.cue"], options=RenderOptions(strict=True))
    assert result.warnings == ()
    assert result.objects[0].body["spec"]["whatever"] == {"x": 1}


def test_deep_values_under_undescribed_fields_are_left_alone(tmp_path: Path) -> None:
    deep: Any = "leaf"
    for _ in range(2000):
        deep = {"a": deep}
    schema = {"type": "object", "properties": {"free": {"title": "free"}}}
    assert list(unknown_keys(schema, {"free": deep})) == []


def test_open_parameters_and_maps_are_exempt(tmp_path: Path) -> None:
    text = APP.split("        imagePullPolicyy")[0] + (
        "        labels: {anything: goes}\n"
        "        port: 8080\n"  # a +ignore field of webservice: accepted, undocumented
        "      traits:\n"
        "        - type: json-merge-patch\n"
        "          properties: {spec: {anything: 1}}\n"
        "        - type: json-patch\n"
        "          properties:\n"
        "            operations: [{op: add, path: /spec/paused, value: false, note: free}]\n"
        "    - name: raw\n      type: k8s-objects\n      properties:\n        objects:\n"
        "          - {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: b}}\n")
    result = render(_write(tmp_path, text), options=RenderOptions(strict=True))
    assert result.warnings == ()


def test_policy_properties_are_checked(tmp_path: Path) -> None:
    text = APP.split("        imagePullPolicyy")[0] + (
        "  policies:\n    - name: eu\n      type: topology\n"
        "      properties:\n        clusters: [local]\n        namespac: shop\n")
    result = render(_write(tmp_path, text))
    assert [w.split(" [")[0] for w in result.warnings] == \
        ["policies[eu].properties.namespac: unknown property; did you mean namespace? (topology)"]


def test_one_warning_for_all_environments(tmp_path: Path) -> None:
    text = APP + (
        "  policies:\n"
        "    - {name: eu, type: topology, properties: {clusters: [eu]}}\n"
        "    - {name: us, type: topology, properties: {clusters: [us]}}\n"
        "  workflow:\n    steps:\n"
        "      - {name: eu, type: deploy, properties: {policies: [eu]}}\n"
        "      - {name: us, type: deploy, properties: {policies: [us]}}\n")
    result = render(_write(tmp_path, text))
    assert len(result.environments) == 2
    assert [w.split(" (")[0] for w in result.warnings] == [w.split(" (")[0] for w in EXPECTED]


UNION: dict[str, Any] = {
    "type": "object",
    "properties": {"probe": {"oneOf": [{"$ref": "#/$defs/Http"}, {"$ref": "#/$defs/Exec"}]}},
    "$defs": {
        "Http": {"type": "object", "properties": {"path": {"type": "string"}, "port": {"type": "integer"}},
                 "required": ["path"]},
        "Exec": {"type": "object", "properties": {"command": {"type": "array"}}, "required": ["command"]},
    },
}


@pytest.mark.parametrize(("schema", "value", "expected"), [
    ({"type": "object", "properties": {"a": {}}}, {"a": 1, "b": 2}, [(["b"], "unknown property")]),
    ({"type": "object", "properties": {"a": {}}, "additionalProperties": True}, {"b": 2}, []),
    ({"type": "object", "properties": {"a": {}}, "additionalProperties": False}, {"b": 2}, []),
    ({"type": "object", "additionalProperties": {"type": "object", "properties": {"x": {}}}},
     {"k": {"y": 1}}, [(["k", "y"], "unknown property")]),
    ({"type": "object", "properties": {"a": {}}, "patternProperties": {"^x-": {}}}, {"x-1": 1, "y": 2},
     [(["y"], "unknown property")]),
    ({"type": "object", "properties": {"a": {}}, "x-oam-hidden": ["old"]}, {"old": 1}, []),
    ({"type": "object"}, {"anything": 1}, []),
    ({"type": "object", "properties": {"a": {}}, "allOf": [{"$comment": "computed from x"}]}, {"b": 1}, []),
    (UNION, {"probe": {"path": "/", "prot": 80}}, [(["probe", "prot"], "unknown property; did you mean port?")]),
    (UNION, {"probe": {"command": ["a"], "path": "/"}}, []),
    ({"type": "object", "properties": {"l": {"type": "array", "prefixItems": [{"properties": {"a": {}}}],
                                             "items": {"properties": {"b": {}}}}}},
     {"l": [{"a": 1, "b": 1}, {"b": 1, "a": 1}]}, [(["l", 0, "b"], "unknown property"),
                                                   (["l", 1, "a"], "unknown property")]),
], ids=["plain", "open", "closed", "map-of-structs", "patterns", "hidden", "undescribed", "opaque-embed",
        "union-branch", "union-overlap", "tuple-then-items"])
def test_unknown_keys_table(schema: dict[str, Any], value: Any, expected: list[tuple[list[Any], str]]) -> None:
    assert list(unknown_keys(schema, value)) == expected
