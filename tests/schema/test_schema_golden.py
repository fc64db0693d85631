"""Golden schema and docs cases: one folder per case under tests/golden-schema.

A case folder holds one definition file (`definition.cue` or `definition.yaml`) and the
expected outputs: the schema in each dialect (`openapi-3.0.json`, `draft-07.json`,
`2020-12.json`), the Markdown reference (`docs.md`) and the terminal tables (`show.txt`).
All cases are exported in one cue process. `pytest --update-golden` rewrites the outputs.
Every schema is also checked against its dialect's meta-schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from deepdiff import DeepDiff
from openapi_spec_validator import validate as validate_openapi

from engine.cue.runner import Cue
from engine.definitions import parse_definition_file
from engine.model import Definition
from engine.schema.dialect import DIALECTS, DRAFT_07, DRAFT_2020_12, OPENAPI_30
from engine.schema.docs import markdown, table
from engine.schema.export import canonical_schemas, finish
from tests.support import TESTS

GOLDEN = TESTS / "golden-schema"
CASES = sorted(p for p in GOLDEN.iterdir() if p.is_dir() and any(p.glob("definition.*")))
_VALIDATORS = {DRAFT_07: jsonschema.Draft7Validator, DRAFT_2020_12: jsonschema.Draft202012Validator}


def check_dialect(schema: dict[str, Any], dialect: str) -> None:
    """Raise if `schema` is not a valid schema of `dialect`."""
    if dialect == OPENAPI_30:
        document = {"openapi": "3.0.3", "info": {"title": "parameters", "version": "1"}, "paths": {},
                    "components": {"schemas": {"parameter": schema}}}
        validate_openapi(document)
    else:
        _VALIDATORS[dialect].check_schema(schema)


def _definition(case: Path) -> Definition:
    [source] = sorted(case.glob("definition.*"))
    [definition] = parse_definition_file(source)
    return definition


@pytest.fixture(scope="module")
def exported() -> dict[str, tuple[Definition, dict[str, Any]]]:
    definitions = [_definition(case) for case in CASES]
    found, problems = canonical_schemas(definitions, Cue())
    assert not problems, [str(p) for p in problems]
    return {case.name: (d, found[i]) for i, (case, d) in enumerate(zip(CASES, definitions, strict=True))}


def _outputs(definition: Definition, canonical: dict[str, Any]) -> dict[str, str]:
    files = {f"{dialect}.json": json.dumps(finish(definition, canonical, dialect), indent=2, ensure_ascii=False) + "\n"
             for dialect in DIALECTS}
    reference = finish(definition, canonical, DRAFT_2020_12)
    files["docs.md"] = markdown(definition, reference)
    files["show.txt"] = table(definition, reference)
    return files


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_schema(case: Path, exported: dict[str, tuple[Definition, dict[str, Any]]],
                       update_golden: bool) -> None:
    definition, canonical = exported[case.name]
    actual = _outputs(definition, canonical)
    for dialect in DIALECTS:
        check_dialect(json.loads(actual[f"{dialect}.json"]), dialect)
    if update_golden:
        for name, text in actual.items():
            (case / name).write_text(text, encoding="utf-8")
        return
    for name, text in actual.items():
        expected_file = case / name
        assert expected_file.is_file(), f"{case.name}/{name} missing; run pytest --update-golden and review it"
        expected = expected_file.read_text(encoding="utf-8")
        if name.endswith(".json"):
            diff = DeepDiff(json.loads(expected), json.loads(text), ignore_order=False)
            assert not diff, f"{case.name}/{name} differs:\n{diff.pretty()}"
        else:
            assert text == expected, f"{case.name}/{name} differs from what the exporter writes now"
