"""The legacy OAM model: field paths, v1alpha2 rendering, schematic.kube workloads, conversion."""

from __future__ import annotations

import argparse
import copy
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from deepdiff import DeepDiff
from hypothesis import given
from hypothesis import strategies as st

from engine import AppError, ChainLoader, DefinitionError, DictLoader, OamError, RenderOptions, default_loader, render
from engine.cli.common import Parser
from engine.cli.legacy import register
from engine.definitions import parse_yaml_definitions
from engine.documents import Document, parse_documents, read_documents
from engine.legacy.fieldpath import FieldPathError, bare_key, parse_field_path, set_field
from engine.legacy.pipeline import convert_v1alpha2, is_kube_definition, is_legacy, kube_workload, render_legacy
from engine.model import Definition
from engine.output.emit import dump_yaml
from engine.paths import bracket_text
from tests.render.test_golden import _problem
from tests.support import TESTS

GOLDEN = TESTS / "golden"
LEGACY_CASES = sorted(p for p in GOLDEN.glob("legacy-*") if (p / "app.yaml").is_file()
                      and is_legacy(read_documents(p / "app.yaml")))
CONVERTED = {"legacy-containerized": "legacy-containerized-converted", "legacy-knative": "legacy-knative-converted"}
OAM_LABEL_PREFIXES = ("app.oam.dev/", "workload.oam.dev/", "trait.oam.dev/")

# --- field paths -------------------------------------------------------------------------------

PARSED = [
    ("spec.containers[0].env[1].value", ("spec", "containers", 0, "env", 1, "value")),
    ('metadata.annotations["example.com/x.y"]', ("metadata", "annotations", "example.com/x.y")),
    ("a['x.y'].b", ("a", "x.y", "b")),
    ("data[.config.yml]", ("data", ".config.yml")),
    ('a["q\\"uote"]', ("a", 'q"uote')),
    ("[0].a", (0, "a")),
]


@pytest.mark.parametrize(("text", "segments"), PARSED, ids=[p[0] for p in PARSED])
def test_parse_field_path(text: str, segments: tuple[Any, ...]) -> None:
    assert parse_field_path(text) == segments
    assert parse_field_path(bracket_text(segments, bare_key)) == segments


BAD_PATHS = ["", "a..b", ".a", "a.", "a[", "a[]", "a[-1]", 'a["x]', "a]b", "a[0]b"]


@pytest.mark.parametrize("text", BAD_PATHS, ids=[repr(t) for t in BAD_PATHS])
def test_bad_field_paths_name_the_path(text: str) -> None:
    with pytest.raises(FieldPathError, match="field path"):
        parse_field_path(text)


SETS = [
    ("creates missing maps", {}, "spec.template.metadata.labels.app", {"spec": {"template": {"metadata": {
        "labels": {"app": "V"}}}}}),
    ("replaces a leaf", {"a": {"b": 1}}, "a.b", {"a": {"b": "V"}}),
    ("appends at the next index", {"l": [{"n": 1}]}, "l[1].n", {"l": [{"n": 1}, {"n": "V"}]}),
    ("creates a list at index 0", {}, "spec.ports[0].port", {"spec": {"ports": [{"port": "V"}]}}),
    ("fills a null", {"a": None}, "a.b", {"a": {"b": "V"}}),
    ("keeps siblings", {"c": [{"x": 1, "y": 2}]}, "c[0].x", {"c": [{"x": "V", "y": 2}]}),
    ("quoted key", {}, 'm["a.b"]', {"m": {"a.b": "V"}}),
]


@pytest.mark.parametrize(("body", "path", "expected"), [s[1:] for s in SETS], ids=[s[0] for s in SETS])
def test_set_field(body: dict[str, Any], path: str, expected: dict[str, Any]) -> None:
    body = copy.deepcopy(body)
    set_field(body, path, "V")
    assert body == expected


SET_ERRORS = [
    ("index past the next", {"l": [1]}, "l[3]", "index 3 is past the end of l"),
    ("through a string", {"a": "s"}, "a.b", "a is a string, not a map"),
    ("index into a map", {"a": {}}, "a[0]", "a is a map, not a list"),
    ("key into a list", {"a": []}, "a.b", "a is a list, not a map"),
]


