"""The one CUE syntax layer: lexer, tree, parser and visitor, and the readers built on them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .concrete import BytesMode, MarkerMap, PatchPath, parse_concrete
    from .facts import (
        TemplateFacts,
        field_markers,
        pattern_list_paths,
        references_context_output,
        template_facts,
        top_level_patch_strategy,
    )
    from .lexer import CueSyntaxError
    from .outline import DefinitionSource, split_definition_file, split_imports
    from .parser import parse_expr, parse_file

# Each name is imported on first use (PEP 562): a module that needs only the lexer, or the
# record of known template facts, does not load the parser.
_HOMES = {
    "BytesMode": ".concrete", "MarkerMap": ".concrete", "PatchPath": ".concrete", "parse_concrete": ".concrete",
    "TemplateFacts": ".known", "field_markers": ".facts", "pattern_list_paths": ".facts",
    "references_context_output": ".facts", "template_facts": ".facts", "top_level_patch_strategy": ".facts",
    "CueSyntaxError": ".lexer", "DefinitionSource": ".outline", "split_definition_file": ".outline",
    "split_imports": ".outline", "parse_expr": ".parser", "parse_file": ".parser",
}

__all__ = [
    "BytesMode",
    "CueSyntaxError",
    "DefinitionSource",
    "MarkerMap",
    "PatchPath",
    "TemplateFacts",
    "field_markers",
    "parse_concrete",
    "parse_expr",
    "parse_file",
    "pattern_list_paths",
    "references_context_output",
    "split_definition_file",
    "split_imports",
    "template_facts",
    "top_level_patch_strategy",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name], __name__), name)
    globals()[name] = value
    return value
