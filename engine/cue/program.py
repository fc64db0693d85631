"""One cue run of many template instances: their names and files (`Program`), and a render's batch."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .. import contract
from ..model import JSON, Definition
from ..paths import Parts as PatchPath
from ..paths import cue_selector
from .runner import Diagnostic, Position

# How many list elements a pattern probe asks for: more than any patch lists literally.
PROBE_LENGTH = 32

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


@dataclass(frozen=True)
class Handle:
    """One instance of a Program: the only way to name it."""

    index: int


class Program:
    """The instances of one cue run: the only owner of their names in CUE (a field and a file
    per instance), and the way back from cue's errors and values to the instance they concern.

    Each template is wrapped as `NAME: { context: _, parameter: _, <template> }` in a file of
    its own; glue text and JSON data join them. Callers hold Handles and ask for references.
    """

    _FIELD = "oam_i"  # the instance's field: oam_i3
    _FILE = "i"  # the instance's file: i3.cue
    GLUE_FILE = "oam_glue.cue"

    def __init__(self) -> None:
        self._definitions: list[Definition] = []
        self._offsets: list[int] = []
        self._files: dict[str, str] = {}
        self._glue: list[str] = ["package oam\n"]
        self._data: dict[str, Any] = {}
        self.expression = ""  # what the run exports, for the one who wrote the glue

    def add(self, definition: Definition, data: Mapping[str, JSON] | None = None) -> Handle:
        """A new instance of `definition`; `data` (parameter, context) travels as JSON."""
        handle = Handle(len(self._definitions))
        head = ["package oam", definition.imports.strip(),
                f"{self._name(handle)}: {{ {contract.CONTEXT}: _, {contract.PARAMETER}: _"]
        prefix = "\n".join(h for h in head if h) + "\n"
        self._files[self._file(handle)] = prefix + definition.template + "\n}\n"
        self._definitions.append(definition)
        self._offsets.append(prefix.count("\n"))
        if data is not None:
            self._data[self._name(handle)] = dict(data)
        return handle

    def fill(self, handle: Handle, field_name: str, value: str) -> None:
        """Glue `value` (CUE text: a reference, or JSON) into the instance's field."""
        self._glue.append(f"{self._name(handle)}: {field_name}: {value}\n")

    def glue(self, text: str) -> None:
        """More CUE text in the glue file (which references instances with `reference`)."""
        self._glue.append(text)

    def put(self, key: str, value: JSON) -> None:
        """A top-level value of the JSON data (declare `key: _` in the glue to reference it)."""
        self._data[key] = value

    def has(self, key: str) -> bool:
        return key in self._data

    @property
    def files(self) -> dict[str, str]:
        return {**self._files, self.GLUE_FILE: "".join(self._glue)}

    @property
    def data(self) -> dict[str, Any]:
        return dict(self._data)

    @property
    def handles(self) -> tuple[Handle, ...]:
        """Every instance, in the order they were added."""
        return tuple(Handle(i) for i in range(len(self._definitions)))

    def definition(self, handle: Handle) -> Definition:
        return self._definitions[handle.index]

    def reference(self, handle: Handle, field_name: str = "", path: PatchPath = ()) -> str:
        """CUE text referencing the instance, its `field_name` and `path` under that."""
        return self._name(handle) + (f".{field_name}" if field_name else "") + cue_selector(path)

    # --- the way back ---------------------------------------------------------------------

    def owner(self, diagnostic: Diagnostic) -> Handle | None:
        """The instance an error belongs to: by its value path, else by its first position."""
        return self.owner_of_path(diagnostic.path) or self.owner_of_positions(diagnostic.positions)

    def owners(self, diagnostic: Diagnostic) -> set[Handle]:
        """Every instance an error names, by its value path or by any of its positions."""
        named = {self.owner_of_path(diagnostic.path), *(self._file_owner(p.file) for p in diagnostic.positions)}
        return {h for h in named if h is not None}

    def owner_of_path(self, path: Sequence[str]) -> Handle | None:
        return self._parse(path[0] if path else "", self._FIELD, "")

    def owner_of_positions(self, positions: Sequence[Position]) -> Handle | None:
        return next((h for h in map(self._file_owner, (p.file for p in positions)) if h is not None), None)

    def inner_path(self, handle: Handle, path: Sequence[str]) -> tuple[str, ...]:
        """A value path with the instance's own field dropped from its front."""
        return tuple(path[1:]) if path[:1] == (self._name(handle),) else tuple(path)

    def body_line(self, handle: Handle, position: Position) -> int | None:
        """The line of `position` counted in the instance's template body (1: its first line;
        0 and below: the lines in front of it), or None when it is elsewhere."""
        if position.file != self._file(handle):
            return None
        return position.line - self._offsets[handle.index]

    def source_line(self, handle: Handle, position: Position) -> int | None:
        """The line in the definition's file of a position in the instance (None: not known).

        In front of the template body are `package oam`, the imports, and the line opening
        the instance. In a YAML definition the imports end on the line before the body (the
        loader starts the body there); in a .cue file they sit at the top, at no known line.
        """
        definition = self.definition(handle)
        line = self.body_line(handle, position)
        if line is None:
            return None
        imports = definition.imports.strip()
        if imports and -(imports.count("\n") + 1) <= line <= -1:
            return None if definition.source.endswith(".cue") else definition.position(line + 1)
        return definition.position(line)

    def position_owner(self, position: Position) -> Handle | None:
        return self._file_owner(position.file)

    @classmethod
    def inner_reference(cls, reference: str) -> str:
        """`oam_i3.#HealthProbe` -> `#HealthProbe`: a path cue prints, without the instance."""
        head, dot, rest = reference.partition(".")
        return rest if dot and cls._parse(head, cls._FIELD, "") is not None else reference

    # --- names ----------------------------------------------------------------------------

    def _name(self, handle: Handle) -> str:
        return f"{self._FIELD}{handle.index}"

    def _file(self, handle: Handle) -> str:
        return f"{self._FILE}{handle.index}.cue"

    def _file_owner(self, file: str) -> Handle | None:
        found = self._parse(file, self._FILE, ".cue")
        return found if found is not None and found.index < len(self._definitions) else None

    @staticmethod
    def _parse(text: str, prefix: str, suffix: str) -> Handle | None:
        if not (text.startswith(prefix) and text.endswith(suffix)):
            return None
        digits = text[len(prefix):len(text) - len(suffix)]
        return Handle(int(digits)) if digits.isdigit() else None


