"""Facts about definition templates read from the syntax tree: markers, list patterns, context reads.

`template_facts` reads all of them from one parse and keeps them per template text for the
process (the definition loader seeds them from its on-disk cache); the functions of each fact
read from there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...paths import Parts as _Path
from .known import COUNTS, TemplateFacts, forget_templates, known_facts, remember
from .lexer import Comment, CueSyntaxError
from .literals import string_value
from .parser import parse_file
from .tree import (
    BasicLit,
    BinaryExpr,
    CallExpr,
    Comprehension,
    Ellipsis,
    Embedding,
    Field,
    File,
    Ident,
    IndexExpr,
    Interpolation,
    Label,
    ListLit,
    Node,
    ParenExpr,
    SelectorExpr,
    StructLit,
    UnaryExpr,
)
from .visitor import walk

__all__ = [
    "COUNTS",
    "MARKER",
    "Documented",
    "TemplateFacts",
    "field_label",
    "field_markers",
    "forget_templates",
    "label_chain",
    "parse_template",
    "pattern_list_paths",
    "references_context_output",
    "remember",
    "template_facts",
    "top_level_patch_strategy",
]

MARKER = re.compile(r"//\s*\+([A-Za-z_][\w.\-]*)(?:=(.*))?$")
_CONTEXT_OUTPUTS = frozenset({"output", "outputs"})


def parse_template(template: str) -> File:
    """The tolerant syntax tree of a template (counted in COUNTS.template_parses).

    Raises CueSyntaxError for text that does not scan and for a comprehension without a body.
    """
    COUNTS.template_parses += 1
    return parse_file(template, tolerant=True)


def field_label(label: Label) -> tuple[str, bool]:
    """The name a label gives and whether it is regular (not hidden, a definition or dynamic)."""
    if label.kind == "ident":
        return label.text, not label.text.startswith(("_", "#")) or label.text == "_|_"
    if label.kind == "string" and not isinstance(label.expr, Interpolation):
        try:
            value = string_value(label.text, label.pos)
        except CueSyntaxError:
            return label.text, True
        return (value if isinstance(value, str) else value.decode("utf-8", "replace")), True
    if label.kind == "string":
        hashes = len(label.text) - len(label.text.lstrip("#"))
        quote = 3 if label.text[hashes : hashes + 3] in ('"""', "'''") else 1
        return label.text[hashes + quote : len(label.text) - hashes - quote], False
    return label.text, False


def label_chain(field: Field) -> tuple[list[Field], Node]:
    """The fields of a chain `a: b: c: v` (just [field] otherwise) and the value at its end."""
    chain = [field]
    while isinstance(chain[-1].value, StructLit) and chain[-1].value.elided:
        inner = chain[-1].value.decls[0]
        assert isinstance(inner, Field)  # an elided struct holds the one field of a chain
        chain.append(inner)
    return chain, chain[-1].value


def _is_named(field: Field, name: str) -> bool:
    return field_label(field.label) == (name, True)


def fields_named(decls: tuple[Node, ...], name: str) -> Iterator[Field]:
    """Fields called `name` at this level, seen through `if`/`for` bodies and embedded structs."""
    for decl in decls:
        if isinstance(decl, Field) and _is_named(decl, name):
            yield decl
        elif isinstance(decl, Comprehension):
            yield from fields_named(decl.body.decls, name)
        elif isinstance(decl, Embedding):
            for struct in _operand_structs(decl.expr):
                yield from fields_named(struct.decls, name)


def _operand_structs(expr: Node) -> Iterator[StructLit]:
    if isinstance(expr, StructLit):
        yield expr
    elif isinstance(expr, BinaryExpr):
        yield from _operand_structs(expr.x)
        yield from _operand_structs(expr.y)
    elif isinstance(expr, UnaryExpr):
        yield from _operand_structs(expr.x)


@dataclass(frozen=True)
class Documented:
    """A comment and the field it documents (None when it documents none)."""

    comment: Comment
    field: Field | None


def documented(tree: File) -> list[Documented]:
    """Each comment with the field it documents.

    A comment line documents the field starting on the line right after its block of
    consecutive comment lines (cue's doc-comment rule: a blank line detaches it). A comment
    after code on its line documents nothing: `cue export --out cue` drops those.
    """
    fields = {node.pos.offset: node for node in walk(tree) if isinstance(node, Field)}
    by_comment: dict[int, Field] = {}
    for field in fields.values():
        lines = {c.line for c in field.comments if not c.trailing}
        end = field.pos.line - 1
        for comment in field.comments:
            if comment.trailing or comment.line > end:
                continue
            if all(line in lines for line in range(comment.line, end + 1)):
                by_comment[comment.pos.offset] = field
    return [Documented(c, by_comment.get(c.pos.offset)) for c in tree.comments]


def references_context_output(template: str) -> bool:
    """Whether the template reads `context.output` or `context.outputs`.

    Comments and string contents do not count; expressions interpolated into strings do.
    Raises CueSyntaxError for text that does not scan.
    """
    return template_facts(template).checked().reads_output


