"""The form shape of exported schemas (maps as key/value entries, free-form values as YAML
text) and the way between properties and form data: `to_form` and `from_form`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine import AppError, DictLoader, export_schema, from_form, render, to_form, ui_schema
from engine.definitions import default_loader, parse_definition_file
from engine.schema.dialect import DRAFT_07, DRAFT_2020_12
from engine.schema.export import export_schemas
from engine.schema.forms import MAP_ENTRIES, YAML_TEXT, form_shape
from engine.schema.store import SCHEMA_DIR, all_definitions, relative_path
from tests.schema.test_agreement import draw
from tests.support import TESTS

# --- the shape (pure) ------------------------------------------------------------------------


def test_a_map_becomes_a_list_of_entries_and_a_free_value_yaml_text() -> None:
    schema = {"type": "object", "properties": {
        "labels": {"title": "labels", "type": "object", "additionalProperties": {"type": "string"},
                   "propertyNames": {"pattern": "^[a-z]+$"}, "maxProperties": 3, "default": {"a": "b"}},
        "values": {"title": "values", "type": "object", "additionalProperties": True, "default": {}},
        "value": {"description": "any value"},
        "command": {"anyOf": [{"type": "null"}, {"type": "array", "items": {"type": "string"}}], "default": None},
        "fixed": {"type": "object", "properties": {"a": {"type": "string"}}}}}
    shaped = form_shape(schema)["properties"]
    assert shaped["labels"] == {
        "title": "labels", "type": "array", "$comment": MAP_ENTRIES, "maxItems": 3,
        "default": [{"key": "a", "value": "b"}],
        "items": {"type": "object", "required": ["key", "value"], "additionalProperties": False, "properties": {
            "key": {"pattern": "^[a-z]+$", "title": "key", "type": "string"},
            "value": {"title": "value", "type": "string"}}}}
    assert shaped["values"] == {"title": "values", "type": "string", "$comment": YAML_TEXT, "default": "{}\n"}
    assert shaped["value"] == {"description": "any value", "type": "string", "$comment": YAML_TEXT}
    assert shaped["command"] == {"type": ["array", "null"], "items": {"type": "string"}, "default": None}
    assert shaped["fixed"] == schema["properties"]["fixed"]


def test_a_union_of_objects_says_it_is_an_object() -> None:
    union = {"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}},
                       {"type": "object", "properties": {"b": {"type": "string"}}}]}
    assert form_shape(union)["type"] == "object"
    assert "type" not in form_shape({"anyOf": [{"type": "string"}, {"type": "object"}]})


def test_round_trip_in_nested_places() -> None:
    entry = {"type": "object", "properties": {"value": {"type": "integer"}}}
    schema = form_shape({"type": "object", "properties": {
        "rules": {"type": "array", "items": {"type": "object", "properties": {
            "ports": {"type": "object", "additionalProperties": entry},
            "extra": {"type": "object"}}}}}})
    properties = {"rules": [{"ports": {"http": {"value": 80}, "https": {"value": 443}},
                             "extra": {"k": [1, {"deep": None}], "s": "yes"}}]}
    data = to_form(schema, properties)
    assert data == {"rules": [{"ports": [{"key": "http", "value": {"value": 80}},
                                         {"key": "https", "value": {"value": 443}}],
                               "extra": "k:\n- 1\n- deep: null\ns: 'yes'\n"}]}
    assert from_form(schema, data) == properties
    assert properties["rules"][0]["ports"] == {"http": {"value": 80}, "https": {"value": 443}}  # not changed


def test_form_data_problems_are_all_reported_with_their_paths() -> None:
    schema = form_shape({"type": "object", "properties": {
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "values": {"type": "object"},
        "more": {"type": "object"}}})
    data = {"labels": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}, {"value": "x"}, "a=b",
                       {"key": "b"}],
            "values": "a: [1,\n", "more": "---\na: 1\n---\nb: 2\n"}
    with pytest.raises(AppError) as caught:
        from_form(schema, data, app_path="components[web].properties")
    found = {(p.location.app_path, p.code) for p in caught.value.problems}
    assert found == {("components[web].properties.labels[1].key", "form-data"),
                     ("components[web].properties.labels[2].key", "form-data"),
                     ("components[web].properties.labels[3]", "form-data"),
                     ("components[web].properties.labels[4].value", "form-data"),
                     ("components[web].properties.values", "form-data"),
                     ("components[web].properties.more", "form-data")}
    assert "given twice (also in entry 0)" in str(caught.value)


def test_yaml_text_is_read_as_plain_data_and_empty_text_leaves_the_field_out() -> None:
    schema = form_shape({"type": "object", "properties": {"values": {"type": "object"}, "n": {"type": "integer"}}})
    assert from_form(schema, {"values": "  \n", "n": 1}) == {"n": 1}
    with pytest.raises(AppError, match="properties.values: YAML text"):
        from_form(schema, {"values": "a: !!python/object:os.system x\n"})
    assert from_form(schema, {"values": "port: '80'\nlist: [a, b]\n"}) == {"values": {"port": "80", "list": ["a", "b"]}}


def test_a_schema_without_marks_leaves_data_as_it_is() -> None:
    schema = {"type": "object", "properties": {"labels": {"type": "array", "items": {"type": "object"}}}}
    data = {"labels": [{"key": "a", "value": "b"}]}
    assert from_form(schema, data) == data and to_form(schema, data) == data


# --- bundled definitions, with cue ------------------------------------------------------------


@pytest.mark.needs_cue
def test_every_bundled_definition_round_trips_drawn_instances() -> None:
    """Properties drawn from each checked-in schema (and each golden schema case's) survive
    to_form and from_form unchanged, in both JSON Schema dialects' form shape."""
    subjects = [(d, SCHEMA_DIR / relative_path(DRAFT_07, d.kind, d.name))
                for d in all_definitions(default_loader()) if d.kind != "workflow-step"]
    subjects += [(parse_definition_file(next(case.glob("definition.*")))[0], case / "draft-07.json")
                 for case in sorted((TESTS / "golden-schema").iterdir())]
    definitions = [d for d, _ in subjects]
    forms = {dialect: export_schemas(definitions, dialect=dialect, form=True) for dialect in (DRAFT_07, DRAFT_2020_12)}
    checked = 0
    for definition, path in subjects:
        stored = json.loads(path.read_text())
        for properties in draw(stored, 4):
            for shapes in forms.values():
                form = shapes[(definition.kind, definition.name)]
                data = to_form(form, properties)
                assert json.loads(json.dumps(data)) == data  # JSON, as a form posts it
                assert from_form(form, data) == properties, definition.name
                checked += 1
    assert checked > 200


@pytest.mark.needs_cue
def test_form_data_renders_the_same_objects() -> None:
    """What a user types in the form (entries, YAML text) renders as the properties would."""
    form = export_schema("webservice", dialect="draft-07", form=True)
    data = {"image": "nginx:1.27", "labels": [{"key": "tier", "value": "web"}],
            "annotations": [{"key": "note", "value": "yes"}], "ports": [{"port": 80, "expose": True}]}
    properties = from_form(form, data)
    assert properties["labels"] == {"tier": "web"} and properties["annotations"] == {"note": "yes"}

    def objects(props: dict[str, Any]) -> list[dict[str, Any]]:
        app = {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": "shop"},
               "spec": {"components": [{"name": "web", "type": "webservice", "properties": props}]}}
        return [o.body for o in render(app).objects]

    rendered = objects(properties)
    assert rendered == objects({"image": "nginx:1.27", "labels": {"tier": "web"}, "annotations": {"note": "yes"},
                                "ports": [{"port": 80, "expose": True}]})
    assert rendered[0]["spec"]["template"]["metadata"]["labels"]["tier"] == "web"


@pytest.mark.needs_cue
def test_a_user_definition_with_a_map_of_objects_inside_a_list() -> None:
    template = """router: {
    type: "component"
    attributes: workload: definition: {apiVersion: "v1", kind: "ConfigMap"}
}
template: {
    output: {apiVersion: "v1", kind: "ConfigMap", data: n: "\\(len(parameter.routes))"}
    parameter: {
        // +usage=Routes, each with its backends by name
        routes: [...{
            path: string
            backends: [string]: {port: int, weight: *1 | int}
        }]
        // +usage=Anything for the chart
        extra?: {...}
    }
}
"""
    loader = DictLoader({"router.cue": template})
    form = export_schema("router", dialect="2020-12", form=True, definitions=loader)
    backends = form["properties"]["routes"]["items"]["properties"]["backends"]
    assert backends["$comment"] == MAP_ENTRIES and backends["type"] == "array"
    assert form["properties"]["extra"]["$comment"] == YAML_TEXT
    layout = ui_schema(form)
    [routes] = [e for e in layout["elements"] if e.get("scope") == "#/properties/routes"]
    detail = routes["options"]["detail"]["elements"]
    assert {"type": "Control", "scope": "#/properties/path"} in detail
    assert [e["scope"] for e in detail if e.get("scope") == "#/properties/backends"] == ["#/properties/backends"]
    properties = {"routes": [{"path": "/", "backends": {"a": {"port": 80, "weight": 2}}}], "extra": {"x": [1]}}
    assert from_form(form, to_form(form, properties)) == properties


def test_a_free_value_reads_as_the_yaml_a_user_would_type() -> None:
    schema = form_shape({"type": "object", "properties": {"v": {"description": "any value"}}})
    texts = {value: to_form(schema, {"v": value})["v"] for value in ("abc", 5, "yes", "a\nb")}
    assert texts == {"abc": "abc\n", 5: "5\n", "yes": "'yes'\n", "a\nb": "|-\n  a\n  b\n"}
    assert all(from_form(schema, {"v": text}) == {"v": value} for value, text in texts.items())


def test_deep_data_past_the_schema_is_left_as_it_is() -> None:
    """Form data nested far deeper than the schema describes (a hostile post) is neither walked
    nor a RecursionError: it goes back as given, for the render to judge."""
    schema = form_shape({"type": "object", "properties": {"extra": {"type": "array", "items": {"type": "object"}}}})
    deep: Any = "x"
    for _ in range(100_000):
        deep = [deep]
    assert from_form(schema, {"extra": [{"a": deep}]})["extra"][0]["a"] is deep
    assert to_form(schema, {"other": deep})["other"] is deep


def test_tuples_unions_of_plain_values_and_pattern_maps() -> None:
    shaped = form_shape({"type": "object", "properties": {
        "pair": {"title": "pair", "type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
        "mode": {"title": "mode", "anyOf": [{"type": "string", "const": "auto"}, {"type": "integer"}]},
        "size": {"anyOf": [{"const": "small"}, {"const": "large"}]},
        "headers": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}},
        "both": {"type": "object", "patternProperties": {"^a": {"type": "integer"}, "^b": {"type": "string"}}}}})
    props = shaped["properties"]
    assert props["pair"] == {"title": "pair", "type": "string", "$comment": YAML_TEXT}
    assert props["mode"] == {"title": "mode", "type": "string", "$comment": YAML_TEXT}
    assert "anyOf" in props["size"]  # one type: a select, not text
    assert props["headers"]["items"]["properties"]["key"] == {"title": "key", "type": "string", "pattern": "^x-"}
    assert props["both"]["type"] == "object"  # two patterns: no one value type for an entry
    data = to_form(shaped, {"pair": ["a", 1], "mode": 8080, "headers": {"x-a": "1"}})
    assert data == {"pair": "- a\n- 1\n", "mode": "8080\n", "headers": [{"key": "x-a", "value": "1"}]}
    assert from_form(shaped, {**data, "mode": "auto"}) == {"pair": ["a", 1], "mode": "auto", "headers": {"x-a": "1"}}


@pytest.mark.needs_cue
def test_the_text_of_an_int_or_string_field_is_the_number_it_spells() -> None:
    """A form draws `port: int | string` as a text field: `8080` typed there is the port
    number (a numeric string is no port name in Kubernetes), `http` a named port."""
    form = export_schema("startup-probe", dialect="draft-07", form=True, kind="trait")
    assert from_form(form, {"tcpSocket": {"port": "8080"}}) == {"tcpSocket": {"port": 8080}}
    assert from_form(form, {"tcpSocket": {"port": "http"}}) == {"tcpSocket": {"port": "http"}}
    resources = export_schema("resource", dialect="draft-07", form=True, kind="trait")
    assert from_form(resources, {"cpu": "0.5", "memory": "1Gi"}) == {"cpu": 0.5, "memory": "1Gi"}
    assert from_form(resources, {"cpu": "500m"}) == {"cpu": "500m"}
