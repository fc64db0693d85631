"""`oam-render render` over many apps: files, folders and stdin in, each app under its own header out."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..model import AppOutcome, BatchResult, RenderOptions, RenderResult
from ..output.emit import output_files
from ..output.files import OutputFile, file_part, write_files
from ..render.batch import render_many
from ..yamlio import MAX_TEXT_CHARS
from .common import EXIT_ERRORS, EXIT_OK, add_cache_flags, cache_dir, relative
from .report import report

if TYPE_CHECKING:
    from ..render.pipeline import ObjectCheck

APP_SUFFIXES = (".yaml", ".yml", ".json")


def positive(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def add_batch_flags(parser: argparse.ArgumentParser) -> None:
    """--jobs, --progress and the cache flags."""
    parser.add_argument("-j", "--jobs", type=positive, metavar="N",
                        help="cue processes at a time (default: the number of CPUs)")
    parser.add_argument("--progress", action="store_true",
                        help="show a progress bar on stderr even when it is not a terminal")
    add_cache_flags(parser)


def expand(names: Sequence[str], stdin: IO[str]) -> list[str | Path]:
    """Every -f as a path ('-': stdin's text); a folder as the YAML and JSON files under it,
    at any depth, in name order (hidden files and folders skipped)."""
    found: list[str | Path] = []
    for name in names:
        if name == "-":
            # One character past the limit is enough for the reader to refuse it as too large.
            found.append(stdin.read(MAX_TEXT_CHARS + 1))
        elif Path(name).is_dir():
            found += _folder(Path(name))
        else:
            found.append(Path(name))
    return found


def _folder(root: Path) -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [Path(folder, n) for n in sorted(names)
                  if n.endswith(APP_SUFFIXES) and not n.startswith(".")]
    return files


def batch_options(args: argparse.Namespace, options: RenderOptions) -> RenderOptions:
    """`options` with the CLI's defaults for jobs (the CPU count) and the cache folder."""
    return replace(options, jobs=args.jobs or os.cpu_count() or 1, cache_dir=cache_dir(args))


class _Progress:
    """A tqdm bar on stderr counting finished apps: when stderr is a terminal or when asked."""

    def __init__(self, stderr: IO[str], forced: bool) -> None:
        self.bar: Any = None
        if forced or (hasattr(stderr, "isatty") and stderr.isatty()):
            from tqdm import tqdm  # the CLI's only use of tqdm: imported when a bar is shown

            # A batch that takes less than a moment shows nothing unless asked.
            self.bar = tqdm(file=stderr, unit="app", desc="rendering", delay=0 if forced else 0.5,
                            leave=forced)

    def __call__(self, outcome: AppOutcome) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def render_sources(args: argparse.Namespace, sources: list[str | Path], options: RenderOptions,
                   stderr: IO[str], check: ObjectCheck | None = None) -> BatchResult:
    """Render every app of `sources`; a batch without any app says why as `render` would."""
    progress = _Progress(stderr, args.progress)
    try:
        batch = render_many(sources, definitions=args.definitions, options=options, on_done=progress,
                            check=check)
    finally:
        progress.close()
    if not batch.outcomes:
        # No Application anywhere: the single-app reader names what it found instead.
        from ..render.pipeline import render

        render(sources[0] if sources else "", definitions=args.definitions, options=options,
               documents=sources[1:])
    return batch


def run_batch(args: argparse.Namespace, options: RenderOptions, stdin: IO[str], stdout: IO[str],
              stderr: IO[str], check: ObjectCheck | None = None) -> int:
    """The render command: print or write every app that rendered, name every app that did not.

    `check` (render --validate) runs on every rendered app; its problems fail that app.
    """
    sources = expand(args.files, stdin)
    batch = render_sources(args, sources, batch_options(args, options), stderr, check)
    for note in batch.notes:
        stderr.write(f"note: {relative(note)}\n")
    several = len(batch.outcomes) > 1
    if not several and batch.outcomes[0].error is not None:
        raise batch.outcomes[0].error
    for outcome in batch.outcomes:
        for warning in outcome.result.warnings if outcome.result else ():
            stderr.write(f"warning: {_who(outcome, several)}{relative(warning)}\n")
    emit(args, batch, stdout, stderr)
    return _report_failures(args, batch, stdout, stderr)


def _who(outcome: AppOutcome, several: bool) -> str:
    return f"app {outcome.app!r} ({relative(outcome.source)}): " if several else ""


def emit(args: argparse.Namespace, batch: BatchResult, stdout: IO[str], stderr: IO[str]) -> None:
    results = batch.results
    if args.output_dir:
        written = write_files(args.output_dir, folder_files(results, len(batch.outcomes) > 1))
        stderr.write(f"wrote {len(written)} files under {args.output_dir}\n")
    elif args.output == "json":
        items = [dict(o.body) for r in results for o in r.objects]
        stdout.write(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=2,
                                ensure_ascii=False) + "\n")
    else:
        stdout.write("".join(r.to_yaml() for r in results))  # the cache may know the text


def folder_files(results: Sequence[RenderResult], several: bool) -> list[OutputFile]:
    """One file per object; with several apps, each app in a folder of its name (a second app
    of one name gets `-2`, and so on)."""
    if not several:
        return [f for r in results for f in output_files(r)]
    files = []
    for folder, result in zip(_app_folders(results), results, strict=True):
        files += [OutputFile(f"{folder}/{f.path}", f.text, f"{f.origin} of app {result.app}")
                  for f in output_files(result)]
    return files


def _app_folders(results: Sequence[RenderResult]) -> Iterator[str]:
    taken: set[str] = set()
    for result in results:
        base = file_part(result.app) or "app"
        name, count = base, 2
        while name.casefold() in taken:
            name, count = f"{base}-{count}", count + 1
        taken.add(name.casefold())
        yield name


def _report_failures(args: argparse.Namespace, batch: BatchResult, stdout: IO[str], stderr: IO[str]) -> int:
    failed = batch.failed
    if getattr(args, "error_format", "text") != "text" or getattr(args, "error_output", None):
        # A machine-read report holds the problems of every failed app, each at its own path.
        report([p for o in failed if o.error is not None for p in o.error.problems], args, stdout, stderr,
               always=True)
    else:
        for outcome in failed:
            assert outcome.error is not None
            stderr.write(f"error: {_who(outcome, True)}{relative(outcome.error.describe())}\n")
    if failed:
        names = ", ".join(f"{o.app or '?'} ({relative(o.source)})" for o in failed)
        stderr.write(f"error: {len(failed)} of {len(batch.outcomes)} apps failed: {names}\n")
        return EXIT_ERRORS
    return EXIT_OK
