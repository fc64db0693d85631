"""Print problems in the format CI asked for (--error-format), to the stream or file it goes to."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from ..errors import OamError, Problem
from .common import relative

TEXT = "text"


def _relative(problem: Problem) -> Problem:
    """The problem with its file spelt relative to the working directory, as messages are."""
    where = problem.location
    if not where.file:
        return problem
    data = problem.to_dict()
    data["file"] = relative(where.file)
    return Problem.from_dict(data)


def _engine_version() -> str:
    from .._version import package_version  # only the SARIF format says it

    return package_version()


def report_text(problems: Sequence[Problem], error_format: str, warnings: Sequence[Problem] = ()) -> str:
    """The problems (and warnings, in the formats that tell them apart) in `error_format`."""
    from ..gates.formats import format_problems, github_command, to_sarif  # only when there is a report

    errors = [_relative(p) for p in problems]
    soft = [_relative(p) for p in warnings]
    if error_format == "github":
        return "".join(f"{github_command(p, 'warning')}\n" for p in soft) + format_problems(errors, "github")
    if error_format == "json":
        records = [{**p.to_dict(), "severity": "error"} for p in errors]
        records += [{**p.to_dict(), "severity": "warning"} for p in soft]
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if error_format == "sarif":
        log = json.loads(to_sarif([*errors, *soft], tool_version=_engine_version()))
        for result in log["runs"][0]["results"][len(errors):]:
            result["level"] = "warning"
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    return format_problems([*errors, *soft], error_format)


def report(problems: Sequence[Problem], args: argparse.Namespace, stdout: IO[str], stderr: IO[str], *,
           warnings: Sequence[Problem] = (), always: bool = False) -> None:
    """Write problems as --error-format and --error-output ask.

    text goes to stderr as `error: N errors:` and the problems (the way people read them);
    json, github and sarif go to stdout (GitHub Actions reads workflow commands from stdout,
    and tools read reports from it), or to --error-output FILE. A report in a file is written
    even when there is nothing to report, so a CI upload step always finds it; on stdout only
    when `always` (commands whose stdout holds nothing else) or when there are problems.
    """
    args.reported = True
    error_format = getattr(args, "error_format", TEXT)
    output: Path | None = getattr(args, "error_output", None)
    if error_format == TEXT and output is None:
        if problems:
            stderr.write(f"error: {relative(OamError(problems).describe())}\n")
        return
    text = report_text(problems, error_format, warnings)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    elif problems or warnings or always:
        stdout.write(text)


def report_clean(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> None:
    """After a command that found nothing: the empty report --error-output promises, if not written."""
    if getattr(args, "error_output", None) is not None and not getattr(args, "reported", False):
        report([], args, stdout, stderr)
