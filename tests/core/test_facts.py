"""Definition facts are computed once per file content: in memory, on disk, and only for what is used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import contract
from engine.cache import Store
from engine.cue.syntax import template_facts
from engine.cue.syntax.facts import COUNTS as TEMPLATE_COUNTS
from engine.definitions import BUNDLED_DIR, DirectoryLoader, bundled_loader, parse_definition_file
from engine.facts import COUNTS, NAMESPACE, DefinitionFacts, forget, from_json, to_json

BUNDLED = sorted(BUNDLED_DIR.rglob("*.cue"))

TRAIT = """\
{name}: {{
	type: "trait"
	description: "a test trait"
	attributes: appliesToWorkloads: ["*"]
}}
template: {{
	// +patchStrategy=retainKeys
	patch: spec: {{
		// +patchKey=name
		containers: [...{{name: string}}]
		replicas: parameter.replicas
	}}
	parameter: replicas: *1 | int
}}
"""


@pytest.fixture(autouse=True)
def _cold() -> None:
    forget()


@pytest.mark.parametrize("path", BUNDLED, ids=[str(p.relative_to(BUNDLED_DIR)) for p in BUNDLED])
def test_bundled_file_names_are_definition_names(path: Path) -> None:
    """The bundled loader finds `<kind>/<name>.cue` without reading any other file."""
    (definition,) = parse_definition_file(path)
    assert (definition.kind, definition.name) == (path.parent.name, path.stem)


def test_a_lookup_reads_only_the_file_it_needs() -> None:
    before = COUNTS.parsed
    found = bundled_loader().get(contract.KIND_COMPONENT, "webservice")
    assert found is not None and found.source == str(BUNDLED_DIR / "component" / "webservice.cue")
    assert COUNTS.parsed - before == 1


def test_a_name_the_bundled_folder_lacks_reads_no_file() -> None:
    """The render cache looks each type name up under every kind: a miss costs no parse."""
    before = COUNTS.parsed
    assert bundled_loader().get(contract.KIND_TRAIT, "webservice") is None
    assert COUNTS.parsed - before == 0


def test_user_folder_names_that_differ_from_file_names(tmp_path: Path) -> None:
    (tmp_path / "a.cue").write_text(TRAIT.format(name="grow"))
    (tmp_path / "b.cue").write_text(TRAIT.format(name="shrink"))
    (tmp_path / "c.cue").write_text("not: a definition")
    loader = DirectoryLoader([tmp_path])
    before = COUNTS.parsed
    found = loader.get(contract.KIND_TRAIT, "shrink")
    assert found is not None and found.source == str(tmp_path / "b.cue")
    assert COUNTS.parsed - before == 1  # a.cue and c.cue do not spell the name: not parsed
    assert loader.get(contract.KIND_TRAIT, "nothing") is None
    assert loader.names(contract.KIND_TRAIT) == ["grow", "shrink"]
    assert [p.location.file for p in loader.broken()] == [str(tmp_path / "c.cue")]


def test_the_first_file_holding_a_name_wins(tmp_path: Path) -> None:
    (tmp_path / "a.cue").write_text(TRAIT.format(name="grow"))
    (tmp_path / "b.cue").write_text(TRAIT.format(name="grow").replace("a test trait", "later"))
    found = DirectoryLoader([tmp_path]).get(contract.KIND_TRAIT, "grow")
    assert found is not None and found.description == "a test trait"


def test_facts_come_from_the_disk_cache_equal_to_a_fresh_read(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = {(d.kind, d.name): d for path in BUNDLED for d in parse_definition_file(path)}
    loader = DirectoryLoader([BUNDLED_DIR], cache)
    first = {(d.kind, d.name): d for kind in ("component", "trait", "policy") for d in _all(loader, kind)}
    assert first == fresh
    forget()
    parses, templates, hits = COUNTS.parsed, TEMPLATE_COUNTS.template_parses, COUNTS.disk_hits
    again = DirectoryLoader([BUNDLED_DIR], cache)
    second = {(d.kind, d.name): d for kind in ("component", "trait", "policy") for d in _all(again, kind)}
    assert second == fresh
    assert (COUNTS.parsed - parses, TEMPLATE_COUNTS.template_parses - templates) == (0, 0)
    assert COUNTS.disk_hits - hits == len(BUNDLED)
    # The template facts came with them: reading them parses nothing.
    scaler = fresh[("trait", "scaler")]
    assert template_facts(scaler.template).markers["replicas"][0][1:] == ("patchStrategy", "retainKeys")
    assert TEMPLATE_COUNTS.template_parses == templates


def _all(loader: DirectoryLoader, kind: str) -> list:  # type: ignore[type-arg]
    return [d for name in loader.names(kind) if (d := loader.get(kind, name)) is not None]


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "grow.cue").write_text(TRAIT.format(name="grow"))
    cache = tmp_path / "cache"
    assert DirectoryLoader([tmp_path / "defs"], cache).get("trait", "grow") is not None
    (entry,) = Store(cache).entries(NAMESPACE)
    for garbage in (b"{not json", b'{"key": "other", "value": []}', b'{"key": "%s", "value": [{"x": 1}]}'
                    % entry.stem.encode(), b"\xff\xfe"):
        entry.write_bytes(garbage)
        forget()
        before = COUNTS.parsed
        found = DirectoryLoader([tmp_path / "defs"], cache).get("trait", "grow")
        assert found is not None and found.name == "grow"
        assert COUNTS.parsed - before == 1
        assert json.loads(entry.read_text())["key"] == entry.stem  # rewritten whole


def test_changed_content_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "grow.cue"
    path.write_text(TRAIT.format(name="grow"))
    assert DirectoryLoader([path], tmp_path / "cache").get("trait", "grow") is not None
    path.write_text(TRAIT.format(name="grow").replace("a test trait", "changed"))
    before = COUNTS.parsed
    found = DirectoryLoader([path], tmp_path / "cache").get("trait", "grow")
    assert found is not None and found.description == "changed"
    assert COUNTS.parsed - before == 1


def test_the_json_form_keeps_every_fact(tmp_path: Path) -> None:
    path = tmp_path / "grow.cue"
    path.write_text(TRAIT.format(name="grow"))
    (definition,) = parse_definition_file(path)
    facts = DefinitionFacts(definition, template_facts(definition.template))
    assert facts.template is not None
    assert facts.template.patch_strategy == "retainKeys"
    assert facts.template.patch_patterns == (("spec", "containers"),)
    assert facts.template.markers["containers"] == ((4, "patchKey", "name"),)  # line of the template body
    back = from_json(json.loads(json.dumps(to_json(facts))))
    assert back.template == facts.template
    assert back.definition == facts.definition.__class__(**{**to_json(facts)["definition"], "source": ""})


def test_an_unscannable_template_keeps_its_error() -> None:
    facts = template_facts("patch: x: [1, 2\n")
    assert facts.error is not None
    with pytest.raises(Exception, match="line 1"):
        facts.checked()
