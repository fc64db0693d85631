"""The facts of templates this process knows, by template text: their record and the registry.

Apart from the readers in `facts` (which need the parser), so that the definition loader can
seed the registry from its on-disk cache, and a render cache hit can check its definitions,
without loading the CUE parser.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from ...paths import Parts
from .lexer import CueSyntaxError

__all__ = ["COUNTS", "ParseCounts", "TemplateFacts", "forget_templates", "known_facts", "remember"]


@dataclass
class ParseCounts:
    """Templates parsed and facts found already known, since the process started (for stats)."""

    template_parses: int = 0
    facts_known: int = 0


COUNTS = ParseCounts()


@dataclass(frozen=True)
class TemplateFacts:
    """What the engine reads from one template, from one parse (see each fact's function)."""

    reads_output: bool = False  # references_context_output
    patch_strategy: str | None = None  # top_level_patch_strategy
    markers: Mapping[str, tuple[tuple[int, str, str], ...]] = dataclasses.field(default_factory=dict)  # field_markers
    patch_patterns: tuple[Parts, ...] = ()  # pattern_list_paths(template, "patch")
    error: tuple[str, int, int] | None = None  # why the text does not scan: message, line, column

    def checked(self) -> TemplateFacts:
        """These facts; raises the CueSyntaxError of a template that does not scan."""
        if self.error is not None:
            raise CueSyntaxError(*self.error)
        return self


# Facts by template text for the process: an app repeats a few definitions many times.
_KNOWN: dict[str, TemplateFacts] = {}
_KEEP = 4096


def known_facts(template: str) -> TemplateFacts | None:
    """The facts kept for `template`, or None (counted in COUNTS.facts_known when found)."""
    known = _KNOWN.get(template)
    if known is not None:
        COUNTS.facts_known += 1
    return known


def remember(template: str, facts: TemplateFacts) -> None:
    """Keep `facts` as those of `template` for the process (the oldest go past _KEEP templates)."""
    if template not in _KNOWN and len(_KNOWN) >= _KEEP:
        with contextlib.suppress(RuntimeError, StopIteration):  # another thread changed it: no matter
            _KNOWN.pop(next(iter(_KNOWN)), None)
    _KNOWN[template] = facts


def forget_templates() -> None:
    """Drop every template's facts kept for the process."""
    _KNOWN.clear()
