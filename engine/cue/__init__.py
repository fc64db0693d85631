"""The one gateway to cue: the runner, programs of many instances, and readers of CUE text."""

from .runner import Cue, CueFailed

__all__ = ["Cue", "CueFailed"]
