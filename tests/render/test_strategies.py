"""The one table of patch strategies: every entry is known to the merge, the patching and the
linter; a value outside the table is ignored (with a warning from the linter)."""

from __future__ import annotations

from typing import Any

import pytest

from engine import contract
from engine.deftools import lint
from engine.render import merge as merge_module
from engine.render.merge import merge_patch
from engine.render.strategies import FIELD, MARKERS, STRATEGIES, WHOLE_PATCH, Strategy, lookup

ENTRIES = sorted(STRATEGIES.values(), key=lambda s: s.name)


def _marked(strategy: str) -> dict[tuple[str | int, ...], dict[str, str]]:
    return {("spec",): {contract.MARK_PATCH_STRATEGY: strategy}}


def _template(strategy: str, above_patch: bool) -> str:
    if above_patch:
        return f"// +patchStrategy={strategy}\npatch: {{\n\tspec: {{}}\n}}\n"
    return f"patch: {{\n\t// +patchStrategy={strategy}\n\tspec: {{}}\n}}\n"


@pytest.mark.parametrize("entry", ENTRIES, ids=[s.name for s in ENTRIES])
def test_every_entry_is_complete(entry: Strategy) -> None:
    assert entry.scope in (FIELD, WHOLE_PATCH) and entry.description
    assert callable(entry.merge if entry.scope == FIELD else entry.apply)
    assert lookup(entry.name, entry.scope) is entry
    assert lookup(entry.name, WHOLE_PATCH if entry.scope == FIELD else FIELD) is None
    assert entry.name in MARKERS[contract.MARK_PATCH_STRATEGY].values


@pytest.mark.parametrize("entry", ENTRIES, ids=[s.name for s in ENTRIES])
def test_the_linter_knows_every_entry_and_where_it_goes(entry: Strategy) -> None:
    assert entry.name in lint.STRATEGIES
    whole = entry.scope == WHOLE_PATCH
    assert lint.marker_notes(_template(entry.name, above_patch=whole)) == []
    if whole:  # a whole-patch strategy anywhere else is an error
        assert [n.severity for n in lint.marker_notes(_template(entry.name, above_patch=False))] == ["error"]


@pytest.mark.parametrize("entry", [s for s in ENTRIES if s.scope == FIELD], ids=lambda s: s.name)
def test_the_merge_runs_every_field_entry(entry: Strategy, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[Any] = []

    def spy(name: str | None, scope: str) -> Strategy | None:
        found = lookup(name, scope)
        asked.append(found)
        return found

    monkeypatch.setattr(merge_module, "lookup", spy)
    merge_patch({"spec": [{"a": 1}]}, {"spec": [{"a": 2}]}, _marked(entry.name))
    assert entry in asked


def test_every_marker_is_known_to_the_linter() -> None:
    assert set(MARKERS) <= lint.KNOWN_MARKERS
    for name in MARKERS:
        assert lint.marker_notes(f"patch: {{\n\t// +{name}\n\tspec: {{}}\n}}\n")  # needs a value


def test_an_unknown_strategy_is_ignored() -> None:
    base, patch = {"spec": {"a": 1, "b": [1]}}, {"spec": {"a": 2, "b": [2, 3]}}
    assert merge_patch(base, patch, _marked("mystery")) == merge_patch(base, patch)
    assert lookup("mystery", FIELD) is None and lookup("mystery", WHOLE_PATCH) is None
    [note] = lint.marker_notes(_template("mystery", above_patch=False))
    assert note.severity == "warning" and "unknown patch strategy 'mystery'" in note.message
    assert "it is ignored" in note.message


def test_the_table_needs_nothing_but_the_contract() -> None:
    # deftools/lint may read it only because it pulls in no render machinery (test_architecture)
    from tests.test_architecture import imports_of
    assert imports_of("engine.render.strategies") == {"engine.contract"}
