"""The one gateway to the `cue` binary: private temp dirs, limits, version pin, parsed errors."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .. import contract
from ..errors import CueEnvironmentError, DefinitionError, Fixer, Location, Problem
from ..paths import parse_cue_path

# cue has no cost limit of its own; a runaway template must not take the machine down.
_MEMORY_LIMIT = 4 * 1024**3
MEMORY_LIMIT_TEXT = f"{_MEMORY_LIMIT // 1024**3} GiB"
# How the Go runtime says it could not allocate (it then exits with a stack trace).
_OUT_OF_MEMORY = re.compile(r"^fatal error: (?:runtime: )?out of memory", re.MULTILINE)
_DATA_FILE = "oam_data.json"
# cue processes at a time in `Cue.map`: the machines this runs on have two cores or more.
_PARALLEL = 2
_HEADER = re.compile(r"^(?P<path>(?:[A-Za-z_#$][\w$#]*|\"(?:[^\"\\]|\\.)*\"|\d+)"
                     r"(?:\.(?:[A-Za-z_#$][\w$#]*|\"(?:[^\"\\]|\\.)*\"|\d+))*): (?P<msg>.*)$")
_POSITION = re.compile(r"^\s+(?:\./)?(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+)\s*$")


Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class Position:
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Diagnostic:
    """One error block printed by cue: the value path, the message and the source positions."""

    path: tuple[str, ...]
    message: str
    positions: tuple[Position, ...]


class CueFailed(Exception):
    """cue rejected the input; `diagnostics` holds every error block it printed.

    `out_of_memory`: cue passed its memory limit (a size limit, whatever the input's fault)."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...], stderr: str,
                 out_of_memory: bool = False) -> None:
        super().__init__(stderr)
        self.diagnostics = diagnostics
        self.stderr = stderr
        self.out_of_memory = out_of_memory


def _environment_error(message: str) -> CueEnvironmentError:
    return CueEnvironmentError([Problem("cue-unavailable", message, Fixer.ENVIRONMENT, Location())])


def parse_errors(stderr: str) -> tuple[Diagnostic, ...]:
    """Turn cue's error output into diagnostics; lines it cannot place become path-less ones."""
    found: list[Diagnostic] = []
    path: tuple[str, ...] = ()
    message = ""
    positions: list[Position] = []

    def flush() -> None:
        if message:
            found.append(Diagnostic(path, message, tuple(positions)))

    for line in stderr.splitlines():
        pos = _POSITION.match(line)
        if pos:
            positions.append(Position(pos["file"], int(pos["line"]), int(pos["col"])))
            continue
        if not line.strip():
            continue
        if line.startswith((" ", "\t")) and message:
            message += "\n" + line.strip()
            continue
        flush()
        positions = []
        head = _HEADER.match(line)
        path, message = (parse_cue_path(head["path"]), head["msg"]) if head else ((), line)
        message = message.removesuffix(":")
    flush()
    return tuple(found)


@functools.lru_cache(maxsize=8)
def _checked_version(binary: str) -> tuple[int, int, int]:
    """The version of `binary`, once per binary: it does not change under a running process."""
    try:
        proc = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=30,
                              check=False)
    except OSError as exc:
        raise _environment_error(f"cannot run cue at {binary}: {exc}") from exc
    match = re.search(r"cue version v(\d+)\.(\d+)\.(\d+)", proc.stdout)
    if not match:
        raise _environment_error(f"{binary} does not look like cue: {proc.stdout.strip()[:80]!r}")
    version = (int(match[1]), int(match[2]), int(match[3]))
    if version < contract.CUE_VERSION:
        want = ".".join(map(str, contract.CUE_VERSION))
        raise _environment_error(
            f"cue {'.'.join(map(str, version))} at {binary} is older than the pinned v{want};"
            " run `make tools` (go install cuelang.org/go/cmd/cue@v" + want + ")")
    return version


def _limited(command: list[str]) -> list[str]:
    """`command` under the memory limit. Set by a shell that then becomes cue: `preexec_fn`
    is not safe while other threads run (`Cue.map`), and a limit set after the start races."""
    return ["/bin/sh", "-c", f'ulimit -v {_MEMORY_LIMIT // 1024} && exec "$0" "$@"', *command]


