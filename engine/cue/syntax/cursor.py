"""A cursor over one token list, and the lookaheads the parser and the preamble reader share."""

from __future__ import annotations

from collections.abc import Sequence

from .lexer import CueSyntaxError, Token

__all__ = ["TokenCursor", "starts_comprehension"]


def starts_comprehension(tok: Token, nxt: Token) -> bool:
    """`for x`, `if cond`; a lone `if` or `for` is a plain reference, as cue parses it."""
    if tok.kind != "ident" or tok.text not in ("if", "for"):
        return False
    if tok.text == "for" or nxt.kind != "punct":
        return nxt.kind == "ident" or (tok.text == "if" and nxt.kind in ("number", "string"))
    return nxt.text in ("(", "[", "{", "!", "-", "+")


class TokenCursor:
    """The position in one token list, with its matching brackets; errors at a token."""

    def __init__(self, tokens: Sequence[Token], text: str, tolerant: bool = False) -> None:
        self.toks = tokens
        self.text = text
        self.tolerant = tolerant
        self.i = 0
        self.match: dict[int, int] = {}
        stack: list[int] = []
        for index, tok in enumerate(tokens):
            if tok.kind == "punct" and tok.text in "([{":
                stack.append(index)
            elif tok.kind == "punct" and tok.text in ")]}" and stack:
                self.match[stack.pop()] = index

    def peek(self, ahead: int = 0) -> Token:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def error(self, message: str, tok: Token, recoverable: bool = True) -> CueSyntaxError:
        return CueSyntaxError(message, tok.pos.line, tok.pos.col, recoverable=recoverable)

    def unexpected(self, tok: Token) -> CueSyntaxError:
        return self.error(f"unexpected {repr(tok.text) if tok.text else 'end of text'}", tok)

    def expect(self, text: str) -> Token:
        tok = self.peek()
        if not tok.is_punct(text):
            shown = repr(tok.text) if tok.text else ("a new line" if tok.kind == "comma" else "the end")
            raise self.error(f"expected '{text}', found {shown}", tok)
        return self.take()

    def skip_commas(self) -> None:
        while self.peek().kind == "comma":
            self.take()

    def expect_comma(self) -> None:
        if self.peek().kind != "comma":
            raise self.error("expected ',' or a new line", self.peek())
        self.skip_commas()

    def field_start(self, j: int) -> bool:
        """Whether a field (`X=label?: ...`) starts at token j."""
        tok = self.toks[j]
        if tok.kind == "ident" and self.toks[min(j + 1, len(self.toks) - 1)].is_punct("="):
            j += 2  # alias
            if j >= len(self.toks):
                return False
            tok = self.toks[j]
        if tok.kind in ("ident", "string"):
            after = j + 1
        elif tok.kind == "punct" and tok.text in ("(", "[") and j in self.match:
            after = self.match[j] + 1
        else:
            return False
        if after < len(self.toks) and self.toks[after].kind == "punct" and self.toks[after].text in ("?", "!"):
            after += 1
        return after < len(self.toks) and self.toks[after].is_punct(":")
