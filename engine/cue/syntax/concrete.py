"""Concrete CUE (as `cue export --out cue` prints it) read from the syntax tree into data and markers."""

from __future__ import annotations

import base64
import re
from typing import Any, Literal

from ...paths import Parts as PatchPath
from .lexer import Comment, CueSyntaxError, Pos
from .literals import number_value, string_value
from .parser import parse_file
from .tree import (
    Attribute,
    BasicLit,
    BinaryExpr,
    Comprehension,
    Ellipsis,
    Embedding,
    Field,
    Interpolation,
    Label,
    ListLit,
    Node,
    StructLit,
    UnaryExpr,
)

__all__ = ["BytesMode", "MarkerMap", "PatchPath", "literal_value", "parse_concrete"]

MarkerMap = dict[PatchPath, dict[str, str]]
BytesMode = Literal["base64", "text"]
_MARKER_KEY = re.compile(r"[A-Za-z_][\w.-]*")


def _fail(message: str, at: Node | Pos) -> CueSyntaxError:
    pos = at if isinstance(at, Pos) else at.pos
    return CueSyntaxError(message, pos.line, pos.col)


def doc_comments(comments: tuple[Comment, ...]) -> list[str]:
    """The comments above a field that `cue export --out cue` means as its doc: all but those
    trailing a value or a comma on the line before."""
    return [c.text[2:] for c in comments if not c.trailing or c.after in ("{", "[")]


def markers_of(comments: list[str]) -> dict[str, str]:
    """`+key=value` lines (`+flag` gives "") of a doc comment; the last of a key wins."""
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


class _Reader:
    def __init__(self, bytes_as: BytesMode) -> None:
        self.bytes_as = bytes_as
        self.markers: MarkerMap = {}

    def fields(self, decls: tuple[Node, ...], path: PatchPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for decl in decls:
            if not isinstance(decl, Field):
                raise _fail("expected a field label", decl)
            key = self.label(decl)
            marks = markers_of(doc_comments(decl.comments))
            if marks:
                self.markers[path + (key,)] = marks
            _insert(result, key, self.value(decl.value, path + (key,)), decl)
        return result

    def label(self, field: Field) -> str:
        label = field.label
        if field.alias:
            raise _fail("aliases are not data", field)
        if label.kind == "ident" and label.text[0] in "#_":
            raise _fail(f"definitions and hidden fields are not data: {label.text}", label)
        if label.kind not in ("ident", "string") or isinstance(label.expr, Interpolation):
            raise _fail("expected a field label", label)
        if field.constraint:
            raise _fail("expected ':' after a label", label)
        if field.attrs:
            raise _fail("attributes are not data", field.attrs[0])
        return label_name(label)

    def value(self, expr: Node, path: PatchPath) -> Any:
        if isinstance(expr, StructLit):
            return self.fields(expr.decls, path)
        if isinstance(expr, ListLit):
            return [self.element(elem, path + (index,)) for index, elem in enumerate(expr.elts)]
        if isinstance(expr, UnaryExpr) and expr.op == "-" and _is_number(expr.x):
            return -self.value(expr.x, path)
        if isinstance(expr, BasicLit):
            return self.literal(expr)
        if isinstance(expr, Interpolation):
            raise _fail("string interpolation is not concrete data", expr)
        if isinstance(expr, BinaryExpr):
            raise _fail(f"expected a concrete value, found an {expr.op!r} expression", expr.op_pos)
        raise _fail("expected a concrete value", expr)

    def element(self, elem: Node, path: PatchPath) -> Any:
        if isinstance(elem, Ellipsis | Comprehension):
            raise _fail("expected a concrete value", elem)
        return self.value(elem, path)

    def literal(self, lit: BasicLit) -> Any:
        if lit.kind == "number":
            return number_value(lit.text, lit.pos)
        if lit.kind in ("bool", "null"):
            return {"true": True, "false": False, "null": None}[lit.text]
        value = string_value(lit.text, lit.pos)
        if isinstance(value, str):
            return value
        if self.bytes_as == "text":
            return value.decode("utf-8", "replace")
        return base64.b64encode(value).decode("ascii")


def _is_number(expr: Node) -> bool:
    return isinstance(expr, BasicLit) and expr.kind == "number"


def label_name(label: Label) -> str:
    """The name of an identifier or plain quoted label."""
    if label.kind == "string":
        value = string_value(label.text, label.pos)
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return label.text


def _insert(target: dict[str, Any], key: str, value: Any, field: Field) -> None:
    """Add a field; repeated labels (`a: b: 1` then `a: c: 2`) unify as CUE does."""
    if key not in target:
        target[key] = value
    elif isinstance(target[key], dict) and isinstance(value, dict):
        for inner_key, inner in value.items():
            _insert(target[key], inner_key, inner, field)
    elif not (type(target[key]) is type(value) and target[key] == value):
        raise _fail(f"duplicate field {key!r} with a different value", field)


def parse_concrete(text: str, *, bytes_as: BytesMode = "base64") -> tuple[Any, MarkerMap]:
    """Parse `cue export --out cue` output.

    Returns the value as JSON-like data and the markers: for each field with `// +key=value`
    comment lines above it, its path (str keys, int list indices) -> {key: value}
    (`// +flag` gives {"flag": ""}). Byte strings become base64 text, as in cue's JSON
    output, or UTF-8 text with `bytes_as="text"`. Raises CueSyntaxError with the line and
    column of anything that is not concrete data.
    """
    tree = parse_file(text)
    if tree.package or tree.imports:
        raise _fail("package and import declarations are not data", tree)
    reader = _Reader(bytes_as)
    decls = tree.decls
    if len(decls) == 1 and isinstance(decls[0], Embedding):
        return reader.value(decls[0].expr, ()), reader.markers
    if decls and isinstance(decls[0], Attribute):
        raise _fail("attributes are not data", decls[0])
    return reader.fields(decls, ()), reader.markers


def literal_value(lit: BasicLit, *, bytes_as: BytesMode = "text") -> Any:
    """The value of one literal node (bytes as UTF-8 text by default); raises CueSyntaxError."""
    return _Reader(bytes_as).literal(lit)