@pytest.mark.parametrize(("body", "path", "message"), [s[1:] for s in SET_ERRORS], ids=[s[0] for s in SET_ERRORS])
def test_set_field_errors(body: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(FieldPathError, match=re.escape(f"field path {path!r}: {message}")):
        set_field(body, path, "V")


SEGMENTS = st.lists(st.one_of(st.integers(0, 3), st.text(min_size=1, max_size=6)), min_size=1, max_size=5)
BODIES = st.recursive(st.none() | st.integers() | st.text(max_size=3),
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                      max_leaves=8)


@given(SEGMENTS)
def test_format_then_parse_round_trips(segments: list[Any]) -> None:
    assert parse_field_path(bracket_text(segments, bare_key)) == tuple(segments)


@given(st.dictionaries(st.text(max_size=3), BODIES, max_size=3), SEGMENTS)
def test_set_field_sets_the_value_or_names_the_path(body: dict[str, Any], segments: list[Any]) -> None:
    path = bracket_text(segments, bare_key)
    try:
        set_field(body, path, "V")
    except FieldPathError as exc:
        assert repr(path) in str(exc)
        return
    node: Any = body
    for segment in segments:
        node = node[segment]
    assert node == "V"


# --- rendering v1alpha2 ----------------------------------------------------------------------


def component(name: str = "web", parameters: list[dict[str, Any]] | None = None,
              workload: dict[str, Any] | None = None) -> dict[str, Any]:
    workload = workload or {"apiVersion": "apps/v1", "kind": "Deployment",
                            "spec": {"template": {"spec": {"containers": [{"name": name, "image": "nginx"}]}}}}
    return {"apiVersion": "core.oam.dev/v1alpha2", "kind": "Component", "metadata": {"name": name},
            "spec": {"workload": workload, "parameters": parameters if parameters is not None else [
                {"name": "image", "required": True, "fieldPaths": ["spec.template.spec.containers[0].image"]}]}}


def config(entries: list[dict[str, Any]], **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1alpha2", "kind": "ApplicationConfiguration",
            "metadata": {"name": "shop", **meta}, "spec": {"components": entries}}


def scaler(**spec: Any) -> dict[str, Any]:
    return {"trait": {"apiVersion": "core.oam.dev/v1alpha2", "kind": "ManualScalerTrait",
                      "spec": {"replicaCount": 2, **spec}}}


def trait_definition(name: str = "manualscalertraits.core.oam.dev",
                     ref_path: str = "spec.workloadRef") -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1alpha2", "kind": "TraitDefinition", "metadata": {"name": name},
            "spec": {"workloadRefPath": ref_path, "definitionRef": {"name": name}}}


def docs(*items: dict[str, Any]) -> list[Document]:
    return parse_documents(yaml.safe_dump_all(items, sort_keys=False), "input.yaml")


def entry(name: str = "web", traits: list[dict[str, Any]] | None = None, **values: Any) -> dict[str, Any]:
    return {"componentName": name, "parameterValues": [{"name": k, "value": v} for k, v in values.items()],
            "traits": traits or []}


