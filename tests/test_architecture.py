"""The engine's shape holds: no import cycles, no import up a layer, no module too long."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import engine

ENGINE = Path(engine.__file__).resolve().parent
ROOT = ENGINE.parent
MAX_LINES = 400

# Every engine module belongs to the layer of its longest matching prefix.
LAYERS = {
    "engine.contract": "base",
    "engine.errors": "base",
    "engine.paths": "base",  # pure: the CUE readers name paths too
    "engine.suggest": "base",
    "engine.codes": "base",  # the public table of problem codes: data, read by gates and the CLI
    "engine._version": "base",  # reads pyproject.toml or the installed metadata: nothing of the engine
    "engine.cue.syntax": "syntax",  # readers of CUE text: pure Python, below the definitions
    "engine.cue.source": "syntax",
    "engine.cue.concrete": "syntax",
    "engine.cue.defs": "syntax",
    "engine.model": "core",
    "engine.definition": "core",  # one Definition and its two file formats
    "engine.definitions": "core",
    "engine.documents": "core",
    "engine.yamlio": "core",
    "engine.yamlload": "core",
    "engine.names": "core",
    "engine.cache": "core",
    "engine.facts": "core",
    "engine.cue": "cue",
    "engine.helm": "cue",  # the other tool gateway (helm template), beside the cue gateway
    "engine.output": "output",
    "engine.schema": "schema",
    "engine.legacy": "legacy",
    "engine.render": "render",
    "engine.deftools": "deftools",
    "engine.gates": "gates",
    "engine.cli": "cli",
    "engine.__main__": "api",
    "engine": "api",
}
_BELOW_STAGES = {"base", "syntax", "core", "cue"}
# The layers each layer may import (its own layer always). Nothing imports cli or the api.
MAY_IMPORT = {
    "base": set(),
    "syntax": {"base"},
    "core": {"base", "syntax"},
    "cue": {"base", "syntax", "core"},
    "output": {"base", "core"},
    "schema": _BELOW_STAGES | {"output"},  # the store writes schemas/ through the one safe writer
    "legacy": _BELOW_STAGES | {"output"},
    "render": _BELOW_STAGES | {"output", "schema", "legacy"},
    "deftools": _BELOW_STAGES | {"schema"},
    "gates": _BELOW_STAGES | {"output", "render"},
    "cli": _BELOW_STAGES | {"output", "schema", "legacy", "render", "deftools", "gates"},
    "api": _BELOW_STAGES | {"output", "schema", "legacy", "render", "deftools", "gates", "cli"},
}
# Imports allowed against the layering, each with its reason.
EXCEPTIONS = {
    ("engine.model", "engine.output.emit"):
        "RenderResult.to_yaml/to_json serialize lazily; emit imports model for typing only",
    ("engine.deftools.lint", "engine.render.strategies"):
        "the linter checks patch markers against the one table of strategies, kept beside the merge"
        " that runs them (render/strategies.py imports only the contract)",
}
# Modules over MAX_LINES when the tree was laid out; split them, then drop their line here.
KNOWN_LONG: set[str] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ENGINE.rglob("*.py")):
        parts = path.relative_to(ENGINE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(node: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Imports at any depth (functions too), except under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            found.append(child)
        elif _is_type_checking(child):
            found.extend(n for c in child.orelse for n in _import_nodes(c))
        else:
            found.extend(_import_nodes(child))
    return found


def imports_of(name: str) -> set[str]:
    """The engine modules `name` imports, run-time imports only."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
            continue
        base = node.module or ""
        if node.level:
            base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
        for alias in node.names:
            full = f"{base}.{alias.name}"
            targets.add(full if full in MODULES else base)
    return {t for t in targets if t in MODULES and t != name}


def _with_packages(importer: str, targets: set[str]) -> set[str]:
    """Importing engine.a.b.c runs engine.a and engine.a.b first: those are edges too."""
    out = set(targets)
    for target in targets:
        parts = target.split(".")
        for n in range(2, len(parts)):
            package = ".".join(parts[:n])
            if not (importer == package or importer.startswith(package + ".")):
                out.add(package)
    return out


GRAPH = {name: _with_packages(name, imports_of(name)) for name in MODULES}


def layer(name: str) -> str:
    best = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[best]


def test_no_import_cycles() -> None:
    """Depth-first search; a back edge is a cycle, reported as the chain of imports."""
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(GRAPH[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    shown = cycles[:10] + ([f"... and {len(cycles) - 10} more"] if len(cycles) > 10 else [])
    assert not cycles, "import cycles:\n" + "\n".join(shown)


def test_no_import_points_up_a_layer() -> None:
    wrong = []
    for name in sorted(MODULES):
        for target in sorted(imports_of(name)):
            mine, theirs = layer(name), layer(target)
            if theirs != mine and theirs not in MAY_IMPORT[mine] and (name, target) not in EXCEPTIONS:
                wrong.append(f"{name} ({mine}) imports {target} ({theirs})")
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_every_module_has_a_layer() -> None:
    assert all(layer(name) in MAY_IMPORT for name in MODULES)


def test_modules_are_short() -> None:
    long = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    over = sorted(f"{name}: {count} lines" for name, count in long.items()
                  if count > MAX_LINES and name not in KNOWN_LONG)
    assert not over, f"modules over {MAX_LINES} lines (split them):\n" + "\n".join(over)


def test_every_package_is_in_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert packages <= listed, f"add to [tool.setuptools] packages: {sorted(packages - listed)}"
