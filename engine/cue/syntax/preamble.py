"""The preamble of a CUE file: its package clause and import declarations."""

from __future__ import annotations

from .cursor import TokenCursor
from .lexer import Lexer, Token
from .tree import File, ImportSpec

__all__ = ["parse_preamble", "read_preamble"]


def read_preamble(cursor: TokenCursor, file_text: str) -> File:
    """Consume a leading `package` clause and import declarations."""
    package, imports, span, end = "", list[ImportSpec](), None, None
    while True:
        cursor.skip_commas()
        tok, nxt = cursor.peek(), cursor.peek(1)
        if tok.kind != "ident" or cursor.field_start(cursor.i) or tok.text not in ("package", "import"):
            break
        if tok.text == "package":
            if nxt.kind != "ident":
                break
            package = nxt.text
            cursor.i += 2
        else:
            cursor.take()
            imports += _imports(cursor, nxt)
            span = (span[0] if span else tok.pos.offset, cursor.toks[cursor.i - 1].end)
        end = cursor.toks[cursor.i - 1].end
    return File(cursor.peek().pos, (), (), file_text, package, tuple(imports), span, end)


def _imports(cursor: TokenCursor, nxt: Token) -> list[ImportSpec]:
    if not nxt.is_punct("("):
        return [_import_spec(cursor, nxt)]
    cursor.take()
    specs: list[ImportSpec] = []
    while True:
        cursor.skip_commas()
        if cursor.peek().is_punct(")"):
            cursor.take()
            return specs
        specs.append(_import_spec(cursor, cursor.peek()))


def _import_spec(cursor: TokenCursor, first: Token) -> ImportSpec:
    name = ""
    if first.kind == "ident" and cursor.peek(1).kind == "string":
        name = cursor.take().text
    path = cursor.take()
    if path.kind != "string" or path.parts:
        raise cursor.error("malformed import declaration", first)
    return ImportSpec(first.pos, name, path.text.strip('"'))


def parse_preamble(text: str) -> File:
    """Scan the whole text and read only its package clause and imports (decls stay empty).

    Raises CueSyntaxError for text that does not scan or a malformed import.
    """
    lexer = Lexer(text)
    head = read_preamble(TokenCursor(lexer.scan(), text), text)
    return File(head.pos, (), tuple(lexer.comments), text, head.package, head.imports, head.imports_span,
                head.preamble_end)
