"""Exported JSON Schemas in the front-end tools, run by Node: Ajv in strict mode takes them as
they are; react-jsonschema-form and JSON Forms (with the exported UI schema) draw every field
of every bundled definition without a console message; and Ajv gives cue's verdict on a valid
and an invalid instance of each. The Node packages are pinned in tests/schema/forms/package-lock.json and installed
by `make forms-deps` (or here, with `npm ci`, when missing)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from typing import Any

import pytest

from engine import contract
from engine.cli.main import run
from engine.cue.runner import Cue
from engine.definitions import default_loader, parse_definition_file
from engine.schema.dialect import DRAFT_07, DRAFT_2020_12
from engine.schema.export import export_schemas
from engine.schema.forms import to_form
from engine.schema.store import SCHEMA_DIR, all_definitions, relative_path
from engine.schema.uischema import ui_schema
from tests.schema.test_agreement import Case, _judge, draw, mutations
from tests.support import TESTS

FORMS = TESTS / "schema" / "forms"


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary, with the pinned packages installed next to the scripts."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not on PATH: the form-builder checks run in Node (`make forms-deps`)")
    if not (FORMS / "node_modules" / ".package-lock.json").is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not on PATH to install the form-builder packages (`make forms-deps`)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FORMS, check=True, capture_output=True)
    return found


def run_node(node: str, script: str, payload: Any) -> Any:
    done = subprocess.run([node, script], cwd=FORMS, input=json.dumps(payload), capture_output=True,
                          text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def json_schemas() -> dict[str, Any]:
    """Every bundled definition's schema in both JSON Schema dialects, as exported by default."""
    definitions = all_definitions(default_loader())
    cue = Cue()
    return {f"{dialect} {kind}/{name}": schema
            for dialect in (DRAFT_07, DRAFT_2020_12)
            for (kind, name), schema in export_schemas(definitions, dialect=dialect, cue=cue).items()}


@pytest.mark.needs_cue
def test_json_schema_dialects_compile_in_ajv_strict_mode(node: str, json_schemas: dict[str, Any]) -> None:
    """The default exports, and the checked-in schemas/draft-07 and schemas/2020-12 as they are."""
    stored = {str(path.relative_to(SCHEMA_DIR)): json.loads(path.read_text(encoding="utf-8"))
              for dialect in (DRAFT_07, DRAFT_2020_12) for path in sorted((SCHEMA_DIR / dialect).glob("*/*.json"))}
    assert len(json_schemas) > 40 and len(stored) == len(json_schemas)
    assert run_node(node, "strict.mjs", {"schemas": {**json_schemas, **stored}}) == {}


@pytest.mark.needs_cue
def test_vendor_keywords_only_on_request(json_schemas: dict[str, Any]) -> None:
    text = json.dumps(json_schemas)
    assert '"x-' not in text
    definitions = [d for d in all_definitions(default_loader()) if d.name == "webservice"]
    kept = export_schemas(definitions, dialect=DRAFT_2020_12, vendor_keywords=True)
    assert '"x-oam-hidden"' in json.dumps(list(kept.values()))


@pytest.mark.needs_cue
def test_form_builders_draw_every_field(node: str) -> None:
    """Every bundled definition, and the golden schema cases' (tuples, unions of plain values,
    maps of a key pattern, conditional fields in list items, which no bundled one has)."""
    definitions = all_definitions(default_loader())
    definitions += [parse_definition_file(next(case.glob("definition.*")))[0]
                    for case in sorted((TESTS / "golden-schema").iterdir())]
    cases = {}
    for (kind, name), schema in export_schemas(definitions, dialect=DRAFT_07, form=True).items():
        cases[f"{kind}/{name}"] = {"schema": schema, "uischema": ui_schema(schema), "data": {}}
        cases[f"{kind}/{name} filled"] = {"schema": schema, "uischema": ui_schema(schema), "data": _filled(schema)}
    report = run_node(node, "render.mjs", {"cases": cases})
    assert set(report) == set(cases)
    for key, found in report.items():
        assert found["rjsf"] == {"messages": [], "undrawn": []}, key
        assert found["jsonforms"] == {"messages": [], "unclaimed": [], "noRenderer": False, "absent": []}, key
    # The maps (labels, a gateway's http paths, the annotations trait's whole parameter) are
    # among them, as lists of key/value entries; and a chart's values as YAML text.
    layouts = {key: json.dumps(case["uischema"]) for key, case in cases.items()}
    assert cases["trait/gateway filled"]["data"]["http"] == [{"key": "x", "value": 1}]
    assert '"scope": "#"' in layouts["trait/annotations"]
    assert cases["trait/gateway"]["schema"]["properties"]["http"]["type"] == "array"
    assert '"multi": true' in layouts["component/helmchart"]


