"""Source checks of a template: comment markers and `+usage` docs on parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import contract
from .cuesource import (
    CueSourceError,
    _comment_targets,
    _Decl,
    _Expr,
    _Lexer,
    _List,
    _parse_template,
    _Parser,
    _Struct,
    field_markers,
    top_level_patch_strategy,
)

KNOWN_MARKERS = frozenset({contract.MARK_PATCH_KEY, contract.MARK_PATCH_STRATEGY, "usage", "short",
                           "ignore", "immutable"})
STRATEGIES = frozenset({contract.STRATEGY_RETAIN_KEYS, contract.STRATEGY_REPLACE,
                        contract.STRATEGY_JSON_MERGE_PATCH, contract.STRATEGY_JSON_PATCH})
_WHOLE_PATCH = frozenset({contract.STRATEGY_JSON_MERGE_PATCH, contract.STRATEGY_JSON_PATCH})
_FLAGS = frozenset({"ignore", "immutable"})
_NEEDS_VALUE = frozenset({contract.MARK_PATCH_KEY, contract.MARK_PATCH_STRATEGY, "usage", "short"})
_WELL_FORMED = re.compile(r"//\s*\+([A-Za-z_][\w.\-]*)(?:=(.*))?$")
_LOOKS_LIKE_MARKER = re.compile(r"//\s*\+\s*\S")
_PATCH_KEY = re.compile(r"[\w.\-/]+(?:,[\w.\-/]+)*")


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
    lexer = _Lexer(template)
    lexer.scan()
    return [_warning(c.line, f"malformed marker {c.text.strip()!r}: expected `// +key=value`")
            for c in lexer.comments
            if _LOOKS_LIKE_MARKER.match(c.text) and not _WELL_FORMED.match(c.text)]


def _marker_value_notes(line: int, key: str, value: str) -> list[Note]:
    if key not in KNOWN_MARKERS:
        known = ", ".join(f"+{k}" for k in sorted(KNOWN_MARKERS))
        return [_warning(line, f"unknown marker +{key} (known: {known}); it is ignored")]
    if key in _NEEDS_VALUE and not value:
        return [_warning(line, f"marker +{key} needs a value: `// +{key}=...`")]
    if key in _FLAGS and value:
        return [_warning(line, f"marker +{key} takes no value (`// +{key}`)")]
    if key == contract.MARK_PATCH_STRATEGY and value not in STRATEGIES:
        return [_warning(line, f"unknown patch strategy {value!r} (known: {', '.join(sorted(STRATEGIES))});"
                               " it is ignored")]
    if key == contract.MARK_PATCH_KEY and not _PATCH_KEY.fullmatch(value):
        return [_warning(line, f"malformed +patchKey value {value!r}: expected a key, a dotted path"
                               " or a comma list of keys")]
    if key == "short" and not re.fullmatch(r"[A-Za-z]", value):
        return [_warning(line, f"+short must be one letter, not {value!r}")]
    return []


def marker_notes(template: str) -> list[Note]:
    """Unknown, malformed and misplaced markers; raises CueSourceError for unscannable source."""
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
                                                 " must be written right above the top-level `patch:` field"))
    return sorted(notes, key=lambda n: n.line)


# --- +usage docs -----------------------------------------------------------------------------


def _field_markers_by_token(parser: _Parser) -> dict[int, set[str]]:
    """Token index of each documented field -> the marker keys with a value (or flags) above it."""
    found: dict[int, set[str]] = {}
    for comment, target in _comment_targets(parser):
        marker = _WELL_FORMED.match(comment.text)
        if target is not None and marker and (marker.group(1) in _FLAGS or (marker.group(2) or "").strip()):
            found.setdefault(target, set()).add(marker.group(1))
    return found


def _expr_decls(expr: _Expr | None) -> Iterator[tuple[list[_Decl], str]]:
    """Struct bodies reachable in an expression: literals, list elements, call arguments."""
    if expr is None:
        return
    for part in expr.parts:
        if isinstance(part, _Struct):
            yield part.decls, ""
        elif isinstance(part, _List):
            for elem in part.elems:
                for decls, _ in _expr_decls(elem.expr):
                    yield decls, "[]"
        else:
            for arg in part.args:
                yield from _expr_decls(arg)


def _undocumented(decls: list[_Decl], path: str, parser: _Parser,
                  marks: dict[int, set[str]]) -> Iterator[tuple[int, str]]:
    for decl in decls:
        if decl.kind == "comprehension" and decl.body is not None:
            yield from _undocumented(decl.body.decls, path, parser, marks)
        elif decl.kind == "embed":
            for inner, suffix in _expr_decls(decl.value):
                yield from _undocumented(inner, path + suffix, parser, marks)
        elif decl.kind == "field" and decl.labels[0].kind != "hidden":
            keys = marks.get(decl.start, set())
            if "ignore" in keys:
                continue  # hidden from forms and docs: nothing to document
            regular = all(label.kind == "regular" for label in decl.labels)
            name = ".".join(label.text if label.kind == "regular" else "*" for label in decl.labels)
            here = f"{path}.{name}" if path else name
            if regular and "usage" not in keys:
                yield parser.toks[decl.start].line, here
            for inner, suffix in _expr_decls(decl.value):
                yield from _undocumented(inner, here + suffix, parser, marks)


def _referenced_definitions(expr: _Expr | None, parser: _Parser) -> set[str]:
    if expr is None:
        return set()
    return {t.text for t in parser.toks[expr.start:expr.stop] if t.kind == "ident" and t.text.startswith("#")}


def usage_notes(template: str) -> list[Note]:
    """Parameters (and the `#Definitions` they use) without a `+usage` doc; raises CueSourceError."""
    parser, decls = _parse_template(template)
    marks = _field_markers_by_token(parser)
    top_defs = {d.labels[0].text: d for d in decls if d.kind == "field" and len(d.labels) == 1
                and d.labels[0].text.startswith("#")}
    roots = [(d, "parameter") for d in decls if d.kind == "field" and d.labels[0].text == contract.PARAMETER
             and d.labels[0].kind == "regular"]
    seen: set[str] = set()
    notes: list[Note] = []
    while roots:
        decl, path = roots.pop(0)
        rest = ".".join(label.text for label in decl.labels[1:])
        start = f"{path}.{rest}" if rest else path
        for inner, suffix in _expr_decls(decl.value):
            for line, name in _undocumented(inner, start + suffix, parser, marks):
                notes.append(_warning(line, f"{name} has no `// +usage=` doc"))
        for ref in sorted(_referenced_definitions(decl.value, parser) - seen):
            seen.add(ref)
            if ref in top_defs:
                roots.append((top_defs[ref], ref))
    return sorted(notes, key=lambda n: n.line)


def template_notes(template: str) -> list[Note]:
    """Every source-level finding of a template; a scan failure becomes one error note."""
    try:
        return sorted(marker_notes(template) + usage_notes(template), key=lambda n: n.line)
    except CueSourceError as exc:
        return [Note(exc.line, "error", f"template cannot be scanned: {exc.message}")]
