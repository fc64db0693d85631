"""Recursive-descent CUE parser: tokens from the lexer to the syntax tree of tree.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .cursor import TokenCursor, starts_comprehension
from .lexer import CueSyntaxError, Lexer, Token
from .preamble import read_preamble
from .tree import (
    Attribute,
    Bad,
    BasicLit,
    BinaryExpr,
    Bottom,
    CallExpr,
    Clause,
    Comprehension,
    Decl,
    Ellipsis,
    Embedding,
    Expr,
    Field,
    File,
    ForClause,
    Ident,
    IfClause,
    IndexExpr,
    Interpolation,
    Label,
    LetClause,
    ListLit,
    ParenExpr,
    SelectorExpr,
    StructLit,
    UnaryExpr,
)

__all__ = ["Parser", "parse_expr", "parse_file"]

_BINARY: tuple[frozenset[str], ...] = tuple(frozenset(ops) for ops in (
    ("|",), ("&",), ("||",), ("&&",), ("==", "!=", "<", "<=", ">", ">=", "=~", "!~"), ("+", "-"), ("*", "/"),
))
_UNARY = frozenset({"*", "!", "-", "+", "<", "<=", ">", ">=", "!=", "=~", "!~"})
_CONSTANTS = {"true": "bool", "false": "bool", "null": "null"}
_CLAUSES = ("for", "if", "let")
_Item = TypeVar("_Item")


class Parser(TokenCursor):
    """One pass over one token list (a text, or one interpolation inside a string)."""

    def decls(self, closer: str | None) -> tuple[Decl, ...]:
        found: list[Decl] = []
        while True:
            self.skip_commas()
            tok = self.peek()
            if tok.kind == "eof" or (closer is not None and tok.is_punct(closer)):
                if tok.kind == "eof" and closer is not None:
                    raise self.error(f"expected '{closer}', found the end", tok)
                return tuple(found)
            found.append(self.guarded(self.decl))
            after = self.peek()
            if after.kind not in ("comma", "eof") and not (closer is not None and after.is_punct(closer)):
                self.skip_bad(self.error("expected ',' or a new line", after), self.i)

    def guarded(self, read: Callable[[], _Item]) -> _Item | Bad:
        """read() at this point; a tolerant parse turns a recoverable error into a Bad."""
        start = self.i
        try:
            return read()
        except CueSyntaxError as exc:
            return self.skip_bad(exc, start)

    def skip_bad(self, exc: CueSyntaxError, start: int) -> Bad:
        """Skip from token `start` to the next `,` or closing bracket at its level, or raise exc."""
        if not (self.tolerant and exc.recoverable):
            raise exc
        self.i = start
        while True:
            tok = self.peek()
            if tok.kind in ("comma", "eof") or (tok.kind == "punct" and tok.text in ")]}"):
                if self.i == start and tok.kind != "eof":
                    self.take()  # a stray token: step over it
                return Bad(self.toks[start].pos, self.toks[self.i - 1].end if self.i else 0)
            self.i = self.match[self.i] + 1 if self.i in self.match else self.i + 1

    def decl(self) -> Decl:
        tok, nxt = self.peek(), self.peek(1)
        if tok.kind == "attr":
            self.take()
            return Attribute(tok.pos, tok.text)
        if self.field_start(self.i):
            return self.field()
        if starts_comprehension(tok, nxt):
            return self.comprehension()
        if tok.text == "let" and tok.kind == "ident" and nxt.kind == "ident" and self.peek(2).is_punct("="):
            return self.let_clause()
        if tok.is_punct("..."):
            return self.ellipsis()
        return Embedding(tok.pos, self.expr(), tok.comments)

    # --- fields

    def field(self) -> Field:
        first = self.peek()
        alias = ""
        if first.kind == "ident" and self.peek(1).is_punct("="):
            alias = self.take().text
            self.take()
        label = self.label()
        constraint = self.take().text if self.peek().kind == "punct" and self.peek().text in "?!" else ""
        self.expect(":")
        if self.field_start(self.i):
            inner = self.field()
            value: Expr = StructLit(inner.pos, (inner,))
        else:
            value = self.guarded(self.expr)
        attrs = []
        while self.peek().kind == "attr":
            tok = self.take()
            attrs.append(Attribute(tok.pos, tok.text))
        return Field(first.pos, label, value, constraint, alias, tuple(attrs), first.comments)

    def label(self) -> Label:
        tok = self.take()
        if tok.kind == "ident":
            return Label(tok.pos, "ident", tok.text)
        if tok.kind == "string":
            return Label(tok.pos, "string", tok.text, self.string(tok))
        close = self.match[self.i - 1]
        text = self.text[tok.pos.offset : self.toks[close].end]
        alias = ""
        if tok.text == "[" and self.peek().kind == "ident" and self.peek(1).is_punct("="):
            alias = self.take().text
            self.take()
        inner = self.expr()
        self.expect("]" if tok.text == "[" else ")")
        return Label(tok.pos, "pattern" if tok.text == "[" else "paren", text, inner, alias)

    def let_clause(self) -> LetClause:
        tok = self.take()
        name = self.take().text
        self.expect("=")
        return LetClause(tok.pos, name, self.expr(), tok.comments)

    def ellipsis(self) -> Ellipsis:
        tok = self.take()
        nxt = self.peek()
        if nxt.kind in ("comma", "eof") or (nxt.kind == "punct" and nxt.text in ")]}"):
            return Ellipsis(tok.pos)
        return Ellipsis(tok.pos, self.expr())

    def comprehension(self) -> Comprehension:
        first = self.peek()
        clauses: list[Clause] = []
        while True:
            tok, nxt = self.peek(), self.peek(1)
            if tok.kind == "comma" and not tok.text and clauses and (
                nxt.is_punct("{") or (nxt.kind == "ident" and nxt.text in _CLAUSES)
            ):
                self.take()  # cue accepts clauses and the body on separate lines
            elif tok.is_punct("{") and clauses:
                end = self.toks[self.i - 1].end
                return Comprehension(first.pos, tuple(clauses), self.struct(), end)
            elif tok.kind == "ident" and tok.text in _CLAUSES and nxt.kind != "comma":
                clauses.append(self.clause())
            else:
                raise self.error("comprehension without a body", first, recoverable=False)

    def clause(self) -> Clause:
        tok = self.take()
        if tok.text == "if":
            return IfClause(tok.pos, self.expr())
        if tok.text == "let":
            name = self.take().text
            self.expect("=")
            return LetClause(tok.pos, name, self.expr())
        key, value = "", self.take()
        if self.peek().kind == "comma" and self.peek().text:
            self.take()
            key, value = value.text, self.take()
        if value.kind != "ident" or not (self.peek().kind == "ident" and self.peek().text == "in"):
            raise self.error("malformed for clause: expected `for k, v in x`", tok)
        self.take()
        return ForClause(tok.pos, key, value.text, self.expr())

    # --- expressions

    def expr(self, level: int = 0) -> Expr:
        if level == len(_BINARY):
            return self.unary()
        left = self.expr(level + 1)
        while self.peek().kind == "punct" and self.peek().text in _BINARY[level]:
            op = self.take()
            left = BinaryExpr(left.pos, op.text, left, self.expr(level + 1), op.pos)
        return left

    def unary(self) -> Expr:
        tok = self.peek()
        if tok.kind == "punct" and tok.text in _UNARY:
            self.take()
            return UnaryExpr(tok.pos, tok.text, self.unary())
        return self.postfix(self.primary())

    def primary(self) -> Expr:
        tok = self.peek()
        if tok.kind == "ident":
            self.take()
            if tok.text == "_|_":
                return Bottom(tok.pos)
            if tok.text in _CONSTANTS:
                return BasicLit(tok.pos, _CONSTANTS[tok.text], tok.text)
            return Ident(tok.pos, tok.text)
        if tok.kind == "number":
            self.take()
            return BasicLit(tok.pos, "number", tok.text)
        if tok.kind == "string":
            return self.string(self.take())
        if tok.is_punct("("):
            self.take()
            inner = self.expr()
            self.expect(")")
            return ParenExpr(tok.pos, inner)
        if tok.is_punct("{"):
            return self.struct()
        if tok.is_punct("["):
            return self.list()
        raise self.unexpected(tok)

    def string(self, tok: Token) -> BasicLit | Interpolation:
        if not tok.parts:
            quote = tok.text.lstrip("#")[:1]
            return BasicLit(tok.pos, "bytes" if quote == "'" else "string", tok.text)
        exprs = []
        for part in tok.parts:
            sub = Parser(part, self.text)
            sub.skip_commas()
            exprs.append(sub.expr())
            sub.skip_commas()
            if sub.peek().kind != "eof":
                raise sub.unexpected(sub.peek())
        return Interpolation(tok.pos, tok.text, tuple(exprs))

    def postfix(self, expr: Expr) -> Expr:
        while True:
            tok = self.peek()
            if tok.is_punct(".") and self.peek(1).kind in ("ident", "string"):
                self.take()
                sel = self.take()
                label = Label(sel.pos, sel.kind, sel.text, self.string(sel) if sel.kind == "string" else None)
                expr = SelectorExpr(expr.pos, expr, label)
            elif tok.is_punct("("):
                self.take()
                args = []
                while not self.peek().is_punct(")"):
                    args.append(self.expr())
                    if not self.peek().is_punct(")"):
                        self.expect_comma()
                self.take()
                expr = CallExpr(expr.pos, expr, tuple(args))
            elif tok.is_punct("["):
                self.take()
                index = self.expr()
                self.expect("]")
                expr = IndexExpr(expr.pos, expr, index)
            else:
                return expr

    def struct(self) -> StructLit:
        tok = self.expect("{")
        decls = self.decls("}")
        close = self.expect("}")
        return StructLit(tok.pos, decls, close.pos)

    def list(self) -> ListLit:
        tok = self.expect("[")
        elts: list[Expr | Ellipsis | Comprehension] = []
        while True:
            self.skip_commas()
            elem = self.peek()
            if elem.is_punct("]"):
                self.take()
                return ListLit(tok.pos, tuple(elts), elem.pos)
            elts.append(self.guarded(self.element))
            if not self.peek().is_punct("]") and self.peek().kind != "comma":
                self.skip_bad(self.error("expected ',' or a new line", self.peek()), self.i)

    def element(self) -> Expr | Ellipsis | Comprehension:
        if self.peek().is_punct("..."):
            return self.ellipsis()
        if starts_comprehension(self.peek(), self.peek(1)):
            return self.comprehension()
        return self.expr()


def _parser(text: str, tolerant: bool = False) -> tuple[Parser, list[Token], Lexer]:
    lexer = Lexer(text)
    tokens = lexer.scan()
    return Parser(tokens, text, tolerant), tokens, lexer


def parse_file(text: str, *, tolerant: bool = False) -> File:
    """The syntax tree of a whole CUE text; raises CueSyntaxError where it is not CUE.

    tolerant: declarations and list elements that do not parse become Bad nodes (cue
    reports those better); text that does not scan, and a comprehension without a body,
    still raise.
    """
    parser, tokens, lexer = _parser(text, tolerant)
    head = read_preamble(parser, text)
    decls = parser.decls(None)
    return File(tokens[0].pos, decls, tuple(lexer.comments), text, head.package, head.imports,
                head.imports_span, head.preamble_end)


def parse_expr(text: str) -> Expr:
    """The syntax tree of one CUE expression; raises CueSyntaxError."""
    parser, _, _ = _parser(text)
    parser.skip_commas()
    expr = parser.expr()
    parser.skip_commas()
    if parser.peek().kind != "eof":
        raise parser.unexpected(parser.peek())
    return expr
