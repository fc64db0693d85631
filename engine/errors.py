"""Errors: one root, split by who must fix them, each problem with a structured location."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Fixer(Enum):
    """Who has to act for a problem to go away."""

    APP = "app"
    DEFINITION = "definition"
    ENVIRONMENT = "environment"


@dataclass(frozen=True)
class Location:
    """Where a problem is: the Application path, the definition, and a file position."""

    app_path: str = ""
    definition: str = ""
    definition_kind: str = ""
    file: str = ""
    line: int | None = None
    column: int | None = None

    def file_position(self) -> str:
        if not self.file:
            return ""
        if self.line is None:
            return self.file
        col = f":{self.column}" if self.column else ""
        return f"{self.file}:{self.line}{col}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, phrased for the person who must fix it."""

    code: str
    message: str
    fixer: Fixer
    location: Location = field(default_factory=Location)
    # Further source positions (e.g. both sides of a conflict).
    related: tuple[str, ...] = ()

    def __str__(self) -> str:
        head = f"{self.location.app_path}: " if self.location.app_path else ""
        text = f"{head}{self.message}"
        if self.location.definition:
            text += f" ({self.location.definition})"
        where = [p for p in (self.location.file_position(), *self.related) if p]
        if where:
            text += f" [{', '.join(dict.fromkeys(where))}]"
        return text

    def sort_key(self) -> tuple[str, str, str]:
        return (self.location.app_path, self.location.file_position(), self.message)

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON data: code, message, fixer, the location's fields flat, related."""
        where = self.location
        return {"code": self.code, "message": self.message, "fixer": self.fixer.value,
                "app_path": where.app_path, "definition": where.definition,
                "definition_kind": where.definition_kind, "file": where.file, "line": where.line,
                "column": where.column, "related": list(self.related)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        """The problem `to_dict` wrote; missing location fields are empty.

        Raises ValueError for an unknown fixer, KeyError without code, message or fixer.
        """
        where = Location(str(data.get("app_path") or ""), str(data.get("definition") or ""),
                         str(data.get("definition_kind") or ""), str(data.get("file") or ""),
                         data.get("line"), data.get("column"))
        return cls(str(data["code"]), str(data["message"]), Fixer(data["fixer"]), where,
                   tuple(str(r) for r in data.get("related") or ()))


class PositionedError(ValueError):
    """Text that cannot be read, at a 1-based line and column (a scanner's or parser's error)."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(f"line {line}, column {col}: {message}")
        self.message = message
        self.line = line
        self.col = col


class OamError(Exception):
    """Root of every error oam-render raises; carries all problems found, sorted by path."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__(self.describe())

    def describe(self) -> str:
        count = len(self.problems)
        lines = [f"{count} error{'s' if count != 1 else ''}:"]
        lines.extend(f"  {p}" for p in self.problems)
        return "\n".join(lines)


class AppError(OamError):
    """The Application (or its properties) is wrong: the app author fixes it."""


class DefinitionError(OamError):
    """A definition or its template is wrong: the definition author fixes it."""


class CueEnvironmentError(OamError):
    """The machine lacks what rendering needs (the cue binary, or a usable one)."""


_BY_FIXER: dict[Fixer, type[OamError]] = {
    Fixer.APP: AppError,
    Fixer.DEFINITION: DefinitionError,
    Fixer.ENVIRONMENT: CueEnvironmentError,
}


def raise_problems(problems: Iterable[Problem]) -> None:
    """Raise one aggregate error for `problems` (if any), typed by who must fix them."""
    found = list(problems)
    if not found:
        return
    fixers = {p.fixer for p in found}
    cls = _BY_FIXER[fixers.pop()] if len(fixers) == 1 else OamError
    raise cls(found)


def app_problem(code: str, message: str, app_path: str, *, definition: str = "",
                definition_kind: str = "", file: str = "", line: int | None = None) -> Problem:
    """A problem the app author must fix, at `app_path`."""
    where = Location(app_path, definition, definition_kind, file, line)
    return Problem(code, message, Fixer.APP, where)


def definition_problem(code: str, message: str, *, app_path: str = "", definition: str = "",
                       definition_kind: str = "", file: str = "", line: int | None = None,
                       related: tuple[str, ...] = ()) -> Problem:
    """A problem the definition author must fix."""
    where = Location(app_path, definition, definition_kind, file, line)
    return Problem(code, message, Fixer.DEFINITION, where, related)
