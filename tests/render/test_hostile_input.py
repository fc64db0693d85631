"""Hostile and broken input: names, shapes, YAML bombs and tags, quoting and comments (issue 9)."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from engine import AppError, OamError, render
from engine.cli.main import run
from engine.documents import load_application, parse_documents
from engine.model import RenderedObject, RenderResult
from engine.output.emit import header, yaml_stream
from engine.render.environments import read_inputs
from engine.yamlio import MAX_DEPTH, MAX_TEXT_CHARS, dump, escape_comment

YAML12 = YAML(typ="safe", pure=True)
BREAKS = ["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\x00", "\x1b", "\x7f", "\ufeff", "\t"]


def both_readers(text: str) -> tuple[list[Any], list[Any]]:
    """The documents of `text` as PyYAML (YAML 1.1) and ruamel.yaml (YAML 1.2) read them."""
    return list(yaml.safe_load_all(text)), list(YAML12.load_all(io.StringIO(text)))


def app_text(name: str = "shop", components: str = "    - {name: web, type: webservice,"
             " properties: {image: nginx}}\n", extra: str = "") -> str:
    return (f"apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata:\n  name: {name}\n{extra}"
            f"spec:\n  components:\n{components}")


def problems_of(source: Any) -> list[tuple[str, str, int | None]]:
    with pytest.raises(AppError) as caught:
        read_inputs([source])
    return [(p.code, p.location.app_path, p.location.line) for p in caught.value.problems]


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


# --- 1. names ------------------------------------------------------------------------------------

INJECTED = "shop)\nkind: Secret\nmetadata: {name: stolen}\n#"


@pytest.mark.parametrize("name", [f"shop{b}x" for b in BREAKS] + ["Shop", "shop_1", "-shop", "a" * 64, "x..y"],
                         ids=[f"break-{ord(b[0]):x}" for b in BREAKS] + ["upper", "underscore", "dash",
                                                                          "long", "empty-part"])
def test_app_names_must_be_kubernetes_names(name: str) -> None:
    app = {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": name},
           "spec": {"components": [{"name": "web", "type": "webservice", "properties": {"image": "x"}}]}}
    assert problems_of(app) == [("invalid-name", "metadata.name", 1)]


def test_a_name_cannot_add_a_document_to_the_stream() -> None:
    app = {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": INJECTED},
           "spec": {"components": [{"name": "web", "type": "webservice", "properties": {"image": "x"}}]}}
    code, out, err = cli("render", "-f", "-", stdin=yaml.safe_dump(app))
    assert (code, out) == (1, "") and "invalid-name" not in err and "metadata.name" in err
    assert "Traceback" not in err


NAMES = [
    ("component", app_text(components="    - name: Web\n      type: webservice\n"), "components[Web].name", 7),
    ("component-map", app_text(components="    - name: {a: 1}\n      type: webservice\n"),
     "components[0].name", 7),
    ("component-list", app_text(components="    - name: [a]\n      type: webservice\n"), "components[0].name", 7),
    ("component-number", app_text(components="    - name: 12\n      type: webservice\n"),
     "components[0].name", 7),
    ("component-dots", app_text(components="    - name: a.b\n      type: webservice\n"),
     "components[a.b].name", 7),
    ("policy", app_text(extra="", components="    - {name: web, type: webservice}\n  policies:\n"
                        "    - {name: \"../eu\", type: topology}\n"), "policies[../eu].name", 9),
    ("step", app_text(components="    - {name: web, type: webservice}\n  workflow:\n    steps:\n"
                      "      - {name: \"a b\", type: deploy}\n"), "workflow.steps[a b].name", 10),
    ("namespace", app_text(extra="  namespace: \"x\\ny\"\n"), "metadata.namespace", 5),
    ("app-map", app_text(name="{a: b}"), "metadata.name", 4),
]


@pytest.mark.parametrize(("text", "path", "line"), [n[1:] for n in NAMES], ids=[n[0] for n in NAMES])
def test_names_are_checked_where_they_enter(text: str, path: str, line: int) -> None:
    assert problems_of(text) == [("invalid-name", path, line)]


def test_standalone_policy_and_workflow_names_are_checked() -> None:
    policy = "apiVersion: core.oam.dev/v1alpha1\nkind: Policy\nmetadata: {name: \"eu\\u2028x\"}\ntype: topology\n"
    workflow = "apiVersion: core.oam.dev/v1alpha1\nkind: Workflow\nmetadata: {name: [x]}\nsteps: []\n"
    with pytest.raises(AppError) as caught:
        read_inputs([app_text(), policy, workflow])
    assert sorted(p.code for p in caught.value.problems) == ["invalid-name", "invalid-name"]


def test_topology_namespace_is_a_name() -> None:
    text = app_text(components="    - {name: web, type: webservice, properties: {image: x}}\n  policies:\n"
                    "    - {name: eu, type: topology, properties: {namespace: \"a\\nb\"}}\n"
                    "  workflow:\n    steps:\n      - {name: go, type: deploy, properties: {policies: [eu]}}\n")
    with pytest.raises(AppError) as caught:
        render(text)
    assert [(p.code, p.location.app_path) for p in caught.value.problems] == [
        ("invalid-name", "policies[eu].properties.namespace")]


# --- 2. comments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [f"a{b}kind: Secret" for b in BREAKS], ids=[f"{ord(b[0]):x}" for b in BREAKS])
def test_comment_text_stays_on_its_line(text: str) -> None:
    escaped = escape_comment(text)
    assert "\n" not in escaped and escaped.isprintable()
    assert both_readers(f"# {escaped}\na: 1\n") == ([{"a": 1}], [{"a": 1}])


def test_every_comment_of_the_stream_is_escaped() -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    objects = (RenderedObject(body, "web\u2028kind: Secret", None, None, "eu\nkind: Secret"),
               RenderedObject(body, "web\u2028kind: Secret", "trait\rkind: Secret", "extra", "eu\nkind: Secret"))
    result = RenderResult("shop\x85kind: Secret", objects)
    stream = yaml_stream(result)
    assert both_readers(stream) == ([body, body], [body, body])
    assert header("a\nb", objects[0]).count("\n") == 1


# --- 3. YAML in ----------------------------------------------------------------------------------


def bomb(levels: int) -> str:
    """Each level lists the previous one ten times: 10**levels strings from a few hundred bytes."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


