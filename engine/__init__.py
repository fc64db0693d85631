"""oam-render: render OAM Applications into Kubernetes objects through the real cue CLI.

The library's whole public surface is this package's `__all__`: `render` an Application into
a `RenderResult` of `RenderedObject`s, with `RenderOptions`; find definitions through a loader
(`DictLoader` for text in memory, `DirectoryLoader` for files, `ChainLoader` to combine);
`export_schema` of a definition's parameters, a `ui_schema` that places every field in a
form, and `to_form` / `from_form` to fill such a form with properties and turn its data back
into properties. Every error is an `OamError` carrying `Problem`s.
"""

from .definitions import ChainLoader, DefinitionLoader, DictLoader, DirectoryLoader, default_loader
from .errors import AppError, CueEnvironmentError, DefinitionError, OamError, Problem
from .model import AppOutcome, BatchResult, Definition, RenderedObject, RenderOptions, RenderResult
from .render.batch import render_many
from .render.pipeline import render
from .schema.export import export_schema
from .schema.forms import from_form, to_form
from .schema.uischema import ui_schema

__version__: str
"""The version of oam-render, such as `0.1.0`."""


def __getattr__(name: str) -> str:
    # `__version__` is read on first use (PEP 562): finding it loads a TOML or metadata reader.
    if name == "__version__":
        from ._version import package_version

        global __version__
        __version__ = package_version()
        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "__version__",
    "default_loader",
    "export_schema",
    "from_form",
    "render",
    "render_many",
    "to_form",
    "ui_schema",
]
