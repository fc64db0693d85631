"""The render cache: a rendered app by its documents, its definitions' content, options and versions."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .. import contract
from ..cache import Store, digest, key
from ..definitions import DefinitionLoader, strip_version
from ..documents import Document
from ..model import Definition, Environment, RenderedObject, RenderOptions, RenderResult

NAMESPACE = "render"
_KINDS = (contract.KIND_COMPONENT, contract.KIND_TRAIT, contract.KIND_POLICY, contract.KIND_WORKFLOW_STEP)
_ENGINE = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """The engine's code, by content: a changed engine never reads an older engine's renders."""
    parts = [(str(p.relative_to(_ENGINE)), digest(p.read_bytes())) for p in sorted(_ENGINE.rglob("*.py"))]
    return key(parts)


def cue_fingerprint(binary: str | None) -> str | None:
    """The cue binary by path, size and modification time (a new cue version is a new file),
    read without starting cue; None when there is none."""
    found = binary or shutil.which("cue")
    if not found:
        return None
    try:
        path = os.path.realpath(found)
        info = os.stat(path)
    except OSError:
        return None
    return key(path, info.st_size, info.st_mtime_ns)


def definition_digest(definition: Definition) -> str:
    """A definition by what it renders with, not by where its file is."""
    return key(definition.kind, definition.name, definition.imports, definition.template,
               dict(definition.spec), dict(definition.annotations), dict(definition.labels))


def _types(data: Any, found: set[str]) -> None:
    """Every text under a `type` key, at any depth: the definitions a document may use."""
    if isinstance(data, dict):
        for name, value in data.items():
            if name == "type" and isinstance(value, str):
                found.add(strip_version(value))
            else:
                _types(value, found)
    elif isinstance(data, list):
        for item in data:
            _types(item, found)


class RenderCache:
    """Rendered apps under `root`, keyed by everything a render depends on.

    The key covers the documents (content, file name and lines, since warnings cite them), the
    content of every definition whose name a document mentions as a `type` (under every kind:
    a little more than what is used, never less), the options that change the output, the
    engine's code and the cue binary. Only successful renders are stored.
    """

    def __init__(self, root: Path, loader: DefinitionLoader, options: RenderOptions) -> None:
        self.store = Store(Path(root))
        self.loader = loader
        cue = cue_fingerprint(options.cue_binary)
        self.base = None if cue is None else key(
            engine_fingerprint(), cue, list(options.cluster_version), options.namespace,
            options.environment, options.strict)
        self._digests: dict[int, str] = {}

    def _definitions(self, names: Iterable[str]) -> list[tuple[str, str, str | None]]:
        used: list[tuple[str, str, str | None]] = []
        for name in sorted(names):
            for kind in _KINDS:
                definition = self.loader.get(kind, name)
                if definition is None:
                    used.append((kind, name, None))
                    continue
                known = self._digests.get(id(definition))
                if known is None:
                    known = self._digests[id(definition)] = definition_digest(definition)
                used.append((kind, name, known))
        return used

    def key_for(self, documents: Sequence[Document]) -> str | None:
        """The entry of an app made of `documents` (the app first); None: do not cache."""
        if self.base is None:
            return None
        names: set[str] = set()
        for doc in documents:
            _types(doc.data, names)
        docs = [(d.source, d.line, d.data, sorted(d.lines.items())) for d in documents]
        return key(self.base, docs, self._definitions(names))

    def get(self, entry: str) -> RenderResult | None:
        value = self.store.get(NAMESPACE, entry)
        if value is None:
            return None
        try:
            return _result(value)
        except (KeyError, TypeError, ValueError):
            counts = self.store.counts  # well-formed JSON of the wrong shape: a miss, rewritten
            counts.hits, counts.misses, counts.corrupt = counts.hits - 1, counts.misses + 1, counts.corrupt + 1
            return None

    def put(self, entry: str, result: RenderResult) -> None:
        self.store.put(NAMESPACE, entry, _value(result))


def _value(result: RenderResult) -> dict[str, Any]:
    return {
        "app": result.app,
        "objects": [[dict(o.body), o.component, o.trait, o.output_name, o.environment, o.policy]
                    for o in result.objects],
        "environments": [[e.name, e.namespace, list(e.clusters), list(e.policies), e.title]
                         for e in result.environments],
        "warnings": list(result.warnings),
        "yaml": result.to_yaml(),  # emitting is a good part of a render's Python time
    }


def _result(value: dict[str, Any]) -> RenderResult:
    objects = tuple(RenderedObject(body, component, trait, output, env, policy)
                    for body, component, trait, output, env, policy in value["objects"])
    if not all(isinstance(o.body, dict) for o in objects):
        raise TypeError("an object is not a mapping")
    environments = tuple(Environment(name, namespace, tuple(clusters), tuple(policies), title)
                         for name, namespace, clusters, policies, title in value["environments"])
    return RenderResult(str(value["app"]), objects, environments=environments,
                        warnings=tuple(str(w) for w in value["warnings"]), text=str(value.get("yaml") or ""))
