"""The layout of a standalone definition file and a template's import preamble, read shallowly."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .facts import field_label
from .lexer import CueSyntaxError, Lexer, Token
from .parser import Parser
from .preamble import parse_preamble, read_preamble

__all__ = ["DefinitionSource", "split_definition_file", "split_imports"]


@dataclass(frozen=True)
class DefinitionSource:
    """The parts of a standalone `.cue` definition file, as source text with line anchors.

    Line k of `template_body` is line `template_line + k - 1` of the file (same for metadata).
    """

    name: str
    imports: str
    metadata_source: str
    metadata_line: int
    template_body: str
    template_line: int


@dataclass(frozen=True)
class _TopField:
    label: str
    first: Token
    open: Token  # the braces of its struct
    close: Token


def _top_field(parser: Parser) -> _TopField:
    """A top-level `LABEL: {...}`; the struct's contents are left to cue (only brackets must match)."""
    first = parser.peek()
    if not parser.field_start(parser.i):
        raise parser.error(
            "unexpected declaration at the top level of a definition file "
            "(expected `NAME: {...}` and `template: {...}`)",
            first,
        )
    if parser.peek(1).is_punct("="):
        parser.i += 2  # an alias `X=name: {...}`
    name, regular = field_label(parser.label())
    if parser.peek().kind == "punct" and parser.peek().text in "?!":
        parser.take()
    if not regular or parser.field_start(parser.i + 1):
        raise parser.error(f"top-level field {name!r} must be `{name}: {{...}}`", first)
    parser.take()
    opener = parser.peek()
    if opener.is_punct("{"):
        parser.i = parser.match[parser.i] + 1
        if parser.peek().kind in ("comma", "eof"):
            return _TopField(name, first, opener, parser.toks[parser.i - 1])
    raise parser.error(f"top-level field {name!r} must be a struct `{{...}}`", first)


def _body(text: str, field: _TopField, lexer: Lexer) -> tuple[str, int]:
    begin = field.open.end
    return text[begin : field.close.pos.offset], lexer.locate(begin).line


def split_definition_file(text: str) -> DefinitionSource:
    """Split a standalone definition file into its imports, metadata and template body.

    Returns a DefinitionSource; the `package` clause, if any, is dropped.
    Raises CueSyntaxError for text that does not scan and for any layout other than optional
    imports, one `NAME: {...}` metadata field and one `template: {...}` field.
    """
    lexer = Lexer(text)
    parser = Parser(lexer.scan(), text)
    head = read_preamble(parser, text)
    found: dict[str, _TopField] = {}
    while True:
        parser.skip_commas()
        if parser.peek().kind == "eof":
            break
        field = _top_field(parser)
        role = "template" if field.label == "template" else "metadata"
        if role in found:
            first = found[role]
            raise parser.error(
                f"a definition file holds one {role} field: found {first.label!r} (line {first.first.pos.line})"
                f" and {field.label!r}",
                field.first,
            )
        found[role] = field
    for role, other in (("template", "metadata"), ("metadata", "template")):
        if role not in found:
            line = found[other].first.pos.line if other in found else 1
            what = "`template: {...}`" if role == "template" else "`NAME: {...}` metadata"
            raise CueSyntaxError(f"definition file has no {what} field", line, 1)
    metadata_source, metadata_line = _body(text, found["metadata"], lexer)
    template_body, template_line = _body(text, found["template"], lexer)
    imports = text[slice(*head.imports_span)] if head.imports_span else ""
    return DefinitionSource(found["metadata"].label, imports, metadata_source, metadata_line, template_body,
                            template_line)


def split_imports(template: str) -> tuple[str, str, int]:
    """Split a template string into its leading import declarations and the struct body.

    Returns (imports_text, body_text, body_first_line): the import declarations verbatim
    (or ""), everything after them (a `package` clause and comments before the imports are
    dropped), and the 1-based line of `template` where body_text starts.
    Raises CueSyntaxError for text that does not scan or a malformed import.
    """
    head = parse_preamble(template)
    if head.preamble_end is None:
        return "", template, 1
    body_start = head.preamble_end
    rest_of_line = re.compile(r"[ \t\r]*\n").match(template, body_start)
    if rest_of_line:  # start the body on a fresh line when nothing follows the imports
        body_start = rest_of_line.end()
    imports = template[slice(*head.imports_span)] if head.imports_span else ""
    return imports, template[body_start:], template.count("\n", 0, body_start) + 1
