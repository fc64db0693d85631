"""What every oam-render command shares: the parser, exit codes and common flags."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from ..yamlio import MAX_TEXT_CHARS

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
Handler = Callable[[argparse.Namespace, IO[str], IO[str], IO[str]], int]


class UsageExit(Exception):
    """argparse wanted to exit: usage error (2) or --help (0)."""

    def __init__(self, code: int) -> None:
        self.code = code


class Parser(argparse.ArgumentParser):
    """argparse writing to the streams `run` was given, and raising instead of exiting."""

    streams: tuple[IO[str], IO[str]] = (sys.stdout, sys.stderr)

    def _print_message(self, message: str, file: IO[str] | None = None) -> None:  # type: ignore[override]
        out, err = self.streams
        if message:
            (err if file is sys.stderr else out).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        if message:
            self._print_message(message, sys.stderr)
        raise UsageExit(status)


def cluster_version(text: str) -> tuple[int, int]:
    """`1.29` or `v1.29.3` -> (1, 29)."""
    parts = text.lstrip("v").split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        raise argparse.ArgumentTypeError(f"expected MAJOR.MINOR such as 1.29, got {text!r}") from None


def add_definition_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-d", "--definitions", action="append", default=[], metavar="DIR_OR_FILE",
                        help="definition files or folders, searched before the bundled ones")


def read_sources(files: Sequence[str], stdin: IO[str]) -> list[str | Path]:
    """Every -f as a path, or as text for '-' (stdin)."""
    # One character past the limit is enough for the reader to refuse it as too large.
    return [stdin.read(MAX_TEXT_CHARS + 1) if name == "-" else Path(name) for name in files]


def relative(text: str) -> str:
    """Paths under the working directory, spelt relative to it (stable, shorter messages)."""
    return text.replace(os.getcwd().rstrip("/") + "/", "")


def default_cache_dir() -> Path:
    """The user's cache folder, per the platform's convention, for oam-render."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base, "oam-render", "Cache")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "oam-render"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "oam-render")


def add_cache_flags(parser: argparse.ArgumentParser) -> None:
    """--no-cache and --cache-dir: the caches are on by default in the CLI."""
    parser.add_argument("--no-cache", action="store_true",
                        help="read and write no cache (also: OAM_RENDER_NO_CACHE=1)")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="where caches live (default: the user's cache folder, e.g. ~/.cache/oam-render)")


def cache_dir(args: argparse.Namespace) -> Path | None:
    """The cache folder the flags (then OAM_RENDER_NO_CACHE) ask for; None: no cache."""
    if getattr(args, "no_cache", False):
        return None
    if getattr(args, "cache_dir", None) is not None:
        return Path(args.cache_dir)
    if os.environ.get("OAM_RENDER_NO_CACHE", "") not in ("", "0"):
        return None
    return default_cache_dir()
