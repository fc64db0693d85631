"""The on-disk store: round trips, misses, corrupt entries, atomic replacement, unwritable roots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.cache import Store, digest, key


def test_key_depends_on_every_part_by_value() -> None:
    assert key("a", {"x": 1, "y": 2}) == key("a", {"y": 2, "x": 1})
    assert key("a", 1) != key("a", 2) != key("b", 2)
    assert digest("text") == digest(b"text") != digest("other")


def test_round_trip_and_counts(tmp_path: Path) -> None:
    store = Store(tmp_path)
    entry = key("app")
    assert store.get("renders", entry) is None
    store.put("renders", entry, {"objects": [1, "two"]})
    assert store.get("renders", entry) == {"objects": [1, "two"]}
    assert (store.counts.hits, store.counts.misses, store.counts.writes) == (1, 1, 1)
    assert len(list(store.entries("renders"))) == 1
    assert Store(tmp_path).get("other", entry) is None


@pytest.mark.parametrize("damage", ["", "{", "[]", '{"key": "wrong", "value": 1}', '{"key": "K"}', "\xff"],
                         ids=["empty", "truncated", "not-an-object", "other-key", "no-value", "not-utf8"])
def test_a_corrupt_entry_is_a_miss_and_is_rewritten(tmp_path: Path, damage: str) -> None:
    store = Store(tmp_path)
    entry = key("app")
    store.put("renders", entry, 1)
    [path] = store.entries("renders")
    path.write_bytes(damage.replace("K", entry).encode("latin-1"))
    assert store.get("renders", entry) is None and store.counts.corrupt == 1
    store.put("renders", entry, 2)
    assert store.get("renders", entry) == 2


def test_writes_leave_no_temp_files_and_replace_whole_entries(tmp_path: Path) -> None:
    store = Store(tmp_path)
    entry = key("app")
    for value in range(5):
        store.put("renders", entry, {"n": value})
    [path] = store.entries("renders")
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert store.get("renders", entry) == {"n": 4}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_root_is_skipped_not_raised(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        store = Store(tmp_path / "cache")
        store.put("renders", key("x"), 1)
        assert store.counts.writes == 0 and store.get("renders", key("x")) is None
    finally:
        tmp_path.chmod(0o700)


def test_a_root_that_is_a_file_is_skipped_not_raised(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("not a folder")
    store = Store(tmp_path / "cache")
    store.put("renders", key("x"), 1)
    assert store.counts.writes == 0 and store.get("renders", key("x")) is None
