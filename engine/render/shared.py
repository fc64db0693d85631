"""Standalone Policy and Workflow documents in a batch: which app sees which."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..documents import Document
from ..model import Application
from .environments import WORKFLOW_KIND

if TYPE_CHECKING:
    from .batch import Unit


def _strings(data: object, found: set[str]) -> set[str]:
    if isinstance(data, str):
        found.add(data)
    elif isinstance(data, dict):
        for value in data.values():
            _strings(value, found)
    elif isinstance(data, list):
        for item in data:
            _strings(item, found)
    return found


def _doc_name(doc: Document) -> str:
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def _referenced(unit: Unit, shared: Sequence[Document]) -> list[Document]:
    """The shared documents `unit`'s workflow names (a workflow it names may name policies)."""
    app = unit.app
    data = app.data if isinstance(app, Document) else None
    spec = data.get("spec") if isinstance(data, dict) else None
    named = _strings(spec.get("workflow") if isinstance(spec, dict) else None, set())
    if isinstance(app, Application):
        named |= {n for step in app.workflow for n in _strings(dict(step.properties), set())}
    for doc in shared:
        if doc.kind == WORKFLOW_KIND and _doc_name(doc) in named:
            named |= _strings(doc.data.get("steps"), set())
    return [doc for doc in shared if _doc_name(doc) in named]


def with_shared(units: Sequence[Unit], shared: Sequence[Document], *,
                several: bool) -> tuple[list[Unit], list[str]]:
    """Units with the shared Policy and Workflow documents they see: one app sees them all (as
    `render` does, warning about those it does not use); with several apps, each sees those its
    workflow names, and one note names the documents no app uses."""
    if not several:
        return [replace(u, beside=(*u.beside, *shared)) for u in units], []
    found = [replace(u, beside=(*u.beside, *_referenced(u, shared))) for u in units]
    used = {id(doc) for u in found for doc in u.beside}
    notes = [f"{doc.source}: {doc.kind.lower()} {_doc_name(doc)!r} is not referenced by any application;"
             " ignored" for doc in shared if id(doc) not in used]
    return found, notes
