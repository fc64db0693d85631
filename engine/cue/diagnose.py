"""Map cue's errors over a render's instances back to problems at app paths and definition lines."""

from __future__ import annotations

from collections.abc import Sequence

from .. import contract
from ..codes import ABSENT_OPTIONAL
from ..errors import Fixer, Location, Problem
from ..paths import app_text
from .program import Handle, Instance, Program, result_owner
from .runner import Diagnostic, Position

_DATA_FILE = "oam_data.json"
_INCOMPLETE = ("incomplete value", "non-concrete value", "undefined field")
# A template read an optional field the properties leave out: KubeVela tolerates this where
# it reads `outputs` object by object (render/evaluate.py retries with guards).
_ABSENT_MESSAGE = "cannot reference optional field"


def _locate(program: Program, path: tuple[str, ...]) -> tuple[Handle, str, tuple[str, ...]] | None:
    """Diagnostic path -> (instance, contract field, rest of the path)."""
    result = result_owner(path)
    if result is not None:
        handle, rest = result
    else:
        found = program.owner_of_path(path)
        if found is None:
            return None
        handle, rest = found, program.inner_path(found, path)
    return (handle, rest[0], rest[1:]) if rest else (handle, "", ())


def _dotted(parts: Sequence[str]) -> str:
    """cue's labels as an app path: all-digit labels are list indices."""
    return app_text(int(part) if part.isdigit() else part for part in parts)


def _positions(program: Program, positions: Sequence[Position]) -> tuple[Location | None, tuple[str, ...], bool]:
    """First template position as a Location; the others as text; whether data was involved."""
    first: Location | None = None
    others: list[str] = []
    from_data = False
    for pos in positions:
        if pos.file == _DATA_FILE:
            from_data = True
            continue
        handle = program.position_owner(pos)
        if handle is None:
            continue
        definition = program.definition(handle)
        line = program.source_line(handle, pos)
        if first is None:
            first = Location(file=definition.source or f"<{definition.name}>", line=line,
                             column=pos.column if line else None)
        else:
            others.append(f"{definition.source or definition.name}" + (f":{line}" if line else ""))
    return first, tuple(others), from_data


def _unplaced(program: Program, instances: Sequence[Instance], diag: Diagnostic) -> Problem:
    """A problem without a value path (a parse or import error): placed by its position."""
    handle = program.owner_of_positions(diag.positions)
    if handle is None:
        return Problem("cue", _plain(diag), Fixer.DEFINITION, Location())
    inst = instances[handle.index]
    where, related, _ = _positions(program, diag.positions)
    where = where or Location()
    location = Location(inst.app_path, inst.definition.name, inst.definition.kind, where.file,
                        where.line, where.column)
    return Problem("template", _plain(diag), Fixer.DEFINITION, location, related)


def _fold(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per path: an empty disjunction is told by its last branch (the type,
    after the default), with the positions of all branches."""
    folded: dict[tuple[str, ...], Diagnostic] = {}
    for diag in diagnostics:
        if "errors in empty disjunction" in diag.message and diag.path in folded:
            continue
        earlier = folded.get(diag.path)
        if earlier is None or "errors in empty disjunction" in earlier.message:
            folded[diag.path] = diag
        elif not diag.path:
            folded[(*diag.path, str(len(folded)))] = diag
        else:
            positions = tuple(dict.fromkeys((*diag.positions, *earlier.positions)))
            folded[diag.path] = Diagnostic(diag.path, diag.message, positions)
    return list(folded.values())


def diagnose(program: Program, instances: Sequence[Instance],
             diagnostics: Sequence[Diagnostic]) -> list[Problem]:
    """Turn cue's error blocks into problems at app paths, attributed to their definitions."""
    placed = [(d, _locate(program, d.path)) for d in _fold(diagnostics)]
    missing = {where[0] for d, where in placed
               if where and where[1] == contract.PARAMETER and _is_incomplete(d.message)}
    problems = []
    for diag, where in placed:
        if where is None:
            problems.append(_unplaced(program, instances, diag))
            continue
        handle, field_name, rest = where
        if handle in missing and field_name != contract.PARAMETER and _follows_missing(diag.message):
            continue  # a consequence of the missing parameter, already reported
        problems.append(_problem(program, instances[handle.index], field_name, rest, diag))
    return problems


def _is_incomplete(message: str) -> bool:
    return any(m in message for m in _INCOMPLETE)


def _follows_missing(message: str) -> bool:
    """Incomplete, or reading an absent optional field: said again once a parameter is missing
    (the retry that forgives absent optional fields only runs for instances without errors)."""
    return _is_incomplete(message) or _ABSENT_MESSAGE in message


def _output_code(message: str) -> str:
    """The code of an error in a template's own fields (not in its parameters)."""
    code = ABSENT_OPTIONAL if _ABSENT_MESSAGE in message else (
        "incomplete-output" if _is_incomplete(message) else "template")
    return code


def _plain(diag: Diagnostic) -> str:
    return f"{'.'.join(diag.path)}: {diag.message}" if diag.path else diag.message


def _problem(program: Program, inst: Instance, field_name: str, rest: tuple[str, ...],
             diag: Diagnostic) -> Problem:
    definition = inst.definition
    where, related, from_data = _positions(program, diag.positions)
    where = where or Location()
    if field_name == contract.PARAMETER:
        app_path = _dotted([f"{inst.app_path}.properties", *rest]) if rest else f"{inst.app_path}.properties"
        if _is_incomplete(diag.message):
            code, message, fixer = "missing-parameter", "required parameter is missing", Fixer.APP
        else:
            code, message, fixer = "invalid-parameter", diag.message, Fixer.APP
    else:
        app_path = inst.app_path
        code = _output_code(diag.message)
        message = f"{_dotted([field_name, *rest])}: {diag.message}"
        fixer = Fixer.APP if from_data else Fixer.DEFINITION
    location = Location(app_path, definition.name, definition.kind, where.file, where.line, where.column)
    return Problem(code, message, fixer, location, related)
