"""Unit tests of engine.render.merge: KubeVela's patch semantics on plain data, JSON (merge) patch."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.render.merge import (
    PATTERN_INDEX,
    Conflict,
    MergeError,
    json_merge_patch,
    json_patch,
    merge_patch,
)
from tests.support.strict import typed

KEY_NAME = {"patchKey": "name"}
C = ("spec", "containers")


def containers(*items: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"containers": list(items)}}


# id, base, patch, markers, patterns, expected value (and no conflicts)
MERGES: list[tuple[str, Any, Any, dict[Any, Any], dict[Any, Any], Any]] = [
    # --- default: unification of data ---
    ("dict-deep-merge", {"a": {"b": 1}}, {"a": {"c": 2}}, {}, {}, {"a": {"b": 1, "c": 2}}),
    ("key-only-in-patch-added", {"a": 1}, {"b": {"c": [1]}}, {}, {}, {"a": 1, "b": {"c": [1]}}),
    ("equal-scalars-kept", {"a": "x", "b": None, "c": 1.5, "d": True},
     {"a": "x", "b": None, "c": 1.5, "d": True}, {}, {},
     {"a": "x", "b": None, "c": 1.5, "d": True}),
    ("list-by-position", {"l": [{"a": 1}, {"b": 2}]}, {"l": [{"c": 3}]}, {}, {},
     {"l": [{"a": 1, "c": 3}, {"b": 2}]}),
    ("list-base-tail-kept", {"l": [1, 2, 3]}, {"l": [1]}, {}, {}, {"l": [1, 2, 3]}),
    ("list-patch-appends-past-end", {"l": [1]}, {"l": [1, 2, 3]}, {}, {}, {"l": [1, 2, 3]}),
    ("empty-patch-list-keeps-base", {"l": [1, 2]}, {"l": []}, {}, {}, {"l": [1, 2]}),
    ("keyless-containers-reach-first",
     containers({"name": "a"}, {"name": "b"}), containers({"resources": {"cpu": "1"}}), {}, {},
     containers({"name": "a", "resources": {"cpu": "1"}}, {"name": "b"})),
    # --- list patterns [a, ...T] ---
    ("pattern-applies-to-every-element",
     containers({"name": "a"}, {"name": "b"}), containers(), {}, {C: {"lifecycle": "x"}},
     containers({"name": "a", "lifecycle": "x"}, {"name": "b", "lifecycle": "x"})),
    ("pattern-after-fixed-head",
     {"l": [{"i": 0}, {"i": 1}, {"i": 2}]}, {"l": [{"head": True}]}, {}, {("l",): {"t": 1}},
     {"l": [{"i": 0, "head": True}, {"i": 1, "t": 1}, {"i": 2, "t": 1}]}),
    ("pattern-not-on-appended-elements",
     {"l": [{"i": 0}]}, {"l": [{"a": 1}, {"b": 2}]}, {}, {("l",): {"t": 1}},
     {"l": [{"i": 0, "a": 1}, {"b": 2}]}),
    ("pattern-on-unmatched-keyed-elements",
     containers({"name": "a"}, {"name": "b"}), containers({"name": "b", "image": "x"}),
     {C: KEY_NAME}, {C: {"t": 1}},
     containers({"name": "a", "t": 1}, {"name": "b", "image": "x"})),
    ("pattern-markers-use-pattern-index",
     containers({"name": "a", "env": [{"name": "A"}]}), containers(),
     {C + (PATTERN_INDEX, "env"): KEY_NAME}, {C: {"env": [{"name": "B"}]}},
     containers({"name": "a", "env": [{"name": "A"}, {"name": "B"}]})),
    # --- patchKey ---
    ("keyed-match-merges",
     containers({"name": "a", "image": "x"}, {"name": "b"}),
     containers({"name": "b", "image": "y"}), {C: KEY_NAME}, {},
     containers({"name": "a", "image": "x"}, {"name": "b", "image": "y"})),
    ("keyed-unmatched-appended-in-patch-order",
     containers({"name": "a"}), containers({"name": "z"}, {"name": "a", "x": 1}, {"name": "m"}),
     {C: KEY_NAME}, {},
     containers({"name": "a", "x": 1}, {"name": "z"}, {"name": "m"})),
    ("keyed-match-is-not-positional",
     {"l": [{"k": 1, "v": "a"}, {"k": 2, "v": "b"}]}, {"l": [{"k": 2, "w": "c"}]},
     {("l",): {"patchKey": "k"}}, {},
     {"l": [{"k": 1, "v": "a"}, {"k": 2, "v": "b", "w": "c"}]}),
    ("keyed-value-equal-to-a-default-still-keyed",
     {"ports": [{"port": 80, "protocol": "TCP"}, {"port": 443}]},
     {"ports": [{"port": 443, "protocol": "TCP"}]}, {("ports",): {"patchKey": "port"}}, {},
     {"ports": [{"port": 80, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]}),
    ("keyed-types-are-strict",
     {"l": [{"k": 1}]}, {"l": [{"k": True}]}, {("l",): {"patchKey": "k"}}, {},
     {"l": [{"k": 1}, {"k": True}]}),
    ("keyed-dotted-key",
     {"envFrom": [{"secretRef": {"name": "s1"}}, {"configMapRef": {"name": "c"}}]},
     {"envFrom": [{"secretRef": {"name": "s1", "optional": True}}, {"secretRef": {"name": "s2"}}]},
     {("envFrom",): {"patchKey": "secretRef.name"}}, {},
     {"envFrom": [{"secretRef": {"name": "s1", "optional": True}}, {"configMapRef": {"name": "c"}},
                  {"secretRef": {"name": "s2"}}]}),
    ("keyed-comma-list-first-key-the-element-has",
     {"m": [{"name": "a", "mountPath": "/a"}, {"mountPath": "/b"}]},
     {"m": [{"mountPath": "/b", "ro": True}, {"name": "a", "x": 1}]},
     {("m",): {"patchKey": "name,mountPath"}}, {},
     {"m": [{"name": "a", "mountPath": "/a", "x": 1}, {"mountPath": "/b", "ro": True}]}),
    ("keyed-comma-list-with-spaces",
     {"m": [{"id": 1}]}, {"m": [{"id": 1, "x": 1}]}, {("m",): {"patchKey": " name , id "}}, {},
     {"m": [{"id": 1, "x": 1}]}),
    ("keyed-patch-elements-without-key-dropped",
     containers({"name": "a"}), containers({"name": "b"}, {"image": "lost"}), {C: KEY_NAME}, {},
     containers({"name": "a"}, {"name": "b"})),
    ("keyed-no-element-has-key-positional",
     containers({"name": "a"}, {"name": "b"}), containers({"image": "x"}, {"image": "y"}),
     {C: KEY_NAME}, {},
     containers({"name": "a", "image": "x"}, {"name": "b", "image": "y"})),
    ("keyed-same-key-twice-merges-into-one",
     {"l": []}, {"l": [{"name": "n", "a": 1}, {"name": "n", "b": 2}]},
     {("l",): KEY_NAME}, {}, {"l": [{"name": "n", "a": 1, "b": 2}]}),
    ("keyed-list-missing-in-base-added",
     {"spec": {}}, containers({"name": "a"}, {"image": "kept"}), {C: KEY_NAME}, {},
     containers({"name": "a"}, {"image": "kept"})),
    ("key-inherited-from-parent-field",
     containers({"name": "a"}), containers({"name": "b"}), {("spec",): KEY_NAME}, {},
     containers({"name": "a"}, {"name": "b"})),
    ("key-inherited-into-nested-lists",
     containers({"name": "a", "env": [{"name": "X", "value": "1"}]}),
     containers({"name": "a", "env": [{"name": "Y", "value": "2"}]}), {C: KEY_NAME}, {},
     containers({"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]})),
    # By the inherited `name` this patch would merge by position into ports[0] and conflict.
    ("nearer-key-wins",
     {"spec": {"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}},
     {"spec": {"ports": [{"port": 2, "x": 1}]}},
     {("spec",): KEY_NAME, ("spec", "ports"): {"patchKey": "port"}}, {},
     {"spec": {"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2, "x": 1}]}}),
    ("nested-keyed-markers-use-patch-indices",
     containers({"name": "a"}, {"name": "b", "env": [{"name": "X", "value": "1"}]}),
     containers({"name": "b", "env": [{"name": "Y", "value": "2"}]}),
     {C: KEY_NAME, C + (0, "env"): KEY_NAME}, {},
     containers({"name": "a"},
                {"name": "b", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]})),
    # --- patchStrategy=retainKeys ---
    ("retain-keys-replaces-a-struct",
     {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}},
     {"strategy": {"type": "Recreate"}}, {("strategy",): {"patchStrategy": "retainKeys"}}, {},
     {"strategy": {"type": "Recreate"}}),
    ("retain-keys-replaces-a-scalar",
     {"a": 1, "b": 2}, {"a": "one"}, {("a",): {"patchStrategy": "retainKeys"}}, {},
     {"a": "one", "b": 2}),
    ("retain-keys-replaces-matched-elements",
     {"volumes": [{"name": "v", "emptyDir": {}}, {"name": "w", "emptyDir": {}}]},
     {"volumes": [{"name": "v", "secret": {"secretName": "s"}}, {"name": "n", "hostPath": {}}]},
     {("volumes",): {"patchKey": "name", "patchStrategy": "retainKeys"}}, {},
     {"volumes": [{"name": "v", "secret": {"secretName": "s"}}, {"name": "w", "emptyDir": {}},
                  {"name": "n", "hostPath": {}}]}),
    ("retain-keys-nested-in-element",
     containers({"name": "a", "probe": {"exec": {"command": ["x"]}, "period": 1}}),
     containers({"name": "a", "probe": {"httpGet": {"port": 80}}}),
     {C: KEY_NAME, C + (0, "probe"): {"patchStrategy": "retainKeys"}}, {},
     containers({"name": "a", "probe": {"httpGet": {"port": 80}}})),
    ("retain-keys-unkeyed-list-replaces-by-position",
     {"l": [{"a": 1}, {"b": 2}]}, {"l": [{"c": 3}]}, {("l",): {"patchStrategy": "retainKeys"}}, {},
     {"l": [{"c": 3}, {"b": 2}]}),
    # --- patchStrategy=replace ---
    ("replace-list", {"args": [1, 2, 3]}, {"args": [4]}, {("args",): {"patchStrategy": "replace"}},
     {}, {"args": [4]}),
    ("replace-list-nested-in-element",
     containers({"name": "a", "args": ["x", "y"]}, {"name": "b", "args": ["z"]}),
     containers({"name": "b", "args": ["new"]}),
     {C: KEY_NAME, C + (0, "args"): {"patchStrategy": "replace"}}, {},
     containers({"name": "a", "args": ["x", "y"]}, {"name": "b", "args": ["new"]})),
    ("replace-ignores-pattern",
     {"l": [{"a": 1}]}, {"l": [{"b": 1}]}, {("l",): {"patchStrategy": "replace"}},
     {("l",): {"t": 1}}, {"l": [{"b": 1}]}),
    ("replace-list-missing-in-base", {}, {"l": [1]}, {("l",): {"patchStrategy": "replace"}}, {},
     {"l": [1]}),
    ("replace-on-struct-ignored", {"a": {"x": 1}}, {"a": {"y": 2}},
     {("a",): {"patchStrategy": "replace"}}, {}, {"a": {"x": 1, "y": 2}}),
    # --- unknown markers ---
    ("unknown-marker-ignored", {"l": [{"a": 1}]}, {"l": [{"b": 2}]},
     {("l",): {"patchMode": "x", "ignore": ""}}, {}, {"l": [{"a": 1, "b": 2}]}),
    ("unknown-strategy-ignored", {"l": [1, 2]}, {"l": [1]},
     {("l",): {"patchStrategy": "bogus"}}, {}, {"l": [1, 2]}),
    ("empty-patch-key-ignored", {"l": [{"n": 1}]}, {"l": [{"m": 2}]},
     {("l",): {"patchKey": ""}}, {}, {"l": [{"n": 1, "m": 2}]}),
]


@pytest.mark.parametrize(
    ("base", "patch", "markers", "patterns", "expected"),
    [case[1:] for case in MERGES], ids=[case[0] for case in MERGES],
)
def test_merge(base: Any, patch: Any, markers: Any, patterns: Any, expected: Any) -> None:
    inputs = copy.deepcopy((base, patch, markers, patterns))
    result = merge_patch(base, patch, markers, patterns)
    assert result.conflicts == ()
    assert typed(result.value) == typed(expected)
    assert (base, patch, markers, patterns) == inputs  # inputs never mutated


# id, base, patch, markers, expected conflicts (path, base, patch), expected value
CONFLICTS: list[tuple[str, Any, Any, dict[Any, Any], list[tuple[str, Any, Any]], Any]] = [
    ("differing-scalars", {"a": {"b": 1}}, {"a": {"b": 2}}, {}, [("a.b", 1, 2)], {"a": {"b": 1}}),
    ("type-mismatch", {"a": "1"}, {"a": 1}, {}, [("a", "1", 1)], {"a": "1"}),
    ("null-vs-value", {"a": None}, {"a": 0}, {}, [("a", None, 0)], {"a": None}),
    ("value-vs-null", {"a": "x"}, {"a": None}, {}, [("a", "x", None)], {"a": "x"}),
    ("int-vs-float", {"a": 1}, {"a": 1.0}, {}, [("a", 1, 1.0)], {"a": 1}),
    ("bool-vs-int", {"a": True}, {"a": 1}, {}, [("a", True, 1)], {"a": True}),
    ("struct-vs-list", {"a": {"x": 1}}, {"a": [1]}, {}, [("a", {"x": 1}, [1])], {"a": {"x": 1}}),
    ("root", 1, 2, {}, [("", 1, 2)], 1),
    ("all-reported-and-rest-merged",
     {"a": 1, "b": {"c": "x"}, "l": [1, 2]}, {"a": 2, "b": {"c": "y", "d": 1}, "l": [1, 3], "e": 5},
     {}, [("a", 1, 2), ("b.c", "x", "y"), ("l[1]", 2, 3)],
     {"a": 1, "b": {"c": "x", "d": 1}, "l": [1, 2], "e": 5}),
    ("keyed-path-uses-base-index",
     containers({"name": "a"}, {"name": "b", "image": "x"}),
     containers({"name": "b", "image": "y"}), {C: KEY_NAME},
     [("spec.containers[1].image", "x", "y")],
     containers({"name": "a"}, {"name": "b", "image": "x"})),
    ("dotted-keys-joined-plainly",
     {"metadata": {"labels": {"app.oam.dev/name": "a"}}},
     {"metadata": {"labels": {"app.oam.dev/name": "b"}}}, {},
     [("metadata.labels.app.oam.dev/name", "a", "b")],
     {"metadata": {"labels": {"app.oam.dev/name": "a"}}}),
]


@pytest.mark.parametrize(
    ("base", "patch", "markers", "conflicts", "expected"),
    [case[1:] for case in CONFLICTS], ids=[case[0] for case in CONFLICTS],
)
def test_conflicts(base: Any, patch: Any, markers: Any, conflicts: Any, expected: Any) -> None:
    result = merge_patch(base, patch, markers)
    assert [(c.path, c.base, c.patch) for c in result.conflicts] == conflicts
    assert all(type(c.base) is type(b) for c, (_, b, _) in zip(result.conflicts, conflicts,
                                                                strict=True))
    assert typed(result.value) == typed(expected)


def test_pattern_conflict_is_reported_at_each_element() -> None:
    base = containers({"name": "a", "x": 1}, {"name": "b", "x": 2})
    result = merge_patch(base, containers(), patterns={C: {"x": 2}})
    assert result.conflicts == (Conflict("spec.containers[0].x", 1, 2),)


def test_result_shares_nothing_with_inputs() -> None:
    base = {"a": {"b": [1]}, "k": {"x": 1}}
    patch = {"n": {"m": [2]}, "k": {"y": 1}}
    result = merge_patch(base, patch, patterns={("a", "b"): {"z": 1}})
    result.value["a"]["b"].append(9)
    result.value["n"]["m"].append(9)
    result.value["k"]["x"] = 5
    assert base == {"a": {"b": [1]}, "k": {"x": 1}}
    assert patch == {"n": {"m": [2]}, "k": {"y": 1}}


# --- RFC 7396 -------------------------------------------------------------------------------

JSON_MERGE = [
    ("null-deletes", {"a": 1, "b": 2}, {"a": None}, {"b": 2}),
    ("nested-merge", {"a": {"b": 1, "c": 2}}, {"a": {"c": None, "d": 3}}, {"a": {"b": 1, "d": 3}}),
    ("list-replaces", {"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
    ("scalar-patch-replaces", {"a": 1}, "x", "x"),
    ("dict-patch-over-scalar", {"a": "s"}, {"a": {"b": 1}}, {"a": {"b": 1}}),
    ("dict-patch-over-non-dict-root", [1], {"a": 1}, {"a": 1}),
    ("null-for-absent-key", {"a": 1}, {"z": None}, {"a": 1}),
    ("nulls-inside-new-objects-dropped", {}, {"a": {"b": None, "c": 1}}, {"a": {"c": 1}}),
    ("null-patch-replaces-root", {"a": 1}, None, None),
]


@pytest.mark.parametrize(
    ("base", "patch", "expected"), [c[1:] for c in JSON_MERGE], ids=[c[0] for c in JSON_MERGE]
)
def test_json_merge_patch(base: Any, patch: Any, expected: Any) -> None:
    inputs = copy.deepcopy((base, patch))
    assert json_merge_patch(base, patch) == expected
    assert (base, patch) == inputs


# --- RFC 6902 -------------------------------------------------------------------------------

DOC = {"metadata": {"labels": {"a/b": "x"}}, "spec": {"replicas": 1, "args": ["p", "q"]}}

JSON_PATCH = [
    ("add", [{"op": "add", "path": "/spec/paused", "value": True}],
     {**DOC, "spec": {**DOC["spec"], "paused": True}}),
    ("add-to-list-end", [{"op": "add", "path": "/spec/args/-", "value": "r"}],
     {**DOC, "spec": {"replicas": 1, "args": ["p", "q", "r"]}}),
    ("remove-escaped-key", [{"op": "remove", "path": "/metadata/labels/a~1b"}],
     {**DOC, "metadata": {"labels": {}}}),
    ("replace", [{"op": "replace", "path": "/spec/replicas", "value": 3}],
     {**DOC, "spec": {"replicas": 3, "args": ["p", "q"]}}),
    ("test-then-move", [{"op": "test", "path": "/spec/replicas", "value": 1},
                        {"op": "move", "from": "/spec/replicas", "path": "/replicas"}],
     {**DOC, "spec": {"args": ["p", "q"]}, "replicas": 1}),
    ("copy", [{"op": "copy", "from": "/spec/args", "path": "/args"}],
     {**DOC, "args": ["p", "q"]}),
]


@pytest.mark.parametrize(
    ("operations", "expected"), [c[1:] for c in JSON_PATCH], ids=[c[0] for c in JSON_PATCH]
)
def test_json_patch(operations: list[dict[str, Any]], expected: Any) -> None:
    inputs = copy.deepcopy((DOC, operations))
    assert json_patch(DOC, operations) == expected
    assert (DOC, operations) == inputs


JSON_PATCH_FAILURES = [
    ("test-fails", [{"op": "add", "path": "/x", "value": 1},
                    {"op": "test", "path": "/spec/replicas", "value": 2}], 1),
    ("remove-missing", [{"op": "remove", "path": "/spec/nope"}], 0),
    ("replace-missing", [{"op": "test", "path": "/spec/replicas", "value": 1},
                         {"op": "replace", "path": "/nope/deeper", "value": 1}], 1),
    ("no-op-member", [{"path": "/x", "value": 1}], 0),
    ("unknown-op", [{"op": "merge", "path": "/x"}], 0),
    ("pointer-without-slash", [{"op": "add", "path": "x", "value": 1}], 0),
    ("not-an-object", ["add"], 0),
]


@pytest.mark.parametrize(
    ("operations", "index"), [c[1:] for c in JSON_PATCH_FAILURES],
    ids=[c[0] for c in JSON_PATCH_FAILURES],
)
def test_json_patch_failure_names_the_operation(operations: Any, index: int) -> None:
    with pytest.raises(MergeError) as caught:
        json_patch(DOC, operations)
    assert caught.value.op_index == index
    assert f"operation {index}" in str(caught.value)


def test_json_patch_does_not_alias_operation_values() -> None:
    operations: list[dict[str, Any]] = [{"op": "add", "path": "/x", "value": {"a": 1}},
                                        {"op": "add", "path": "/x/b", "value": 2}]
    result = json_patch({}, operations)
    assert result == {"x": {"a": 1, "b": 2}}
    assert operations[0]["value"] == {"a": 1}


# --- Properties -----------------------------------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers() | st.text(max_size=5)
            | st.floats(allow_nan=False))
_data = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=4),
    max_leaves=25,
)
_objects = st.dictionaries(st.text(max_size=4), _data, max_size=5)


@given(_objects)
def test_empty_patch_returns_base(base: dict[str, Any]) -> None:
    result = merge_patch(base, {})
    assert result.conflicts == ()
    assert typed(result.value) == typed(base)


@given(_objects)
def test_merging_base_with_itself_is_identity(base: dict[str, Any]) -> None:
    result = merge_patch(base, copy.deepcopy(base))
    assert result.conflicts == ()
    assert typed(result.value) == typed(base)


@given(_objects, _objects)
def test_merge_never_mutates_and_keeps_base_on_conflict(base: Any, patch: Any) -> None:
    inputs = copy.deepcopy((base, patch))
    result = merge_patch(base, patch)
    assert (typed(base), typed(patch)) == (typed(inputs[0]), typed(inputs[1]))
    for key, value in base.items():
        if not isinstance(value, dict | list):
            assert typed(result.value[key]) == typed(value)
