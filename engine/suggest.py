"""The one "did you mean" hint: known names close to a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

__all__ = ["did_you_mean"]


def did_you_mean(name: str, known: Iterable[str], *, most: int = 3, spell: Callable[[str], str] = str,
                 form: str = "; did you mean {}?") -> str:
    """`form` filled with up to `most` known names that look like `name` (each written by
    `spell`, comma-separated), or "" when none is close."""
    near = difflib.get_close_matches(name, list(known), n=most, cutoff=0.6)
    return form.format(", ".join(map(spell, near))) if near else ""
