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
FILES = "render-files"  # per file text: its apps' parts, so that a known file is not parsed again
Parts = tuple[str, tuple[str, ...]]  # the key of an app's own documents, the definition names they use
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


# Types whose output depends on files or documents beyond the app and its definitions.
_OUTSIDE = frozenset({"ref-objects", "service-binding", "helmchart"})


class RenderCache:
    """Rendered apps under `root`, keyed by everything a render depends on.

    The key covers the documents (content, file name and lines, since warnings cite them), the
    content of every definition whose name a document mentions as a `type` (under every kind:
    a little more than what is used, never less), the options that change the output, the
    engine's code and the cue binary. Only successful renders are stored.
    """

    def __init__(self, root: Path, loader: DefinitionLoader, options: RenderOptions) -> None:
        self.store = Store(Path(root))
        self.files = Store(Path(root))  # counted apart: the stats count rendered apps
        self.loader = loader
        cue = cue_fingerprint(options.cue_binary)
        # Objects from outside the app (--objects, local charts) are not in the key: such renders
        # are not cached at all.
        self.base = None if cue is None or options.objects else key(
            engine_fingerprint(), cue, list(options.cluster_version), options.namespace,
            options.environment, options.strict, options.compat)
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

    def parts(self, documents: Sequence[Document]) -> Parts:
        """What an app's entry needs from its own documents (the app first, then the Policy and
        Workflow documents of its file): their key and the definition names they mention."""
        names: set[str] = set()
        for doc in documents:
            _types(doc.data, names)
        return key([(d.source, d.line, d.data, sorted(d.lines.items())) for d in documents]), tuple(sorted(names))

    def entry(self, parts: Parts, shared: Parts) -> str | None:
        """The entry of an app: its parts, the parts of every shared standalone document of the
        batch (a change to one renders every app again), and the definitions they all name."""
        if self.base is None:
            return None
        shared_key, shared_names = shared
        if _OUTSIDE & {*parts[1], *shared_names}:
            return None  # what they refer to (other documents, a chart's files) is not in the key
        return key(self.base, parts[0], shared_key, self._definitions({*parts[1], *shared_names}))

    def known_file(self, path: Path, text: str) -> tuple[list[tuple[str, Parts]], list[str]] | None:
        """A file's apps (name and parts) and notes, as read before from the same text; None
        when the cache has not read it."""
        value = self.files.get(FILES, self._file_entry(path, text))
        if not isinstance(value, dict) or not value.get("apps"):
            return None
        try:
            return [(str(n), (str(k), tuple(map(str, t)))) for n, k, t in value["apps"]], list(value["notes"])
        except (KeyError, TypeError, ValueError):
            return None

    def remember_file(self, path: Path, text: str, apps: Sequence[tuple[str, Parts]], notes: Sequence[str]) -> None:
        value = {"apps": [[name, k, list(t)] for name, (k, t) in apps], "notes": list(notes)}
        self.files.put(FILES, self._file_entry(path, text), value)

    def _file_entry(self, path: Path, text: str) -> str:
        return key(engine_fingerprint(), str(path), digest(text))

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
