"""Field paths inside an object: one readable syntax, parsed, printed and matched."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any, Final

Part = str | int
Path = tuple[Part, ...]

# `[*]` in a pattern matches every list index, `*` every key of a mapping.
ANY: Final = "*"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_TOKEN = re.compile(r"""\.?([A-Za-z_*][A-Za-z0-9_-]*)|\[(\d+|\*)\]|\[("(?:[^"\\]|\\.)*")\]""")


def format_path(parts: Sequence[Part]) -> str:
    """`("spec", "containers", 0, "image")` -> `spec.containers[0].image`.

    A key that is not a plain name (dots, slashes) is written as a JSON string in brackets:
    `metadata.labels["app.oam.dev/name"]`.
    """
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _NAME.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def parse_path(text: str) -> Path:
    """The parts of a path written as `format_path` writes it, or as a JSON Pointer (`/a/b~1c`).

    Raises ValueError naming the position of the first character that does not fit.
    """
    if text.startswith("/"):
        return tuple(_pointer_part(p) for p in text[1:].split("/"))
    parts: list[Part] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or (match.group(0).startswith(".") and not parts):
            raise ValueError(f"bad path {text!r} at column {pos + 1}")
        name, index, quoted = match.groups()
        if name is not None:
            parts.append(name)
        elif index is not None:
            parts.append(ANY if index == ANY else int(index))
        else:
            parts.append(str(json.loads(quoted)))
        pos = match.end()
    if not parts:
        raise ValueError("empty path")
    return tuple(parts)


def _pointer_part(part: str) -> Part:
    text = part.replace("~1", "/").replace("~0", "~")
    return int(text) if text.isdigit() else text


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
