"""The one CUE syntax layer: lexer, tree, parser and visitor, and the readers built on them."""

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
