"""The CI examples hold: the GitHub workflow and the pre-commit hooks run real oam-render commands."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.cli.main import build_parser

ROOT = Path(__file__).resolve().parent.parent.parent
WORKFLOW = ROOT / "examples" / "ci" / "github-workflow.yaml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
_SHELL_STOP = {">", ">>", "||", "&&", "|", ";", "2>&1"}


def oam_render_commands(script: str) -> list[list[str]]:
    """Every `oam-render ...` command of a shell script, as argv (up to a redirection or `||`)."""
    joined = script.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        start = line.find("oam-render ")
        if start < 0:
            continue
        argv = []
        for token in shlex.split(line[start:]):
            if token in _SHELL_STOP or token.startswith((">", "2>")):
                break
            argv.append(token.rstrip(";"))
        commands.append(argv)
    return commands


def _parses(argv: list[str]) -> Any:
    assert argv[0] == "oam-render"
    return build_parser().parse_args(argv[1:])


def _steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_the_workflow_runs_on_pull_requests() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on"
    assert "pull_request" in (workflow.get("on") or workflow.get(True))


def test_the_workflow_renders_with_validation_and_diffs() -> None:
    commands = [argv for step in _steps() if "run" in step for argv in oam_render_commands(step["run"])]
    parsed = [_parses(argv) for argv in commands]
    render = [args for args in parsed if args.command == "render"]
    assert render and all(args.validate and args.error_format == "github" for args in render)
    assert any(args.command == "diff" for args in parsed)
    assert any(args.command == "version" for args in parsed)


def test_the_workflow_accepts_a_difference_but_not_trouble() -> None:
    diff_step = next(step for step in _steps() if "oam-render diff" in step.get("run", ""))
    assert "|| [ $? -eq 1 ]" in diff_step["run"]


def test_the_readme_shows_the_workflow() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```yaml\n{WORKFLOW.read_text()}```\n" in readme


def _hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text())}


def test_pre_commit_hooks_are_well_formed() -> None:
    hooks = _hooks()
    assert set(hooks) == {"oam-render-validate", "oam-render-def-vet"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language", "files"} <= set(hook)
        re.compile(hook["files"])
    assert re.search(hooks["oam-render-validate"]["files"], "apps/shop.yaml")
    assert re.search(hooks["oam-render-def-vet"]["files"], "definitions/trait/sidecar.cue")


def _hook_argv(hook: dict[str, Any], files: list[str]) -> list[str]:
    return [*shlex.split(hook["entry"]), *hook.get("args", []), *files]


def test_the_def_vet_hook_is_a_real_command() -> None:
    args = _parses(_hook_argv(_hooks()["oam-render-def-vet"], ["definitions/trait/sidecar.cue"]))
    assert args.command == "def" and args.def_command == "vet"


def test_the_validate_hook_renders_each_file_with_validation() -> None:
    hook = _hooks()["oam-render-validate"]
    argv = _hook_argv(hook, ["apps/a.yaml"])
    assert argv[:2] == ["sh", "-c"]
    script = argv[2]
    command, = oam_render_commands(script)
    # the hook's own flags and the file, as the script puts them together
    args = _parses([c for c in command if c != "$opts"] + ["-d", "definitions/"])
    assert args.command == "render" and args.validate and args.files == ["$app"]


@pytest.mark.parametrize("args, files, runs", [
    (["--"], ["a.yaml", "b.yaml"], ["--validate -f a.yaml", "--validate -f b.yaml"]),
    (["-d", "defs/", "--"], ["a.yaml"], ["--validate -d defs/ -f a.yaml"]),
], ids=["no-flags", "flags"])
def test_the_validate_hook_splits_flags_from_files(tmp_path: Path, args: list[str], files: list[str],
                                                   runs: list[str]) -> None:
    """The hook's shell script with a stand-in oam-render that logs its arguments."""
    log = tmp_path / "log"
    fake = tmp_path / "oam-render"
    fake.write_text(f'#!/bin/sh\nshift\necho "$*" >> {log}\n')
    fake.chmod(0o755)
    hook = _hooks()["oam-render-validate"]
    argv = [*shlex.split(hook["entry"]), *args, *files]
    done = subprocess.run(argv, env={"PATH": f"{tmp_path}:/usr/bin:/bin"}, check=False, timeout=30)
    assert done.returncode == 0
    assert log.read_text().splitlines() == runs
