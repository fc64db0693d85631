"""The checked-in schemas of the bundled definitions: generate, check for staleness, look up."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .cue import Cue
from .definitions import DefinitionLoader, bundled_loader
from .errors import raise_problems
from .model import Definition
from .schema import canonical_schemas, finish
from .schema_dialect import DIALECTS, DRAFT_2020_12, Schema

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
INDEX = "index.json"
KINDS = ("component", "trait", "policy", "workflow-step")


def digest(definition: Definition) -> str:
    """What a stored schema was made from: the template and its imports."""
    return hashlib.sha256(f"{definition.imports}\0{definition.template}".encode()).hexdigest()


def relative_path(dialect: str, kind: str, name: str) -> str:
    return f"{dialect}/{kind}/{name}.json"


def dump(schema: Any) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def all_definitions(loader: DefinitionLoader) -> list[Definition]:
    found = [loader.get(kind, name) for kind in KINDS for name in loader.names(kind)]
    return [d for d in found if d is not None]


def generate(cue: Cue, loader: DefinitionLoader | None = None) -> dict[str, str]:
    """Every file of `schemas/` (path relative to it -> text), from one cue process.

    Raises DefinitionError when a bundled definition's parameter cannot be exported.
    """
    definitions = all_definitions(loader or bundled_loader())
    found, problems = canonical_schemas(definitions, cue)
    raise_problems(problems)
    files: dict[str, str] = {}
    index: dict[str, str] = {}
    for position, definition in enumerate(definitions):
        canonical = found.get(position, {})
        for dialect in DIALECTS:
            path = relative_path(dialect, definition.kind, definition.name)
            files[path] = dump(finish(definition, canonical, dialect))
        index[f"{definition.kind}/{definition.name}"] = digest(definition)
    files[INDEX] = dump(index)
    return files


def write(files: dict[str, str], root: Path = SCHEMA_DIR) -> list[Path]:
    """Write the generated files, removing stored schemas that no longer have a definition."""
    written = []
    for stale in root.glob("*/*/*.json") if root.is_dir() else []:
        if str(stale.relative_to(root)) not in files:
            stale.unlink()
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_files(files: dict[str, str], root: Path = SCHEMA_DIR) -> list[str]:
    """Paths under `root` that differ from what generation gives now (missing, changed, extra)."""
    present = {str(p.relative_to(root)) for p in root.glob("*/*/*.json")} if root.is_dir() else set()
    if (root / INDEX).is_file():
        present.add(INDEX)
    changed = [p for p, text in files.items()
               if not (root / p).is_file() or (root / p).read_text(encoding="utf-8") != text]
    return sorted({*changed, *(present - set(files))})


class StoredSchemas:
    """Lookup of checked-in schemas, used only while a definition is the one they were made from."""

    def __init__(self, root: Path = SCHEMA_DIR) -> None:
        self.root = root
        index_file = root / INDEX
        self.index: dict[str, str] = json.loads(index_file.read_text(encoding="utf-8")) \
            if index_file.is_file() else {}

    def get(self, definition: Definition, dialect: str = DRAFT_2020_12) -> Schema | None:
        if self.index.get(f"{definition.kind}/{definition.name}") != digest(definition):
            return None
        path = self.root / relative_path(dialect, definition.kind, definition.name)
        if not path.is_file():
            return None
        schema: Schema = json.loads(path.read_text(encoding="utf-8"))
        return schema