def test_workload_gets_values_name_namespace_and_labels() -> None:
    result = render_legacy(docs(component(), config([entry(image="nginx:1.27")], namespace="prod",
                                                     labels={"team": "a"})))
    [workload] = result.bodies()
    assert workload["metadata"] == {
        "name": "web", "namespace": "prod", "annotations": {},
        "labels": {"team": "a", "app.oam.dev/name": "shop", "app.oam.dev/component": "web",
                   "app.oam.dev/resourceType": "WORKLOAD"}}
    assert workload["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert list(workload)[:3] == ["apiVersion", "kind", "metadata"]


def test_options_namespace_wins_and_named_workload_keeps_its_name() -> None:
    comp = component()
    comp["spec"]["workload"]["metadata"] = {"name": "api", "namespace": "elsewhere"}
    result = render_legacy(docs(comp, config([entry(image="x")])), options=RenderOptions(namespace="ci"))
    assert (result.objects[0].name, result.objects[0].body["metadata"]["namespace"]) == ("api", "ci")


def test_trait_reference_only_when_its_definition_declares_a_path() -> None:
    plain = render_legacy(docs(component(), config([entry(traits=[scaler()], image="x")]))).bodies()[1]
    assert "workloadRef" not in plain["spec"]
    assert plain["metadata"]["name"] == "web-manualscalertrait"
    assert plain["metadata"]["labels"]["trait.oam.dev/type"] == "manualscalertrait"
    with_def = render_legacy(docs(trait_definition(ref_path="spec.targetRef"), component(),
                                  config([entry(traits=[scaler()], image="x")]))).bodies()[1]
    assert with_def["spec"]["targetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert with_def["metadata"]["name"] == "web-manualscalertraits"
    assert with_def["metadata"]["labels"]["trait.oam.dev/type"] == "manualscalertraits.core.oam.dev"


def test_trait_definition_through_the_loader() -> None:
    definition = Definition("manualscalertraits.core.oam.dev", "trait", "", spec={"workloadRefPath": "spec.ref"})
    result = render_legacy(docs(component(), config([entry(traits=[scaler()], image="x")])),
                           DictLoader([definition]))
    assert result.bodies()[1]["spec"]["ref"]["name"] == "web"


def test_trait_definition_from_a_definitions_folder(tmp_path: Path) -> None:
    (tmp_path / "scaler.yaml").write_text(yaml.safe_dump(trait_definition()))
    loader = default_loader([tmp_path])
    if loader.get("trait", "manualscalertraits.core.oam.dev") is None:
        pytest.skip("the definition loader does not read v1alpha2 TraitDefinitions yet")
    result = render_legacy(docs(component(), config([entry(traits=[scaler()], image="x")])), loader)
    assert result.bodies()[1]["spec"]["workloadRef"]["name"] == "web"


def test_unnamed_traits_of_one_kind_get_distinct_names_and_named_ones_keep_theirs() -> None:
    named = scaler()
    named["trait"]["metadata"] = {"name": "mine", "labels": {"x": "y"}}
    result = render_legacy(docs(component(), config([entry(traits=[scaler(), scaler(), named], image="x")])))
    assert [o.name for o in result.objects] == ["web", "web-manualscalertrait", "web-manualscalertrait-2", "mine"]
    assert result.objects[3].body["metadata"]["labels"]["x"] == "y"
    assert [o.trait for o in result.objects] == [None, *["manualscalertrait"] * 3]


def test_scopes_label_the_workload_only() -> None:
    scoped = entry(traits=[scaler()], image="x")
    scoped["scopes"] = [{"scopeRef": {"apiVersion": "core.oam.dev/v1alpha2", "kind": "HealthScope",
                                      "name": "health"}}]
    workload, trait = render_legacy(docs(component(), config([scoped]))).bodies()
    assert workload["metadata"]["labels"]["scope.oam.dev/HealthScope"] == "health"
    assert "scope.oam.dev/HealthScope" not in trait["metadata"]["labels"]


def test_revision_name_renders_the_component_with_a_warning() -> None:
    result = render_legacy(docs(component(), config([{"revisionName": "web-v3", "parameterValues": [
        {"name": "image", "value": "x"}]}])))
    assert result.objects[0].name == "web"
    assert any("web-v3" in w for w in result.warnings)


def test_every_problem_is_reported_with_the_component_and_parameter() -> None:
    bad = docs(component(), component("api", [{"name": "port", "fieldPaths": ["spec.ports[5].port"]}]),
               config([entry(tag="1"), entry("api", port=80), entry("ghost")]))
    with pytest.raises(OamError) as caught:
        render_legacy(bad)
    found = {(p.location.app_path, p.code) for p in caught.value.problems}
    assert found == {("components[web].parameterValues[tag]", "unknown-parameter"),
                     ("components[web].parameterValues", "required"),
                     ("components[api].parameterValues[port]", "legacy-field-path"),
                     ("components[ghost]", "unknown-component")}
    messages = " | ".join(str(p) for p in caught.value.problems)
    assert "component web: parameter image is required" in messages
    assert "component web has no parameter tag" in messages
    assert "'spec.ports[5].port'" in messages and "component api" in messages
    assert all(p.location.file == "input.yaml" and p.location.line for p in caught.value.problems)


def test_exactly_one_app_config() -> None:
    with pytest.raises(AppError, match="expected one core.oam.dev/v1alpha2 ApplicationConfiguration, found 0"):
        render_legacy(docs(component()))
    assert is_legacy(docs(component()))
    assert not is_legacy(docs({"apiVersion": "core.oam.dev/v1beta1", "kind": "Application"}, component()))


# --- schematic.kube ----------------------------------------------------------------------------

KUBE = Definition("kube-worker", "component", "", spec={"schematic": {"kube": {
    "template": {"apiVersion": "apps/v1", "kind": "Deployment",
                 "spec": {"template": {"spec": {"containers": [{"name": "main", "image": "busybox"}]}}}},
    "parameters": [
        {"name": "image", "type": "string", "required": True, "fieldPaths": ["spec.template.spec.containers[0].image"]},
        {"name": "replicas", "type": "number", "fieldPaths": ["spec.replicas"]},
        {"name": "debug", "type": "boolean", "fieldPaths": ['metadata.annotations["example.com/debug"]']},
    ]}}})


def test_kube_workload_sets_properties_and_names_the_workload() -> None:
    assert is_kube_definition(KUBE)
    body, problems = kube_workload(KUBE, {"image": "busybox:1.36", "replicas": 3, "debug": True}, "jobs")
    assert problems == []
    assert body == {"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": "jobs", "annotations": {"example.com/debug": True}},
                    "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "main",
                                                                                  "image": "busybox:1.36"}]}}}}
    assert KUBE.spec["schematic"]["kube"]["template"]["spec"].get("replicas") is None  # not mutated


