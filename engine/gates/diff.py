"""Compare two sets of objects: added, removed and changed objects, each change field by field."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

from ..model import RenderOptions
from ..paths import Parts, bracket_text, parse_brackets
from .paths import drop as drop_path
from .sources import read_side

_ADDED = frozenset({"dictionary_item_added", "iterable_item_added"})
_REMOVED = frozenset({"dictionary_item_removed", "iterable_item_removed"})


@dataclass(frozen=True, order=True)
class ObjectKey:
    """What matches an object across two renders."""

    api_version: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name} ({self.api_version})"

    def to_json(self) -> dict[str, str]:
        return {"apiVersion": self.api_version, "kind": self.kind, "namespace": self.namespace, "name": self.name}


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: `change` is `added`, `removed` or `changed`."""

    path: str  # spec.template.spec.containers[0].image
    change: str
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path, "change": self.change}
        if self.change != "added":
            entry["old"] = self.old
        if self.change != "removed":
            entry["new"] = self.new
        return entry


@dataclass(frozen=True)
class ObjectChange:
    key: ObjectKey
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class DiffResult:
    """Objects only in the new side, only in the old side, and in both but different."""

    added: tuple[tuple[ObjectKey, Mapping[str, Any]], ...] = ()
    removed: tuple[tuple[ObjectKey, Mapping[str, Any]], ...] = ()
    changed: tuple[ObjectChange, ...] = ()
    ignored: tuple[str, ...] = field(default=())

    @property
    def equal(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_text(self) -> str:
        """One line per object (`+` added, `-` removed, `~` changed), then its field changes."""
        lines = [f"+ {key}" for key, _ in self.added]
        lines += [f"- {key}" for key, _ in self.removed]
        for change in self.changed:
            lines.append(f"~ {change.key}")
            lines += [f"    {_field_line(f)}" for f in change.fields]
        return "".join(f"{line}\n" for line in lines) if lines else "no differences\n"

    def to_json(self) -> str:
        data = {
            "equal": self.equal,
            "ignored": list(self.ignored),
            "added": [{**key.to_json(), "object": dict(body)} for key, body in self.added],
            "removed": [{**key.to_json(), "object": dict(body)} for key, body in self.removed],
            "changed": [{**c.key.to_json(), "fields": [f.to_json() for f in c.fields]} for c in self.changed],
        }
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _field_line(change: FieldChange) -> str:
    if change.change == "added":
        return f"+ {change.path}: {_value(change.new)}"
    if change.change == "removed":
        return f"- {change.path}: {_value(change.old)}"
    return f"{change.path}: {_value(change.old)} -> {_value(change.new)}"


def object_key(body: Mapping[str, Any]) -> ObjectKey:
    meta = body.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    return ObjectKey(str(body.get("apiVersion", "")), str(body.get("kind", "")),
                     str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def _keyed(bodies: Iterable[Mapping[str, Any]]) -> dict[ObjectKey, Mapping[str, Any]]:
    """Bodies by key; a key seen again gets `#2`, `#3` on its name so no object is lost."""
    keyed: dict[ObjectKey, Mapping[str, Any]] = {}
    for body in bodies:
        key = object_key(body)
        count = 1
        while key in keyed:
            count += 1
            key = ObjectKey(key.api_version, key.kind, key.namespace, f"{object_key(body).name}#{count}")
        keyed[key] = body
    return keyed


def diff(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]],
         ignore: Sequence[str] = ()) -> DiffResult:
    """Compare two lists of object bodies, matched by apiVersion, kind, namespace and name.

    `ignore` holds field paths dropped from both sides first (see engine.paths.parse_brackets for the
    syntax: `metadata.labels["app.oam.dev/appRevision"]`, `spec.template.spec.containers[*].image`,
    or a JSON Pointer). Raises ValueError for a path that cannot be read.
    """
    patterns = [parse_brackets(text) for text in ignore]
    before = {k: _without(v, patterns) for k, v in _keyed(old).items()}
    after = {k: _without(v, patterns) for k, v in _keyed(new).items()}
    changed = []
    for key in before.keys() & after.keys():
        fields = field_changes(before[key], after[key])
        if fields:
            changed.append(ObjectChange(key, fields))
    return DiffResult(
        added=tuple(sorted((k, v) for k, v in after.items() if k not in before)),
        removed=tuple(sorted((k, v) for k, v in before.items() if k not in after)),
        changed=tuple(sorted(changed, key=lambda c: c.key)), ignored=tuple(ignore))


def _without(body: Mapping[str, Any], patterns: Sequence[Parts]) -> Any:
    value: Any = dict(body)
    for pattern in patterns:
        value = drop_path(value, pattern)
    return value


def field_changes(old: Any, new: Any) -> tuple[FieldChange, ...]:
    """Every field that differs between two bodies, in path order."""
    tree = DeepDiff(old, new, view="tree")
    changes = []
    for report, levels in tree.items():
        kind = "added" if report in _ADDED else "removed" if report in _REMOVED else "changed"
        for level in levels:
            path = bracket_text(level.path(output_format="list"))
            changes.append(FieldChange(path, kind, None if kind == "added" else level.t1,
                                       None if kind == "removed" else level.t2))
    return tuple(sorted(changes, key=lambda c: (c.path, c.change)))


def diff_paths(old: str | Path, new: str | Path, *, ignore: Sequence[str] = (),
               definitions: Iterable[str | Path] = (), options: RenderOptions | None = None) -> DiffResult:
    """Diff two sides, each a rendered YAML stream, an `--output-dir` folder, or an app file or
    folder (rendered first with `definitions` and `options`).

    Raises AppError for unreadable input, OamError when an app does not render, ValueError for
    a bad ignore path.
    """
    defs = list(definitions)
    return diff(read_side(old, definitions=defs, options=options),
                read_side(new, definitions=defs, options=options), ignore)
