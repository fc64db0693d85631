"""Source checks of a template: comment markers and `+usage` docs on parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .. import contract
from ..cue.syntax import CueSyntaxError, field_markers, top_level_patch_strategy
from ..cue.syntax.facts import documented, field_label, label_chain, parse_template
from ..cue.syntax.tree import (
    CallExpr,
    Comprehension,
    Embedding,
    Field,
    File,
    Ident,
    ListLit,
    Node,
    SelectorExpr,
    StructLit,
)
from ..cue.syntax.visitor import children, walk
from ..render.strategies import MARKERS as PATCH_MARKERS
from ..render.strategies import STRATEGIES as PATCH_STRATEGIES
from ..render.strategies import WHOLE_PATCH, WHOLE_PATCH_PLACE

# Patch markers and strategies come from the one table of render/strategies.py.
KNOWN_MARKERS = frozenset({*PATCH_MARKERS, "usage", "short", "ignore", "immutable"})
STRATEGIES = frozenset(PATCH_STRATEGIES)
_WHOLE_PATCH = frozenset(name for name, s in PATCH_STRATEGIES.items() if s.scope == WHOLE_PATCH)
_FLAGS = frozenset({"ignore", "immutable"})
_NEEDS_VALUE = frozenset({*PATCH_MARKERS, "usage", "short"})
_WELL_FORMED = re.compile(r"//\s*\+([A-Za-z_][\w.\-]*)(?:=(.*))?$")
_LOOKS_LIKE_MARKER = re.compile(r"//\s*\+\s*\S")


@dataclass(frozen=True)
class Note:
    """One finding in a template, at a line of the template body."""

    line: int
    severity: str  # "error" | "warning"
    message: str


def _warning(line: int, message: str) -> Note:
    return Note(line, "warning", message)


def _malformed(template: str) -> list[Note]:
    """Comments that start like a marker (`// +`) but do not parse as `// +key[=value]`."""
    return [_warning(c.line, f"malformed marker {c.text.strip()!r}: expected `// +key=value`")
            for c in parse_template(template).comments
            if _LOOKS_LIKE_MARKER.match(c.text) and not _WELL_FORMED.match(c.text)]


def _marker_value_notes(line: int, key: str, value: str) -> list[Note]:
    if key not in KNOWN_MARKERS:
        known = ", ".join(f"+{k}" for k in sorted(KNOWN_MARKERS))
        return [_warning(line, f"unknown marker +{key} (known: {known}); it is ignored")]
    if key in _NEEDS_VALUE and not value:
        return [_warning(line, f"marker +{key} needs a value: `// +{key}=...`")]
    if key in _FLAGS and value:
        return [_warning(line, f"marker +{key} takes no value (`// +{key}`)")]
    marker = PATCH_MARKERS.get(key)
    if marker is not None and marker.values and value not in marker.values:
        return [_warning(line, f"unknown patch strategy {value!r} (known: {', '.join(sorted(marker.values))});"
                               " it is ignored")]
    if marker is not None and marker.pattern is not None and not marker.pattern.fullmatch(value):
        return [_warning(line, f"malformed +{key} value {value!r}: expected {marker.expected}")]
    if key == "short" and not re.fullmatch(r"[A-Za-z]", value):
        return [_warning(line, f"+short must be one letter, not {value!r}")]
    return []


def marker_notes(template: str) -> list[Note]:
    """Unknown, malformed and misplaced markers; raises CueSyntaxError for unscannable source."""
    notes = _malformed(template)
    top_strategy = top_level_patch_strategy(template)
    whole_patch_seen = False
    for label, markers in field_markers(template).items():
        for line, key, value in markers:
            notes += _marker_value_notes(line, key, value)
            if key in KNOWN_MARKERS and not label:
                notes.append(_warning(line, f"marker +{key} documents no field (a blank line, code, or an"
                                            " `if`/`for` separates it from the field below); it is ignored"))
            if key != contract.MARK_PATCH_STRATEGY or value not in _WHOLE_PATCH:
                continue
            if label == contract.PATCH and top_strategy == value and not whole_patch_seen:
                whole_patch_seen = True
            else:
                notes.append(Note(line, "error", f"+patchStrategy={value} applies to the whole patch: it"
                                                 f" must be written {WHOLE_PATCH_PLACE}"))
    return sorted(notes, key=lambda n: n.line)


# --- +usage docs -----------------------------------------------------------------------------


def _field_markers_by_field(tree: File) -> dict[int, set[str]]:
    """id() of each documented field -> the marker keys with a value (or flags) above it."""
    found: dict[int, set[str]] = {}
    for item in documented(tree):
        marker = _WELL_FORMED.match(item.comment.text)
        if item.field is not None and marker and (marker.group(1) in _FLAGS or (marker.group(2) or "").strip()):
            found.setdefault(id(item.field), set()).add(marker.group(1))
    return found


def _expr_decls(expr: Node | None) -> Iterator[tuple[tuple[Node, ...], str]]:
    """Struct bodies reachable in an expression: literals, list elements, call arguments."""
    if isinstance(expr, StructLit):
        yield expr.decls, ""
    elif isinstance(expr, ListLit):
        for elem in expr.elts:
            for decls, _ in _expr_decls(elem):
                yield decls, "[]"
    elif isinstance(expr, CallExpr):
        for arg in expr.args:
            yield from _expr_decls(arg)
    elif expr is not None and not isinstance(expr, SelectorExpr):
        for child in children(expr):
            yield from _expr_decls(child)


def _hidden(field: Field) -> bool:
    return field.label.kind == "ident" and not field_label(field.label)[1]


def _undocumented(decls: tuple[Node, ...], path: str, marks: dict[int, set[str]]) -> Iterator[tuple[int, str]]:
    for decl in decls:
        if isinstance(decl, Comprehension):
            yield from _undocumented(decl.body.decls, path, marks)
        elif isinstance(decl, Embedding):
            for inner, suffix in _expr_decls(decl.expr):
                yield from _undocumented(inner, path + suffix, marks)
        elif isinstance(decl, Field) and not _hidden(decl):
            keys = marks.get(id(decl), set())
            if "ignore" in keys:
                continue  # hidden from forms and docs: nothing to document
            chain, value = label_chain(decl)
            labels = [field_label(f.label) for f in chain]
            here = ".".join(name if regular else "*" for name, regular in labels)
            here = f"{path}.{here}" if path else here
            if all(regular for _, regular in labels) and "usage" not in keys:
                yield decl.pos.line, here
            for inner, suffix in _expr_decls(value):
                yield from _undocumented(inner, here + suffix, marks)


def _referenced_definitions(expr: Node) -> set[str]:
    names = {n.name for n in walk(expr) if isinstance(n, Ident)}
    names |= {n.sel.text for n in walk(expr) if isinstance(n, SelectorExpr) and n.sel.kind == "ident"}
    return {name for name in names if name.startswith("#")}


def usage_notes(template: str) -> list[Note]:
    """Parameters (and the `#Definitions` they use) without a `+usage` doc; raises CueSyntaxError."""
    tree = parse_template(template)
    marks = _field_markers_by_field(tree)
    fields = [d for d in tree.decls if isinstance(d, Field)]
    top_defs = {field_label(d.label)[0]: d for d in fields
                if len(label_chain(d)[0]) == 1 and field_label(d.label)[0].startswith("#")}
    roots = [(d, "parameter") for d in fields if field_label(d.label) == (contract.PARAMETER, True)]
    seen: set[str] = set()
    notes: list[Note] = []
    while roots:
        decl, path = roots.pop(0)
        chain, value = label_chain(decl)
        rest = ".".join(field_label(f.label)[0] for f in chain[1:])
        start = f"{path}.{rest}" if rest else path
        for inner, suffix in _expr_decls(value):
            for line, name in _undocumented(inner, start + suffix, marks):
                notes.append(_warning(line, f"{name} has no `// +usage=` doc"))
        for ref in sorted(_referenced_definitions(value) - seen):
            seen.add(ref)
            if ref in top_defs:
                roots.append((top_defs[ref], ref))
    return sorted(notes, key=lambda n: n.line)


def template_notes(template: str) -> list[Note]:
    """Every source-level finding of a template; a scan failure becomes one error note."""
    try:
        return sorted(marker_notes(template) + usage_notes(template), key=lambda n: n.line)
    except CueSyntaxError as exc:
        return [Note(exc.line, "error", f"template cannot be scanned: {exc.message}")]
