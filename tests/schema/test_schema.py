"""Schema export (library and CLI), the checked-in schemas/, and validation before cue in a render."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import AppError, DefinitionError, DictLoader, OamError, export_schema, render
from engine.cli.main import run
from engine.cue.runner import Cue
from engine.definitions import bundled_loader, parse_cue_definition
from engine.errors import Fixer
from engine.schema.dialect import DRAFT_2020_12, OPENAPI_30
from engine.schema.store import CHECKER, FOLDERS, INDEX, SCHEMA_DIR, generate, stale_files
from tests.schema.test_schema_golden import check_dialect

STORED = sorted(SCHEMA_DIR.glob("*/*/*.json"))


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), io.StringIO(), out, err)
    return code, out.getvalue(), err.getvalue()


def app(components: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": "demo"},
            "spec": {"components": components}}


def web(name: str = "web", traits: list[dict[str, Any]] | None = None, **props: Any) -> dict[str, Any]:
    return {"name": name, "type": "webservice", "properties": {"image": "nginx:1.27", **props},
            "traits": traits or []}


def problems_of(source: dict[str, Any], **kwargs: Any) -> list[Any]:
    with pytest.raises(OamError) as caught:
        render(source, **kwargs)
    return list(caught.value.problems)


# --- the checked-in schemas ------------------------------------------------------------------


@pytest.mark.parametrize("path", STORED, ids=[str(p.relative_to(SCHEMA_DIR)) for p in STORED])
def test_stored_schema_passes_its_meta_schema(path: Path) -> None:
    folder = path.relative_to(SCHEMA_DIR).parts[0]
    check_dialect(json.loads(path.read_text()), DRAFT_2020_12 if folder == CHECKER else folder)


def test_stored_schemas_are_fresh() -> None:
    stale = stale_files(generate(Cue()))
    assert not stale, f"schemas/ is stale ({', '.join(stale[:5])}...): run `make schemas`"


def test_every_bundled_definition_has_a_schema_in_every_dialect() -> None:
    loader = bundled_loader()
    index = json.loads((SCHEMA_DIR / INDEX).read_text())
    for kind in ("component", "trait", "policy"):
        for name in loader.names(kind):
            assert f"{kind}/{name}" in index
            for folder in FOLDERS:
                assert (SCHEMA_DIR / folder / kind / f"{name}.json").is_file()


def test_stored_json_schema_dialects_carry_no_vendor_keywords() -> None:
    """Front ends take schemas/draft-07 and schemas/2020-12 as they are (a strict Ajv refuses
    unknown keywords); only OpenAPI 3.0, which allows `x-` extensions, and the checker's copy
    keep them."""
    with_vendor = {path.relative_to(SCHEMA_DIR).parts[0] for path in STORED if '"x-' in path.read_text()}
    assert with_vendor == {OPENAPI_30, CHECKER}


# --- library ---------------------------------------------------------------------------------


def test_export_schema_by_name_and_dialect() -> None:
    openapi = export_schema("gateway")
    assert "$schema" not in openapi and openapi["title"] == "gateway"
    assert openapi["properties"]["http"]["additionalProperties"] == {"type": "integer"}
    draft = export_schema("webservice", dialect="draft-07")
    assert draft["$schema"].startswith("http://json-schema.org/draft-07")
    assert draft["properties"]["livenessProbe"]["allOf"] == [{"$ref": "#/definitions/HealthProbe"}]
    assert "HealthProbe" in draft["definitions"]
    assert export_schema("scaler", dialect="2020-12")["properties"]["replicas"]["default"] == 1
    with pytest.raises(AppError, match="unknown schema dialect"):
        export_schema("scaler", dialect="draft-04")
    with pytest.raises(DefinitionError, match="no trait named 'nosuch'"):
        export_schema("nosuch", kind="trait")


def test_export_schema_of_a_definition_object_with_a_broken_template() -> None:
    broken = parse_cue_definition('b: {type: "trait"}\ntemplate: {\n\tparameter: {a: int & string}\n}\n')
    with pytest.raises(DefinitionError, match="cue def failed"):
        export_schema(broken)


# --- validation before cue -------------------------------------------------------------------


def test_violations_are_reported_with_app_paths_and_rules() -> None:
    bad = app([web(traits=[{"type": "gateway", "properties": {"http": {"/api": "eighty"}}}],
                   ports=[{"port": 80, "protocol": "ICMP"}]),
               {"name": "bare", "type": "webservice", "properties": {}}])
    found = {(p.location.app_path, p.message) for p in problems_of(bad)}
    assert ("components[web].traits[gateway].properties.http./api", 'must be of type integer, not "eighty"') in found
    assert ("components[web].properties.ports[0].protocol", 'must be one of ["TCP", "UDP", "SCTP"]') in found
    assert ("components[bare].properties.image", "required parameter is missing") in found


def test_schema_problems_are_for_the_app_author_and_not_sent_to_cue() -> None:
    problems = problems_of(app([web(exposeType="Internal")]))
    assert len(problems) == 1  # cue never sees the component: no second report of the same thing
    [problem] = problems
    assert problem.code == "schema" and problem.fixer is Fixer.APP
    assert problem.location.definition == "webservice" and problem.location.definition_kind == "component"


def test_other_components_still_render_so_every_error_is_found() -> None:
    scaler = {"type": "cpuscaler", "properties": {"min": 5, "max": 2}}  # valid by schema, refused by errs
    problems = problems_of(app([web("a", cpu=2), web("b", traits=[scaler])]))
    codes = {(p.location.app_path, p.code) for p in problems}
    assert ("components[a].properties.cpu", "schema") in codes
    assert ("components[b].traits[cpuscaler]", "errs") in codes


def test_conditional_requirement_names_its_condition() -> None:
    volume = {"name": "data", "mountPath": "/data", "type": "pvc"}
    problems = problems_of(app([web(volumes=[volume])]))
    assert [(p.location.app_path, p.message) for p in problems] == [
        ("components[web].properties.volumes[0].claimName", 'required parameter is missing (when type == "pvc")')]


def test_unknown_property_of_a_closed_struct() -> None:
    probe = {"httpGet": {"path": "/", "port": 80}, "timeout": 3}
    problems = problems_of(app([web(livenessProbe=probe)]))
    assert [p.location.app_path for p in problems] == ["components[web].properties.livenessProbe.timeout"]
    assert problems[0].message.startswith("is not an allowed property")


USER_TRAIT = '''{name}: {{
	type: "trait"
	attributes: appliesToWorkloads: ["*"]
}}
template: {{
	patch: metadata: labels: "{name}": parameter.value
	parameter: value: "a" | "b"
}}
'''


def test_bundled_schemas_cost_no_process_and_user_ones_one_in_all() -> None:
    assert render(app([web()])).stats.cue_processes == 1
    users = DictLoader([parse_cue_definition(USER_TRAIT.format(name=n), f"{n}.cue") for n in ("t1", "t2")])
    loader = DictLoader([*users.definitions, *(d for d in [bundled_loader().get("component", "webservice")] if d)])
    traits = [{"type": "t1", "properties": {"value": "a"}}, {"type": "t2", "properties": {"value": "b"}}]
    assert render(app([web(traits=traits)]), definitions=loader).stats.cue_processes == 2
    with pytest.raises(AppError) as caught:
        render(app([web(traits=[{"type": "t1", "properties": {"value": "c"}}])]), definitions=loader)
    assert [(p.location.app_path, p.message) for p in caught.value.problems] == [
        ("components[web].traits[t1].properties.value", 'must be one of ["a", "b"]')]


# --- CLI -------------------------------------------------------------------------------------


def test_cli_schema_dialects_and_configmap() -> None:
    code, out, _ = cli("schema", "scaler", "--dialect", "draft-07")
    assert code == 0 and json.loads(out)["properties"]["replicas"]["minimum"] == 0
    code, out, _ = cli("schema", "gateway", "--as-configmap")
    configmap = yaml.safe_load(out)
    assert code == 0 and configmap["metadata"]["name"] == "trait-schema-gateway"
    assert json.loads(configmap["data"]["openapi-v3-json-schema"])["title"] == "gateway"
    assert cli("schema", "nosuch")[0] == 1
    assert cli("schema", "scaler", "--dialect", "draft-04")[0] == 2


def test_cli_schema_of_a_local_file_and_all_to_a_folder(tmp_path: Path) -> None:
    source = tmp_path / "t9.cue"
    source.write_text(USER_TRAIT.format(name="t9"))
    code, out, _ = cli("schema", str(source), "--dialect", "2020-12")
    assert code == 0 and json.loads(out)["properties"]["value"]["enum"] == ["a", "b"]
    code, _, err = cli("schema", "--all", "-d", str(source), "--output-dir", str(tmp_path / "out"))
    assert code == 0 and "wrote" in err
    assert (tmp_path / "out" / "openapi-3.0" / "trait" / "t9.json").is_file()
    assert (tmp_path / "out" / "draft-07" / "component" / "webservice.json").is_file()
