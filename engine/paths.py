"""A path to a value inside a document (keys and list indices): one type and its spellings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Final

__all__ = ["ANY", "Part", "Parts", "Path", "app_text", "bracket_text", "cue_selector", "is_name",
           "parse_brackets", "parse_cue_path", "parse_pointer", "pointer_text"]

Part = str | int
# How a path is annotated where plain tuples are built (`(*at, key)`); a Path is one too.
Parts = tuple[Part, ...]

# `[*]` in a pattern matches every list index, `*` every key of a mapping.
ANY: Final = "*"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_TOKEN = re.compile(r"""\.?([A-Za-z_*][A-Za-z0-9_-]*)|\[(\d+|\*)\]|\[("(?:[^"\\]|\\.)*")\]""")
_CUE_PART = re.compile(r"\"(?:[^\"\\]|\\.)*\"|[^.]+")


def is_name(key: str) -> bool:
    """Whether `key` may be written bare in the bracket form (else it is quoted)."""
    return bool(_NAME.match(key))


def _always(_key: str) -> bool:
    return True


def bracket_text(parts: Iterable[Part], plain: Callable[[str], bool] = is_name, base: str = "") -> str:
    """`("spec", "containers", 0, "image")` -> `spec.containers[0].image`, after `base` if given.

    A key `plain` refuses is written as a JSON string in brackets:
    `metadata.labels["app.oam.dev/name"]`.
    """
    text = base
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif plain(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def app_text(parts: Iterable[Part], base: str = "") -> str:
    """The app-path spelling, keys never quoted: `components[web].properties` + ("env", 0) ->
    `components[web].properties.env[0]`; `("spec", "containers", 0)` -> `spec.containers[0]`."""
    return bracket_text(parts, _always, base)


def cue_selector(parts: Iterable[Part]) -> str:
    """`("x.y", 0)` -> `["x.y"][0]`: selectors to append to a CUE reference (any label is safe,
    as JSON string quoting is CUE string syntax)."""
    return "".join(f"[{json.dumps(part)}]" for part in parts)


def parse_cue_path(text: str) -> tuple[str, ...]:
    """The labels of a path as cue prints it in errors: `a."b.c".d` -> ("a", "b.c", "d")."""
    return tuple(json.loads(p) if p.startswith('"') else p for p in _CUE_PART.findall(text))


def pointer_text(parts: Iterable[Part]) -> str:
    """The JSON Pointer (RFC 6901) of a path: `("a", "b/c", 0)` -> `/a/b~1c/0`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def parse_pointer(text: str) -> Path:
    """The parts of a JSON Pointer; all-digit steps become list indices."""
    steps = (step.replace("~1", "/").replace("~0", "~") for step in text[1:].split("/"))
    return Path(int(step) if step.isdigit() else step for step in steps)


def parse_brackets(text: str) -> Path:
    """The parts of a path in the bracket form (as `bracket_text` writes it; `[*]` and `*` are
    ANY), or of a JSON Pointer (`/a/b~1c`).

    Raises ValueError naming the position of the first character that does not fit.
    """
    if text.startswith("/"):
        return parse_pointer(text)
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
    return Path(parts)


class Path(tuple[Part, ...]):
    """A path as its keys and indices; equal to (and hashed as) the plain tuple of its parts."""

    __slots__ = ()

    def __new__(cls, parts: Iterable[Part] = ()) -> Path:
        return super().__new__(cls, tuple(parts))

    def app(self, base: str = "") -> str:
        """`spec.containers[0].image` (see app_text)."""
        return app_text(self, base)

    def brackets(self) -> str:
        """`metadata.labels["app.oam.dev/name"]` (see bracket_text)."""
        return bracket_text(self)

    def selector(self) -> str:
        """`["x.y"][0]` (see cue_selector)."""
        return cue_selector(self)

    def pointer(self) -> str:
        """`/metadata/labels/app.oam.dev~1name` (see pointer_text)."""
        return pointer_text(self)
