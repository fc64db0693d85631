"""The one CUE lexer: tokens with positions, comma insertion, interpolations and comments."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ...errors import PositionedError

__all__ = ["Comment", "CueSyntaxError", "Lexer", "Pos", "Token", "tokenize"]

_OPEN = {"{": "}", "[": "]", "(": ")"}
_CLOSE = frozenset("}])")
_STRING_HEAD = re.compile(r"(#*)(\"\"\"|'''|\"|')")
_IDENT = re.compile(r"_\|_|(?:_?#)?(?:[^\W\d]|\$|[^\x00-\x7f\s])(?:[\w$]|[^\x00-\x7f\s])*")
_NUMBER = re.compile(r"\.?\d(?:[\w.]|(?<=[eE])[+-])*")
_ATTR_HEAD = re.compile(r"@[\w$#]+")
_PUNCT = re.compile(r"\.\.\.|==|!=|<=|>=|=~|!~|&&|\|\||\S")


class CueSyntaxError(PositionedError):
    """CUE text that cannot be read: a scanning or parsing error at a line and column.

    recoverable: a tolerant parse may skip the declaration it happened in.
    """

    def __init__(self, message: str, line: int, col: int, *, recoverable: bool = False) -> None:
        super().__init__(message, line, col)
        self.recoverable = recoverable


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column, and the 0-based offset into the text."""

    offset: int
    line: int
    col: int


@dataclass(frozen=True)
class Comment:
    """A `//` comment; `trailing` when code precedes it on its line, `after` that code's last token."""

    text: str  # with the leading `//`, trailing blanks removed
    pos: Pos
    trailing: bool
    after: str = ""

    @property
    def line(self) -> int:
        return self.pos.line


@dataclass(frozen=True)
class Token:
    """One token. kind: ident | number | string | attr | punct | comma | eof.

    text is the source text ("" for an inserted comma and for eof); comments are those
    between the previous token and this one; parts are the token lists of a string's
    interpolations, each ended by an eof token.
    """

    kind: str
    text: str
    pos: Pos
    comments: tuple[Comment, ...] = ()
    parts: tuple[tuple[Token, ...], ...] = ()

    @property
    def end(self) -> int:
        return self.pos.offset + len(self.text)

    def is_punct(self, text: str) -> bool:
        return self.kind == "punct" and self.text == text


def _ends_line(tok: Token) -> bool:
    """Whether a newline after this token ends the declaration (CUE's comma insertion rule)."""
    if tok.kind in ("ident", "number", "string", "attr"):
        return True
    return tok.kind == "punct" and tok.text in (")", "]", "}", "...")


_CONTINUATIONS = frozenset({"|", "&", "||", "&&", "==", "!=", "<", "<=", ">", ">=", "=~", "!~", "+", "-", "*", "/",
                            ")"})


def _continues_bottom(tokens: list[Token], tok: Token) -> bool:
    """An inserted comma after a `_|_` ending in a line comment does not end the expression when
    the next line starts with an operator or `)` (as cue's parser reads what `cue def` prints)."""
    if len(tokens) < 2 or tokens[-1].kind != "comma" or tokens[-1].text or tokens[-2].text != "_|_":
        return False
    return tok.kind == "punct" and tok.text in _CONTINUATIONS and any(c.trailing for c in tok.comments)


