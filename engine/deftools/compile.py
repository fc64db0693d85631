"""Compile many templates against a stub context in few `cue vet` runs, errors mapped to file:line."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import contract
from ..cue.program import Handle, Program
from ..cue.runner import Cue, CueFailed, Diagnostic
from ..model import JSON, Definition
from .lint import Note


@dataclass(frozen=True)
class Unit:
    """One piece of CUE to compile: a template, or a status snippet, as a Definition."""

    definition: Definition  # template, imports, source file and the line its body starts on
    label: str = ""  # prefix for messages, e.g. "status.healthPolicy"
    context: Mapping[str, JSON] = field(default_factory=dict)


def stub_context(kind: str) -> dict[str, JSON]:
    """The `context` a template sees in an offline render, with placeholder values."""
    major, minor = contract.DEFAULT_CLUSTER_VERSION
    context: dict[str, JSON] = {
        contract.CTX_NAME: "stub", contract.CTX_APP_NAME: "stub-app", contract.CTX_NAMESPACE: "default",
        contract.CTX_APP_REVISION: "", contract.CTX_APP_REVISION_NUM: 0, contract.CTX_REVISION: "",
        contract.CTX_COMPONENTS: [], contract.CTX_APP_LABELS: {}, contract.CTX_APP_ANNOTATIONS: {},
        contract.CTX_WORKFLOW_NAME: "", contract.CTX_PUBLISH_VERSION: "", contract.CTX_REPLICA_KEY: "",
        contract.CTX_CLUSTER: "", contract.CTX_PARAMETER: {},
        contract.CTX_CLUSTER_VERSION: {"major": str(major), "minor": minor,
                                       "gitVersion": f"v{major}.{minor}.0", "platform": ""},
    }
    if kind == contract.KIND_TRAIT:
        context.update({contract.CTX_COMPONENT_TYPE: "stub", contract.CTX_OUTPUT: {}, contract.CTX_OUTPUTS: {}})
    if kind == contract.KIND_POLICY:
        context[contract.CTX_ARTIFACTS] = {}
    return context


def status_context() -> dict[str, JSON]:
    """What a status snippet (customStatus, healthPolicy) sees: the live objects, unknown here."""
    return {**stub_context(contract.KIND_COMPONENT), contract.CTX_OUTPUT: {}, contract.CTX_OUTPUTS: {}}


@dataclass
class _Batch:
    units: Sequence[Unit]
    indexes: list[int]  # which units this run holds
    program: Program = field(default_factory=Program)

    def __post_init__(self) -> None:
        for index in self.indexes:
            unit = self.units[index]
            handle = self.program.add(unit.definition)
            # JSON is CUE: the stub travels as data, never as template text.
            self.program.fill(handle, contract.CONTEXT, json.dumps(unit.context))

    def unit_of(self, diag: Diagnostic) -> int | None:
        handle = self.program.owner(diag)
        return None if handle is None else self.indexes[handle.index]

    def handle_of(self, index: int) -> Handle:
        return self.program.handles[self.indexes.index(index)]


def _note(diag: Diagnostic, index: int, batch: _Batch) -> Note:
    unit = batch.units[index]
    handle = batch.handle_of(index)
    last = unit.definition.position(max(1, unit.definition.template.count("\n")))
    body_lines = [batch.program.body_line(handle, p) for p in diag.positions]
    lines = [min(unit.definition.position(line), last) for line in body_lines if line is not None and line > 0]
    path = ".".join(batch.program.inner_path(handle, diag.path))
    prefix = ".".join(p for p in (unit.label, path) if p)
    message = "; ".join(part.strip().removesuffix(":") for part in diag.message.split("\n") if part.strip())
    text = f"{prefix}: {message}" if prefix else message
    others = sorted(set(lines[1:]) - set(lines[:1]))
    if others:
        text += f" (see also line{'s' if len(others) > 1 else ''} {', '.join(map(str, others))})"
    return Note(lines[0] if lines else unit.definition.template_line, "error", text)


def _fold(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per failed disjunction (its last branch: the type after the default), and
    one syntax error per file (cue's parser reports the cascade after the first)."""
    by_path: dict[tuple[str, ...], list[Diagnostic]] = {}
    for diag in diagnostics:
        by_path.setdefault(diag.path, []).append(diag)
    folded = []
    files_with_syntax_errors: set[str] = set()
    for diag in diagnostics:
        if not diag.path:
            file = diag.positions[0].file if diag.positions else ""
            if file not in files_with_syntax_errors:
                files_with_syntax_errors.add(file)
                folded.append(diag)
            continue
        group = by_path[diag.path]
        if diag is not group[-1] and any("errors in empty disjunction" in d.message for d in group):
            continue
        if "errors in empty disjunction" in diag.message and len(group) > 1:
            continue
        folded.append(diag)
    return folded


def compile_units(units: Sequence[Unit], cue: Cue) -> dict[int, list[Note]]:
    """Errors of each unit (by index), found with `cue vet -c=false` over all of them at once.

    Incomplete values (a missing required parameter, a context field known only at render
    time) are not errors. cue stops at the first stage that fails (syntax, then references,
    then values) for the whole run, so units with errors are set aside and the rest run again
    until a run passes: usually one or two processes.
    """
    found: dict[int, list[Note]] = {}
    pending = list(range(len(units)))
    while pending:
        batch = _Batch(units, pending)
        files = batch.program.files
        try:
            cue.run(["vet", "-c=false", *files], files)
            break
        except CueFailed as failed:
            diagnostics = failed.diagnostics or (Diagnostic((), failed.stderr.strip() or "cue vet failed", ()),)
            placed = [(d, batch.unit_of(d)) for d in _fold(diagnostics)]
        for diag, index in placed:
            for target in [index] if index in pending else pending:
                found.setdefault(target, []).append(_note(diag, target, batch))
        pending = [i for i in pending if i not in found]
    return found
