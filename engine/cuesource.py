"""Lexical scanning of CUE source text: split definition files and find facts in templates."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import PositionedError

__all__ = [
    "CueSourceError",
    "DefinitionSource",
    "field_markers",
    "pattern_list_paths",
    "references_context_output",
    "split_definition_file",
    "split_imports",
    "top_level_patch_strategy",
]

_OPEN = {"{": "}", "[": "]", "(": ")"}
_CLOSE = frozenset("}])")
_STRING_HEAD = re.compile(r"(#*)(\"\"\"|'''|\"|')")
_IDENT = re.compile(r"_\|_|(?:_?#)?(?:[^\W\d]|\$)[\w$]*")
_NUMBER = re.compile(r"\.?\d(?:[\w.]|(?<=[eE])[+-])*")
_ATTR_HEAD = re.compile(r"@[\w$#]+")
_PUNCT = re.compile(r"\.\.\.|==|!=|<=|>=|=~|!~|&&|\|\||\S")
_MARKER = re.compile(r"//\s*\+([A-Za-z_][\w.\-]*)(?:=(.*))?$")
_CONTEXT_OUTPUTS = frozenset({"output", "outputs"})


class CueSourceError(PositionedError):
    """Source that cannot be scanned: unterminated strings, unbalanced brackets, bad layout."""


@dataclass(frozen=True)
class DefinitionSource:
    """The parts of a standalone `.cue` definition file, as source text with line anchors.

    Line k of `template_body` is line `template_line + k - 1` of the file (same for metadata).
    """

    name: str
    imports: str
    metadata_source: str
    metadata_line: int
    template_body: str
    template_line: int


@dataclass(frozen=True)
class _Token:
    kind: str  # ident | number | string | attr | punct | comma | eof
    text: str  # "" for an inserted comma and for eof
    start: int
    line: int
    col: int
    parts: tuple[tuple[_Token, ...], ...] = ()  # token lists of a string's interpolations


@dataclass(frozen=True)
class _Comment:
    text: str
    start: int
    line: int
    trailing: bool  # code precedes it on its line


class _LineIndex:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def locate(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _ends_line(tok: _Token) -> bool:
    """Whether a newline after this token ends the declaration (CUE's comma insertion rule)."""
    if tok.kind in ("ident", "number", "string", "attr"):
        return True
    return tok.kind == "punct" and tok.text in (")", "]", "}", "...")


def _token_end(tok: _Token) -> int:
    return tok.start + len(tok.text)


def _is(tok: _Token, text: str) -> bool:
    return tok.kind == "punct" and tok.text == text


def _starts_comprehension(tok: _Token, nxt: _Token) -> bool:
    """`for x`, `if cond`; a lone `if` or `for` is a plain reference, as cue parses it."""
    if tok.kind != "ident" or tok.text not in ("if", "for"):
        return False
    if tok.text == "for" or nxt.kind != "punct":
        return nxt.kind == "ident" or (tok.text == "if" and nxt.kind in ("number", "string"))
    return nxt.text in ("(", "[", "{", "!", "-", "+")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines = _LineIndex(text)
        self.comments: list[_Comment] = []
        self.single_line_string: int | None = None  # start of the string being interpolated

    def error(self, message: str, offset: int) -> CueSourceError:
        return CueSourceError(message, *self.lines.locate(offset))

    def token(self, kind: str, start: int, parts: tuple[tuple[_Token, ...], ...] = ()) -> _Token:
        text = self.text[start : self.pos]  # empty for an inserted comma and for eof
        return _Token(kind, text, start, *self.lines.locate(start), parts=parts)

    def scan(self, interpolation: int | None = None) -> list[_Token]:
        """Tokens up to EOF, or up to the `)` closing the interpolation opened at that offset."""
        tokens: list[_Token] = []
        stack: list[_Token] = []
        while True:
            self._skip_blanks(tokens)
            if self.pos >= len(self.text):
                return self._finish(tokens, stack, interpolation)
            tok = self._next_token()
            if tok.kind == "punct" and tok.text in _OPEN:
                stack.append(tok)
            elif tok.kind == "punct" and tok.text in _CLOSE:
                if not stack and interpolation is not None and tok.text == ")":
                    return tokens
                if not stack:
                    raise self.error(f"unexpected '{tok.text}'", tok.start)
                opener = stack.pop()
                if _OPEN[opener.text] != tok.text:
                    raise self.error(
                        f"'{tok.text}' does not close '{opener.text}' opened at line {opener.line}",
                        tok.start,
                    )
            tokens.append(tok)

    def _finish(self, tokens: list[_Token], stack: list[_Token], interpolation: int | None) -> list[_Token]:
        if interpolation is not None:
            raise self.error("unterminated string interpolation", interpolation)
        if stack:
            raise self.error(f"unclosed '{stack[-1].text}'", stack[-1].start)
        if tokens and _ends_line(tokens[-1]):
            tokens.append(self.token("comma", self.pos))
        tokens.append(self.token("eof", self.pos))
        return tokens

    def _skip_blanks(self, tokens: list[_Token]) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\n":
                if self.single_line_string is not None:
                    raise self.error("unterminated string", self.single_line_string)
                if tokens and _ends_line(tokens[-1]):
                    tokens.append(self.token("comma", self.pos))
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
        line = self.lines.locate(start)[0]
        self.comments.append(_Comment(self.text[start : self.pos].rstrip(), start, line, trailing))

    def _next_token(self) -> _Token:
        start = self.pos
        if head := _STRING_HEAD.match(self.text, start):
            return self._string(start, len(head.group(1)), head.group(2))
        for kind, pattern in (("ident", _IDENT), ("number", _NUMBER), ("attr", _ATTR_HEAD)):
            if match := pattern.match(self.text, start):
                self.pos = match.end()
                if kind == "attr" and self.text.startswith("(", self.pos):
                    self._skip_attribute_args(start)
                return self.token(kind, start)
        match = _PUNCT.match(self.text, start)
        assert match is not None  # \S matches any non-blank character
        self.pos = match.end()
        return self.token("comma" if match.group() == "," else "punct", start)

    def _string(self, start: int, hashes: int, quote: str) -> _Token:
        text = self.text
        close, escape = quote + "#" * hashes, "\\" + "#" * hashes
        self.pos = start + hashes + len(quote)
        parts: list[tuple[_Token, ...]] = []
        while not text.startswith(close, self.pos):
            if self.pos >= len(text) or (text[self.pos] == "\n" and len(quote) == 1):
                raise self.error("unterminated string", start)
            if not text.startswith(escape, self.pos):
                self.pos += 1
            elif text.startswith("(", self.pos + len(escape)):
                outer, self.single_line_string = self.single_line_string, None
                if len(quote) == 1:
                    self.single_line_string = start
                self.pos += len(escape) + 1
                parts.append(tuple(self.scan(interpolation=self.pos - len(escape) - 1)))
                self.single_line_string = outer
            else:
                self.pos += len(escape) + 1  # an escaped character, possibly a quote
        self.pos += len(close)
        return self.token("string", start, tuple(parts))

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


@dataclass
class _Struct:
    open: int  # token indexes of the braces
    close: int
    decls: list[_Decl]


@dataclass
class _List:
    elems: list[_Elem]


@dataclass
class _Group:
    callee: str | None  # identifier right before `(`, None for a plain parenthesis
    args: list[_Expr]


@dataclass
class _Expr:
    start: int  # token range [start, stop)
    stop: int
    parts: list[_Struct | _List | _Group]


@dataclass
class _Elem:
    kind: str  # value | ellipsis | comprehension
    expr: _Expr


@dataclass
class _Label:
    text: str  # unquoted name, or the source text of `(expr)` / `[pattern]`
    kind: str  # regular | hidden (`_x`, `#X`) | dynamic (`(expr)`, `[pattern]`, interpolated)


@dataclass
class _Decl:
    kind: str  # field | let | comprehension | embed | ellipsis | attr
    start: int  # token index
    labels: list[_Label] = field(default_factory=list)
    value: _Expr | None = None
    body: _Struct | None = None


@dataclass
class _Preamble:
    imports: tuple[int, int] | None = None  # source span of the import declarations
    end: int | None = None  # offset after the last package/import declaration


def _string_value(text: str) -> str:
    hashes = len(text) - len(text.lstrip("#"))
    quote = 3 if text[hashes : hashes + 3] in ('"""', "'''") else 1
    inner = text[hashes + quote : len(text) - hashes - quote]
    if hashes or quote == 3:
        return inner
    try:
        value = json.loads('"' + inner.replace("\\'", "'") + '"')
    except ValueError:
        return inner
    return value if isinstance(value, str) else inner


class _Parser:
    """Just enough structure: declarations, label chains, struct and list literals."""

    def __init__(self, text: str) -> None:
        lexer = _Lexer(text)
        self.text = text
        self.lines = lexer.lines
        self.toks = lexer.scan()
        self.comments = lexer.comments
        self.i = 0
        self.fields: dict[int, str] = {}  # token index where a field starts -> its first label
        self.match: dict[int, int] = {}
        stack: list[int] = []
        for index, tok in enumerate(self.toks):
            if tok.kind == "punct" and tok.text in _OPEN:
                stack.append(index)
            elif tok.kind == "punct" and tok.text in _CLOSE:
                self.match[stack.pop()] = index

    def peek(self, ahead: int = 0) -> _Token:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def error(self, message: str, tok: _Token) -> CueSourceError:
        return CueSourceError(message, tok.line, tok.col)

    def preamble(self) -> _Preamble:
        """Consume a leading `package` clause and import declarations."""
        found = _Preamble()
        while True:
            while self.peek().kind == "comma":
                self.i += 1
            tok, nxt = self.peek(), self.peek(1)
            if tok.kind != "ident" or self.label_at(self.i) is not None:
                return found
            if tok.text == "package" and nxt.kind == "ident":
                self.i += 2
            elif tok.text == "import":
                self.i = self._import_end(nxt)
                begin = found.imports[0] if found.imports else tok.start
                found.imports = (begin, _token_end(self.toks[self.i - 1]))
            else:
                return found
            found.end = _token_end(self.toks[self.i - 1])

    def _import_end(self, nxt: _Token) -> int:
        if _is(nxt, "("):
            return self.match[self.i + 1] + 1
        if nxt.kind == "string":
            return self.i + 2
        if nxt.kind == "ident" and self.peek(2).kind == "string":
            return self.i + 3
        raise self.error("malformed import declaration", nxt)

    def label_at(self, j: int) -> tuple[_Label, int] | None:
        """The label starting at token j and the index after its `:`, if a field starts there."""
        tok, nxt = self.toks[j], self.toks[min(j + 1, len(self.toks) - 1)]
        if tok.kind == "ident" and _is(nxt, "="):  # alias: `X=label:`
            return self.label_at(j + 2) if j + 2 < len(self.toks) else None
        if tok.kind == "ident":
            hidden = tok.text.startswith(("_", "#")) and tok.text != "_|_"
            label, after = _Label(tok.text, "hidden" if hidden else "regular"), j + 1
        elif tok.kind == "string":
            kind = "dynamic" if tok.parts else "regular"
            label, after = _Label(_string_value(tok.text), kind), j + 1
        elif tok.kind == "punct" and tok.text in ("(", "["):
            after = self.match[j] + 1
            end = self.toks[after - 1]
            label = _Label(self.text[tok.start : end.start + 1], "dynamic")
        else:
            return None
        if self.toks[after].text in ("?", "!") and self.toks[after].kind == "punct":
            after += 1
        return (label, after + 1) if _is(self.toks[after], ":") else None

    def struct_body(self, closer: str | None) -> list[_Decl]:
        decls: list[_Decl] = []
        while True:
            tok = self.peek()
            if tok.kind == "comma":
                self.i += 1
            elif tok.kind == "eof" or (closer is not None and _is(tok, closer)):
                return decls
            else:
                decls.append(self.decl())
                if self.i == decls[-1].start:
                    raise self.error(f"unexpected '{tok.text}'", tok)

    def decl(self) -> _Decl:
        start, tok = self.i, self.peek()
        if tok.kind == "attr":
            self.i += 1
            return _Decl("attr", start)
        labels: list[_Label] = []
        while found := self.label_at(self.i):
            labels.append(found[0])
            self.i = found[1]
        if labels:
            self.fields[start] = labels[0].text
            return _Decl("field", start, labels, self.expr())
        if _starts_comprehension(tok, self.peek(1)):
            return _Decl("comprehension", start, body=self.comprehension())
        if tok.text == "let" and self.peek(1).kind == "ident" and _is(self.peek(2), "="):
            self.i += 3
            return _Decl("let", start, value=self.expr())
        if _is(tok, "..."):
            self.i += 1
            return _Decl("ellipsis", start, value=self.expr())
        return _Decl("embed", start, value=self.expr())

    def expr(self) -> _Expr:
        """Tokens up to the end of the declaration or element, keeping literal structure."""
        start, parts = self.i, list[_Struct | _List | _Group]()
        while True:
            tok = self.peek()
            if tok.kind in ("comma", "eof") or (tok.kind == "punct" and tok.text in _CLOSE):
                return _Expr(start, self.i, parts)
            if _is(tok, "{"):
                parts.append(self.struct_lit())
            elif _is(tok, "["):
                parts.append(self.list_lit())
            elif _is(tok, "("):
                before = self.toks[self.i - 1] if self.i > start else None
                callee = before.text if before is not None and before.kind == "ident" else None
                parts.append(self.group(callee))
            else:
                self.i += 1

    def struct_lit(self) -> _Struct:
        open_index = self.i
        self.i += 1
        decls = self.struct_body("}")
        self.i += 1
        return _Struct(open_index, self.i - 1, decls)

    def list_lit(self) -> _List:
        self.i += 1
        elems: list[_Elem] = []
        while not _is(self.peek(), "]"):
            tok, start = self.peek(), self.i
            if tok.kind == "comma":
                self.i += 1
            elif _starts_comprehension(tok, self.peek(1)):
                body = self.comprehension()
                elems.append(_Elem("comprehension", _Expr(start, self.i, [body])))
            elif _is(tok, "..."):
                self.i += 1
                elems.append(_Elem("ellipsis", self.expr()))
            else:
                elems.append(_Elem("value", self.expr()))
                if self.i == start:
                    raise self.error(f"unexpected '{tok.text}'", tok)
        self.i += 1
        return _List(elems)

    def group(self, callee: str | None) -> _Group:
        self.i += 1
        args: list[_Expr] = []
        while not _is(self.peek(), ")"):
            if self.peek().kind == "comma":
                self.i += 1
                continue
            args.append(self.expr())
            if args[-1].start == args[-1].stop:
                raise self.error(f"unexpected '{self.peek().text}'", self.peek())
        self.i += 1
        return _Group(callee, args)

    def comprehension(self) -> _Struct:
        """Skip `for`/`if`/`let` clauses; the body is the struct literal that ends them."""
        first, body = self.peek(), None
        while True:
            tok = self.peek()
            nxt = self.peek(1)
            if (
                tok.kind == "comma"
                and not tok.text
                and body is None
                and (_is(nxt, "{") or (nxt.kind == "ident" and nxt.text in ("for", "if", "let")))
            ):
                self.i += 1  # cue accepts clauses and the body on separate lines
            elif tok.kind in ("comma", "eof") or (tok.kind == "punct" and tok.text in _CLOSE):
                break
            elif _is(tok, "{"):
                body = self.struct_lit()
            elif tok.kind == "ident" and tok.text == "for":
                while self.peek().kind != "eof" and self.peek().text != "in":
                    self.i += 1  # `for k, v in`: the comma there is not a separator
                body = None
            else:
                self.i = self.match.get(self.i, self.i) + 1
                body = None
        if body is None:
            raise self.error("comprehension without a body", first)
        return body


def _parse_template(template: str) -> tuple[_Parser, list[_Decl]]:
    parser = _Parser(template)
    parser.preamble()
    return parser, parser.struct_body(None)


def _single_struct(parser: _Parser, decl: _Decl) -> tuple[str, _Struct]:
    """The label and struct literal of a top-level `LABEL: {...}` field of a definition file."""
    tok = parser.toks[decl.start]
    if decl.kind != "field":
        raise parser.error(
            "unexpected declaration at the top level of a definition file "
            "(expected `NAME: {...}` and `template: {...}`)",
            tok,
        )
    label = decl.labels[0]
    value = decl.value
    if len(decl.labels) != 1 or label.kind != "regular" or value is None:
        raise parser.error(f"top-level field {label.text!r} must be `{label.text}: {{...}}`", tok)
    struct = value.parts[0] if len(value.parts) == 1 else None
    whole = isinstance(struct, _Struct) and (value.start, value.stop) == (
        struct.open,
        struct.close + 1,
    )
    if not isinstance(struct, _Struct) or not whole:
        raise parser.error(f"top-level field {label.text!r} must be a struct `{{...}}`", tok)
    return label.text, struct


def _struct_text(parser: _Parser, struct: _Struct) -> tuple[str, int]:
    begin = parser.toks[struct.open].start + 1
    return parser.text[begin : parser.toks[struct.close].start], parser.lines.locate(begin)[0]


def split_definition_file(text: str) -> DefinitionSource:
    """Split a standalone definition file into its imports, metadata and template body.

    Returns a DefinitionSource; the `package` clause, if any, is dropped.
    Raises CueSourceError for malformed source and for any layout other than optional
    imports, one `NAME: {...}` metadata field and one `template: {...}` field.
    """
    parser = _Parser(text)
    preamble = parser.preamble()
    found: dict[str, tuple[str, _Struct, int]] = {}
    for decl in parser.struct_body(None):
        label, struct = _single_struct(parser, decl)
        role = "template" if label == "template" else "metadata"
        line = parser.toks[decl.start].line
        if role in found:
            first, _, first_line = found[role]
            raise parser.error(
                f"a definition file holds one {role} field: found {first!r} (line {first_line}) and {label!r}",
                parser.toks[decl.start],
            )
        found[role] = (label, struct, line)
    for role, other in (("template", "metadata"), ("metadata", "template")):
        if role not in found:
            line = found[other][2] if other in found else 1
            what = "`template: {...}`" if role == "template" else "`NAME: {...}` metadata"
            raise CueSourceError(f"definition file has no {what} field", line, 1)
    name, metadata, _ = found["metadata"]
    metadata_source, metadata_line = _struct_text(parser, metadata)
    template_body, template_line = _struct_text(parser, found["template"][1])
    imports = text[slice(*preamble.imports)] if preamble.imports else ""
    return DefinitionSource(name, imports, metadata_source, metadata_line, template_body, template_line)


def split_imports(template: str) -> tuple[str, str, int]:
    """Split a template string into its leading import declarations and the struct body.

    Returns (imports_text, body_text, body_first_line): the import declarations verbatim
    (or ""), everything after them (a `package` clause and comments before the imports are
    dropped), and the 1-based line of `template` where body_text starts.
    Raises CueSourceError for malformed source.
    """
    parser = _Parser(template)
    preamble = parser.preamble()
    if preamble.end is None:
        return "", template, 1
    body_start = preamble.end
    rest_of_line = re.compile(r"[ \t\r]*\n").match(template, body_start)
    if rest_of_line:  # start the body on a fresh line when nothing follows the imports
        body_start = rest_of_line.end()
    imports = template[slice(*preamble.imports)] if preamble.imports else ""
    return imports, template[body_start:], parser.lines.locate(body_start)[0]


def _reads_context_output(tokens: tuple[_Token, ...] | list[_Token]) -> bool:
    for index, tok in enumerate(tokens):
        if any(_reads_context_output(part) for part in tok.parts):
            return True
        if tok.kind != "ident" or tok.text != "context" or index + 2 >= len(tokens):
            continue
        if index > 0 and _is(tokens[index - 1], "."):
            continue  # `x.context.output` selects from something else
        sep, key = tokens[index + 1], tokens[index + 2]
        name = _string_value(key.text) if key.kind == "string" and not key.parts else key.text
        if _is(sep, ".") and key.kind in ("ident", "string") and name in _CONTEXT_OUTPUTS:
            return True
        if _is(sep, "[") and key.kind == "string" and name in _CONTEXT_OUTPUTS:
            return True
    return False


def references_context_output(template: str) -> bool:
    """Whether the template reads `context.output` or `context.outputs`.

    Comments and string contents do not count; expressions interpolated into strings do.
    Raises CueSourceError for malformed source.
    """
    return _reads_context_output(_Lexer(template).scan())


def _fields_named(decls: list[_Decl], name: str) -> Iterator[_Decl]:
    """Fields called `name` at this level, seen through `if`/`for` bodies and embedded structs."""
    for decl in decls:
        if decl.kind == "field" and decl.labels[0] == _Label(name, "regular"):
            yield decl
        elif decl.kind == "comprehension" and decl.body is not None:
            yield from _fields_named(decl.body.decls, name)
        elif decl.kind == "embed" and decl.value is not None:
            for part in decl.value.parts:
                if isinstance(part, _Struct):
                    yield from _fields_named(part.decls, name)


def _comment_targets(parser: _Parser) -> list[tuple[_Comment, int | None]]:
    """Each comment with the token index of the field it documents, if any.

    A comment line documents the field starting on the line right after its block of
    consecutive comment lines (cue's doc-comment rule: a blank line detaches it). A comment
    after code on its line documents nothing: `cue export --out cue` drops those.
    """
    starts = [tok.start for tok in parser.toks]
    comment_lines = {c.line for c in parser.comments if not c.trailing}
    result: list[tuple[_Comment, int | None]] = []
    for comment in parser.comments:
        end_line = comment.line
        while end_line + 1 in comment_lines:
            end_line += 1
        index = bisect.bisect_right(starts, comment.start)
        while parser.toks[index].kind == "comma":
            index += 1
        below = parser.toks[index].line == end_line + 1 and index in parser.fields
        result.append((comment, index if below and not comment.trailing else None))
    return result


def top_level_patch_strategy(template: str) -> str | None:
    """The `// +patchStrategy=...` value written above the template's top-level `patch:` field.

    Returns None when there is none. Raises CueSourceError for malformed source.
    """
    parser, decls = _parse_template(template)
    patch_starts = {decl.start for decl in _fields_named(decls, "patch")}
    for comment, target in _comment_targets(parser):
        marker = _MARKER.match(comment.text)
        if target in patch_starts and marker and marker.group(1) == "patchStrategy":
            return (marker.group(2) or "").strip()
    return None


def field_markers(template: str) -> dict[str, list[tuple[int, str, str]]]:
    """Every `// +key=value` marker comment, grouped by the label of the field it documents.

    Returns {label: [(line, key, value), ...]} in source order; a marker documenting no field
    (followed by `}`, an `if`, a blank line, or written after code on its line) is listed
    under "". A marker without `=value` has value "". Raises CueSourceError for malformed source.
    """
    parser, _ = _parse_template(template)
    markers: dict[str, list[tuple[int, str, str]]] = {}
    for comment, target in _comment_targets(parser):
        if marker := _MARKER.match(comment.text):
            label = parser.fields[target] if target is not None else ""
            entry = (comment.line, marker.group(1), (marker.group(2) or "").strip())
            markers.setdefault(label, []).append(entry)
    return markers


_Path = tuple[str | int, ...]


def _walk_expr(expr: _Expr, path: _Path, found: list[_Path]) -> None:
    for part in expr.parts:
        if isinstance(part, _Struct):
            _walk_decls(part.decls, path, found)
        elif isinstance(part, _List):
            _walk_list(part, path, found)
        elif part.callee in (None, "close"):  # `(a | b)` and `close({...})` keep the path
            for arg in part.args:
                _walk_expr(arg, path, found)


def _walk_list(literal: _List, path: _Path, found: list[_Path]) -> None:
    last = literal.elems[-1] if literal.elems else None
    if last is not None and last.kind == "ellipsis" and last.expr.start < last.expr.stop:
        found.append(path)
    for index, elem in enumerate(literal.elems):
        if elem.kind != "value":
            break  # after a comprehension the indexes are unknown; a pattern has none
        _walk_expr(elem.expr, (*path, index), found)


def _walk_decls(decls: list[_Decl], path: _Path, found: list[_Path]) -> None:
    for decl in decls:
        if decl.kind == "field" and decl.value is not None:
            if all(label.kind == "regular" for label in decl.labels):
                _walk_expr(decl.value, (*path, *(label.text for label in decl.labels)), found)
        elif decl.kind == "comprehension" and decl.body is not None:
            _walk_decls(decl.body.decls, path, found)
        elif decl.kind == "embed" and decl.value is not None:
            _walk_expr(decl.value, path, found)


def pattern_list_paths(template: str, field: str = "patch") -> list[tuple[str | int, ...]]:
    """Paths, relative to the top-level `field`, of list literals ending in a pattern `...T`.

    Found lexically through label chains, nested structs, `if`/`for` bodies and list element
    indexes; dynamic labels, pattern labels, hidden fields, `let` values, pattern elements and
    elements after a list comprehension are skipped. Returns the paths in source order, each
    once. Raises CueSourceError for malformed source.
    """
    _, decls = _parse_template(template)
    found: list[_Path] = []
    for decl in _fields_named(decls, field):
        rest = decl.labels[1:]
        if decl.value is not None and all(label.kind == "regular" for label in rest):
            _walk_expr(decl.value, tuple(label.text for label in rest), found)
    return list(dict.fromkeys(found))
