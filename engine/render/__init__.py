"""The render stage: documents to environments, definitions resolved, cue evaluation, traits and policies."""

from .pipeline import render

__all__ = ["render"]
