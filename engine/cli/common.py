"""What every oam-render command shares: the parser, exit codes and common flags."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from ..model import RenderOptions
from ..names import LABEL, name_error
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


def namespace(text: str) -> str:
    """A Kubernetes namespace name (a DNS-1123 label), refused as a usage error otherwise."""
    error = name_error(text, LABEL)
    if error:
        raise argparse.ArgumentTypeError(error)
    return text


def seconds(text: str) -> float:
    """A positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def add_definition_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-d", "--definitions", action="append", default=[], metavar="DIR_OR_FILE",
                        help="definition files or folders, searched before the bundled ones")


def add_cache_flags(parser: argparse.ArgumentParser) -> None:
    """`--no-cache` and `--cache-dir DIR`: where the on-disk caches live (read with `cache_dir`)."""
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="keep caches here (default: the user cache folder, e.g. ~/.cache/oam-render)")
    parser.add_argument("--no-cache", action="store_true",
                        help="use no on-disk cache (also: OAM_RENDER_NO_CACHE=1)")


def cache_dir(args: argparse.Namespace) -> Path | None:
    """The cache folder the flags ask for: None with --no-cache, else --cache-dir or the user's
    cache folder as the platform has it (XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches
    on macOS, %LOCALAPPDATA% on Windows)."""
    if getattr(args, "no_cache", False):
        return None
    chosen: Path | None = getattr(args, "cache_dir", None)
    if chosen is not None:
        return chosen
    if os.environ.get("OAM_RENDER_NO_CACHE", "") not in ("", "0"):
        return None
    import platformdirs  # only the CLI picks a folder: the library never does

    return Path(platformdirs.user_cache_dir("oam-render", appauthor=False))


def read_sources(files: Sequence[str], stdin: IO[str]) -> list[str | Path]:
    """Every -f as a path, or as text for '-' (stdin)."""
    # One character past the limit is enough for the reader to refuse it as too large.
    return [stdin.read(MAX_TEXT_CHARS + 1) if name == "-" else Path(name) for name in files]


def relative(text: str) -> str:
    """Paths under the working directory, spelt relative to it (stable, shorter messages)."""
    return text.replace(os.getcwd().rstrip("/") + "/", "")


# engine.gates.ERROR_FORMATS (a test holds them equal): importing the gates here would load
# deepdiff and jsonschema on every start of the command, for nothing when there are no problems.
ERROR_FORMATS = ("text", "json", "github", "sarif")


def add_error_format(parser: argparse.ArgumentParser) -> None:
    """--error-format and --error-output, for every command that reports problems."""
    group = parser.add_argument_group("problem reports")
    group.add_argument("--error-format", choices=ERROR_FORMATS, default="text",
                       help="how problems are written: text (stderr, for people), json (a list), github"
                            " (workflow commands GitHub Actions shows inline) or sarif (SARIF 2.1.0);"
                            " all but text go to stdout")
    group.add_argument("--error-output", type=Path, metavar="FILE",
                       help="write the problem report to FILE instead, even when there is none"
                            " (for a CI step that uploads it, such as SARIF)")


def leaf_parsers(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every command that runs something, by its full name (`render`, `def vet`)."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(leaf_parsers(sub, f"{prefix}{name} "))
    if not found and prefix:
        found[prefix.strip()] = parser
    return found


def render_options(args: argparse.Namespace) -> RenderOptions:
    """Options from a command's render flags (those it lacks keep their defaults), and the cue
    and helm binaries from OAM_RENDER_CUE and OAM_RENDER_HELM when set. A command without the
    cache flags uses no on-disk cache."""
    return RenderOptions(cluster_version=args.cluster_version, namespace=args.namespace,
                         cue_binary=os.environ.get("OAM_RENDER_CUE") or None,
                         environment=getattr(args, "env", None), strict=getattr(args, "strict", False),
                         timeout=args.timeout, compat=getattr(args, "compat", None),
                         objects=tuple(getattr(args, "objects", None) or ()),
                         helm_binary=os.environ.get("OAM_RENDER_HELM") or None,
                         cache_dir=cache_dir(args) if hasattr(args, "no_cache") else None)
