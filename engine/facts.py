"""Facts about definition files, computed once per file content: kept for the process, and on disk if asked.

A definition file is read (split, metadata checked, template parsed) only when no cache knows
its content yet. The on-disk entry is keyed by the file's content, the code that reads it and
the cue grammar it follows, never by its path, so a moved or copied file is still known.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import contract
from .cache import Store, digest, key
from .cue.syntax.known import COUNTS as TEMPLATE_COUNTS
from .cue.syntax.known import TemplateFacts, forget_templates, remember
from .model import Definition

NAMESPACE = "definition-facts"
FORMAT = "1"  # bump when DefinitionFacts or its JSON form changes
# Reads a definition file's text (the path is for messages); raises BrokenDefinition.
Parse = Callable[[str, str], list[Definition]]


@dataclass(frozen=True)
class DefinitionFacts:
    """Everything the engine reads from one definition, computed once per file content.

    `definition` holds the metadata, template, imports and source positions (its `source` is
    the file it was last loaded from); `template` holds the template's markers, list-pattern
    paths, whether it reads `context.output` and its top-level patch strategy. Only traits
    patch a workload, so only a trait's template is parsed for them (None for other kinds).
    """

    definition: Definition
    template: TemplateFacts | None


@dataclass
class FileCounts:
    """What the definition caches did since the process started (for stats and tests)."""

    parsed: int = 0  # definition files read from their text
    memory_hits: int = 0  # files whose facts were known in this process
    disk_hits: int = 0  # files whose facts came from the on-disk cache


COUNTS = FileCounts()
_MEMORY: dict[tuple[str, str], tuple[DefinitionFacts, ...]] = {}
_KEEP = 2048  # files' facts kept in memory; the oldest go first


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code that computes facts: any change to it makes old entries unknown."""
    root = Path(__file__).resolve().parent
    files = [root / name for name in ("definitions.py", "facts.py", "model.py", "contract.py", "yamlio.py",
                                      "errors.py")]
    files += sorted((root / "cue" / "syntax").glob("*.py"))
    return digest(b"".join(f.read_bytes() for f in files if f.is_file()))


class FactsCache:
    """Definition facts by file content: in memory for the process, and under `root` when given."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.store = Store(Path(root)) if root is not None else None

    def file_facts(self, path: Path, text: str, parse: Parse) -> tuple[DefinitionFacts, ...]:
        """The facts of every definition in the file at `path` holding `text`, computed once.

        Raises BrokenDefinition (from `parse`) for a file that cannot be read; those are not kept.
        """
        memo = (digest(text), path.suffix)
        found = _MEMORY.get(memo)
        if found is not None:
            COUNTS.memory_hits += 1
        else:
            found = self._stored(memo)
            if found is None:
                found = self._compute(memo, text, str(path), parse)
            if len(_MEMORY) >= _KEEP:
                with contextlib.suppress(RuntimeError, StopIteration):  # another thread changed it
                    _MEMORY.pop(next(iter(_MEMORY)), None)
            _MEMORY[memo] = found
        for facts in found:
            if facts.template is not None:
                remember(facts.definition.template, facts.template)
        where = str(path)
        return tuple(dataclasses.replace(f, definition=dataclasses.replace(f.definition, source=where))
                     for f in found)

    def _entry(self, memo: tuple[str, str]) -> str:
        return key(NAMESPACE, FORMAT, *memo, code_version(), contract.CUE_VERSION)

    def _stored(self, memo: tuple[str, str]) -> tuple[DefinitionFacts, ...] | None:
        if self.store is None:
            return None
        value = self.store.get(NAMESPACE, self._entry(memo))
        try:
            found = tuple(from_json(item) for item in value) if isinstance(value, list) else None
        except (TypeError, ValueError, KeyError):
            found = None  # an entry of another shape: a miss, rewritten below
        if found is not None:
            COUNTS.disk_hits += 1
        return found

    def _compute(self, memo: tuple[str, str], text: str, source: str, parse: Parse) -> tuple[DefinitionFacts, ...]:
        from .cue.syntax.facts import template_facts  # the parser: only for a file not known before

        definitions = parse(text, source)
        COUNTS.parsed += 1
        found = tuple(DefinitionFacts(dataclasses.replace(d, source=""),
                                      template_facts(d.template) if d.kind == contract.KIND_TRAIT else None)
                      for d in definitions)
        if self.store is not None:
            value = [to_json(f) for f in found]
            try:
                exact = tuple(from_json(item) for item in json.loads(json.dumps(value))) == found
            except (TypeError, ValueError, KeyError):
                exact = False
            if exact:  # only what JSON keeps as it is (a spec with tuples or odd keys stays in memory)
                self.store.put(NAMESPACE, self._entry(memo), value)
        return found


def to_json(facts: DefinitionFacts) -> dict[str, Any]:
    """The JSON form of `facts` (without the definition's source, which is where it was found)."""
    definition = {f.name: getattr(facts.definition, f.name) for f in dataclasses.fields(Definition)
                  if f.name != "source"}
    for name, value in definition.items():
        if isinstance(value, Mapping):
            definition[name] = dict(value)
    template = dataclasses.asdict(facts.template) if facts.template is not None else None
    return {"definition": definition, "template": template}


def from_json(value: Any) -> DefinitionFacts:
    """Facts from their JSON form; raises TypeError, ValueError or KeyError for another shape."""
    definition = Definition(**value["definition"])
    raw = value["template"]
    if raw is None:
        return DefinitionFacts(definition, None)
    error = raw["error"]
    template = TemplateFacts(
        reads_output=bool(raw["reads_output"]), patch_strategy=raw["patch_strategy"],
        markers={str(label): tuple((int(line), str(k), str(v)) for line, k, v in found)
                 for label, found in raw["markers"].items()},
        patch_patterns=tuple(tuple(path) for path in raw["patch_patterns"]),
        error=(str(error[0]), int(error[1]), int(error[2])) if error is not None else None)
    return DefinitionFacts(definition, template)


def counts() -> dict[str, int]:
    """Every counter of the definition caches (a render reports the difference)."""
    return {"template_parses": TEMPLATE_COUNTS.template_parses, "definition_parses": COUNTS.parsed,
            "definition_cache_hits": COUNTS.memory_hits + COUNTS.disk_hits, "definition_disk_hits": COUNTS.disk_hits}


def forget() -> None:
    """Drop every fact kept in memory (benchmarks and tests measure cold starts with it)."""
    _MEMORY.clear()
    forget_templates()
