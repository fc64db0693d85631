"""Parse the concrete CUE printed by `cue export --out cue` into data and `// +key` markers."""

from __future__ import annotations

import base64
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .errors import PositionedError

__all__ = ["CueTextError", "MarkerMap", "PatchPath", "parse_concrete"]

PatchPath = tuple[str | int, ...]
MarkerMap = dict[PatchPath, dict[str, str]]
BytesMode = Literal["base64", "text"]
_Fail = Callable[[str], "CueTextError"]


class CueTextError(PositionedError):
    """The text is not concrete CUE data as `cue export --out cue` prints it."""


@dataclass(frozen=True)
class _Token:
    # ident, string (one line), text (multi-line), bytes, number, punct, newline, comment, eof
    kind: str
    value: Any
    offset: int


_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+"
    r"|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*|(?P<unit>[KMGTP]i?))?"
)
_MULTIPLIERS = {unit: 1000**power for power, unit in enumerate("KMGTP", start=1)} | {
    unit + "i": 1024**power for power, unit in enumerate("KMGTP", start=1)
}
_RAW_QUOTE = re.compile(r"#*[\"']")
_MARKER_KEY = re.compile(r"[A-Za-z_][\w.-]*")
_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "/": "/", "\\": "\\",
}
_PUNCT = "{}[]:,-"


def _ident_char(ch: str) -> bool:
    """A character of an unquoted label. cue quotes every label that is not an identifier by
    Go's Unicode tables, which may know letters newer than this Python's: any non-ASCII,
    non-space character outside quotes is part of an identifier."""
    return ch.isalnum() or ch in "_$#" or (ord(ch) > 127 and not ch.isspace())


