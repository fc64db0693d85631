"""Parse the CUE that `cue def` prints for parameter blocks into a small syntax tree."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from .cuetext import CueTextError, parse_concrete

_TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*)
  | (?P<newline>\n)
  | (?P<space>[ \t\r\f]+)
  | (?P<string>\#*(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\#*)
  | (?P<number>(?:0[xob][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:[KMGTP]i?)?))
  | (?P<ident>_\|_|[#_]*[A-Za-z_$][\w$]*)
  | (?P<punct>\.\.\.|==|!=|<=|>=|=~|!~|&&|\|\||[{}\[\]():,.?!<>*|&=+\-/])
""", re.VERBOSE)
_ENDS_LINE = frozenset({")", "]", "}", "..."})
_BINARY = [("|",), ("&",), ("||",), ("&&",), ("==", "!=", "<", "<=", ">", ">=", "=~", "!~"), ("+", "-"), ("*", "/")]
_UNARY = frozenset({"*", "!", "-", "+", "<", "<=", ">", ">=", "!=", "=~", "!~"})


class CueSyntaxError(ValueError):
    """Text that is not the CUE `cue def` prints (or that this parser does not know)."""


@dataclass(frozen=True)
class Token:
    kind: str  # ident | number | string | punct | comma | eof
    text: str
    line: int
    comments: tuple[str, ...] = ()  # whole-line comments just above this token


# --- syntax tree -----------------------------------------------------------------------------


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


# --- tokens ----------------------------------------------------------------------------------


def tokenize(text: str) -> list[Token]:
    """Tokens with CUE's comma insertion; whole-line comments ride on the next token."""
    tokens: list[Token] = []
    pending: list[str] = []
    line, pos = 1, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise CueSyntaxError(f"line {line}: unexpected character {text[pos]!r}")
        kind, value = match.lastgroup or "", match.group()
        pos = match.end()
        if kind == "newline":
            if tokens and _ends_line(tokens[-1]):
                tokens.append(Token("comma", "", line))
            line += 1
        elif kind == "comment":
            pending.append(value)
        elif kind != "space":
            kind = "comma" if value == "," else kind
            tokens.append(Token(kind, value, line, tuple(pending)))
            pending = []
            line += value.count("\n")
    if tokens and _ends_line(tokens[-1]):
        tokens.append(Token("comma", "", line))
    tokens.append(Token("eof", "", line))
    return tokens


def _ends_line(tok: Token) -> bool:
    return tok.kind in ("ident", "number", "string") or (tok.kind == "punct" and tok.text in _ENDS_LINE)


def literal_value(text: str) -> Any:
    """The value of one CUE string or number literal, decoded as cue does."""
    try:
        value, _ = parse_concrete(f"v: {text}\n", bytes_as="text")
    except CueTextError as exc:
        raise CueSyntaxError(f"bad literal {text}: {exc}") from exc
    return value["v"]