def _filled(schema: Any) -> Any:
    """Form data that sets every field (the first form of a union, one entry in every list):
    so that renderers draw the fields of list items and map entries too."""
    if not isinstance(schema, dict):
        return None
    for keyword in ("anyOf", "oneOf"):
        if schema.get(keyword):
            return _filled({**schema[keyword][0], **{k: v for k, v in schema.items() if k != keyword}})
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if "enum" in schema or "const" in schema:
        return schema.get("const", (schema.get("enum") or [None])[0])
    if kind == "object" or "properties" in schema:
        return {name: _filled(sub) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [_filled(schema.get("items"))]
    return {"string": "x", "integer": 1, "number": 1.5, "boolean": True}.get(str(kind))


def test_ui_schema_places_every_field() -> None:
    schema = {"type": "object", "properties": {
        "a": {"type": "string"}, "b/c": {"type": "integer"},
        "probe": {"$ref": "#/$defs/P"}, "map": {"type": "object", "additionalProperties": {"type": "string"}}},
        "$defs": {"P": {"type": "object", "properties": {"port": {"type": "integer"}}}}}
    assert ui_schema(schema) == {"type": "VerticalLayout", "elements": [
        {"type": "Control", "scope": "#/properties/a"},
        {"type": "Control", "scope": "#/properties/b~1c"},
        {"type": "Group", "label": "probe",
         "elements": [{"type": "Control", "scope": "#/properties/probe/properties/port"}]},
        {"type": "Control", "scope": "#/properties/map"}]}


def _verdict_cases() -> list[Case]:
    """Per bundled component, trait and policy: a few instances drawn from its schema and a
    few mutations the schema rejects (as the agreement test makes them)."""
    cases: list[Case] = []
    for definition in all_definitions(default_loader()):
        if definition.kind not in (contract.KIND_COMPONENT, contract.KIND_TRAIT, contract.KIND_POLICY):
            continue
        path = SCHEMA_DIR / relative_path(DRAFT_07, definition.kind, definition.name)
        schema = json.loads(path.read_text(encoding="utf-8"))
        drawn = draw(schema, 3)[:2]
        cases += [Case(definition, value, True, "drawn") for value in drawn]
        broken = [value for value in drawn for _, value in mutations(schema, value, schema)]
        cases += [Case(definition, value, False, "mutated") for value in broken[:2]]
    return cases


@pytest.mark.needs_cue
def test_ajv_gives_cues_verdict(node: str) -> None:
    cases = _verdict_cases()
    _judge(cases)
    # Instances cue rejects by a rule beyond the schema (a template's own checks) say nothing here.
    cases = [c for c in cases if not c.rules]
    definitions = sorted({(c.definition.kind, c.definition.name) for c in cases})
    exported = {(dialect, form): export_schemas([c.definition for c in cases], dialect=dialect, form=form)
                for dialect in (DRAFT_07, DRAFT_2020_12) for form in (False, True)}
    checks = [{"schema": schemas[(c.definition.kind, c.definition.name)], "dialect": dialect, "form": form,
               "instance": to_form(schemas[(c.definition.kind, c.definition.name)], c.properties) if form
               else c.properties, "case": index}
              for (dialect, form), schemas in exported.items() for index, c in enumerate(cases)]
    verdicts = run_node(node, "validate.mjs", {"checks": checks})
    wrong = [(checks[i]["dialect"], checks[i]["form"], cases[checks[i]["case"]].definition.name,
              cases[checks[i]["case"]].properties, cases[checks[i]["case"]].problems)
             for i, accepted in enumerate(verdicts) if accepted != (not cases[checks[i]["case"]].problems)]
    assert wrong == []
    assert len(definitions) > 30
    assert any(c.problems for c in cases) and any(not c.problems for c in cases)


@pytest.mark.needs_cue
def test_cli_ui_schema_form_and_vendor_keywords() -> None:
    def cli(*argv: str) -> Any:
        out, err = io.StringIO(), io.StringIO()
        assert run(list(argv), stdin=io.StringIO(), stdout=out, stderr=err) == 0, err.getvalue()
        return json.loads(out.getvalue())

    layout = cli("schema", "webservice", "--ui-schema")
    groups = {e["label"]: e for e in layout["elements"] if e["type"] == "Group"}
    assert {"limit", "volumeMounts", "livenessProbe"} <= set(groups)
    assert {"type": "Control", "scope": "#/properties/labels"} in layout["elements"]
    form = cli("schema", "webservice", "--dialect", "draft-07", "--form")
    assert "$ref" not in json.dumps(form) and "definitions" not in form
    assert '"x-' not in json.dumps(cli("schema", "webservice", "--dialect", "2020-12"))
    assert '"x-oam-hidden"' in json.dumps(cli("schema", "webservice", "--dialect", "2020-12", "--vendor-keywords"))
    assert '"x-oam-hidden"' in json.dumps(cli("schema", "webservice"))  # OpenAPI 3.0 keeps them


def test_ui_schema_places_the_fields_of_each_form_of_a_union_and_of_list_items() -> None:
    one = {"type": "object", "properties": {"image": {"type": "string"}}}
    many = {"type": "object", "properties": {"containers": {"type": "array", "items": {
        "type": "object", "properties": {"name": {"type": "string"}, "env": {"type": "array", "items": {
            "type": "object", "properties": {"name": {"type": "string"}, "value": {"type": "string"}}}}}}}}}
    layout = ui_schema({"title": "patch", "type": "object", "anyOf": [one, many]})
    first, second = layout["elements"]
    assert first == {"type": "Group", "label": "patch (form 1)",
                     "elements": [{"type": "Control", "scope": "#/anyOf/0/properties/image"}]}
    [containers] = second["elements"]
    assert containers["scope"] == "#/anyOf/1/properties/containers"
    # An item with a list of its own gets a detail layout; env's items are plain: a table.
    assert containers["options"]["detail"]["elements"] == [
        {"type": "Control", "scope": "#/properties/name"}, {"type": "Control", "scope": "#/properties/env"}]


@pytest.mark.needs_cue
def test_cli_from_form_prints_the_properties_or_every_problem(tmp_path: Any) -> None:
    def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
        return code, out.getvalue(), err.getvalue()

    data = {"image": "nginx:1.27", "labels": [{"key": "tier", "value": "web"}]}
    code, out, _ = cli("schema", "webservice", "--from-form", "-", stdin=json.dumps(data))
    assert code == 0 and out == "image: nginx:1.27\nlabels:\n  tier: web\n"
    (tmp_path / "form.yaml").write_text("values: |\n  replicaCount: 2\n")
    code, out, _ = cli("schema", "helmchart", "--from-form", str(tmp_path / "form.yaml"))
    assert code == 0 and out == "values:\n  replicaCount: 2\n"
    bad = {"labels": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}, {"value": "x"}]}
    code, out, err = cli("schema", "webservice", "--from-form", "-", stdin=json.dumps(bad))
    assert code == 1 and out == ""
    assert "properties.labels[1].key: the key 'a' is given twice" in err
    assert "properties.labels[2].key: an entry needs a key" in err
