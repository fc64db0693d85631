"""Every problem code the engine reports is in engine/codes.py, and the README lists them all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine import codes
from engine.errors import Fixer, Location, Problem

ENGINE = Path(codes.__file__).resolve().parent
README = ENGINE.parent / "README.md"
# codes.py itself is read for its constants only: its own `_code(...)` calls would count every code as used.
CODES_TREE = ast.parse(Path(codes.__file__).read_text())
TREES = {path: ast.parse(path.read_text()) for path in sorted(ENGINE.rglob("*.py")) if path.name != "codes.py"}


def _code_positions() -> dict[str, int]:
    """Callables (functions and dataclasses) with a `code` parameter or field -> its position."""
    takes: dict[str, int] = {}
    for tree in TREES.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
            elif isinstance(node, ast.ClassDef):
                names = [s.target.id for s in node.body
                         if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
            else:
                continue
            if "code" in names:
                takes[node.name] = names.index("code")
    return takes


def _constants() -> dict[str, set[str]]:
    """Module-level string constants of the engine, by name (and by every `as` alias)."""
    found: dict[str, set[str]] = {}
    aliases: list[tuple[str, str]] = []
    for tree in [CODES_TREE, *TREES.values()]:
        for node in tree.body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "_code":
                value = value.args[0]  # codes.py: NAME: Final = _code("name", ...)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                for target in targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, set()).add(value.value)
            if isinstance(node, ast.ImportFrom):
                aliases += [(a.asname, a.name) for a in node.names if a.asname]
    for alias, name in aliases:
        found.setdefault(alias, set()).update(found.get(name, set()))
    return found


CONSTANTS = _constants()


def _strings(node: ast.AST | None) -> set[str]:
    """The codes an expression can give: literals, constants (also under an `as` name), and both
    branches of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Name):
        return CONSTANTS.get(node.id, set())
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def _assigned_to_code(node: ast.Assign) -> set[str]:
    found: set[str] = set()
    for target in node.targets:
        if isinstance(target, ast.Name) and target.id == "code":
            found |= _strings(node.value)
        elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            found |= {s for t, v in zip(target.elts, node.value.elts, strict=False)
                      if isinstance(t, ast.Name) and t.id == "code" for s in _strings(v)}
    return found


def used_codes() -> dict[str, str]:
    """Every code literal the engine passes as a problem's code -> where (file:line)."""
    takes = _code_positions()
    used: dict[str, str] = {}
    for path, tree in TREES.items():
        where = path.relative_to(ENGINE.parent)
        for node in ast.walk(tree):
            found: set[str] = set()
            if isinstance(node, ast.Assign):
                found = _assigned_to_code(node)
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in takes:
                    index = takes[name]
                    arg = node.args[index] if len(node.args) > index else next(
                        (k.value for k in node.keywords if k.arg == "code"), None)
                    found = _strings(arg)
            for code in found:
                used.setdefault(code, f"{where}:{getattr(node, 'lineno', 0)}")
    return used


def test_the_collector_sees_the_codes_of_every_kind_of_call() -> None:
    used = used_codes()
    # a literal to app_problem, a constant imported under another name, a `code = ... if ... else ...`,
    # a dataclass field (Finding), a tuple assignment
    for code in ("no-template", "unknown-property", "incomplete-output", "k8s-wrong-type", "invalid-parameter"):
        assert code in used


def test_every_code_the_engine_uses_is_listed() -> None:
    missing = {code: where for code, where in used_codes().items() if code not in codes.CODES}
    assert not missing, f"add these codes to engine/codes.py: {missing}"


def test_every_listed_code_is_used() -> None:
    unused = set(codes.CODES) - set(used_codes())
    assert not unused, f"codes listed but never used: {sorted(unused)}"


def test_every_code_has_a_meaning_and_a_fixer() -> None:
    for info in codes.CODES.values():
        assert info.meaning.endswith(".") and info.fixers, info


def test_the_readme_lists_every_code() -> None:
    assert codes.markdown_table() in README.read_text(encoding="utf-8"), (
        "README's table of problem codes is out of date; paste engine.codes.markdown_table()")


@pytest.mark.parametrize("problem", [
    Problem("k8s-wrong-type", "spec.replicas: expected an integer", Fixer.DEFINITION,
            Location("components[web].traits[scaler]", "scaler", "trait", "out/web.yaml", 13, 3), ("a.cue:4",)),
    Problem("cue-unavailable", "cue not found", Fixer.ENVIRONMENT),
], ids=["located", "bare"])
def test_problem_round_trips_through_a_dict(problem: Problem) -> None:
    data = problem.to_dict()
    assert set(data) == {"code", "message", "fixer", "app_path", "definition", "definition_kind", "file", "line",
                         "column", "related"}
    assert Problem.from_dict(data) == problem
