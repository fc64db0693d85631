"""Checks of a definition's metadata and attributes (the CRD spec), with a way to locate each key."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .. import contract
from ..paths import Parts, app_text
from ..suggest import did_you_mean
from .lint import Note

# A path of keys under the document (CRD) or the metadata struct (.cue) -> its line in the file.
Locate = Callable[[Parts], int]

_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_STAGES = ("PreDispatch", "DefaultDispatch", "PostDispatch")
_STATUS_KEYS = ("customStatus", "healthPolicy", "details")
STATUS_SNIPPETS = ("customStatus", "healthPolicy")

# How each shape named in contract.ATTRIBUTES is checked.

# The legacy WorkloadDefinition names its workload with definitionRef.
WORKLOAD_DEFINITION_EXTRA = {"definitionRef": contract.STRUCT}

def _error(line: int, message: str) -> Note:
    return Note(line, "error", message)


def check_name(name: str, line: int) -> list[Note]:
    """A definition name must be a Kubernetes object name."""
    if _NAME.fullmatch(name) and len(name) <= 253:
        return []
    return [_error(line, f"name {name!r} is not a valid Kubernetes name (lower-case letters, digits, '-' and"
                         " '.', starting and ending with a letter or digit)")]


def check_string_map(value: Any, what: str, path: Parts, locate: Locate) -> list[Note]:
    """`labels` and `annotations` map strings to strings."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [_error(locate(path), f"{what} must be a struct of strings")]
    return [_error(locate((*path, key)), f"{what} {key!r} must be a string, not {type(item).__name__}")
            for key, item in value.items() if not isinstance(item, str)]


def _check_workload(value: Mapping[str, Any], path: Parts, locate: Locate) -> list[Note]:
    ref = value.get("definition")
    notes = []
    if ref is not None and not (isinstance(ref, Mapping) and all(isinstance(ref.get(k), str) and ref.get(k)
                                                                 for k in ("apiVersion", "kind"))):
        notes.append(_error(locate((*path, "definition")), "workload.definition needs apiVersion and kind strings"))
    if "type" in value and not isinstance(value["type"], str):
        notes.append(_error(locate((*path, "type")), "workload.type must be a string such as deployments.apps"))
    if ref is None and "type" not in value:
        notes.append(_error(locate(path), "workload needs definition {apiVersion, kind} or type"))
    return notes


def _check_status(value: Mapping[str, Any], path: Parts, locate: Locate) -> list[Note]:
    notes = []
    for key, item in value.items():
        if key not in _STATUS_KEYS:
            notes.append(Note(locate((*path, key)), "warning",
                              f"unknown status field {key!r} (known: {', '.join(_STATUS_KEYS)}); it is ignored"))
        elif not isinstance(item, str):
            notes.append(_error(locate((*path, key)), f"status.{key} must be a string of CUE"))
    return notes


def check_attributes(kind: str, attributes: Any, path: Parts, locate: Locate,
                     extra: Mapping[str, str] | None = None) -> list[Note]:
    """Known keys for the kind (plus `extra`), value types, and the shapes of workload, stage and status."""
    if not isinstance(attributes, Mapping):
        return [_error(locate(path), f"{app_text(path)} must be a struct")]
    types = {**contract.ATTRIBUTES[kind], **(extra or {})}
    notes = []
    for key, value in attributes.items():
        where = (*path, key)
        if key not in types:
            hint = did_you_mean(key, sorted(types), most=1, spell=repr)
            notes.append(_error(locate(where), f"unknown attribute {key!r} for a {kind}"
                                               f"{hint} (known: {', '.join(sorted(types))})"))
        elif not contract.fits(types[key], value):
            notes.append(_error(locate(where), f"attribute {key} must be {types[key]}"))
        elif key == "stage" and value not in _STAGES:
            notes.append(_error(locate(where), f"stage must be one of {', '.join(_STAGES)}, not {value!r}"))
        elif key == "workload":
            notes += _check_workload(value, where, locate)
        elif key == "status":
            notes += _check_status(value, where, locate)
    return notes


def cue_locator(metadata_source: str, first_line: int) -> Locate:
    """Lines of keys in the `.cue` metadata struct, found in order along the path."""
    lines = metadata_source.split("\n")

    def locate(path: Parts) -> int:
        found = 0
        for key in path:
            label = re.escape(str(key))
            pattern = re.compile(rf"(?:^|[\s{{,])(?:{label}|\"{label}\")\??\s*:")
            hit = next((j for j in range(found, len(lines)) if pattern.search(lines[j])), None)
            if hit is None:
                break
            found = hit
        return first_line + found

    return locate


def yaml_locator(lines: Mapping[Parts, int], fallback: int) -> Locate:
    """Lines of keys in a YAML document; a missing key is placed at its nearest parent."""

    def locate(path: Parts) -> int:
        while path and path not in lines:
            path = path[:-1]
        return lines.get(path, fallback)

    return locate
