"""Field path patterns inside an object (`[*]` and `*` match any index or key): drop what they name."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..paths import ANY, Part


def drop(value: Any, pattern: Sequence[Part]) -> Any:
    """A copy of `value` without the fields `pattern` names (missing fields are no error)."""
    if not pattern:
        return value
    head, rest = pattern[0], pattern[1:]
    if isinstance(value, dict):
        return {k: _dropped(v, head == ANY or k == head, rest) for k, v in value.items()
                if not (not rest and (head == ANY or k == head))}
    if isinstance(value, list):
        chosen = set(_indexes(head, len(value)))
        return [_dropped(item, i in chosen, rest) for i, item in enumerate(value)
                if not (not rest and i in chosen)]
    return value


def _dropped(value: Any, chosen: bool, rest: Sequence[Part]) -> Any:
    return drop(value, rest) if chosen else value


def _indexes(head: Part, length: int) -> Iterator[int]:
    if head == ANY:
        yield from range(length)
    elif isinstance(head, int) or (isinstance(head, str) and head.isdigit()):
        yield int(head)
