"""Guard the comprehensions that make objects, so that one over an absent optional field yields none."""

from __future__ import annotations

from .facts import fields_named, parse_template
from .lexer import CueSyntaxError, tokenize
from .tree import Comprehension, ForClause, IfClause, StructLit

__all__ = ["guard_object_comprehensions"]


def _one_line(text: str) -> str | None:
    """`text` (an expression) as one line of tokens, or None when that cannot be done safely."""
    try:
        tokens, _ = tokenize(text)
    except CueSyntaxError:
        return None
    tokens = [tok for tok in tokens if tok.kind != "eof"]
    while tokens and tokens[-1].kind == "comma" and not tokens[-1].text:
        tokens.pop()
    if not tokens:
        return None
    written = text[tokens[0].pos.offset:tokens[-1].end]
    if "\n" not in written:
        return written
    joined = " ".join(tok.text or "," for tok in tokens)  # implied commas written out
    return joined if "\n" not in joined else None


def _clause_ends(comp: Comprehension) -> list[int]:
    """Where each clause's expression ends: at the next clause, the last one where the clauses end."""
    starts = [clause.pos.offset for clause in comp.clauses[1:]]
    return [*starts, comp.end]


def _guards(text: str, comp: Comprehension) -> list[tuple[int, str]]:
    """(offset, text to insert) for each `for`/`if` clause: `if (EXPR) != _|_ ` in front of it."""
    inserts = []
    for clause, end in zip(comp.clauses, _clause_ends(comp), strict=True):
        if isinstance(clause, ForClause):
            expr = clause.source
        elif isinstance(clause, IfClause):
            expr = clause.condition
        else:
            continue
        source = _one_line(text[expr.pos.offset:end])
        if source is not None:
            inserts.append((clause.pos.offset, f"if ({source}) != _|_ "))
    return inserts


def guard_object_comprehensions(template: str, fields: tuple[str, ...]) -> str:
    """`template` with every comprehension directly inside the named top-level fields guarded.

    KubeVela walks `outputs` (and looks up `patchOutputs`) one object at a time, so a
    comprehension there whose source is incomplete (an optional field left out) adds no
    object, where cue would call the whole struct incomplete. A guard `if (x) != _|_` in
    front of each clause gives cue that reading. Inserted text stays on the clause's line,
    so line numbers in cue's messages still point at the template as written. Returns the
    template unchanged when there is nothing to guard or it does not parse.
    """
    try:
        tree = parse_template(template)
    except CueSyntaxError:
        return template
    inserts: list[tuple[int, str]] = []
    for name in fields:
        for field in fields_named(tree.decls, name):
            if isinstance(field.value, StructLit):
                for decl in field.value.decls:
                    if isinstance(decl, Comprehension):
                        inserts += _guards(template, decl)
    for offset, text in sorted(inserts, reverse=True):
        template = template[:offset] + text + template[offset:]
    return template
