"""The `oam-render` command: the one place that reads the environment, prints and exits."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from .. import contract
from ..errors import OamError
from ..model import RenderOptions
from . import deftools as cli_def
from . import legacy as cli_legacy
from . import render as cli_render
from . import schema as cli_schema
from .common import (
    EXIT_ERRORS,
    Handler,
    Parser,
    UsageExit,
    add_definition_flag,
    cluster_version,
    relative,
)


def seconds(text: str) -> float:
    """A positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def render_options(args: argparse.Namespace) -> RenderOptions:
    """Options from flags, and the cue binary from OAM_RENDER_CUE when set."""
    return RenderOptions(cluster_version=args.cluster_version, namespace=args.namespace,
                         cue_binary=os.environ.get("OAM_RENDER_CUE") or None,
                         environment=getattr(args, "env", None), strict=getattr(args, "strict", False),
                         timeout=args.timeout)


def _add_render(sub: argparse._SubParsersAction[Parser]) -> None:
    p = sub.add_parser("render", help="render an Application into Kubernetes objects")
    p.add_argument("-f", "--file", dest="files", action="append", required=True,
                   help="Application YAML (several apps: repeat -f, give a folder, or a multi-document"
                        " file), or standalone Policy/Workflow YAML next to it; '-' reads stdin")
    add_definition_flag(p)
    p.add_argument("--env", metavar="NAME",
                   help="render only this environment (a topology policy, or a deploy step with only overrides)")
    p.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml")
    p.add_argument("--output-dir", type=Path,
                   help="write one file per object here instead: [<app>/][<env>/]<component>/<kind>-<name>.yaml"
                        " (<app>/ when there are several apps)")
    p.add_argument("-n", "--namespace", help="namespace for objects that set none")
    p.add_argument("--cluster-version", type=cluster_version,
                   default=contract.DEFAULT_CLUSTER_VERSION, metavar="MAJOR.MINOR",
                   help="Kubernetes version templates see in context.clusterVersion")
    p.add_argument("--strict", action="store_true",
                   help="property keys a definition does not declare are errors, not warnings")
    p.add_argument("--timeout", type=seconds, default=RenderOptions.timeout, metavar="SECONDS",
                   help="time budget of the whole render; with several apps, of each cue process"
                        " (default %(default)g)")
    cli_render.add_batch_flags(p)
    p.set_defaults(handler=_render)


def _render(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    return cli_render.run_batch(args, render_options(args), stdin, stdout, stderr)


def build_parser(stdout: IO[str] = sys.stdout, stderr: IO[str] = sys.stderr) -> Parser:
    class _Bound(Parser):
        streams = (stdout, stderr)

    bound: type[Parser] = _Bound
    parser = bound(prog="oam-render", description="Render OAM Applications offline with cue.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=bound)
    _add_render(sub)
    for register in extra_commands():
        register(sub)
    return parser


def extra_commands() -> list[Callable[[argparse._SubParsersAction[Parser]], None]]:
    """Commands that live in their own modules."""
    return [cli_def.register, cli_legacy.register, cli_schema.register]


def run(argv: Sequence[str], stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    """Run the CLI; returns 0 on success, 1 on render or input errors, 2 on usage errors."""
    try:
        args = build_parser(stdout, stderr).parse_args(list(argv))
    except UsageExit as usage:
        return usage.code
    handler: Handler = args.handler
    try:
        return handler(args, stdin, stdout, stderr)
    except OamError as error:
        stderr.write(f"error: {relative(error.describe())}\n")
        return EXIT_ERRORS
    except OSError as error:
        stderr.write(f"error: {error.filename or ''}: {error.strerror or error}\n")
        return EXIT_ERRORS


def main() -> None:
    sys.exit(run(sys.argv[1:], sys.stdin, sys.stdout, sys.stderr))
