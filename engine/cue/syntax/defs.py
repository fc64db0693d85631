"""What `cue def` prints for parameter blocks, as the terms the schema builder reads.

The text is parsed by the one parser; this module maps the syntax tree to a smaller
vocabulary (references as paths, literals as values, structs split into fields, patterns,
conditionals and embeds) and keeps comments as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .concrete import label_name, literal_value
from .lexer import CueSyntaxError, Lexer
from .parser import parse_file
from .tree import (
    BasicLit,
    BinaryExpr,
    CallExpr,
    Comprehension,
    Ellipsis,
    Embedding,
    IfClause,
    IndexExpr,
    Interpolation,
    LetClause,
    Node,
    ParenExpr,
    SelectorExpr,
    UnaryExpr,
)
from .tree import Bottom as BottomNode
from .tree import Field as FieldNode
from .tree import Ident as IdentNode
from .tree import ListLit as ListNode
from .tree import StructLit as StructNode

__all__ = [
    "Binary", "Bottom", "Call", "Conditional", "DefDocument", "Field", "LetDecl", "ListLit", "Literal", "Opaque",
    "Pattern", "Ref", "StructLit", "Unary", "parse_def_output",
]


@dataclass(frozen=True)
class Literal:
    value: Any  # str, int, float, bool or None


@dataclass(frozen=True)
class Bottom:
    pass


@dataclass(frozen=True)
class Ref:
    path: tuple[str, ...]  # `a.b.#x` -> ("a", "b", "#x")


@dataclass(frozen=True)
class Call:
    function: tuple[str, ...]
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Any


@dataclass(frozen=True)
class Binary:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class ListLit:
    elements: tuple[Any, ...]
    rest: Any = None  # the T of `...T`; Ref(("_",)) for a bare `...`


@dataclass(frozen=True)
class Field:
    label: str
    value: Any
    optional: bool = False
    required: bool = False  # `label!:`
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pattern:
    label: Any  # the expression in `[expr]: value`
    value: Any


@dataclass(frozen=True)
class Conditional:
    condition: Any
    body: StructLit
    clause: str = "if"  # "for" clauses are kept but not mapped


@dataclass(frozen=True)
class StructLit:
    fields: tuple[Field, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    conditionals: tuple[Conditional, ...] = ()
    embeds: tuple[Any, ...] = ()
    open: bool = False  # has `...`
    lets: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Opaque:
    """An expression this mapping has no schema for (kept as text for the description)."""

    text: str


@dataclass(frozen=True)
class LetDecl:
    name: str
    value: Any
    cue_path: str  # from the `//cue:path:` comment cue prints above it


@dataclass
class DefDocument:
    """A whole `cue def` output: its top-level struct and its `let` declarations by name."""

    root: StructLit
    lets: dict[str, LetDecl] = field(default_factory=dict)


def _unsupported(node: Node, what: str) -> CueSyntaxError:
    return CueSyntaxError(f"{what} is not supported in `cue def` output", node.pos.line, node.pos.col)


class _Terms:
    def __init__(self, text: str) -> None:
        self.text = text

    def struct(self, decls: tuple[Node, ...], lets: dict[str, LetDecl] | None = None) -> StructLit:
        parts: dict[str, list[Any]] = {"fields": [], "patterns": [], "conditionals": [], "embeds": [], "lets": []}
        is_open = False
        for decl in decls:
            if isinstance(decl, FieldNode):
                self.field(decl, parts)
            elif isinstance(decl, LetClause):
                let = self.let(decl)
                parts["lets"].append((let.name, let.value))
                if lets is not None:
                    lets[let.name] = let
            elif isinstance(decl, Comprehension):
                parts["conditionals"].append(self.conditional(decl))
            elif isinstance(decl, Ellipsis):
                is_open = True
            elif isinstance(decl, Embedding):
                parts["embeds"].append(self.expr(decl.expr))
        return StructLit(tuple(parts["fields"]), tuple(parts["patterns"]), tuple(parts["conditionals"]),
                         tuple(parts["embeds"]), is_open, tuple(parts["lets"]))

    def field(self, node: FieldNode, parts: dict[str, list[Any]]) -> None:
        label = node.label
        if label.kind == "pattern" and label.expr is not None:
            parts["patterns"].append(Pattern(self.expr(label.expr), self.expr(node.value)))
        elif label.kind == "ident" or (label.kind == "string" and not isinstance(label.expr, Interpolation)):
            comments = tuple(c.text for c in node.comments)
            parts["fields"].append(Field(label_name(label), self.expr(node.value), node.constraint == "?",
                                         node.constraint == "!", comments))

    def let(self, node: LetClause) -> LetDecl:
        texts = [c.text for c in node.comments]
        path = next((c.split(":", 2)[2].strip() for c in texts if c.startswith("//cue:path:")), "")
        return LetDecl(node.name, self.expr(node.expr), path)

    def conditional(self, node: Comprehension) -> Conditional:
        first = node.clauses[0]
        body = self.struct(node.body.decls)
        if isinstance(first, IfClause):
            return Conditional(self.expr(first.condition), body, "if")
        # The clause as cue printed it, token by token (a `for` is not mapped to a schema).
        keyword_end = first.pos.offset + len("for" if not isinstance(first, LetClause) else "let")
        tokens = Lexer(self.text[keyword_end : node.body.pos.offset]).scan()
        text = " ".join(t.text for t in tokens if t.kind not in ("comma", "eof"))
        return Conditional(Opaque(text), body, "let" if isinstance(first, LetClause) else "for")

    def expr(self, node: Node) -> Any:
        if isinstance(node, BasicLit):
            return Literal(literal_value(node))
        if isinstance(node, IdentNode):
            return Ref((node.name,))
        if isinstance(node, BottomNode):
            return Bottom()
        if isinstance(node, UnaryExpr):
            return Unary(node.op, self.expr(node.x))
        if isinstance(node, BinaryExpr):
            return Binary(node.op, self.expr(node.x), self.expr(node.y))
        if isinstance(node, ParenExpr):
            return self.expr(node.x)
        if isinstance(node, StructNode):
            return self.struct(node.decls)
        if isinstance(node, ListNode):
            return self.list(node)
        return self.reference(node)

    def reference(self, node: Node) -> Any:
        if isinstance(node, SelectorExpr | IndexExpr | CallExpr):
            base = self.expr(node.fun if isinstance(node, CallExpr) else node.x)
            if isinstance(base, Ref) and isinstance(node, SelectorExpr):
                return Ref((*base.path, label_name(node.sel)))
            if isinstance(base, Ref) and isinstance(node, IndexExpr):
                index = self.expr(node.index)
                return Ref((*base.path, str(index.value if isinstance(index, Literal) else "?")))
            if isinstance(base, Ref) and isinstance(node, CallExpr):
                return Call(base.path, tuple(self.expr(arg) for arg in node.args))
        if isinstance(node, Interpolation):
            raise _unsupported(node, "string interpolation")
        raise _unsupported(node, type(node).__name__)

    def list(self, node: ListNode) -> ListLit:
        elements: list[Any] = []
        rest: Any = None
        for elem in node.elts:
            if isinstance(elem, Ellipsis):
                rest = Ref(("_",)) if elem.type is None else self.expr(elem.type)
            elif isinstance(elem, Comprehension):
                raise _unsupported(elem, "a list comprehension")
            else:
                elements.append(self.expr(elem))
        return ListLit(tuple(elements), rest)


def parse_def_output(text: str) -> DefDocument:
    """Parse what `cue def` printed; raises CueSyntaxError on text it does not understand."""
    tree = parse_file(text)
    doc = DefDocument(StructLit())
    doc.root = _Terms(text).struct(tree.decls, doc.lets)
    return doc
