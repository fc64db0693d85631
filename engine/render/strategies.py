"""The table of patch markers and strategies, read by the merge, the trait patching and the linter.

A new strategy is one entry in STRATEGIES and its function: `merge` for a field strategy (how
the merge treats the field its marker is written above), `apply` for a whole-patch strategy
(how the whole `patch` is applied to the workload). Unknown markers and values are ignored.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Protocol

import jsonpatch
import jsonpointer

from .. import contract

PatchPath = tuple[str | int, ...]
FIELD: Final = "field"  # written above any field of a patch
WHOLE_PATCH: Final = "whole patch"  # written above the top-level `patch:` field only
UNIFY: Final[Any] = object()  # what a field strategy returns to leave the field to unification


class Merging(Protocol):
    """What a field strategy may ask of the merge it steers."""

    def merge_list(self, base: list[Any], patch: list[Any], at: PatchPath, where: PatchPath,
                   key: str | None, retain: bool) -> list[Any]: ...


FieldMerge = Callable[[Merging, Any, Any, PatchPath, PatchPath, "str | None"], Any]
WholePatch = Callable[[Any, Any], Any]


class MergeError(ValueError):
    """A JSON patch could not be applied; `op_index` names the failing operation."""

    def __init__(self, message: str, op_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.op_index = op_index


@dataclass(frozen=True)
class Strategy:
    """One value of `+patchStrategy`: where it may be written, what it does, and its function."""

    name: str
    scope: str  # FIELD or WHOLE_PATCH
    description: str
    merge: FieldMerge | None = None  # FIELD: the merged value, or UNIFY
    apply: WholePatch | None = None  # WHOLE_PATCH: (workload, patch) -> the patched workload


@dataclass(frozen=True)
class Marker:
    """A comment marker on a patch field (`// +name=value`)."""

    name: str
    description: str
    values: Mapping[str, Strategy] = field(default_factory=dict)  # a value picks one of these
    pattern: re.Pattern[str] | None = None  # else: the form a free value must have
    expected: str = ""  # that form, in words


# --- the strategies' functions ---------------------------------------------------------------


def _replace(merger: Merging, base: Any, patch: Any, at: PatchPath, where: PatchPath, key: str | None) -> Any:
    return copy.deepcopy(patch) if isinstance(patch, list) else UNIFY


def _retain_keys(merger: Merging, base: Any, patch: Any, at: PatchPath, where: PatchPath, key: str | None) -> Any:
    if not isinstance(patch, list):
        return copy.deepcopy(patch)
    if isinstance(base, list):
        return merger.merge_list(base, patch, at, where, key, True)
    return UNIFY


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


def _json_patch_operations(workload: Any, patch: Any) -> Any:
    operations = patch.get(contract.JSON_PATCH_OPERATIONS) if isinstance(patch, dict) else None
    return json_patch(workload, list(operations or []))


# --- the table -------------------------------------------------------------------------------

STRATEGIES: Mapping[str, Strategy] = MappingProxyType({s.name: s for s in (
    Strategy(contract.STRATEGY_RETAIN_KEYS, FIELD, "on a non-list field the patch value replaces the"
             " workload's; on a keyed list, matched elements are replaced", merge=_retain_keys),
    Strategy(contract.STRATEGY_REPLACE, FIELD, "on a list: the patch list replaces the workload's list",
             merge=_replace),
    Strategy(contract.STRATEGY_JSON_MERGE_PATCH, WHOLE_PATCH, "the whole patch is an RFC 7396 merge patch"
             " (null deletes), applied to the workload as plain data", apply=json_merge_patch),
    Strategy(contract.STRATEGY_JSON_PATCH, WHOLE_PATCH, "the RFC 6902 operations in `patch.operations`,"
             " applied to the workload as plain data", apply=_json_patch_operations),
)})

MARKERS: Mapping[str, Marker] = MappingProxyType({m.name: m for m in (
    Marker(contract.MARK_PATCH_KEY, "merge a list's elements by the value of this key (a dotted path, or"
           " a comma list of keys tried in turn), inherited by the lists below",
           pattern=re.compile(r"[\w.\-/]+(?:,[\w.\-/]+)*"), expected="a key, a dotted path or a comma list of keys"),
    Marker(contract.MARK_PATCH_STRATEGY, "how the patch value at this field is merged", values=STRATEGIES),
)})

# Where a whole-patch strategy's marker must be written, as the linter says it.
WHOLE_PATCH_PLACE: Final = "right above the top-level `patch:` field"


def lookup(name: str | None, scope: str) -> Strategy | None:
    """The strategy called `name` if it applies in `scope` (None: unknown or not here: ignored)."""
    found = STRATEGIES.get(name or "")
    return found if found is not None and found.scope == scope else None


def patch_keys(value: str | None) -> Sequence[str]:
    """`+patchKey=a,b.c` -> ["a", "b.c"]."""
    return [k.strip() for k in value.split(",") if k.strip()] if value else []
