"""Values of CUE string, bytes and number literals, decoded as cue does."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from .lexer import CueSyntaxError, Pos

__all__ = ["number_value", "string_value"]

_Fail = Callable[[str], CueSyntaxError]
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+"
    r"|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*|(?P<unit>[KMGTP]i?))?"
)
_MULTIPLIERS = {unit: 1000**power for power, unit in enumerate("KMGTP", start=1)} | {
    unit + "i": 1024**power for power, unit in enumerate("KMGTP", start=1)
}
_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "/": "/", "\\": "\\",
}


def _failer(pos: Pos) -> _Fail:
    return lambda message: CueSyntaxError(message, pos.line, pos.col)


def number_value(literal: str, pos: Pos) -> int | float:
    """The value of a number literal (`0x1F`, `1_000`, `1.5Ki`, `2e3`); raises CueSyntaxError."""
    fail = _failer(pos)
    match = _NUMBER.fullmatch(literal)
    if match is None:
        head = _NUMBER.match(literal)
        shown = literal[: head.end() + 1] if head else literal
        raise fail(f"unsupported number literal {shown!r}...")
    digits = literal.replace("_", "")
    prefix = digits[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        return int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    unit = match["unit"]
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


def string_value(literal: str, pos: Pos) -> str | bytes:
    """The value of a string token without interpolations: str, or bytes for `'...'`.

    Raises CueSyntaxError for bad escapes and malformed multi-line strings.
    """
    fail = _failer(pos)
    hashes = len(literal) - len(literal.lstrip("#"))
    quote = literal[hashes]
    multi = literal.startswith(quote * 3, hashes)
    width = 3 if multi else 1
    raw = literal[hashes + width : len(literal) - hashes - width]
    if multi:
        if not raw.startswith("\n"):
            raise fail("a multi-line string must start a new line after its quotes")
        raw = _dedent(raw[1:], fail)
    return _unescape(raw, hashes, quote, fail)


def _dedent(raw: str, fail: _Fail) -> str:
    # CUE strips the closing quote line's indentation from every line; blank lines may
    # carry less of it.
    *lines, indent = raw.split("\n")
    if indent.strip(" \t"):
        raise fail("the closing quotes of a multi-line string must be on their own line")
    out = []
    for line in lines:
        if line.startswith(indent):
            out.append(line[len(indent) :])
        elif indent.startswith(line) and not line.strip(" \t"):
            out.append("")
        else:
            raise fail("inconsistent indentation in a multi-line string")
    return "\n".join(out)


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
    if ch in _SIMPLE_ESCAPES and ch:
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