def test_kube_workload_reports_every_property_problem() -> None:
    body, problems = kube_workload(KUBE, {"replicas": True, "imag": "x", "debug": "yes"}, "jobs")
    assert body is None
    assert sorted((p.location.app_path, p.code) for p in problems) == [
        ("components[jobs].properties", "required"),
        ("components[jobs].properties.debug", "kube-parameter"),
        ("components[jobs].properties.imag", "kube-parameter"),
        ("components[jobs].properties.replicas", "kube-parameter")]
    assert all(p.location.definition == "kube-worker" for p in problems)


def test_kube_workload_bad_path_is_the_definitions_problem() -> None:
    broken = Definition("broken", "component", "", spec={"schematic": {"kube": {
        "template": {"apiVersion": "v1", "kind": "ConfigMap", "data": "text"},
        "parameters": [{"name": "x", "fieldPaths": ["data.key"]}]}}})
    body, problems = kube_workload(broken, {"x": "1"}, "c")
    assert body is None
    assert [(p.fixer.value, p.location.definition) for p in problems] == [("definition", "broken")]
    assert "'data.key'" in problems[0].message


# --- golden cases and conversion -------------------------------------------------------------


def legacy_actual(case: Path) -> tuple[str, Any]:
    """What the golden harness records for a legacy case, computed through render_legacy."""
    defs = [case / "defs"] if (case / "defs").is_dir() else []
    try:
        result = render_legacy(read_documents(case / "app.yaml"), default_loader(defs))
    except OamError as error:
        return "expected-error.yaml", [_problem(p, case) for p in error.problems]
    return "expected.yaml", result.bodies()


@pytest.mark.parametrize("case", LEGACY_CASES, ids=[c.name for c in LEGACY_CASES])
def test_legacy_golden_case(case: Path) -> None:
    kind, actual = legacy_actual(case)
    assert (case / kind).is_file(), f"{case.name}: expected {kind}"
    docs_found = list(yaml.safe_load_all((case / kind).read_text()))
    expected = docs_found if kind == "expected.yaml" else docs_found[0]
    diff = DeepDiff(expected, actual, ignore_order=False)
    assert not diff, f"{case.name} differs from {kind}:\n{diff.pretty()}"


def _converted_files(case: Path) -> list[Any]:
    target = GOLDEN / CONVERTED[case.name]
    defs = sorted((target / "defs").glob("*.yaml"))
    return [yaml.safe_load((target / "app.yaml").read_text()), *[yaml.safe_load(p.read_text()) for p in defs]]


@pytest.mark.parametrize("name", sorted(CONVERTED))
def test_conversion_matches_the_committed_converted_case(name: str) -> None:
    converted = convert_v1alpha2(read_documents(GOLDEN / name / "app.yaml"))
    application, *definitions = converted
    expected_app, *expected_defs = _converted_files(GOLDEN / name)
    assert application == expected_app
    assert sorted(definitions, key=lambda d: str(d["metadata"]["name"])) == \
        sorted(expected_defs, key=lambda d: str(d["metadata"]["name"]))


def _without_oam_labels(bodies: list[Any]) -> list[Any]:
    stripped = copy.deepcopy(bodies)
    for body in stripped:
        labels = body["metadata"]["labels"]
        for key in [k for k in labels if k.startswith(OAM_LABEL_PREFIXES)]:
            del labels[key]
    return stripped


def _kube_wired() -> bool:
    """Whether engine.render evaluates schematic.kube components yet (wiring outside this module)."""
    app = {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": "probe"},
           "spec": {"components": [{"name": "c", "type": "kube-worker", "properties": {"image": "x"}}]}}
    try:
        kinds = [o.kind for o in render(app, definitions=DictLoader([KUBE])).objects]
    except OamError:
        return False
    return kinds == ["Deployment"]