class _Lexer:
    """Splits the text into tokens; strings and numbers are decoded here."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[_Token] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def fail(self, message: str, offset: int) -> CueTextError:
        return CueTextError(message, *self.where(offset))

    def run(self) -> list[_Token]:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r\ufeff":
                self.pos += 1
            elif ch == "\n":
                self._emit("newline", None, self.pos + 1)
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                self._emit("comment", text[self.pos + 2 : end], end)
            elif ch in _PUNCT:
                self._emit("punct", ch, self.pos + 1)
            elif ch.isdigit() or (ch == "." and text[self.pos + 1 : self.pos + 2].isdigit()):
                self._number()
            elif _RAW_QUOTE.match(text, self.pos):
                self._string()
            elif _ident_char(ch) and not ch.isdigit():
                self._ident()
            else:
                raise self.fail(f"unexpected character {ch!r}", self.pos)
        self.tokens.append(_Token("eof", None, len(text)))
        return self.tokens

    def _emit(self, kind: str, value: Any, end: int) -> None:
        self.tokens.append(_Token(kind, value, self.pos))
        self.pos = end

    def _ident(self) -> None:
        end = self.pos
        while end < len(self.text) and _ident_char(self.text[end]):
            end += 1
        self._emit("ident", self.text[self.pos : end], end)

    def _number(self) -> None:
        match = _NUMBER.match(self.text, self.pos)
        assert match is not None  # run() only calls this on a digit or ".digit"
        literal, end = match.group(), match.end()
        if end < len(self.text) and (self.text[end].isalnum() or self.text[end] in "_$#."):
            raise self.fail(f"unsupported number literal {literal + self.text[end]!r}...", self.pos)
        value = _number_value(literal, match["unit"], lambda m: self.fail(m, self.pos))
        self._emit("number", value, end)

    def _string(self) -> None:
        start = self.pos
        opening = _RAW_QUOTE.match(self.text, start)
        assert opening is not None  # run() only calls this at a quote
        hashes = opening.end() - start - 1
        quote = self.text[start + hashes]
        multi = self.text.startswith(quote * 3, start + hashes)
        close = quote * (3 if multi else 1) + "#" * hashes
        body_start = start + hashes + (3 if multi else 1)
        if multi:
            if not self.text.startswith("\n", body_start):
                raise self.fail("a multi-line string must start a new line after its quotes", start)
            body_start += 1
        body_end = self._string_end(body_start, close, "\\" + "#" * hashes, multi)
        raw = self.text[body_start:body_end]
        if multi:
            raw = self._dedent(raw, start)
        value = _unescape(raw, hashes, quote, lambda m: self.fail(m, start))
        kind = "bytes" if quote == "'" else "text" if multi else "string"
        self._emit(kind, value, body_end + len(close))

    def _string_end(self, pos: int, close: str, escape: str, multi: bool) -> int:
        text = self.text
        while pos < len(text):
            if text.startswith(escape, pos):
                pos += len(escape) + 1
            elif text.startswith(close, pos):
                return pos
            elif text[pos] == "\n" and not multi:
                break
            else:
                pos += 1
        raise self.fail("unterminated string", self.pos)

    def _dedent(self, raw: str, start: int) -> str:
        # CUE strips the closing quote line's indentation from every line; blank lines may
        # carry less of it.
        *lines, indent = raw.split("\n")
        if indent.strip(" \t"):
            raise self.fail("the closing quotes of a multi-line string must be on their own line",
                            start)
        out = []
        for line in lines:
            if line.startswith(indent):
                out.append(line[len(indent) :])
            elif indent.startswith(line) and not line.strip(" \t"):
                out.append("")
            else:
                raise self.fail("inconsistent indentation in a multi-line string", start)
        return "\n".join(out)


def _number_value(literal: str, unit: str | None, fail: _Fail) -> int | float:
    digits = literal.replace("_", "")
    prefix = digits[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        return int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    if unit:
        # cue keeps list elements as written, so `1.5Ki` reaches us; it means the int 1536.
        scaled = Decimal(digits[: -len(unit)]) * _MULTIPLIERS[unit]
        if scaled != scaled.to_integral_value():
            raise fail(f"number {literal!r} cannot be represented as an int")
        return int(scaled)
    if any(c in digits for c in ".eE"):
        return float(digits)
    if len(digits) > 1 and digits.startswith("0"):
        raise fail(f"invalid number literal {literal!r} (leading zero)")
    return int(digits)


def _unescape(raw: str, hashes: int, quote: str, fail: _Fail) -> str | bytes:
    """Decode CUE escapes (`\\` followed by `hashes` #s); byte strings give bytes."""
    escape = "\\" + "#" * hashes
    out = bytearray()
    pos = 0
    while True:
        found = raw.find(escape, pos)
        if found < 0:
            out += raw[pos:].encode("utf-8", "surrogatepass")
            break
        out += raw[pos:found].encode("utf-8", "surrogatepass")
        pos = _one_escape(raw, found + len(escape), quote, out, fail)
    if quote == "'":
        return bytes(out)
    return out.decode("utf-8", "surrogatepass")


def _one_escape(raw: str, pos: int, quote: str, out: bytearray, fail: _Fail) -> int:
    """Append the escape starting after the backslash at `pos`; return where it ends."""
    ch = raw[pos : pos + 1]
    if ch in _SIMPLE_ESCAPES:
        out += _SIMPLE_ESCAPES[ch].encode()
        return pos + 1
    if ch == quote:
        out += ch.encode()
        return pos + 1
    width = {"u": 4, "U": 8, "x": 2}.get(ch, 0)
    if ch == "x" or ch.isdigit():
        if quote != "'":
            raise fail("byte escapes are only allowed in byte strings")
        digits, base = (raw[pos + 1 : pos + 3], 16) if ch == "x" else (raw[pos : pos + 3], 8)
        value = _parse_digits(digits, base, 2 if ch == "x" else 3, fail)
        if value > 255:
            raise fail(f"byte escape out of range: \\{digits}")
        out.append(value)
        return pos + 1 + len(digits) if ch == "x" else pos + 3
    if width:
        code = _parse_digits(raw[pos + 1 : pos + 1 + width], 16, width, fail)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise fail(f"invalid Unicode code point {code:#x}")
        out += chr(code).encode("utf-8")
        return pos + 1 + width
    if ch == "(":
        raise fail("string interpolation is not concrete data")
    raise fail(f"unknown escape sequence \\{ch}")


def _parse_digits(digits: str, base: int, width: int, fail: _Fail) -> int:
    try:
        if len(digits) != width:
            raise ValueError(digits)
        return int(digits, base)
    except ValueError:
        raise fail(f"invalid escape digits {digits!r}") from None


class _Parser:
    """Recursive descent over the tokens, building data and recording field markers."""

    def __init__(self, lexer: _Lexer, bytes_as: BytesMode) -> None:
        self.lexer = lexer
        self.tokens = lexer.run()
        self.index = 0
        self.bytes_as = bytes_as
        self.markers: MarkerMap = {}

    def fail(self, message: str, token: _Token) -> CueTextError:
        return self.lexer.fail(message, token.offset)

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.index += 1
        return token

    def is_punct(self, token: _Token, char: str) -> bool:
        return token.kind == "punct" and token.value == char

    def skip_blank(self) -> list[str]:
        """Skip newlines and comments; return the comments (doc comment candidates)."""
        comments: list[str] = []
        while self.peek().kind in ("newline", "comment"):
            token = self.take()
            if token.kind == "comment":
                comments.append(token.value)
        return comments

    def document(self) -> Any:
        start = self.index
        self.skip_blank()
        if self.peek().kind == "eof":
            return {}
        if self.starts_field():
            self.index = start
            return self.fields((), closing=None)
        value = self.value(())
        self.skip_blank()
        if self.peek().kind != "eof":
            raise self.fail("unexpected text after the value", self.peek())
        return value

    def starts_field(self) -> bool:
        return self.peek().kind in ("ident", "string") and self.is_punct(self.peek(1), ":")

    def fields(self, path: PatchPath, closing: str | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while True:
            docs = self.skip_blank()
            token = self.peek()
            if closing is None and token.kind == "eof":
                return result
            if closing is not None and self.is_punct(token, closing):
                self.take()
                return result
            self.field(result, path, docs)
            self.separator(closing or "eof")

    def field(self, result: dict[str, Any], path: PatchPath, docs: list[str]) -> None:
        first = self.peek()
        labels = [self.label()]
        while self.starts_field():
            labels.append(self.label())
        while self.peek().kind == "newline":
            self.take()
        value = self.value(path + tuple(labels))
        marks = _parse_markers(docs)
        if marks:
            self.markers[path + (labels[0],)] = marks
        for label in reversed(labels[1:]):
            value = {label: value}
        _insert(result, labels[0], value, lambda m: self.fail(m, first))

    def label(self) -> str:
        token = self.take()
        if token.kind == "ident" and token.value[0] in "#_":
            raise self.fail(f"definitions and hidden fields are not data: {token.value}", token)
        if token.kind not in ("ident", "string"):
            raise self.fail("expected a field label", token)
        colon = self.take()
        if not self.is_punct(colon, ":"):
            raise self.fail("expected ':' after a label", colon)
        return str(token.value)

    def separator(self, closing: str) -> None:
        """Fields and elements end with ',' or a newline; a trailing line comment is dropped."""
        if self.peek().kind == "comment":
            self.take()
        token = self.peek()
        if self.is_punct(token, ","):
            self.take()
            if self.peek().kind == "comment":
                self.take()
        elif token.kind not in ("newline", "eof") and not self.is_punct(token, closing):
            raise self.fail("expected ',' or a new line", token)
        elif token.kind == "eof" and closing != "eof":
            raise self.fail(f"missing '{closing}'", token)

    def value(self, path: PatchPath) -> Any:
        token = self.take()
        if self.is_punct(token, "{"):
            return self.fields(path, closing="}")
        if self.is_punct(token, "["):
            return self.elements(path)
        if self.is_punct(token, "-") and self.peek().kind == "number":
            return -self.take().value
        if token.kind in ("number", "string", "text"):
            return token.value
        if token.kind == "bytes":
            if self.bytes_as == "text":
                return token.value.decode("utf-8", "replace")
            return base64.b64encode(token.value).decode("ascii")
        if token.kind == "ident" and token.value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[token.value]
        raise self.fail("expected a concrete value", token)

    def elements(self, path: PatchPath) -> list[Any]:
        items: list[Any] = []
        while True:
            self.skip_blank()  # comments on list elements carry no markers
            if self.is_punct(self.peek(), "]"):
                self.take()
                return items
            items.append(self.value(path + (len(items),)))
            self.separator("]")


def _parse_markers(comments: list[str]) -> dict[str, str]:
    marks: dict[str, str] = {}
    for comment in comments:
        line = comment.strip()
        if not line.startswith("+"):
            continue
        key, _, value = line[1:].partition("=")
        key = key.strip()
        if _MARKER_KEY.fullmatch(key):
            marks[key] = value.strip()
    return marks


def _insert(target: dict[str, Any], key: str, value: Any, fail: _Fail) -> None:
    """Add a field; repeated labels (`a: b: 1` then `a: c: 2`) unify as CUE does."""
    if key not in target:
        target[key] = value
    elif isinstance(target[key], dict) and isinstance(value, dict):
        for inner_key, inner in value.items():
            _insert(target[key], inner_key, inner, fail)
    elif not (type(target[key]) is type(value) and target[key] == value):
        raise fail(f"duplicate field {key!r} with a different value")


def parse_concrete(
    text: str, *, bytes_as: BytesMode = "base64"
) -> tuple[Any, MarkerMap]:
    """Parse `cue export --out cue` output.

    Returns the value as JSON-like data and the markers: for each field with `// +key=value`
    comment lines above it, its path (str keys, int list indices) -> {key: value}
    (`// +flag` gives {"flag": ""}). Byte strings become base64 text, as in cue's JSON
    output, or UTF-8 text with `bytes_as="text"`. Raises CueTextError with the line and
    column of anything that is not concrete data.
    """
    parser = _Parser(_Lexer(text), bytes_as)
    value = parser.document()
    return value, parser.markers
