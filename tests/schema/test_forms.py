"""Exported JSON Schemas in the front-end tools, run by Node: Ajv in strict mode takes them as
they are. The Node packages are pinned in tests/schema/forms/package-lock.json and installed
by `make forms-deps` (or here, with `npm ci`, when missing)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from engine.cue.runner import Cue
from engine.definitions import default_loader
from engine.schema.dialect import DRAFT_07, DRAFT_2020_12
from engine.schema.export import export_schemas
from engine.schema.store import all_definitions
from tests.support import TESTS

FORMS = TESTS / "schema" / "forms"
pytestmark = pytest.mark.needs_cue


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


def test_json_schema_dialects_compile_in_ajv_strict_mode(node: str, json_schemas: dict[str, Any]) -> None:
    assert len(json_schemas) > 40
    assert run_node(node, "strict.mjs", {"schemas": json_schemas}) == {}


def test_vendor_keywords_only_on_request(json_schemas: dict[str, Any]) -> None:
    text = json.dumps(json_schemas)
    assert '"x-' not in text
    definitions = [d for d in all_definitions(default_loader()) if d.name == "webservice"]
    kept = export_schemas(definitions, dialect=DRAFT_2020_12, vendor_keywords=True)
    assert '"x-oam-hidden"' in json.dumps(list(kept.values()))
