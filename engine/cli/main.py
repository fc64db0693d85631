"""The `oam-render` command: the one place that reads the environment, prints and exits."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .. import contract
from ..errors import OamError
from ..model import RenderOptions
from . import gates as cli_gates
from . import render as cli_render
from .common import (
    EXIT_ERRORS,
    Handler,
    Parser,
    UsageExit,
    add_definition_flag,
    add_error_format,
    cluster_version,
    leaf_parsers,
    namespace,
    relative,
    render_options,
    seconds,
)
from .helptext import describe
from .report import report, report_clean

if TYPE_CHECKING:
    from ..render.pipeline import ObjectCheck


def _add_render(sub: argparse._SubParsersAction[Parser]) -> None:
    p = sub.add_parser("render", help="render an Application into Kubernetes objects")
    p.add_argument("-f", "--file", dest="files", action="append", required=True,
                   help="Application YAML (several apps: repeat -f, give a folder, or a multi-document"
                        " file), or standalone Policy/Workflow YAML next to it; '-' reads stdin")
    add_definition_flag(p)
    p.add_argument("--env", metavar="NAME",
                   help="render only this environment (a topology policy, or a deploy step with only overrides)")
    p.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml",
                   help="a YAML stream, or one JSON List")
    p.add_argument("--output-dir", type=Path,
                   help="write one file per object here instead: [<app>/][<env>/]<component>/<kind>-<name>.yaml"
                        " (<app>/ when there are several apps)")
    p.add_argument("-n", "--namespace", type=namespace, help="namespace for objects that set none")
    p.add_argument("--cluster-version", type=cluster_version,
                   default=contract.DEFAULT_CLUSTER_VERSION, metavar="MAJOR.MINOR",
                   help="Kubernetes version templates see in context.clusterVersion")
    p.add_argument("--strict", action="store_true",
                   help="property keys a definition does not declare are errors, not warnings")
    p.add_argument("--compat", choices=("kubevela",),
                   help="what KubeVela lets through (appliesToWorkloads, conflictsWith, an override"
                        " naming no component) warns instead of failing")
    p.add_argument("--objects", action="append", metavar="DIR_OR_FILE",
                   help="Kubernetes objects that ref-objects components and service-binding traits"
                        " refer to (repeatable; folders searched recursively)")
    p.add_argument("--timeout", type=seconds, default=RenderOptions.timeout, metavar="SECONDS",
                   help="time budget of the whole render; with several apps, of each cue process"
                        " (default %(default)g)")
    p.add_argument("--validate", action="store_true",
                   help="check every object against the Kubernetes API types (and --crd) offline;"
                        " problems fail the render like any other")
    cli_gates.add_crd_flag(p)
    add_error_format(p)
    cli_render.add_batch_flags(p)
    p.set_defaults(handler=_render)


def _render(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    check = _object_check(args)
    try:
        return cli_render.run_batch(args, render_options(args), stdin, stdout, stderr, check)
    finally:
        for note in getattr(check, "notes", ()):
            stderr.write(f"note: {relative(note)}\n")


def _object_check(args: argparse.Namespace) -> ObjectCheck | None:
    """The Kubernetes check --validate asks for; the client loads only then (it is slow to import)."""
    if not args.validate:
        return None
    from ..gates import KubernetesCheck

    return KubernetesCheck.with_crds(args.crd, args.cluster_version)


def build_parser(stdout: IO[str] = sys.stdout, stderr: IO[str] = sys.stderr, *, only_render: bool = False) -> Parser:
    """The parser of every command (`only_render`: of `render` alone, which then loads nothing more)."""

    class _Bound(Parser):
        streams = (stdout, stderr)

    bound: type[Parser] = _Bound
    parser = bound(prog="oam-render", description="Render OAM Applications offline with cue.")
    parser.add_argument("--version", action=cli_gates.VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=bound, metavar="COMMAND")
    _add_render(sub)
    for register in [] if only_render else extra_commands():
        register(sub)
    commands = leaf_parsers(parser)
    for name, command in commands.items():
        if name not in NO_PROBLEMS and not any(a.dest == "error_format" for a in command._actions):
            add_error_format(command)
    if "completion" in commands:
        commands["completion"].set_defaults(root_parser=parser)
    describe(parser, commands)
    return parser


# Commands that report no problems of their own: no --error-format.
NO_PROBLEMS = frozenset({"version", "completion"})


def extra_commands() -> list[Callable[[argparse._SubParsersAction[Parser]], None]]:
    """Commands that live in their own modules (imported here: a render does not load them)."""
    from . import deftools as cli_def
    from . import legacy as cli_legacy
    from . import schema as cli_schema

    return [cli_gates.register, cli_def.register, cli_legacy.register, cli_schema.register]


def run(argv: Sequence[str], stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    """Run the CLI; returns 0 on success, 1 on render or input errors, 2 on usage errors."""
    try:
        args = build_parser(stdout, stderr, only_render=list(argv[:1]) == ["render"]).parse_args(list(argv))
    except UsageExit as usage:
        return usage.code
    handler: Handler = args.handler
    try:
        code = handler(args, stdin, stdout, stderr)
        report_clean(args, stdout, stderr)
        return code
    except OamError as error:
        report(error.problems, args, stdout, stderr)
        return EXIT_ERRORS
    except OSError as error:
        stderr.write(f"error: {error.filename or ''}: {error.strerror or error}\n")
        return EXIT_ERRORS


def main() -> None:
    sys.exit(run(sys.argv[1:], sys.stdin, sys.stdout, sys.stderr))
