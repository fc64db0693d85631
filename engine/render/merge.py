"""Merge a trait's patch into object data as KubeVela does: unification steered by markers."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import jsonpatch
import jsonpointer

from .. import contract
from ..paths import Parts as PatchPath
from ..paths import app_text

__all__ = [
    "PATTERN_INDEX",
    "Conflict",
    "MergeError",
    "MergeResult",
    "PatchPath",
    "json_merge_patch",
    "json_patch",
    "merge_patch",
]

# In `markers` and `patterns`, this index stands for a list pattern's element template (`...T`)
# in place of a patch element's index, so markers inside a pattern can be addressed.
PATTERN_INDEX: Final = -1

_NO_MARKERS: Mapping[PatchPath, Mapping[str, str]] = MappingProxyType({})
_NO_PATTERNS: Mapping[PatchPath, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Conflict:
    """Two different concrete values for one field; the base value was kept."""

    path: str  # in the merged value, e.g. spec.template.spec.containers[0].image
    base: Any
    patch: Any
    location: PatchPath = field(default=(), compare=False)  # the path as keys and indices


@dataclass(frozen=True)
class MergeResult:
    """The merged value (a new object: inputs are never mutated) and every conflict found."""

    value: Any
    conflicts: tuple[Conflict, ...]


class MergeError(ValueError):
    """A JSON patch could not be applied; `op_index` names the failing operation."""

    def __init__(self, message: str, op_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.op_index = op_index


def _same_scalar(base: Any, patch: Any) -> bool:
    # Python has True == 1 == 1.0; CUE keeps bool, int and float apart (1 & 1.0 conflicts).
    return type(base) is type(patch) and base == patch


def _lookup(element: Any, dotted: str) -> tuple[bool, Any]:
    """The value at a dotted key path inside a list element, and whether it exists."""
    value = element
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _element_key(element: Any, keys: Sequence[str]) -> tuple[str, Any] | None:
    """The first of `keys` this patch element has, with its value."""
    for key in keys:
        found, value = _lookup(element, key)
        if found:
            return key, value
    return None


def _has_key_value(element: Any, key: str, value: Any) -> bool:
    found, current = _lookup(element, key)
    return found and _same_data(current, value)


def _same_data(left: Any, right: Any) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same_data(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same_data, left, right))
    return _same_scalar(left, right)


_Where = PatchPath  # the display path: list indices as they are, where `at` may hold PATTERN_INDEX


@dataclass
class _Merger:
    markers: Mapping[PatchPath, Mapping[str, str]]
    patterns: Mapping[PatchPath, Any]
    conflicts: list[Conflict] = field(default_factory=list)

    def merge(self, base: Any, patch: Any, at: PatchPath, where: _Where, key: str | None) -> Any:
        """Merge `patch` (at patch path `at`) into `base` (at display path `where`)."""
        marks = self.markers.get(at, {})
        key = marks.get(contract.MARK_PATCH_KEY) or key  # the nearest patchKey wins
        strategy = marks.get(contract.MARK_PATCH_STRATEGY)
        if isinstance(patch, list):
            if strategy == contract.STRATEGY_REPLACE:
                return copy.deepcopy(patch)
            if isinstance(base, list):
                retain = strategy == contract.STRATEGY_RETAIN_KEYS
                return self.merge_list(base, patch, at, where, key, retain)
        elif strategy == contract.STRATEGY_RETAIN_KEYS:
            return copy.deepcopy(patch)
        if isinstance(base, dict) and isinstance(patch, dict):
            return self.merge_dict(base, patch, at, where, key)
        if not _same_scalar(base, patch):
            self.conflicts.append(Conflict(app_text(where), copy.deepcopy(base), copy.deepcopy(patch),
                                           where))
        return copy.deepcopy(base)

    def merge_dict(self, base: dict[str, Any], patch: dict[str, Any], at: PatchPath, where: _Where,
                   key: str | None) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for name, value in base.items():
            if name in patch:
                merged[name] = self.merge(value, patch[name], at + (name,), where + (name,), key)
            else:
                merged[name] = copy.deepcopy(value)
        for name, value in patch.items():
            if name not in base:
                merged[name] = copy.deepcopy(value)
        return merged

    def merge_list(self, base: list[Any], patch: list[Any], at: PatchPath, where: _Where,
                   key: str | None, retain: bool) -> list[Any]:
        keys = [k.strip() for k in key.split(",") if k.strip()] if key else []
        # A keyed list whose patch elements all lack the key (a keyless `[{resources: ...}]`)
        # merges by position instead.
        if keys and any(_element_key(element, keys) is not None for element in patch):
            return self.merge_keyed(base, patch, at, where, keys, retain)
        merged: list[Any] = []
        for index, element in enumerate(base):
            place = where + (index,)
            if index < len(patch):
                merged.append(copy.deepcopy(patch[index]) if retain else
                              self.merge(element, patch[index], at + (index,), place, key))
            else:
                merged.append(self.apply_pattern(element, at, place, key))
        merged.extend(copy.deepcopy(element) for element in patch[len(base):])
        return merged

    def merge_keyed(self, base: list[Any], patch: list[Any], at: PatchPath, where: _Where,
                    keys: list[str], retain: bool) -> list[Any]:
        merged = list(base)
        touched = [False] * len(base)
        key = ",".join(keys)
        for index, element in enumerate(patch):
            found = _element_key(element, keys)
            if found is None:
                continue  # KubeVela drops patch elements without the key
            target = next((i for i, current in enumerate(merged)
                           if _has_key_value(current, *found)), None)
            if target is None:
                merged.append(copy.deepcopy(element))
                touched.append(True)
            elif retain:
                merged[target] = copy.deepcopy(element)
                touched[target] = True
            else:
                merged[target] = self.merge(merged[target], element, at + (index,),
                                            where + (target,), key)
                touched[target] = True
        return [element if touched[i] else self.apply_pattern(element, at, where + (i,), key)
                for i, element in enumerate(merged)]

    def apply_pattern(self, element: Any, at: PatchPath, where: _Where, key: str | None) -> Any:
        """Unify a base element no patch element covered with the list's pattern, if any."""
        if at not in self.patterns:
            return copy.deepcopy(element)
        return self.merge(element, self.patterns[at], at + (PATTERN_INDEX,), where, key)


