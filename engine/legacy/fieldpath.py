"""Field paths of the legacy model (`spec.containers[0].env[1].value`): parse them, set values at them.

Syntax: dotted keys (`a.b`), list indices (`a[0]`), and bracketed keys for keys holding dots
or brackets, quoted (`a["x.y"]`, `a['x.y']`) or bare when not an integer (`a[x.y]`, the
crossplane spelling). Setting creates missing maps; a list grows only by its next index
(`a[2]` on a list of two appends), because padding with nulls, as the OAM runtime did,
yields objects Kubernetes rejects. Anything else is a FieldPathError naming the path.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..paths import Part, Path, bracket_text


class FieldPathError(ValueError):
    """A field path that cannot be parsed or followed; the message names the path."""


def parse_field_path(text: str) -> Path:
    """`a.b[0]["x.y"]` -> ("a", "b", 0, "x.y"); FieldPathError on bad syntax."""
    if not isinstance(text, str) or not text:
        raise FieldPathError(f"field path {text!r} is empty")
    segments: list[Part] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "[":
            segment, pos = _bracket(text, pos)
        else:
            if segments:
                if text[pos] != ".":
                    raise FieldPathError(f"field path {text!r}: expected '.' or '[' at column {pos + 1}")
                pos += 1
            segment, pos = _key(text, pos)
        segments.append(segment)
    return Path(segments)


def _key(text: str, pos: int) -> tuple[str, int]:
    end = pos
    while end < len(text) and text[end] not in ".[]":
        end += 1
    if end == pos:
        raise FieldPathError(f"field path {text!r}: empty key at column {pos + 1}")
    return text[pos:end], end


def _bracket(text: str, pos: int) -> tuple[Part, int]:
    close = _closing(text, pos)
    inner = text[pos + 1:close]
    if not inner:
        raise FieldPathError(f"field path {text!r}: empty brackets at column {pos + 1}")
    if inner[0] in "\"'":
        if len(inner) < 2 or inner[-1] != inner[0]:
            raise FieldPathError(f"field path {text!r}: unterminated quoted key at column {pos + 1}")
        try:
            key = json.loads(inner) if inner[0] == '"' else re.sub(r"\\(.)", r"\1", inner[1:-1])
        except json.JSONDecodeError:
            raise FieldPathError(f"field path {text!r}: bad escape in quoted key {inner}") from None
        return str(key), close + 1
    if inner.isdigit():
        return int(inner), close + 1
    if inner.lstrip("-").isdigit():
        raise FieldPathError(f"field path {text!r}: negative index {inner}")
    return inner, close + 1


def _closing(text: str, pos: int) -> int:
    """The index of the `]` closing the bracket at `pos`, skipping a quoted key."""
    quote = text[pos + 1] if pos + 1 < len(text) and text[pos + 1] in "\"'" else ""
    index = pos + 2 if quote else pos + 1
    while index < len(text):
        char = text[index]
        if quote and char == "\\":
            index += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char == "]":
            return index
        index += 1
    raise FieldPathError(f"field path {text!r}: '[' at column {pos + 1} is never closed")


def bare_key(key: str) -> bool:
    """Whether the legacy spelling writes `key` unquoted: no dots, brackets or quotes in it."""
    return bool(key) and not any(c in key for c in ".[]\"'")


def _container_for(segment: Part) -> Any:
    return [] if isinstance(segment, int) else {}


def _describe(value: Any) -> str:
    return "null" if value is None else type(value).__name__.replace("dict", "map").replace("str", "string")


def set_field(body: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at field path `path` inside `body` (in place); FieldPathError if it cannot."""
    segments = parse_field_path(path)
    node: Any = body
    for depth, segment in enumerate(segments):
        last = depth == len(segments) - 1
        nxt = None if last else segments[depth + 1]
        where = bracket_text(segments[:depth], bare_key) or "the object"
        new = copy.deepcopy(value) if last else _container_for(nxt if nxt is not None else "")
        if isinstance(segment, int):
            if not isinstance(node, list):
                raise FieldPathError(f"field path {path!r}: {where} is a {_describe(node)}, not a list")
            if segment > len(node):
                raise FieldPathError(f"field path {path!r}: index {segment} is past the end of {where}"
                                     f" (length {len(node)}); only index {len(node)} may be added")
            if segment == len(node):
                node.append(new)
            elif last or node[segment] is None:
                node[segment] = new
        else:
            if not isinstance(node, dict):
                raise FieldPathError(f"field path {path!r}: {where} is a {_describe(node)}, not a map")
            if last or node.get(segment) is None:
                node[segment] = new
        node = node[segment]


def set_parameters(body: dict[str, Any], field_paths: Mapping[str, Sequence[str]],
                   values: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """Set every value at each field path of its parameter, in parameter order.

    Returns (parameter, index of the path, message) for every path that failed; the others
    are still applied, so that all errors are found in one pass.
    """
    failures = []
    for name, paths in field_paths.items():
        if name not in values:
            continue
        for index, path in enumerate(paths):
            try:
                set_field(body, path, values[name])
            except FieldPathError as exc:
                failures.append((name, index, str(exc)))
    return failures