class Cue:
    """Runs the cue CLI within one time budget; counts the evaluation processes it starts.

    `timeout` is the budget of everything this runner does, from `started` (a
    `time.monotonic()` reading; default: now): each process gets what is left of it, so a
    render never takes much longer than its budget.
    """

    def __init__(self, binary: str | None = None, timeout: float = 120.0,
                 started: float | None = None, jobs: int | None = None) -> None:
        found = binary or shutil.which("cue")
        if not found:
            raise _environment_error(
                "the cue CLI was not found on PATH; run `make tools` to install the pinned"
                " cue (needs Go), or pass its path")
        self.binary = str(Path(found).resolve())
        self.timeout = timeout
        self.deadline = (time.monotonic() if started is None else started) + timeout
        self.processes = 0
        self.jobs = max(1, jobs or _PARALLEL)  # processes at a time in `map`
        self._counting = threading.Lock()
        self.version = _checked_version(self.binary)

    def export(self, files: Mapping[str, str], data: Mapping[str, Any], expression: str,
               out: str = "cue", extra_args: tuple[str, ...] = (), task: str = "") -> str:
        """Export `expression` of `files` unified with `data` (as JSON, never as CUE text).

        `task` says what the process is for ("evaluated components[web] (webservice)"), for
        the message when the budget runs out. Raises CueFailed, or TimeBudgetError.
        """
        with tempfile.TemporaryDirectory(prefix="oam-cue-") as tmp:
            work = Path(tmp)
            for name, text in files.items():
                (work / name).write_text(text, encoding="utf-8")
            # No -E: with it, cue v0.17.1 prints nothing at all for incomplete values.
            args = ["export", "--out", out, *extra_args, *files]
            if data:
                (work / _DATA_FILE).write_text(json.dumps(data), encoding="utf-8")
                args += ["json:", _DATA_FILE]
            args += ["-e", expression]
            return self._run(args, work, task)

    def run(self, args: list[str], files: Mapping[str, str], task: str = "") -> str:
        """Run `cue ARGS` over `files` in a private directory (for `def`, `vet`)."""
        with tempfile.TemporaryDirectory(prefix="oam-cue-") as tmp:
            work = Path(tmp)
            for name, text in files.items():
                (work / name).write_text(text, encoding="utf-8")
            return self._run(args, work, task)

    def map(self, work: Callable[[Item], Outcome], items: Sequence[Item]) -> list[Outcome]:
        """`[work(item) for item in items]`, `jobs` at a time: each runs its own cue processes,
        and the items must be independent of each other. Exceptions propagate (the first)."""
        if len(items) < 2 or self.jobs < 2:
            return [work(item) for item in items]
        from concurrent.futures import ThreadPoolExecutor  # a batch's chunks: not for one-app renders

        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            return list(pool.map(work, items))

    def _run(self, args: list[str], work: Path, task: str) -> str:
        home = work / ".home"
        env = {
            "CUE_REGISTRY": "none",
            "HOME": str(home),
            "CUE_CACHE_DIR": str(home / "cache"),
            "CUE_CONFIG_DIR": str(home / "config"),
            "PATH": os.defpath,
        }
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._spent(task or f"ran `cue {args[0]}`", started=False)
        with self._counting:
            self.processes += 1
        try:
            proc = subprocess.run(_limited([self.binary, *args]), cwd=work, env=env,
                                  capture_output=True, text=True, timeout=left, check=False)
        except subprocess.TimeoutExpired as exc:
            raise self._spent(task or f"ran `cue {args[0]}`", started=True) from exc
        if proc.returncode != 0:
            raise CueFailed(_crash(proc.stderr) or parse_errors(proc.stderr), proc.stderr,
                            out_of_memory=_OUT_OF_MEMORY.search(proc.stderr) is not None)
        return proc.stdout

    def _spent(self, task: str, started: bool) -> TimeBudgetError:
        when = "while cue" if started else "before cue"
        return TimeBudgetError([Problem(
            "timeout", f"the time budget of {self.timeout:g} s ran out {when} {task}; a template"
            " may loop or be too costly to evaluate (a larger budget: --timeout SECONDS)",
            Fixer.DEFINITION, Location())])


class TimeBudgetError(DefinitionError):
    """The render's time budget ran out. Raised past every `except CueFailed`: a budget
    is spent for the whole render, so nothing may swallow it and carry on."""


def _crash(stderr: str) -> tuple[Diagnostic, ...]:
    """cue's evaluator panicked or ran out of memory: one diagnostic, not a Go stack trace."""
    if _OUT_OF_MEMORY.search(stderr):
        return (Diagnostic((), f"cue ran out of memory: it may use {MEMORY_LIMIT_TEXT} (a size"
                           " limit of oam-render)", ()),)
    match = re.search(r"^(?:panic|fatal error): (.*)$", stderr, re.MULTILINE)
    if not match:
        return ()
    return (Diagnostic((), f"cue crashed ({match[1].strip()}); the template may be too costly to"
                       f" evaluate", ()),)
