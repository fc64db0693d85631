"""The one gateway to cue: the runner, programs of many instances, and readers of CUE text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runner import Cue, CueFailed

__all__ = ["Cue", "CueFailed"]


def __getattr__(name: str) -> Any:
    # Imported on first use: reading CUE text (cue.syntax) does not start the runner's machinery.
    if name in __all__:
        from . import runner
        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