def _reads_output(node: Node) -> bool:
    """`context.output`, `context."outputs"`, `context["output"]` (not `x.context.output`)."""
    if isinstance(node, SelectorExpr) and _is_context(node.x):
        return field_label(node.sel) in ((name, True) for name in _CONTEXT_OUTPUTS)
    if isinstance(node, IndexExpr) and _is_context(node.x) and isinstance(node.index, BasicLit):
        return node.index.kind == "string" and field_label(Label(node.index.pos, "string", node.index.text)) in (
            (name, True) for name in _CONTEXT_OUTPUTS)
    return False


def _is_context(expr: Node) -> bool:
    return isinstance(expr, Ident) and expr.name == "context"


def top_level_patch_strategy(template: str) -> str | None:
    """The `// +patchStrategy=...` value written above the template's top-level `patch:` field.

    Returns None when there is none. Raises CueSyntaxError for text that does not scan.
    """
    return template_facts(template).checked().patch_strategy


def _patch_strategy(tree: File) -> str | None:
    patches = {id(field) for field in fields_named(tree.decls, "patch")}
    for item in documented(tree):
        marker = MARKER.match(item.comment.text)
        if item.field is not None and id(item.field) in patches and marker and marker[1] == "patchStrategy":
            return (marker[2] or "").strip()
    return None


def field_markers(template: str) -> dict[str, list[tuple[int, str, str]]]:
    """Every `// +key=value` marker comment, grouped by the label of the field it documents.

    Returns {label: [(line, key, value), ...]} in source order; a marker documenting no field
    (followed by `}`, an `if`, a blank line, or written after code on its line) is listed
    under "". A marker without `=value` has value "". Raises CueSyntaxError for text that
    does not scan.
    """
    return {label: list(found) for label, found in template_facts(template).checked().markers.items()}


def _markers(tree: File) -> dict[str, tuple[tuple[int, str, str], ...]]:
    markers: dict[str, list[tuple[int, str, str]]] = {}
    for item in documented(tree):
        if marker := MARKER.match(item.comment.text):
            label = field_label(item.field.label)[0] if item.field is not None else ""
            markers.setdefault(label, []).append((item.comment.line, marker[1], (marker[2] or "").strip()))
    return {label: tuple(found) for label, found in markers.items()}


def _walk_expr(expr: Node, path: _Path, found: list[_Path]) -> None:
    if isinstance(expr, StructLit):
        _walk_decls(expr.decls, path, found)
    elif isinstance(expr, ListLit):
        _walk_list(expr, path, found)
    elif isinstance(expr, BinaryExpr):
        _walk_expr(expr.x, path, found)
        _walk_expr(expr.y, path, found)
    elif isinstance(expr, UnaryExpr | ParenExpr):
        _walk_expr(expr.x, path, found)
    elif isinstance(expr, CallExpr) and isinstance(expr.fun, Ident) and expr.fun.name == "close":
        for arg in expr.args:  # `close({...})` keeps the path
            _walk_expr(arg, path, found)


def _walk_list(literal: ListLit, path: _Path, found: list[_Path]) -> None:
    last = literal.elts[-1] if literal.elts else None
    if isinstance(last, Ellipsis) and last.type is not None:
        found.append(path)
    for index, elem in enumerate(literal.elts):
        if isinstance(elem, Ellipsis | Comprehension):
            break  # after a comprehension the indexes are unknown; a pattern has none
        _walk_expr(elem, (*path, index), found)


def _walk_decls(decls: tuple[Node, ...], path: _Path, found: list[_Path]) -> None:
    for decl in decls:
        if isinstance(decl, Field):
            name, regular = field_label(decl.label)
            if regular:
                _walk_expr(decl.value, (*path, name), found)
        elif isinstance(decl, Comprehension):
            _walk_decls(decl.body.decls, path, found)
        elif isinstance(decl, Embedding):
            _walk_expr(decl.expr, path, found)


def pattern_list_paths(template: str, field: str = "patch") -> list[_Path]:
    """Paths, relative to the top-level `field`, of list literals ending in a pattern `...T`.

    Found through label chains, nested structs, `if`/`for` bodies and list element indexes;
    dynamic labels, pattern labels, hidden fields, `let` values, pattern elements and elements
    after a list comprehension are skipped. Returns the paths in source order, each once.
    Raises CueSyntaxError for text that does not scan.
    """
    if field == "patch":
        return list(template_facts(template).checked().patch_patterns)
    return _patterns(parse_template(template), field)


def _patterns(tree: File, field: str) -> list[_Path]:
    found: list[_Path] = []
    for decl in fields_named(tree.decls, field):
        _walk_expr(decl.value, (), found)
    return list(dict.fromkeys(found))


# --- all facts of a template, once ----------------------------------------------------------


def read_template_facts(template: str) -> TemplateFacts:
    """Every fact of `template` from one parse; a template that does not scan keeps its error."""
    try:
        tree = parse_template(template)
    except CueSyntaxError as exc:
        return TemplateFacts(error=(exc.message, exc.line, exc.col))
    return TemplateFacts(reads_output=any(_reads_output(node) for node in walk(tree)),
                         patch_strategy=_patch_strategy(tree), markers=_markers(tree),
                         patch_patterns=tuple(_patterns(tree, "patch")))


def template_facts(template: str) -> TemplateFacts:
    """The facts of `template`: known ones (read before, or from the definition cache), else read now."""
    known = known_facts(template)
    if known is not None:
        return known
    facts = read_template_facts(template)
    remember(template, facts)
    return facts
