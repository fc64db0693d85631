"""Write problems for people and CI tools: text, JSON, GitHub Actions commands, or SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath, PurePosixPath
from typing import Any, Final
from urllib.parse import quote

from ..codes import meaning
from ..errors import Problem

SARIF_VERSION: Final = "2.1.0"
SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME: Final = "oam-render"

def problem_summary(problem: Problem) -> str:
    """The problem as one sentence without its file position: `app path: message (definition)`."""
    head = f"{problem.location.app_path}: " if problem.location.app_path else ""
    tail = f" ({problem.location.definition})" if problem.location.definition else ""
    return f"{head}{problem.message}{tail}"


def to_text(problems: Sequence[Problem]) -> str:
    """One problem a line, as the CLI has always printed them."""
    return "".join(f"{problem}\n" for problem in problems)


def problem_record(problem: Problem) -> dict[str, Any]:
    """The JSON form of one problem."""
    return problem.to_dict()


def to_json(problems: Sequence[Problem]) -> str:
    """A JSON list of problems: code, message, app_path, file, line, column, definition, fixer."""
    return json.dumps([problem_record(p) for p in problems], indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(problem: Problem, level: str = "error") -> str:
    """`::error file=F,line=L,col=C,title=CODE::MESSAGE`, escaped as GitHub Actions requires."""
    where = problem.location
    props = []
    if where.file:
        props.append(f"file={_escape_property(where.file)}")
        if where.line is not None:
            props.append(f"line={where.line}")
            if where.column:
                props.append(f"col={where.column}")
    props.append(f"title={_escape_property(problem.code)}")
    return f"::{level} {','.join(props)}::{_escape_data(problem_summary(problem))}"


def to_github(problems: Sequence[Problem]) -> str:
    """GitHub Actions workflow commands, one a line: each shows inline on the pull request."""
    return "".join(f"{github_command(p)}\n" for p in problems)


def artifact_uri(file: str) -> str:
    """A SARIF artifact URI: a relative path stays relative (with `/`), an absolute one is a file URI."""
    path = PurePath(file)
    if path.is_absolute():
        return "file://" + quote(path.as_posix() if path.as_posix().startswith("/") else "/" + path.as_posix())
    return quote(str(PurePosixPath(*path.parts)))


def _sarif_result(problem: Problem, rule_index: int) -> dict[str, Any]:
    where = problem.location
    result: dict[str, Any] = {"ruleId": problem.code, "ruleIndex": rule_index,
                              "level": "error", "message": {"text": problem_summary(problem)}}
    location: dict[str, Any] = {}
    if where.file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(where.file)}}
        if where.line is not None and where.line >= 1:
            region = {"startLine": where.line}
            if where.column:
                region["startColumn"] = where.column
            physical["region"] = region
        location["physicalLocation"] = physical
    if where.app_path:
        location["logicalLocations"] = [{"fullyQualifiedName": where.app_path}]
    if location:
        result["locations"] = [location]
    result["properties"] = {"fixer": problem.fixer.value}
    return result


def to_sarif(problems: Sequence[Problem], tool_version: str = "") -> str:
    """A SARIF 2.1.0 log with one run of oam-render: a rule per problem code, a result per problem."""
    codes = list(dict.fromkeys(p.code for p in problems))
    rules = [{"id": code, "shortDescription": {"text": meaning(code)}} for code in codes]
    driver: dict[str, Any] = {"name": TOOL_NAME, "rules": rules}
    if tool_version:
        driver["version"] = tool_version
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION,
           "runs": [{"tool": {"driver": driver},
                     "results": [_sarif_result(p, codes.index(p.code)) for p in problems]}]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


_WRITERS: Final[Mapping[str, Callable[[Sequence[Problem]], str]]] = {
    "text": to_text, "json": to_json, "github": to_github, "sarif": to_sarif,
}
ERROR_FORMATS: Final = tuple(_WRITERS)


def format_problems(problems: Sequence[Problem], error_format: str = "text") -> str:
    """`problems` written in `error_format` (one of ERROR_FORMATS); raises ValueError for others."""
    writer = _WRITERS.get(error_format)
    if writer is None:
        raise ValueError(f"unknown error format {error_format!r} (one of {', '.join(ERROR_FORMATS)})")
    return writer(problems)