def merge_patch(
    base: Any,
    patch: Any,
    markers: Mapping[PatchPath, Mapping[str, str]] = _NO_MARKERS,
    patterns: Mapping[PatchPath, Any] = _NO_PATTERNS,
) -> MergeResult:
    """Merge `patch` into `base` as KubeVela merges a trait patch into the workload.

    `markers` maps paths in the patch (list indices are patch indices) to their comment
    markers (`patchKey`, `patchStrategy`); `patterns` maps a patch list's path to the element
    template of its `...T` pattern. Differing concrete values keep the base value and are
    all reported as conflicts. Returns a new value; raises nothing.
    """
    merger = _Merger(markers, patterns)
    value = merger.merge(base, patch, (), (), None)
    return MergeResult(value, tuple(merger.conflicts))


def json_merge_patch(base: Any, patch: Any) -> Any:
    """Apply an RFC 7396 JSON merge patch: objects merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(base) if isinstance(base, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = json_merge_patch(merged.get(name), value)
    return merged


def json_patch(base: Any, operations: list[dict[str, Any]]) -> Any:
    """Apply RFC 6902 operations in order; returns a new value.

    Raises MergeError naming the first operation that is malformed or fails (a failed
    `test` included).
    """
    document = copy.deepcopy(base)
    # Copied so values the operations insert are not shared with (or mutated in) the caller's.
    for index, operation in enumerate(copy.deepcopy(operations)):
        try:
            document = jsonpatch.JsonPatch([operation]).apply(document, in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException,
                TypeError, AttributeError) as exc:
            # jsonpatch appends Python type names ("(<class 'str'>)"): not for users' eyes.
            reason = re.sub(r" \(<class '\w+'>\)", "", str(exc))
            op = operation if isinstance(operation, dict) else {}
            what = f"{op.get('op', '?')} {op.get('path', '')}".strip()
            raise MergeError(f"operation {index} ({what}): {reason}", op_index=index) from exc
    return document