def _render_converted(converted: list[dict[str, Any]]) -> list[Any]:
    definitions = [d for doc in converted[1:] for d in parse_yaml_definitions(dump_yaml(doc), "converted.yaml")]
    return render(converted[0], definitions=ChainLoader([DictLoader(definitions), default_loader()])).bodies()


EQUIVALENCE = [
    ("containerized", [trait_definition(), component(), config([entry(traits=[scaler(), scaler()], image="x")],
                                                             labels={"team": "a"}, annotations={"note": "n"})]),
    ("ref path with an index", [trait_definition(ref_path="spec.refs[0]"), component(),
                                config([entry(traits=[scaler()], image="x")])]),
    ("named trait with a stale ref", [trait_definition(), component(),
                                      config([entry(traits=[{"trait": {**scaler()["trait"], "metadata": {
                                          "name": "fixed", "namespace": "x"}}}], image="x")])]),
]


@pytest.mark.parametrize("items", [e[1] for e in EQUIVALENCE], ids=[e[0] for e in EQUIVALENCE])
def test_converted_application_renders_the_same_objects(items: list[dict[str, Any]]) -> None:
    if not _kube_wired():
        pytest.skip("engine.render does not evaluate schematic.kube components yet")
    legacy = render_legacy(docs(*items)).bodies()
    assert _without_oam_labels(_render_converted(convert_v1alpha2(docs(*items)))) == _without_oam_labels(legacy)


@pytest.mark.parametrize("name", sorted(CONVERTED))
def test_golden_conversions_render_the_same_objects(name: str) -> None:
    if not _kube_wired():
        pytest.skip("engine.render does not evaluate schematic.kube components yet")
    legacy = render_legacy(read_documents(GOLDEN / name / "app.yaml")).bodies()
    converted = _render_converted(convert_v1alpha2(read_documents(GOLDEN / name / "app.yaml")))
    assert _without_oam_labels(converted) == _without_oam_labels(legacy)
    shared = ("app.oam.dev/name", "app.oam.dev/component", "trait.oam.dev/type")
    for old, new in zip(legacy, converted, strict=True):
        assert {k: new["metadata"]["labels"].get(k) for k in shared if k in old["metadata"]["labels"]} == \
            {k: old["metadata"]["labels"][k] for k in shared if k in old["metadata"]["labels"]}


def test_conversion_refuses_what_does_not_render() -> None:
    with pytest.raises(DefinitionError, match="past the end"):
        convert_v1alpha2(docs(component("api", [{"name": "p", "fieldPaths": ["spec.l[1]"]}]),
                              config([entry("api", p=1)])))


# --- the convert command -----------------------------------------------------------------------


def convert_cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    parser = Parser(prog="oam-render")
    register(parser.add_subparsers(dest="command", required=True, parser_class=Parser))
    args: argparse.Namespace = parser.parse_args(["convert", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.handler(args, io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def test_convert_command_writes_a_stream_and_a_folder(tmp_path: Path) -> None:
    source = GOLDEN / "legacy-containerized" / "app.yaml"
    code, out, _ = convert_cli("v1alpha2", str(source))
    assert code == 0
    assert [d["kind"] for d in yaml.safe_load_all(out)] == [
        "Application", "ComponentDefinition", "TraitDefinition", "TraitDefinition"]
    code, _, err = convert_cli("v1alpha2", "-", "--output-dir", str(tmp_path / "out"), stdin=source.read_text())
    assert code == 0 and "oam-render render -f" in err
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.yaml")) == [
        "application.yaml", "definitions/component-example-component.yaml",
        "definitions/trait-legacy-scopes.yaml", "definitions/trait-manualscalertraits.core.oam.dev.yaml"]


def test_convert_output_dir_never_writes_through_a_link(tmp_path: Path) -> None:
    from engine.cli.main import run

    outside, target = tmp_path / "outside", tmp_path / "out"
    outside.mkdir()
    target.mkdir()
    (target / "definitions").symlink_to(outside, target_is_directory=True)
    err = io.StringIO()
    code = run(["convert", "v1alpha2", str(GOLDEN / "legacy-containerized" / "app.yaml"),
                "--output-dir", str(target)], io.StringIO(), io.StringIO(), err)
    assert code == 1 and "symbolic link" in err.getvalue()
    assert list(outside.iterdir()) == [] and not (target / "application.yaml").exists()
