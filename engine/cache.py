"""A content-addressed store of JSON entries on disk: atomic writes, corrupt entries ignored.

Every cache of the engine (definition facts, rendered apps) goes through `Store`. The caller
names where it lives (the library never picks a folder itself) and builds keys with `key()`
from everything the entry depends on. Two processes may share a folder: an entry is written
to a private temp file and moved into place, so a reader sees a whole entry or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Bump when the layout of entries changes: old entries are then simply never found.
LAYOUT = "1"


def key(*parts: Any) -> str:
    """A hex digest of `parts` (JSON data, compared by value): the same parts give the same key."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(data: str | bytes) -> str:
    """The sha256 of a text or byte string: how a file's content takes part in a key."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


@dataclass
class Counts:
    """What a store did during one run, for stats and tests."""

    hits: int = 0
    misses: int = 0
    writes: int = 0
    corrupt: int = 0


@dataclass
class Store:
    """JSON entries under `root/<namespace>/<key[:2]>/<key>.json`."""

    root: Path
    counts: Counts = field(default_factory=Counts)

    def _path(self, namespace: str, entry: str) -> Path:
        return Path(self.root, f"v{LAYOUT}", namespace, entry[:2], f"{entry}.json")

    def get(self, namespace: str, entry: str) -> Any | None:
        """The entry's value, or None when it is missing or unreadable (a corrupt entry is a miss)."""
        path = self._path(namespace, entry)
        try:
            raw = path.read_bytes()
        except OSError:
            self.counts.misses += 1
            return None
        try:
            wrapped = json.loads(raw.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError is a ValueError too
            wrapped = None
        if not isinstance(wrapped, dict) or wrapped.get("key") != entry or "value" not in wrapped:
            self.counts.corrupt += 1
            self.counts.misses += 1
            return None
        self.counts.hits += 1
        return wrapped["value"]

    def put(self, namespace: str, entry: str, value: Any) -> None:
        """Store `value` (JSON data) atomically; a store that cannot be written is skipped silently,
        since a cache is an optimisation and must never fail a render."""
        path = self._path(namespace, entry)
        text = json.dumps({"key": entry, "value": value}, ensure_ascii=False, separators=(",", ":"))
        temp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, path)
        except OSError:
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
            return
        self.counts.writes += 1

    def entries(self, namespace: str) -> Iterable[Path]:
        """The files of `namespace` (for tests and pruning)."""
        return sorted(Path(self.root, f"v{LAYOUT}", namespace).glob("*/*.json"))

