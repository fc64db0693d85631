"""The CUE syntax tree: one frozen node type per construct, each with its source position."""

from __future__ import annotations

from dataclasses import dataclass

from .lexer import Comment, Pos

__all__ = [
    "Attribute", "Bad", "BasicLit", "BinaryExpr", "Bottom", "CallExpr", "Clause", "Comprehension", "Decl",
    "Ellipsis", "Embedding", "Expr", "Field", "File", "ForClause", "Ident", "IfClause", "ImportSpec",
    "IndexExpr", "Interpolation", "Label", "LetClause", "ListLit", "Node", "ParenExpr", "SelectorExpr",
    "StructLit", "UnaryExpr",
]


@dataclass(frozen=True)
class Node:
    """Every node knows where it starts."""

    pos: Pos


# --- expressions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ident(Node):
    name: str  # `x`, `#Def`, `_hidden`, `_#hiddenDef`, `$x`


@dataclass(frozen=True)
class BasicLit(Node):
    """A literal as written. kind: string | bytes | number | bool | null."""

    kind: str
    text: str


@dataclass(frozen=True)
class Interpolation(Node):
    """A string with `\\(expr)` parts; text is the whole literal as written."""

    text: str
    exprs: tuple[Expr, ...]


@dataclass(frozen=True)
class Bottom(Node):
    """`_|_`."""


@dataclass(frozen=True)
class Ellipsis(Node):
    """`...` or `...T` in a struct or list."""

    type: Expr | None = None


@dataclass(frozen=True)
class StructLit(Node):
    """`{...}`; elided for the implied struct of `a: b: 1` (the value of `a`), with no braces."""

    decls: tuple[Decl, ...]
    close: Pos | None = None  # position of `}`, None when elided

    @property
    def elided(self) -> bool:
        return self.close is None


@dataclass(frozen=True)
class ListLit(Node):
    """`[a, b, ...T]`; elements may be Ellipsis and Comprehension nodes."""

    elts: tuple[Expr | Ellipsis | Comprehension, ...]
    close: Pos


@dataclass(frozen=True)
class UnaryExpr(Node):
    """`-x`, `!x`, `*x` (a default), `<5`, `=~"re"`, ..."""

    op: str
    x: Expr


@dataclass(frozen=True)
class BinaryExpr(Node):
    """`x op y`; pos is that of x, op_pos that of the operator."""

    op: str
    x: Expr
    y: Expr
    op_pos: Pos


@dataclass(frozen=True)
class ParenExpr(Node):
    x: Expr


@dataclass(frozen=True)
class SelectorExpr(Node):
    """`x.sel`; sel is an identifier or a quoted label."""

    x: Expr
    sel: Label


@dataclass(frozen=True)
class IndexExpr(Node):
    x: Expr
    index: Expr


@dataclass(frozen=True)
class CallExpr(Node):
    fun: Expr
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Bad(Node):
    """Text a tolerant parse skipped (a declaration, value or list element): cue will say why."""

    end: int  # offset where the skipped text ends


Expr = (
    Bad | Ident | BasicLit | Interpolation | Bottom | StructLit | ListLit | UnaryExpr | BinaryExpr | ParenExpr
    | SelectorExpr | IndexExpr | CallExpr
)


# --- labels and declarations -----------------------------------------------------------------


@dataclass(frozen=True)
class Label(Node):
    """A field label. kind: ident | string (quoted) | paren (`(expr)`) | pattern (`[expr]`).

    text is the label as written; expr is the string, interpolation or bracketed expression;
    alias is the `X` of `[X=expr]`.
    """

    kind: str
    text: str
    expr: Expr | None = None
    alias: str = ""


@dataclass(frozen=True)
class Attribute(Node):
    """`@name(body)` as written."""

    text: str

    @property
    def name(self) -> str:
        return self.text[1:].split("(", 1)[0]


@dataclass(frozen=True)
class Field(Node):
    """`X=label?: value @attr()`; constraint is "", "?" or "!"; comments are those before it."""

    label: Label
    value: Expr
    constraint: str = ""
    alias: str = ""
    attrs: tuple[Attribute, ...] = ()
    comments: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class Embedding(Node):
    """An expression standing as a declaration."""

    expr: Expr
    comments: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class ForClause(Node):
    key: str  # "" for `for v in x`
    value: str
    source: Expr


@dataclass(frozen=True)
class IfClause(Node):
    condition: Expr


@dataclass(frozen=True)
class LetClause(Node):
    """`let x = expr`: a clause of a comprehension, or a declaration of its own."""

    name: str
    expr: Expr
    comments: tuple[Comment, ...] = ()


Clause = ForClause | IfClause | LetClause


@dataclass(frozen=True)
class Comprehension(Node):
    """`for ... if ... let ... { body }`; end is the offset where the last clause ends."""

    clauses: tuple[Clause, ...]
    body: StructLit
    end: int


Decl = Field | Embedding | Ellipsis | LetClause | Comprehension | Attribute | Bad


@dataclass(frozen=True)
class ImportSpec(Node):
    """`name "path"` inside an import declaration; name is "" without an alias."""

    name: str
    path: str


@dataclass(frozen=True)
class File(Node):
    """A whole text. imports_span is the source span of the import declarations, preamble_end the
    offset after the last package/import declaration (None when there is none)."""

    decls: tuple[Decl, ...]
    comments: tuple[Comment, ...]
    text: str
    package: str = ""
    imports: tuple[ImportSpec, ...] = ()
    imports_span: tuple[int, int] | None = None
    preamble_end: int | None = None