LIMITS = [
    ("alias-bomb", bomb(7)),  # 10 million values; the code of 68ca62a walked them all
    ("alias-bomb-huge", bomb(12)),
    ("recursive-alias", "a: &x [1, *x]\n"),
    ("deep-flow", "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"),
    ("deep-block", "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 1)) + f"{'  ' * (MAX_DEPTH + 1)}x\n"),
    ("deep-900", "a: " + "[" * 900 + "]" * 900 + "\n"),
]


@pytest.mark.parametrize("text", [c[1] for c in LIMITS], ids=[c[0] for c in LIMITS])
def test_yaml_past_a_bound_is_refused(text: str) -> None:
    start = time.monotonic()
    with pytest.raises(AppError) as caught:
        parse_documents(text, "app.yaml")
    assert [p.code for p in caught.value.problems] == ["yaml-limit"]
    assert caught.value.problems[0].location.line is not None
    assert time.monotonic() - start < 30  # a guard against hanging, not a benchmark


def test_oversized_text_is_refused_before_parsing() -> None:
    with pytest.raises(AppError) as caught:
        parse_documents("#" * (MAX_TEXT_CHARS + 1))
    assert caught.value.problems[0].code == "yaml-limit"


VALUES = [
    ("date", "d: 2024-01-01", "an unquoted date"),
    ("timestamp", "d: 2024-01-01T10:00:00Z", "an unquoted date"),
    ("binary", "d: !!binary aGVsbG8=", "!!binary"),
    ("unknown-tag", "d: !foo x", "unsupported tag !foo"),
    ("python-tag", "d: !!python/object:os.system x", "unsupported tag"),
    ("set", "d: !!set {a, b}", "!!set"),
    ("omap", "d: !!omap [{a: 1}]", "!!omap"),
    ("complex-key", "? [a, b]\n        : 1", "cannot be a key"),
    ("map-key", "? {a: 1}\n        : 1", "cannot be a key"),
    ("nan", "d: .nan", "not a number JSON can hold"),
    ("inf", "d: -.inf", "not a number JSON can hold"),
    ("bad-int", "d: !!int abc", "cannot be read as !!int"),
]


@pytest.mark.parametrize(("value", "message"), [v[1:] for v in VALUES], ids=[v[0] for v in VALUES])
def test_values_that_are_not_plain_data_are_problems_with_path_and_line(value: str, message: str) -> None:
    text = app_text(components=f"    - name: web\n      type: webservice\n      properties:\n        {value}\n")
    with pytest.raises(AppError) as caught:
        parse_documents(text, "app.yaml")
    [problem] = caught.value.problems
    assert message in problem.message
    assert problem.location.app_path.startswith("components[web].properties.")
    assert problem.location.line == 10 and problem.location.file == "app.yaml"


SHAPES = [
    ("labels-list", app_text(extra="  labels: [a, b]\n"), "metadata.labels"),
    ("label-value-map", app_text(extra="  labels: {a: {b: c}}\n"), "metadata.labels.a"),
    ("annotations-string", app_text(extra="  annotations: text\n"), "metadata.annotations"),
    ("metadata-string", "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: shop\n"
     "spec: {components: [{name: web, type: webservice}]}\n", "metadata"),
    ("spec-list", "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: shop}\nspec: [a]\n",
     "spec"),
    ("components-map", app_text(components="    web: {type: webservice}\n"), "components"),
    ("depends-on-number", app_text(components="    - {name: web, type: webservice, dependsOn: 5}\n"),
     "components[web].dependsOn"),
    ("depends-on-maps", app_text(components="    - {name: web, type: webservice, dependsOn: [{a: 1}]}\n"),
     "components[web].dependsOn"),
    ("properties-list", app_text(components="    - {name: web, type: webservice, properties: [a]}\n"),
     "components[web].properties"),
    ("traits-map", app_text(components="    - {name: web, type: webservice, traits: {scaler: {}}}\n"),
     "components[web].traits"),
    ("traits-string", app_text(components="    - {name: web, type: webservice, traits: scaler}\n"),
     "components[web].traits"),
    ("trait-type-map", app_text(components="    - {name: web, type: webservice, traits: [{type: {a: 1}}]}\n"),
     "components[web].traits[0].type"),
    ("component-type-list", app_text(components="    - {name: web, type: [webservice]}\n"),
     "components[web].type"),
    ("policies-map", app_text(components="    - {name: web, type: webservice}\n  policies: {a: 1}\n"),
     "policies"),
    ("workflow-list", app_text(components="    - {name: web, type: webservice}\n  workflow: [a]\n"), "workflow"),
    ("steps-string", app_text(components="    - {name: web, type: webservice}\n  workflow: {steps: go}\n"),
     "workflow.steps"),
    ("workflow-ref-map", app_text(components="    - {name: web, type: webservice}\n  workflow: {ref: {a: 1}}\n"),
     "workflow.ref"),
]


@pytest.mark.parametrize(("text", "path"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_wrong_shapes_are_problems_with_path_and_line(text: str, path: str) -> None:
    found = problems_of(text)
    assert [p[1] for p in found] == [path]
    assert found[0][2] is not None and found[0][2] > 1 or path in ("metadata", "spec")


@pytest.mark.parametrize("version", ["core.oam.dev/v1alpha2", "core.oam.dev/v2", "apps/v1", None, 5],
                         ids=["v1alpha2", "v2", "apps", "missing", "number"])
def test_application_api_version_is_checked(version: Any) -> None:
    app = {"apiVersion": version, "kind": "Application", "metadata": {"name": "shop"},
           "spec": {"components": [{"name": "web", "type": "webservice", "properties": {"image": "x"}}]}}
    with pytest.raises(AppError) as caught:
        load_application(app)
    assert [(p.code, p.location.app_path) for p in caught.value.problems] == [("api-version", "apiVersion")]


@pytest.mark.parametrize("source", [
    {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": "x"},
     "spec": {"components": [{"name": "web", "type": "webservice", "properties": {"when": object()}}]}},
    {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": "x"},
     "spec": {"components": [{"name": "web", "type": "webservice", "properties": {"v": float("nan")}}]}},
    "a\x00b", "x" * 5000, "\u2028" * 10,
], ids=["object", "nan", "nul-text", "long-text", "separators"])
def test_library_raises_only_our_errors(source: Any) -> None:
    with pytest.raises(OamError):
        render(source)


def test_recursive_dict_is_refused() -> None:
    props: dict[str, Any] = {}
    props["self"] = props
    app = {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": "x"},
           "spec": {"components": [{"name": "web", "type": "webservice", "properties": props}]}}
    with pytest.raises(AppError) as caught:
        render(app)
    assert caught.value.problems[0].code == "yaml-limit"


# --- 4. YAML out ---------------------------------------------------------------------------------

# Strings some reader would take for something else: PyYAML (1.1), go-yaml v2 (kubectl) and v3/cue.
NOT_PLAIN = ["1e3", "1.5e3", "0o17", "1e-5", "0x1F", ".inf", "-.Inf", ".NaN", "yes", "no", "on", "off", "y",
             "N", "~", "null", "NULL", "true", "False", "1_000", "12:30:00", "2024-01-01", "2024-1-2",
             "2024-01-01T10:00:00Z", "0b101", "+1", "017", "1.", ".5", "=", "<<", ""]
STAYS_PLAIN = ["nginx:1.27", "web", "1.2.3", "v1", "a1e3", "x-1", "80/tcp", "on-call", "yes please", "0.0.0.0/0"]


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_strings_readers_would_retype_are_quoted(text: str) -> None:
    dumped = dump({"v": text})
    assert dumped in (f"v: '{text}'\n", f'v: "{text}"\n')
    assert both_readers(dumped) == ([{"v": text}], [{"v": text}])


@pytest.mark.parametrize("text", STAYS_PLAIN)
def test_plain_strings_stay_plain(text: str) -> None:
    assert dump({"v": text}) == f"v: {text}\n"


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), st.one_of(st.text(), st.lists(st.text(), max_size=3)), max_size=4))
def test_any_text_reads_back_the_same_in_both_yaml_versions(data: dict[str, Any]) -> None:
    assert both_readers(dump({"data": data})) == ([{"data": data}], [{"data": data}])


@pytest.mark.parametrize("namespace", ["bad\nns", "Bad_NS", "a" * 64, "", "-x"], ids=repr)
def test_a_namespace_option_must_be_a_kubernetes_name(namespace: str) -> None:
    from engine import AppError, RenderOptions

    with pytest.raises(AppError) as caught:
        RenderOptions(namespace=namespace)
    assert caught.value.problems[0].message.startswith("RenderOptions.namespace: ")