# --- parser ----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.tok
        self.pos += 1
        return tok

    def at(self, text: str, kind: str = "punct") -> bool:
        return self.tok.kind == kind and self.tok.text == text

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise CueSyntaxError(f"line {self.tok.line}: expected {text!r}, found {self.tok.text!r}")
        return self.take()

    def skip_commas(self) -> None:
        while self.tok.kind == "comma":
            self.pos += 1

    # declarations

    def document(self) -> DefDocument:
        doc = DefDocument(StructLit())
        self.skip_commas()
        if self.at("import", "ident"):
            self._imports()
        body = self.declarations(end="eof", lets=doc.lets)
        doc.root = body
        return doc

    def _imports(self) -> None:
        self.take()
        if self.at("("):
            while not self.at(")"):
                self.take()
        self.take()
        self.skip_commas()

    def declarations(self, end: str, lets: dict[str, LetDecl] | None = None) -> StructLit:
        fields: list[Field] = []
        patterns: list[Pattern] = []
        conditionals: list[Conditional] = []
        embeds: list[Any] = []
        local_lets: list[tuple[str, Any]] = []
        is_open = False
        while True:
            self.skip_commas()
            if (end == "eof" and self.tok.kind == "eof") or self.at(end):
                break
            decl = self.declaration(lets)
            if isinstance(decl, Field):
                fields.append(decl)
            elif isinstance(decl, Pattern):
                patterns.append(decl)
            elif isinstance(decl, Conditional):
                conditionals.append(decl)
            elif isinstance(decl, LetDecl):
                local_lets.append((decl.name, decl.value))
            elif decl == "...":
                is_open = True
            else:
                embeds.append(decl)
        return StructLit(tuple(fields), tuple(patterns), tuple(conditionals), tuple(embeds), is_open,
                         tuple(local_lets))

    def declaration(self, lets: dict[str, LetDecl] | None) -> Any:
        tok = self.tok
        if tok.kind == "punct" and tok.text == "..." and self.peek().kind in ("comma", "punct"):
            self.take()
            return "..."
        if tok.kind == "ident" and tok.text == "let" and self.peek().kind == "ident":
            return self._let(lets)
        if tok.kind == "ident" and tok.text in ("if", "for") and self.peek().kind != "punct" \
                or (tok.text == "if" and self.peek().text in ("(", "!", "-")):
            return self._comprehension()
        if self._starts_pattern():
            return self._pattern()
        if self._starts_field():
            return self._field()
        return self.expression()

    def _starts_field(self) -> bool:
        tok, nxt = self.tok, self.peek()
        if tok.kind not in ("ident", "string") and not (tok.kind == "punct" and tok.text == "("):
            return False
        if tok.kind == "punct":
            return False
        if nxt.kind == "punct" and nxt.text == ":":
            return True
        return nxt.kind == "punct" and nxt.text in ("?", "!") and self.peek(2).text == ":"

    def _label(self) -> str:
        tok = self.take()
        return str(literal_value(tok.text)) if tok.kind == "string" else tok.text

    def _field(self) -> Field:
        comments = self.tok.comments
        label = self._label()
        optional = required = False
        if self.at("?"):
            optional = bool(self.take())
        elif self.at("!"):
            required = bool(self.take())
        self.expect(":")
        return Field(label, self._field_value(), optional, required, comments)

    def _field_value(self) -> Any:
        """The value after `label:`; `a: b: c` and `a: [string]: c` are one-field structs."""
        if self._starts_field():
            return StructLit((self._field(),))
        if self._starts_pattern():
            return StructLit(patterns=(self._pattern(),))
        return self.expression()

    def _starts_pattern(self) -> bool:
        if not self.at("["):
            return False
        depth, ahead = 0, 0
        while True:
            tok = self.peek(ahead)
            if tok.kind == "eof":
                return False
            if tok.kind == "punct" and tok.text in "([{":
                depth += 1
            elif tok.kind == "punct" and tok.text in ")]}":
                depth -= 1
                if depth == 0:
                    nxt = self.peek(ahead + 1)
                    return nxt.kind == "punct" and nxt.text == ":"
            ahead += 1

    def _pattern(self) -> Pattern:
        self.expect("[")
        label = self.expression()
        self.expect("]")
        self.expect(":")
        return Pattern(label, self._field_value())

    def _let(self, lets: dict[str, LetDecl] | None) -> LetDecl:
        comments = self.tok.comments
        self.take()
        name = self.take().text
        self.expect("=")
        value = self.expression()
        path = next((c.split(":", 2)[2].strip() for c in comments if c.startswith("//cue:path:")), "")
        decl = LetDecl(name, value, path)
        if lets is not None:
            lets[name] = decl
        return decl

    def _comprehension(self) -> Conditional:
        clause = self.take().text
        start = self.pos
        depth = 0
        # The clause runs up to the `{` of its body; cue may put a comment and a newline first.
        while not (depth == 0 and self.at("{")):
            if self.tok.kind == "eof":
                raise CueSyntaxError(f"line {self.tok.line}: unterminated {clause} clause")
            depth += self.tok.text in ("(", "[") and self.tok.kind == "punct"
            depth -= self.tok.text in (")", "]") and self.tok.kind == "punct"
            self.pos += 1
        clause_tokens = [t for t in self.tokens[start:self.pos] if t.kind != "comma"]
        condition: Any = Opaque(" ".join(t.text for t in clause_tokens))
        if clause == "if":
            sub = _Parser.__new__(_Parser)
            sub.tokens, sub.pos = [*clause_tokens, Token("eof", "", 0)], 0
            with contextlib.suppress(CueSyntaxError):  # an unreadable condition stays text
                condition = sub.expression()
        self.expect("{")
        body = self.declarations("}")
        self.expect("}")
        return Conditional(condition, body, clause)

    # expressions

    def expression(self, level: int = 0) -> Any:
        if level == len(_BINARY):
            return self.unary()
        left = self.expression(level + 1)
        while self.tok.kind == "punct" and self.tok.text in _BINARY[level]:
            op = self.take().text
            right = self.expression(level + 1)
            left = Binary(op, left, right)
        return left

    def unary(self) -> Any:
        if self.tok.kind == "punct" and self.tok.text in _UNARY:
            op = self.take().text
            return Unary(op, self.unary())
        return self.postfix(self.primary())

    def primary(self) -> Any:
        tok = self.take()
        if tok.kind == "string" or tok.kind == "number":
            return Literal(literal_value(tok.text))
        if tok.kind == "ident":
            return {"true": Literal(True), "false": Literal(False), "null": Literal(None),
                    "_|_": Bottom()}.get(tok.text, Ref((tok.text,)))
        if tok.kind == "punct" and tok.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if tok.kind == "punct" and tok.text == "{":
            body = self.declarations("}")
            self.expect("}")
            return body
        if tok.kind == "punct" and tok.text == "[":
            return self._list()
        raise CueSyntaxError(f"line {tok.line}: unexpected {tok.text or tok.kind!r}")

    def postfix(self, expr: Any) -> Any:
        while True:
            if self.at(".") and isinstance(expr, Ref):
                self.take()
                expr = Ref((*expr.path, self._label()))
            elif self.at("(") and isinstance(expr, Ref):
                self.take()
                args = []
                while not self.at(")"):
                    args.append(self.expression())
                    self.skip_commas()
                self.take()
                expr = Call(expr.path, tuple(args))
            elif self.at("[") and isinstance(expr, Ref):
                self.take()
                index = self.expression()
                self.expect("]")
                key = index.value if isinstance(index, Literal) else "?"
                expr = Ref((*expr.path, str(key)))
            else:
                return expr

    def _list(self) -> ListLit:
        elements: list[Any] = []
        rest: Any = None
        while True:
            self.skip_commas()
            if self.at("]"):
                self.take()
                return ListLit(tuple(elements), rest)
            if self.at("..."):
                self.take()
                rest = Ref(("_",)) if self.tok.kind == "comma" or self.at("]") else self.expression()
                continue
            elements.append(self.expression())


def parse_def_output(text: str) -> DefDocument:
    """Parse what `cue def` printed; raises CueSyntaxError on text it does not understand."""
    return _Parser(text).document()
