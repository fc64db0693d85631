"""Golden cases: one folder per case under tests/golden, rendered with the real cue binary.

A case folder holds `app.yaml` (one or more documents), optionally `defs/` (definitions
searched before the bundled ones) and `options.yaml` (cluster_version, namespace, env, strict,
compat, objects, and `needs`: tools such as helm the case is skipped without), and either
`expected.yaml` (the object stream) or `expected-error.yaml` (the problems); a case rendered
with `compat` also keeps its warnings in `expected-warnings.yaml`. Adding a case needs no
code. `pytest --update-golden` rewrites the expectations.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from deepdiff import DeepDiff

from engine import OamError, RenderOptions, render
from tests.support import TESTS

GOLDEN = TESTS / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "app.yaml").is_file())


def _options(case: Path) -> RenderOptions:
    raw: dict[str, Any] = {}
    if (case / "options.yaml").is_file():
        raw = yaml.safe_load((case / "options.yaml").read_text()) or {}
    major, minor = str(raw.get("cluster_version", "1.31")).split(".")[:2]
    return RenderOptions(cluster_version=(int(major), int(minor)), namespace=raw.get("namespace"),
                         environment=raw.get("env"), strict=bool(raw.get("strict", False)),
                         compat=raw.get("compat"), objects=tuple(str(case / p) for p in raw.get("objects", ())))


def _problem(problem: Any, case: Path) -> dict[str, Any]:
    where = problem.location
    file = where.file
    for root in (case, GOLDEN.parent.parent):
        if file.startswith(str(root) + "/"):
            file = file[len(str(root)) + 1:]
    # Paths inside messages depend on where the checkout is: spell them from the repo root.
    message = problem.message.replace(f"{GOLDEN.parent.parent}/", "")
    return {"code": problem.code, "path": where.app_path, "message": message,
            "definition": where.definition, "file": file, "line": where.line}


def _actual(case: Path) -> tuple[str, Any, list[str] | None]:
    """(expectation file, what it should hold, the warnings when the case renders with compat)."""
    defs = [case / "defs"] if (case / "defs").is_dir() else []
    options = _options(case)
    try:
        result = render(case / "app.yaml", definitions=defs, options=options)
    except OamError as error:
        return "expected-error.yaml", [_problem(p, case) for p in error.problems], None
    warnings = [w.replace(f"{GOLDEN.parent.parent}/", "") for w in result.warnings]
    return "expected.yaml", result.bodies(), warnings if options.compat else None


def _skip_without_tools(case: Path) -> None:
    """A case whose options.yaml says `needs: [helm]` runs only where that tool is on PATH."""
    if not (case / "options.yaml").is_file():
        return
    raw = yaml.safe_load((case / "options.yaml").read_text()) or {}
    for tool in raw.get("needs", ()):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not on PATH (`make tools` installs the pinned one)")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, update_golden: bool) -> None:
    _skip_without_tools(case)
    kind, actual, warnings = _actual(case)
    if update_golden:
        for stale in ("expected.yaml", "expected-error.yaml", "expected-warnings.yaml"):
            (case / stale).unlink(missing_ok=True)
        docs = actual if kind == "expected.yaml" else [actual]
        (case / kind).write_text(yaml.safe_dump_all(docs, sort_keys=False))
        if warnings is not None:
            (case / "expected-warnings.yaml").write_text(yaml.safe_dump(warnings, sort_keys=False, width=1 << 16))
        return
    if warnings is not None:
        said = yaml.safe_load((case / "expected-warnings.yaml").read_text())
        assert warnings == said, f"{case.name}: warnings differ: {warnings}"
    expected_files = [f for f in ("expected.yaml", "expected-error.yaml") if (case / f).is_file()]
    assert expected_files, f"{case.name}: no expectation; run pytest --update-golden and review it"
    expected_kind = expected_files[0]
    docs = list(yaml.safe_load_all((case / expected_kind).read_text()))
    expected = docs if expected_kind == "expected.yaml" else docs[0]
    assert kind == expected_kind, f"{case.name}: expected {expected_kind}, got {kind}: {actual}"
    diff = DeepDiff(expected, actual, ignore_order=False)
    assert not diff, f"{case.name} differs from {expected_kind}:\n{diff.pretty()}"
