"""Write files into a user-named folder: only inside it, never through a link, all or nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import Fixer, Location, OamError, Problem

MANIFEST = ".oam-render-manifest.json"
_STAGING_PREFIX = ".oam-render-staging-"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_Undo = list[Callable[[], None]]


class OutputError(OamError):
    """The output folder cannot be written as asked; nothing in it was changed."""


@dataclass(frozen=True)
class OutputFile:
    """One file to write: its `/`-separated path under the target, its text, and what it holds."""

    path: str
    text: str
    # What the file is of, for messages: `Deployment web of component web`.
    origin: str = ""


def file_part(name: str) -> str:
    """`name` as one readable file-name part: runs of characters other than letters, digits,
    `.`, `_` and `-` become `_`, and leading dots become `_` (never `..`, never hidden)."""
    part = _UNSAFE.sub("_", name)
    visible = part.lstrip(".")
    return "_" * (len(part) - len(visible)) + visible or "_"


def _problem(code: str, message: str, fixer: Fixer) -> Problem:
    return Problem(code, message, fixer, Location())


def _unsafe(path: str) -> bool:
    """True for paths that could leave the target or hide among our own bookkeeping files."""
    parts = path.split("/")
    return ("\0" in path or "\\" in path or any(p in ("", ".", "..") for p in parts)
            or parts[0] == MANIFEST or any(p.startswith(_STAGING_PREFIX) for p in parts))


def _name_problems(files: Sequence[OutputFile], fixer: Fixer) -> list[Problem]:
    """Paths that are not plain relative paths, and paths that two files share."""
    unsafe = [_problem("output-path-unsafe", f"{f.origin or 'a file'} would be written at {f.path!r},"
                       " which is not a plain path inside the output folder", fixer)
              for f in files if _unsafe(f.path)]
    return unsafe or _collisions(files, fixer)


def _collisions(files: Sequence[OutputFile], fixer: Fixer) -> list[Problem]:
    """Files sharing a path, or a path that is also another's folder; compared without case,
    so the folder also works where the file system folds case."""
    owners: dict[str, list[OutputFile]] = {}
    below: dict[str, OutputFile] = {}
    for f in files:
        key = f.path.casefold()
        owners.setdefault(key, []).append(f)
        for depth in range(1, key.count("/") + 1):
            below.setdefault("/".join(key.split("/")[:depth]), f)
    problems = []
    reported: set[str] = set()
    for key, same in owners.items():
        clashing = [*same, below[key]] if key in below else same
        what = ", ".join(f.origin or f.path for f in clashing)
        if len(clashing) > 1 and what not in reported:
            reported.add(what)
            problems.append(_problem("output-path-collision", f"these names map to the same file"
                                     f" {same[0].path!r}: {what}; rename all but one", fixer))
    return problems


def _existing_problem(path: Path, want_file: bool) -> Problem | None:
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(mode):
        return _problem("output-symlink", f"{path} is a symbolic link, and oam-render does not write"
                        " through links (remove it, or choose another output folder)", Fixer.APP)
    if want_file and not stat.S_ISREG(mode):
        return _problem("output-not-a-file", f"{path} is in the way of a file to write", Fixer.APP)
    if not want_file and not stat.S_ISDIR(mode):
        return _problem("output-not-a-folder", f"{path} is in the way of a folder to write", Fixer.APP)
    return None


def _target_problems(root: Path, paths: Iterable[str]) -> list[Problem]:
    """Links and non-folders on the way to each file in the existing folder `root`."""
    problems: list[Problem] = []
    checked: set[str] = set()
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            relative = "/".join(parts[:depth])
            if relative not in checked:
                checked.add(relative)
                found = _existing_problem(root / relative, want_file=depth == len(parts))
                problems += [found] if found else []
    return problems


def _inside(root: Path, path: Path) -> bool:
    """Whether `path` resolves (through any link) to a place inside `root`, checked after joining."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _regular_bytes(path: Path) -> bytes | None:
    """The bytes of `path` when it is a regular file (a link is never read), else None."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _stale(root: Path, keep: set[str]) -> list[str]:
    """Files the manifest says we wrote, no longer generated, and unchanged since (hash)."""
    recorded = _regular_bytes(root / MANIFEST)
    try:
        listed = json.loads(recorded or b"{}").get("files", {})
    except (ValueError, AttributeError):
        return []
    if not isinstance(listed, dict):
        return []
    stale = []
    for path, digest in sorted(listed.items()):
        if path in keep or not isinstance(path, str) or _unsafe(path) or _target_problems(root, [path]):
            continue
        current = _regular_bytes(root / path)
        if current is not None and _digest(current) == digest and _inside(root, root / path):
            stale.append(path)
    return stale


def _manifest(files: Sequence[OutputFile]) -> OutputFile:
    listed = {f.path: _digest(f.text.encode("utf-8")) for f in sorted(files, key=lambda f: f.path)}
    text = json.dumps({"writer": "oam-render", "files": listed}, indent=2) + "\n"
    return OutputFile(MANIFEST, text, "the list of files oam-render wrote here")


def _stage(tree: Path, files: Sequence[OutputFile]) -> None:
    for f in files:
        path = tree / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.text.encode("utf-8"))


def _make_parents(root: Path, path: str, undo: _Undo) -> None:
    folder = root
    for part in path.split("/")[:-1]:
        folder = folder / part
        if not os.path.lexists(folder):
            folder.mkdir()
            undo.append(folder.rmdir)


def _move(source: Path, destination: Path, undo: _Undo) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, destination)
    undo.append(lambda: os.replace(destination, source))


def _move_in(root: Path, staging: Path, f: OutputFile, undo: _Undo) -> None:
    """Put one staged file in place, backing up what it replaces; skip it when unchanged."""
    destination = root / f.path
    _make_parents(root, f.path, undo)
    if not _inside(root, destination.parent):
        raise OutputError([_problem("output-symlink", f"{destination.parent} leads outside the output"
                                    " folder through a link", Fixer.APP)])
    current = _regular_bytes(destination)
    if current == f.text.encode("utf-8"):
        return
    if current is not None:
        _move(destination, staging / "old" / f.path, undo)
    os.replace(staging / "new" / f.path, destination)
    undo.append(lambda: os.unlink(destination))


def _roll_back(undo: _Undo) -> None:
    """Undo every step in reverse; keep going past a step that fails, to restore the most."""
    for step in reversed(undo):
        try:
            step()
        except OSError:
            continue


def _into_existing(root: Path, files: Sequence[OutputFile], stale: Sequence[str]) -> None:
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=root))
    undo: _Undo = []
    try:
        _stage(staging / "new", files)
        for path in stale:
            _move(root / path, staging / "old" / path, undo)
        for f in files:
            _move_in(root, staging, f, undo)
    except BaseException:
        _roll_back(undo)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _into_new(root: Path, files: Sequence[OutputFile]) -> None:
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=root.parent))
    try:
        # mkdtemp's folder is private (0700); a folder made by mkdir gets the user's umask.
        tree = staging / "tree"
        tree.mkdir()
        _stage(tree, files)
        os.rename(tree, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_files(target: Path, files: Sequence[OutputFile], *, fixer: Fixer = Fixer.APP,
                prune: bool = False) -> list[Path]:
    """Write `files` under `target`, all or nothing; returns the paths written, under `target`.

    With `prune`, also keep a manifest of what was written in `target`, and remove files an
    earlier run listed there that are no longer generated and that nobody changed since.
    Raises OutputError (nothing written) for unsafe or colliding paths and for links or other
    things in the way; an OSError half-way is raised after the folder was put back as it was.
    """
    check_paths(files, fixer)
    root = Path(os.path.realpath(target))
    if os.path.lexists(root) and not root.is_dir():
        raise_output([_problem("output-not-a-folder", f"{target} exists and is not a folder", Fixer.APP)])
    everything = [*files, _manifest(files)] if prune else list(files)
    if not root.exists():
        _into_new(root, everything)
    else:
        raise_output(_target_problems(root, [f.path for f in everything]))
        stale = _stale(root, {f.path for f in files}) if prune else []
        _into_existing(root, everything, stale)
    return [Path(target, f.path) for f in files]


def check_paths(files: Sequence[OutputFile], fixer: Fixer) -> None:
    """Raise OutputError when a path is unsafe or two files (by name, ignoring case) share one."""
    raise_output(_name_problems(files, fixer))


def raise_output(problems: Sequence[Problem]) -> None:
    """Raise one OutputError for `problems`, if any."""
    if problems:
        raise OutputError(problems)
