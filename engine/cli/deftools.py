"""The `oam-render def` command group: vet, render, convert and init definitions."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..codes import CUE, VET_ERROR, VET_WARNING
from ..cue.runner import Cue, CueFailed
from ..definitions import BrokenDefinition
from ..deftools import KINDS, convert_files, render_files, skeleton, vet_files
from ..deftools.vet import Finding
from ..errors import Fixer, Location, Problem
from ..output.files import OutputFile, file_part, write_files
from .report import report

if TYPE_CHECKING:
    from .common import Parser

EXIT_OK, EXIT_ERRORS = 0, 1
_Handler = Callable[[argparse.Namespace, IO[str], IO[str]], int]


def _cue() -> Cue:
    return Cue(os.environ.get("OAM_RENDER_CUE") or None)


def _guarded(handler: _Handler) -> Callable[[argparse.Namespace, IO[str], IO[str], IO[str]], int]:
    """Report broken input and cue's refusals as `FILE:LINE: error: ...` lines, exit 1."""

    def run(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
        try:
            return handler(args, stdout, stderr)
        except (BrokenDefinition, CueFailed) as exc:
            if _plain(args):
                _write_failure(exc, stderr)
            else:
                report(_failure_problems(exc), args, stdout, stderr)
        return EXIT_ERRORS

    return run


def _plain(args: argparse.Namespace) -> bool:
    """Problems as this command group always wrote them (no other --error-format asked for)."""
    return getattr(args, "error_format", "text") == "text" and getattr(args, "error_output", None) is None


def _failure_problems(exc: BrokenDefinition | CueFailed) -> list[Problem]:
    if isinstance(exc, BrokenDefinition):
        return [exc.problem]
    messages = [d.message for d in exc.diagnostics or ()] or [exc.stderr.strip()]
    return [Problem(CUE, f"cue: {message}", Fixer.DEFINITION) for message in messages]


def _write_failure(exc: BrokenDefinition | CueFailed, stderr: IO[str]) -> None:
    if isinstance(exc, BrokenDefinition):
        where = exc.problem.location
        position = f"{where.file}:{where.line or 1}: " if where.file else ""
        stderr.write(f"{position}error: {exc.problem.message}\n")
        return
    for diag in exc.diagnostics or ():
        stderr.write(f"error: cue: {diag.message}\n")
    if not exc.diagnostics:
        stderr.write(f"error: cue: {exc.stderr.strip()}\n")


def _write(text: str, output: Path | None, stdout: IO[str], stderr: IO[str]) -> None:
    if output is None:
        stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    stderr.write(f"wrote {output}\n")


def _vet(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    findings = vet_files(args.files, _cue())
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not _plain(args):
        report([_as_problem(f) for f in findings if f.severity == "error"], args, stdout, stderr,
               warnings=[_as_problem(f) for f in findings if f.severity != "error"], always=True)
    else:
        stdout.write("".join(f"{finding}\n" for finding in findings))
    if findings:
        stderr.write(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}\n")
    return EXIT_ERRORS if errors or (args.strict and warnings) else EXIT_OK


def _as_problem(finding: Finding) -> Problem:
    code = VET_ERROR if finding.severity == "error" else VET_WARNING
    return Problem(code, finding.message, Fixer.DEFINITION, Location(file=finding.file, line=finding.line))


def _render(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    _write(render_files(args.files), args.output, stdout, stderr)
    return EXIT_OK


def _convert(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    converted = convert_files(args.files, _cue())
    # Kept as text: Path() would drop the trailing slash that asks for a folder.
    output = Path(args.output) if args.output else None
    if output is not None and (output.is_dir() or args.output.endswith(("/", os.sep))):
        files = [OutputFile(f"{file_part(name)}.cue", text, f"the definition {name!r}") for name, text in converted]
        for path in write_files(output, files, fixer=Fixer.DEFINITION):
            stderr.write(f"wrote {path}\n")
        return EXIT_OK
    if len(converted) != 1:
        names = ", ".join(name for name, _ in converted)
        stderr.write(f"error: a .cue file holds one definition, and these files hold {len(converted)}"
                     f" ({names}); pass -o DIR/ to write one file each\n")
        return EXIT_ERRORS
    _write(converted[0][1], output, stdout, stderr)
    return EXIT_OK


def _init(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    _write(skeleton(args.name, args.type, _cue(), args.description), args.output, stdout, stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add `def` and its subcommands to the top-level parser."""
    group = sub.add_parser("def", help="check, convert and create definitions")
    commands = group.add_subparsers(dest="def_command", metavar="{vet,render,convert,init}", required=True,
                                   parser_class=type(group))
    vet = commands.add_parser("vet", help="check definition files; one line per problem")
    vet.add_argument("files", nargs="+", type=Path, metavar="FILE", help="definition files or folders")
    vet.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    vet.set_defaults(handler=_guarded(_vet))
    render = commands.add_parser("render", help="write definitions as CRD YAML")
    render.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".cue (or .yaml) definitions")
    render.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")
    render.set_defaults(handler=_guarded(_render))
    convert = commands.add_parser("convert", help="write CRD YAML definitions in the standalone .cue form")
    convert.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".yaml (or .cue) definitions")
    convert.add_argument("-o", "--output", metavar="FILE_OR_DIR/",
                         help="write here instead of stdout; a folder gets one NAME.cue per definition")
    convert.set_defaults(handler=_guarded(_convert))
    init = commands.add_parser("init", help="write a documented skeleton definition")
    init.add_argument("name", metavar="NAME", help="the definition's name (a Kubernetes name)")
    init.add_argument("-t", "--type", choices=KINDS, required=True, help="the kind of definition")
    init.add_argument("--description", default="", help="the definition's description")
    init.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")
    init.set_defaults(handler=_guarded(_init))