# --- many template instances with their properties: what a render evaluates -----------------

RESULT = "oam_result"  # the struct a render exports: one `r<n>` field per instance


def _result_label(handle: Handle) -> str:
    return f"r{handle.index}"


def result_owner(path: Sequence[str]) -> tuple[Handle, tuple[str, ...]] | None:
    """The instance whose result a value path of a render's export lies in, and the rest."""
    if len(path) >= 2 and path[0] == RESULT and path[1].startswith("r") and path[1][1:].isdigit():
        return Handle(int(path[1][1:])), tuple(path[2:])
    return None


def compose(instances: Sequence[Instance]) -> Program:
    """One program evaluating every instance; properties and context travel only as JSON data.

    The result picks each instance's contract fields by a comprehension so that a template
    need not declare the ones it does not use (a default such as `*null | _` would double
    every error message)."""
    program = Program()
    handles = [program.add(inst.definition, {contract.PARAMETER: dict(inst.parameter),
                                             contract.CONTEXT: dict(inst.context)}) for inst in instances]
    lines = ['import "list"', f"{RESULT}: {{"]
    for handle, inst in zip(handles, instances, strict=True):
        wanted = json.dumps(list(inst.fields))
        name = program.reference(handle)
        picks = [f"for k, v in {name} if list.Contains({wanted}, k) {{(k): v}}"]
        for n, path in enumerate(inst.probes):
            target = program.reference(handle, contract.PATCH, path)
            picks.append(f"probe{n}: *({target} & list.Repeat([_], {PROBE_LENGTH})) | null")
        lines.append(f"\t{_result_label(handle)}: {{ {', '.join(picks)} }}")
    lines.append("}")
    program.glue("\n".join(lines) + "\n")
    program.expression = RESULT
    for handle, inst in zip(handles, instances, strict=True):
        key, values = inst.shared
        if not key:
            continue
        if not program.has(key):
            program.put(key, dict(values))
            program.glue(f"{key}: _\n")  # declared here so references resolve; the value is data
        refs = ", ".join(f"{json.dumps(k)}: {key}[{json.dumps(k)}]" for k in values)
        program.fill(handle, contract.CONTEXT, f"{{ {refs} }}")
    return program


def split_results(instances: Sequence[Instance], data: Any,
                  markers: Mapping[PatchPath, Mapping[str, str]]) -> list[Evaluated]:
    """Cut the exported batch into one Evaluated per instance (in one pass over the markers)."""
    data = data.get(RESULT, data)
    by_result: dict[str | int, dict[PatchPath, Mapping[str, str]]] = {}
    for path, marks in markers.items():
        if path:
            by_result.setdefault(path[0], {})[path[1:]] = marks
    found = []
    for index, inst in enumerate(instances):
        label = _result_label(Handle(index))
        values = dict(data.get(label) or {})
        patterns = {}
        for n, path in enumerate(inst.probes):
            probe = values.pop(f"probe{n}", None)
            if isinstance(probe, list) and probe:
                patterns[path] = probe[-1]
        found.append(Evaluated(values, by_result.get(label, {}), patterns))
    return found


def describe(instances: Sequence[Instance], shown: int = 3) -> str:
    """`components[web] (webservice), components[web].traits[scaler] (scaler) and 5 more`."""
    named = [f"{inst.app_path} ({inst.definition.name})" for inst in instances[:shown]]
    more = len(instances) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")
