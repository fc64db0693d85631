"""Compose one CUE program from many template instances, and map cue's answers back to them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .. import contract
from ..errors import Fixer, Location, Problem
from ..model import JSON, Definition
from ..paths import Parts as PatchPath
from ..paths import app_text, cue_selector
from .runner import Diagnostic, Position

_RESULT = "oam_result"
_DATA_FILE = "oam_data.json"
# How many list elements a pattern probe asks for: more than any patch lists literally.
PROBE_LENGTH = 32
_INCOMPLETE = ("incomplete value", "non-concrete value", "undefined field")

# The most instances one cue process evaluates. cue's memory grows with the batch (1,000
# webservice components with two traits each: 860 MB in one process, 160 MB in chunks of
# 300, 86 MB in chunks of 100) while its total time hardly depends on the chunking.
CHUNK_SIZE = 250

T = TypeVar("T")


@dataclass(frozen=True)
class Instance:
    """One template to evaluate: a component, trait or policy with its properties and context."""

    definition: Definition
    parameter: Mapping[str, JSON]
    context: Mapping[str, JSON]
    app_path: str  # components[web] or components[web].traits[sidecar]
    # Paths of list patterns under `patch` (found in the template source) to probe.
    probes: tuple[PatchPath, ...] = ()
    # Context entries every instance of one app shares (`components`): sent once per app
    # and referenced, since copying them into each instance makes cue's work quadratic.
    shared: tuple[str, Mapping[str, JSON]] = ("", {})

    @property
    def fields(self) -> tuple[str, ...]:
        if self.definition.kind == contract.KIND_TRAIT:
            return (contract.PATCH, contract.PATCH_OUTPUTS, contract.OUTPUTS, contract.ERRS,
                    contract.PARAMETER)
        return (contract.OUTPUT, contract.OUTPUTS, contract.ERRS, contract.PARAMETER)


@dataclass(frozen=True)
class Evaluated:
    """What cue returned for one instance."""

    values: Mapping[str, JSON]
    markers: Mapping[PatchPath, Mapping[str, str]]  # by path under the instance's fields
    patterns: Mapping[PatchPath, JSON] = field(default_factory=dict)  # patch list path -> element


def chunked(items: Sequence[T]) -> list[Sequence[T]]:
    """`items` in runs of at most CHUNK_SIZE, one cue process each (none for no items)."""
    size = max(1, CHUNK_SIZE)
    return [items[start:start + size] for start in range(0, len(items), size)]


def _name(index: int) -> str:
    return f"oam_i{index}"


def instance_file(index: int, instance: Instance) -> tuple[str, int]:
    """The CUE file for an instance and the number of lines in front of the template body."""
    head = ["package oam", instance.definition.imports.strip(),
            f"{_name(index)}: {{ {contract.CONTEXT}: _, {contract.PARAMETER}: _"]
    prefix = "\n".join(h for h in head if h) + "\n"
    return prefix + instance.definition.template + "\n}\n", prefix.count("\n")


def glue_file(instances: Sequence[Instance]) -> str:
    """The one struct cue exports for the whole batch: each instance's contract fields.

    Fields are picked by a comprehension so that a template need not declare the ones it
    does not use (a default such as `*null | _` would double every error message).
    """
    lines = ["package oam", 'import "list"', f"{_RESULT}: {{"]
    for index, inst in enumerate(instances):
        name = _name(index)
        wanted = json.dumps(list(inst.fields))
        picks = [f"for k, v in {name} if list.Contains({wanted}, k) {{(k): v}}"]
        for n, path in enumerate(inst.probes):
            target = f"{name}.{contract.PATCH}{cue_selector(path)}"
            picks.append(f"probe{n}: *({target} & list.Repeat([_], {PROBE_LENGTH})) | null")
        lines.append(f"\tr{index}: {{ {', '.join(picks)} }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Program:
    """The files and data of one cue run, with what is needed to map answers back."""

    files: dict[str, str]
    data: dict[str, Any]
    offsets: tuple[int, ...]
    expression: str = _RESULT


def compose(instances: Sequence[Instance]) -> Program:
    """One program evaluating every instance; properties and context travel only as JSON data."""
    files: dict[str, str] = {}
    offsets = []
    data: dict[str, Any] = {}
    for index, inst in enumerate(instances):
        text, offset = instance_file(index, inst)
        files[f"i{index}.cue"] = text
        offsets.append(offset)
        data[_name(index)] = {contract.PARAMETER: dict(inst.parameter),
                              contract.CONTEXT: dict(inst.context)}
    glue = [glue_file(instances)]
    for index, inst in enumerate(instances):
        key, values = inst.shared
        if not key:
            continue
        if key not in data:
            data[key] = dict(values)
            glue.append(f"{key}: _\n")  # declared here so references resolve; the value is data
        refs = ", ".join(f"{json.dumps(k)}: {key}[{json.dumps(k)}]" for k in values)
        glue.append(f"{_name(index)}: {contract.CONTEXT}: {{ {refs} }}\n")
    files["oam_glue.cue"] = "".join(glue)
    return Program(files, data, tuple(offsets))


def split_results(instances: Sequence[Instance], data: Any,
                  markers: Mapping[PatchPath, Mapping[str, str]]) -> list[Evaluated]:
    """Cut the exported batch into one Evaluated per instance (in one pass over the markers)."""
    by_result: dict[str | int, dict[PatchPath, Mapping[str, str]]] = {}
    for path, marks in markers.items():
        if path:
            by_result.setdefault(path[0], {})[path[1:]] = marks
    found = []
    for index, inst in enumerate(instances):
        values = dict(data.get(f"r{index}") or {})
        patterns = {}
        for n, path in enumerate(inst.probes):
            probe = values.pop(f"probe{n}", None)
            if isinstance(probe, list) and probe:
                patterns[path] = probe[-1]
        found.append(Evaluated(values, by_result.get(f"r{index}", {}), patterns))
    return found


def describe(instances: Sequence[Instance], shown: int = 3) -> str:
    """`components[web] (webservice), components[web].traits[scaler] (scaler) and 5 more`."""
    named = [f"{inst.app_path} ({inst.definition.name})" for inst in instances[:shown]]
    more = len(instances) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


# --- errors ----------------------------------------------------------------------------------


def _locate(path: tuple[str, ...]) -> tuple[int, str, tuple[str, ...]] | None:
    """Diagnostic path -> (instance index, contract field, rest of the path)."""
    if len(path) >= 2 and path[0] == _RESULT and path[1].startswith("r") and path[1][1:].isdigit():
        index, rest = int(path[1][1:]), path[2:]
    elif path and path[0].startswith("oam_i") and path[0][5:].isdigit():
        index, rest = int(path[0][5:]), path[1:]
    else:
        return None
    return (index, rest[0], rest[1:]) if rest else (index, "", ())


def _dotted(parts: Sequence[str]) -> str:
    """cue's labels as an app path: all-digit labels are list indices."""
    return app_text(int(part) if part.isdigit() else part for part in parts)


