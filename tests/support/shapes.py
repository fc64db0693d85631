"""Values of the wrong shape put into every field of a document, for the shape sweeps."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

WRONG = (None, 5, "x", [], {}, [1], {"a": 1}, True)


def field_paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path inside `value`, `()` first."""
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from field_paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from field_paths(item, (*at, index))


def with_value(document: Any, at: tuple[Any, ...], value: Any) -> Any:
    """A copy of `document` holding `value` at the (non-empty) path `at`."""
    changed = copy.deepcopy(document)
    node = changed
    for part in at[:-1]:
        node = node[part]
    node[at[-1]] = value
    return changed
