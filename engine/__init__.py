"""oam-render: render OAM Applications into Kubernetes objects through the real cue CLI."""

from .definitions import ChainLoader, DefinitionLoader, DictLoader, DirectoryLoader, default_loader
from .errors import AppError, CueEnvironmentError, DefinitionError, OamError, Problem
from .model import AppOutcome, BatchResult, Definition, RenderedObject, RenderOptions, RenderResult
from .render.batch import render_many
from .render.pipeline import render
from .schema.export import export_schema

__all__ = [
    "AppError",
    "AppOutcome",
    "BatchResult",
    "ChainLoader",
    "CueEnvironmentError",
    "Definition",
    "DefinitionError",
    "DefinitionLoader",
    "DictLoader",
    "DirectoryLoader",
    "OamError",
    "Problem",
    "RenderOptions",
    "RenderResult",
    "RenderedObject",
    "default_loader",
    "export_schema",
    "render",
    "render_many",
]
