"""The `validate`, `diff`, `version` and `completion` commands: CI gates and the tool's own facts."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .. import contract
from ..errors import OamError
from ..model import RenderOptions
from .common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    add_definition_flag,
    add_error_format,
    cluster_version,
    namespace,
    relative,
    render_options,
    seconds,
)
from .report import report

if TYPE_CHECKING:
    from .common import Parser

SHELLS = ("bash", "zsh", "fish")
_CRD_HELP = ("CustomResourceDefinition files or folders: objects of their kinds are checked against their"
             " openAPIV3Schema (repeatable; default: none, such objects pass with a note)")


def add_crd_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--crd", action="append", default=[], metavar="FILE_OR_DIR", help=_CRD_HELP)


def _validate(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    from ..gates import validate_paths

    validation = validate_paths(args.paths, crd_paths=args.crd, cluster_version=args.cluster_version)
    for note in validation.notes:
        stderr.write(f"note: {relative(note)}\n")
    report(validation.problems, args, stdout, stderr, always=True)
    if validation.ok:
        stderr.write(f"{validation.checked} object{'s' * (validation.checked != 1)} checked: no problems\n")
        return EXIT_OK
    return EXIT_ERRORS


def _diff(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    from ..gates import diff_paths

    options = render_options(args)
    try:
        result = diff_paths(args.old, args.new, ignore=args.ignore, definitions=args.definitions,
                            options=options)
    except OamError as error:
        report(error.problems, args, stdout, stderr)
        return EXIT_USAGE  # like diff(1): trouble is 2, differences are 1
    except ValueError as error:
        stderr.write(f"error: --ignore: {error}\n")
        return EXIT_USAGE
    stdout.write(result.to_json() if args.output == "json" else result.to_text())
    return EXIT_OK if result.equal else EXIT_ERRORS


def version_text() -> str:
    """What `oam-render version` prints: the engine, the cue it would run, the Kubernetes API."""
    from .._version import package_version
    from ..cue.runner import Cue
    from ..gates import api_release

    lines = [f"oam-render {package_version()}"]
    try:
        cue = Cue(os.environ.get("OAM_RENDER_CUE") or None)
        lines.append(f"cue {'.'.join(map(str, cue.version))} ({cue.binary})")
    except OamError as error:
        lines.append(f"cue: unusable: {error.problems[0].message}")
    default = ".".join(map(str, contract.DEFAULT_CLUSTER_VERSION))
    lines.append(f"kubernetes API {api_release() or 'unknown'} (the kubernetes client's models; checks"
                 f" assume cluster {default} unless --cluster-version says otherwise)")
    return "\n".join(lines) + "\n"


def _version(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    stdout.write(version_text())
    return EXIT_OK


class VersionAction(argparse.Action):
    """`--version`: the same text as `oam-render version`, computed only when asked."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the engine, cue and Kubernetes API versions and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        parser._print_message(version_text())
        parser.exit()


def _completion(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    import shtab

    # main hands the whole parser to this command: the shell completes all of it
    stdout.write(shtab.complete(args.root_parser, shell=args.shell))
    return EXIT_OK


def _add_validate(sub: argparse._SubParsersAction[Parser]) -> None:
    p = sub.add_parser(
        "validate", help="check rendered objects against the Kubernetes API types, offline",
        description="Check every object of YAML streams and --output-dir folders against the Kubernetes"
                    " API types (field names, types, required fields, served apiVersion/kind pairs) as"
                    " the kubernetes Python client describes them, and objects of custom kinds against"
                    " their CRDs. Kinds neither knows pass, with a note on stderr.")
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR",
                   help="YAML streams (render's output, JSON List too) or --output-dir folders")
    add_crd_flag(p)
    p.add_argument("--cluster-version", type=cluster_version, default=contract.DEFAULT_CLUSTER_VERSION,
                   metavar="MAJOR.MINOR", help="the Kubernetes version whose served API versions count")
    add_error_format(p)
    p.set_defaults(handler=_validate)


def _add_diff(sub: argparse._SubParsersAction[Parser]) -> None:
    p = sub.add_parser(
        "diff", help="compare two renders object by object, field by field",
        description="Compare two sides, each an app file or folder (rendered first, both with the same"
                    " options), a rendered YAML stream or an --output-dir folder. Objects match by"
                    " apiVersion, kind, namespace and name; added (+), removed (-) and changed (~)"
                    " objects are listed, each change field by field.")
    p.add_argument("old", type=Path, metavar="OLD", help="the side before the change")
    p.add_argument("new", type=Path, metavar="NEW", help="the side after the change")
    p.add_argument("--ignore", action="append", default=[], metavar="PATH",
                   help="a field path left out of the comparison, e.g. 'metadata.labels[\"app.oam.dev/"
                        "appRevision\"]', 'spec.template.spec.containers[*].image' or a JSON Pointer"
                        " (repeatable)")
    p.add_argument("-o", "--output", choices=("text", "json"), default="text",
                   help="text for people, json for tools")
    add_definition_flag(p)
    p.add_argument("--env", metavar="NAME", help="render only this environment of each app")
    p.add_argument("-n", "--namespace", type=namespace, help="namespace for objects that set none")
    p.add_argument("--cluster-version", type=cluster_version, default=contract.DEFAULT_CLUSTER_VERSION,
                   metavar="MAJOR.MINOR", help="Kubernetes version templates see in context.clusterVersion")
    p.add_argument("--strict", action="store_true",
                   help="property keys a definition does not declare are errors, not warnings")
    p.add_argument("--timeout", type=seconds, default=RenderOptions.timeout, metavar="SECONDS",
                   help="time budget of each render")
    add_error_format(p)
    p.set_defaults(handler=_diff)


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add `validate`, `diff`, `version` and `completion` to the top-level parser."""
    _add_validate(sub)
    _add_diff(sub)
    p = sub.add_parser("version", help="print the engine, cue and Kubernetes API versions",
                       description="Print the engine's version, the cue binary it runs (path and version)"
                                   " and the Kubernetes API version the checks follow.")
    p.set_defaults(handler=_version)
    p = sub.add_parser("completion", help="print a shell completion script",
                       description="Print the completion script for a shell; load it from your shell's"
                                   " start-up file.")
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(handler=_completion)