class Lexer:
    """Splits CUE text into tokens; brackets must balance, strings must end."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.comments: list[Comment] = []
        self._pending: list[Comment] = []
        self._last: Token | None = None
        self._single_line_string: int | None = None  # start of the string being interpolated

    def locate(self, offset: int) -> Pos:
        line = bisect.bisect_right(self._starts, offset)
        return Pos(offset, line, offset - self._starts[line - 1] + 1)

    def error(self, message: str, offset: int) -> CueSyntaxError:
        where = self.locate(offset)
        return CueSyntaxError(message, where.line, where.col)

    def _token(self, kind: str, start: int, parts: tuple[tuple[Token, ...], ...] = ()) -> Token:
        comments: tuple[Comment, ...] = ()
        if kind != "comma":
            comments, self._pending = tuple(self._pending), []
        tok = Token(kind, self.text[start : self.pos], self.locate(start), comments, parts)
        if kind != "comma" or tok.text:
            self._last = tok
        return tok

    def scan(self, interpolation: int | None = None) -> list[Token]:
        """Tokens up to EOF, or up to the `)` closing the interpolation opened at that offset."""
        tokens: list[Token] = []
        stack: list[Token] = []
        while True:
            self._skip_blanks(tokens)
            if self.pos >= len(self.text):
                return self._finish(tokens, stack, interpolation)
            tok = self._next_token()
            if _continues_bottom(tokens, tok):
                tokens.pop()  # cue prints `_|_ // explicit error ...` NEWLINE `&& x`: one expression
            if tok.kind == "punct" and tok.text in _OPEN:
                stack.append(tok)
            elif tok.kind == "punct" and tok.text in _CLOSE:
                if not stack and interpolation is not None and tok.text == ")":
                    tokens.append(Token("eof", "", tok.pos, tok.comments))
                    return tokens
                self._close(stack, tok)
            tokens.append(tok)

    def _close(self, stack: list[Token], tok: Token) -> None:
        if not stack:
            raise self.error(f"unexpected '{tok.text}'", tok.pos.offset)
        opener = stack.pop()
        if _OPEN[opener.text] != tok.text:
            raise self.error(
                f"'{tok.text}' does not close '{opener.text}' opened at line {opener.pos.line}", tok.pos.offset
            )

    def _finish(self, tokens: list[Token], stack: list[Token], interpolation: int | None) -> list[Token]:
        if interpolation is not None:
            raise self.error("unterminated string interpolation", interpolation)
        if stack:
            raise self.error(f"unclosed '{stack[-1].text}'", stack[-1].pos.offset)
        if tokens and _ends_line(tokens[-1]):
            tokens.append(self._token("comma", self.pos))
        tokens.append(self._token("eof", self.pos))
        return tokens

    def _skip_blanks(self, tokens: list[Token]) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\n":
                if self._single_line_string is not None:
                    raise self.error("unterminated string", self._single_line_string)
                if tokens and _ends_line(tokens[-1]):
                    tokens.append(self._token("comma", self.pos))
                self.pos += 1
            elif char in " \t\r\f\ufeff":
                self.pos += 1
            elif text.startswith("//", self.pos):
                self._comment()
            else:
                return

    def _comment(self) -> None:
        start = self.pos
        end = self.text.find("\n", start)
        self.pos = len(self.text) if end < 0 else end
        line_start = self.text.rfind("\n", 0, start) + 1
        trailing = self.text[line_start:start].strip() != ""
        last = self._last
        after = last.text if trailing and last is not None and "\n" not in self.text[last.end : start] else ""
        comment = Comment(self.text[start : self.pos].rstrip(), self.locate(start), trailing, after)
        self.comments.append(comment)
        self._pending.append(comment)

    def _next_token(self) -> Token:
        start = self.pos
        if head := _STRING_HEAD.match(self.text, start):
            return self._string(start, len(head.group(1)), head.group(2))
        for kind, pattern in (("ident", _IDENT), ("number", _NUMBER), ("attr", _ATTR_HEAD)):
            if match := pattern.match(self.text, start):
                self.pos = match.end()
                if kind == "attr" and self.text.startswith("(", self.pos):
                    self._skip_attribute_args(start)
                return self._token(kind, start)
        match = _PUNCT.match(self.text, start)
        assert match is not None  # \S matches any non-blank character
        self.pos = match.end()
        return self._token("comma" if match.group() == "," else "punct", start)

    def _string(self, start: int, hashes: int, quote: str) -> Token:
        text = self.text
        close, escape = quote + "#" * hashes, "\\" + "#" * hashes
        self.pos = start + hashes + len(quote)
        parts: list[tuple[Token, ...]] = []
        pending, self._pending = self._pending, []
        while not text.startswith(close, self.pos):
            if self.pos >= len(text) or (text[self.pos] == "\n" and len(quote) == 1):
                raise self.error("unterminated string", start)
            if not text.startswith(escape, self.pos):
                self.pos += 1
            elif text.startswith("(", self.pos + len(escape)):
                outer, self._single_line_string = self._single_line_string, None
                if len(quote) == 1:
                    self._single_line_string = start
                self.pos += len(escape) + 1
                parts.append(tuple(self.scan(interpolation=self.pos - len(escape) - 1)))
                self._single_line_string = outer
            else:
                self.pos += len(escape) + 1  # an escaped character, possibly a quote
        self.pos += len(close)
        self._pending = pending
        return self._token("string", start, tuple(parts))

    def _skip_attribute_args(self, start: int) -> None:
        depth = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == '"':
                self._string(self.pos, 0, '"')
                continue
            self.pos += 1
            depth += (char in "([{") - (char in ")]}")
            if depth == 0:
                return
        raise self.error("unterminated attribute", start)


def tokenize(text: str) -> tuple[list[Token], list[Comment]]:
    """All tokens of the text (ending in eof) and all its comments in source order.

    Raises CueSyntaxError for unterminated strings and attributes and unbalanced brackets.
    """
    lexer = Lexer(text)
    return lexer.scan(), lexer.comments