def _positions(program: Program, instances: Sequence[Instance],
               positions: Sequence[Position]) -> tuple[Location | None, tuple[str, ...], bool]:
    """First template position as a Location; the others as text; whether data was involved."""
    first: Location | None = None
    others: list[str] = []
    from_data = False
    for pos in positions:
        if pos.file == _DATA_FILE:
            from_data = True
            continue
        if not (pos.file.startswith("i") and pos.file[1:-4].isdigit()):
            continue
        index = int(pos.file[1:-4])
        definition = instances[index].definition
        line = _source_line(definition, pos.line, program.offsets[index])
        if first is None:
            first = Location(file=definition.source or f"<{definition.name}>", line=line,
                             column=pos.column if line else None)
        else:
            others.append(f"{definition.source or definition.name}" + (f":{line}" if line else ""))
    return first, tuple(others), from_data


def _source_line(definition: Definition, line: int, offset: int) -> int | None:
    """The line in the definition's file of `line` of its instance file (None: not known).

    In front of the template body are `package oam` (line 1), the imports, and the line
    opening the instance. In a YAML definition the imports end on the line before the body
    (the loader starts the body there); in a .cue file they sit at the top, and the loader
    does not say where.
    """
    imports = definition.imports.strip()
    if imports and 1 < line <= 1 + imports.count("\n") + 1:
        if definition.source.endswith(".cue"):
            return None
        return definition.position(line - offset + 1)
    return definition.position(line - offset)


def _instance_of(positions: Sequence[Position]) -> int | None:
    """The instance whose file holds the first of `positions` in an instance file."""
    for pos in positions:
        stem = pos.file.removesuffix(".cue")
        if stem.startswith("i") and stem[1:].isdigit():
            return int(stem[1:])
    return None


def _unplaced(program: Program, instances: Sequence[Instance], diag: Diagnostic) -> Problem:
    """A problem without a value path (a parse or import error): placed by its position."""
    index = _instance_of(diag.positions)
    if index is None:
        return Problem("cue", _plain(diag), Fixer.DEFINITION, Location())
    inst = instances[index]
    where, related, _ = _positions(program, instances, diag.positions)
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
    placed = [(d, _locate(d.path)) for d in _fold(diagnostics)]
    missing = {where[0] for d, where in placed
               if where and where[1] == contract.PARAMETER and _is_incomplete(d.message)}
    problems = []
    for diag, where in placed:
        if where is None:
            problems.append(_unplaced(program, instances, diag))
            continue
        index, field_name, rest = where
        if index in missing and field_name != contract.PARAMETER and _is_incomplete(diag.message):
            continue  # a consequence of the missing parameter, already reported
        problems.append(_problem(program, instances, index, field_name, rest, diag))
    return problems


def _is_incomplete(message: str) -> bool:
    return any(m in message for m in _INCOMPLETE)


def _plain(diag: Diagnostic) -> str:
    return f"{'.'.join(diag.path)}: {diag.message}" if diag.path else diag.message


def _problem(program: Program, instances: Sequence[Instance], index: int, field_name: str,
             rest: tuple[str, ...], diag: Diagnostic) -> Problem:
    inst = instances[index]
    definition = inst.definition
    where, related, from_data = _positions(program, instances, diag.positions)
    where = where or Location()
    if field_name == contract.PARAMETER:
        app_path = _dotted([f"{inst.app_path}.properties", *rest]) if rest else f"{inst.app_path}.properties"
        if _is_incomplete(diag.message):
            code, message, fixer = "missing-parameter", "required parameter is missing", Fixer.APP
        else:
            code, message, fixer = "invalid-parameter", diag.message, Fixer.APP
    else:
        app_path = inst.app_path
        code = "incomplete-output" if _is_incomplete(diag.message) else "template"
        message = f"{_dotted([field_name, *rest])}: {diag.message}"
        fixer = Fixer.APP if from_data else Fixer.DEFINITION
    location = Location(app_path, definition.name, definition.kind, where.file, where.line, where.column)
    return Problem(code, message, fixer, location, related)
