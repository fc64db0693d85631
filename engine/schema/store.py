"""The checked-in schemas of the bundled definitions: generate, check for staleness, look up."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..cue.runner import Cue
from ..definitions import DefinitionLoader, bundled_loader
from ..errors import Fixer, raise_problems
from ..model import Definition
from ..output.files import OutputFile, check_paths, file_part, write_files
from .dialect import DIALECTS, DRAFT_2020_12, OPENAPI_30, Schema
from .export import canonical_schemas, finish

# In a wheel the schemas sit inside the package; in a checkout, at its root (like the definitions).
_PACKAGED = Path(__file__).resolve().parent.parent / "bundled_schemas"
SCHEMA_DIR = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent.parent / "schemas"
INDEX = "index.json"
# 2020-12 with the `x-` keywords (`x-oam-hidden`, `x-oam-condition`): the copy the property
# checker reads. The dialect folders are for front ends: the JSON Schema ones carry no `x-`
# keywords, so that a strict Ajv compiles them as they are.
CHECKER = "checker"
FOLDERS = (*DIALECTS, CHECKER)
KINDS = ("component", "trait", "policy", "workflow-step")


def digest(definition: Definition) -> str:
    """What a stored schema was made from: the template and its imports."""
    return hashlib.sha256(f"{definition.imports}\0{definition.template}".encode()).hexdigest()


def relative_path(dialect: str, kind: str, name: str) -> str:
    return f"{file_part(dialect)}/{file_part(kind)}/{file_part(name)}.json"


def dump(schema: Any) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def all_definitions(loader: DefinitionLoader) -> list[Definition]:
    found = [loader.get(kind, name) for kind in KINDS for name in loader.names(kind)]
    return [d for d in found if d is not None]


def generate(cue: Cue, loader: DefinitionLoader | None = None) -> dict[str, str]:
    """Every file of `schemas/` (path relative to it -> text), from one cue process.

    Raises DefinitionError when a bundled definition's parameter cannot be exported, and
    OutputError when two definitions' names map to one file.
    """
    definitions = all_definitions(loader or bundled_loader())
    found, problems = canonical_schemas(definitions, cue)
    raise_problems(problems)
    files: list[OutputFile] = []
    index: dict[str, str] = {}
    for position, definition in enumerate(definitions):
        canonical = found.get(position, {})
        origin = f"{definition.kind} {definition.name!r} ({definition.source})"
        for dialect in DIALECTS:
            text = dump(finish(definition, canonical, dialect, vendor_keywords=dialect == OPENAPI_30))
            files.append(OutputFile(relative_path(dialect, definition.kind, definition.name), text, origin))
        text = dump(finish(definition, canonical, DRAFT_2020_12, vendor_keywords=True))
        files.append(OutputFile(relative_path(CHECKER, definition.kind, definition.name), text, origin))
        index[f"{definition.kind}/{definition.name}"] = digest(definition)
    files.append(OutputFile(INDEX, dump(index), "the index of schemas"))
    check_paths(files, Fixer.DEFINITION)
    return {f.path: f.text for f in files}


def write(files: dict[str, str], root: Path = SCHEMA_DIR) -> list[Path]:
    """Write the generated files under `root`, all or nothing; returns the files written.

    A manifest in `root` records what was written, so a later run removes the schemas of
    definitions that are gone, and only those files, only while unchanged: a file the tool
    did not write is never deleted. Raises OutputError (nothing written) for links or other
    things in the way, and for two definitions whose names map to one file.
    """
    return write_files(root, [OutputFile(path, text, f"the schema file {path}") for path, text in files.items()],
                       fixer=Fixer.DEFINITION, prune=True)


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

    def get(self, definition: Definition, folder: str = CHECKER) -> Schema | None:
        """The stored schema of `definition` in `folder` (a dialect, or the checker's copy:
        2020-12 with the `x-` keywords), or None when `definition` is not what it was made from."""
        if self.index.get(f"{definition.kind}/{definition.name}") != digest(definition):
            return None
        path = self.root / relative_path(folder, definition.kind, definition.name)
        if not path.is_file():
            return None
        schema: Schema = json.loads(path.read_text(encoding="utf-8"))
        return schema
