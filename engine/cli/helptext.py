"""What `--help` says beyond the flags: a description, examples and exit codes for every command."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

_PROBLEMS = "1  problems found (printed as --error-format says)"
_USAGE = "2  usage error (a wrong flag or argument)"
_EXIT = {
    "default": ("0  done", _PROBLEMS, _USAGE),
    "validate": ("0  every object is valid (kinds nobody knows pass with a note)", _PROBLEMS, _USAGE),
    "diff": ("0  the two sides are equal", "1  they differ",
             "2  trouble: a side cannot be read or rendered, or a usage error"),
    "def vet": ("0  no errors (and with --strict, no warnings)", "1  errors (or warnings with --strict)", _USAGE),
    "version": ("0  done", _USAGE),
    "completion": ("0  done", _USAGE),
}
EXAMPLES: Mapping[str, tuple[str, ...]] = {
    "render": ("oam-render render -f examples/quickstart/app.yaml",
               "oam-render render -f app.yaml -d definitions/ --validate --error-format github",
               "oam-render render -f app.yaml --output-dir out/ --env production"),
    "validate": ("oam-render validate out/", "oam-render validate rendered.yaml --crd crds/ --cluster-version 1.29"),
    "diff": ("oam-render diff main/app.yaml app.yaml",
             "oam-render diff old.yaml new.yaml --ignore 'metadata.labels[\"app.oam.dev/appRevision\"]' -o json"),
    "version": ("oam-render version",),
    "completion": ("oam-render completion bash > /etc/bash_completion.d/oam-render",
                   "oam-render completion zsh > \"${fpath[1]}/_oam-render\"",
                   "oam-render completion fish > ~/.config/fish/completions/oam-render.fish"),
    "def vet": ("oam-render def vet definitions/", "oam-render def vet my-trait.cue --strict --error-format json"),
    "def render": ("oam-render def render my-trait.cue -o my-trait.yaml",),
    "def convert": ("oam-render def convert crds/*.yaml -o definitions/",),
    "def init": ("oam-render def init my-trait -t trait -o my-trait.cue",),
    "convert v1alpha2": ("oam-render convert v1alpha2 -f legacy/*.yaml --output-dir converted/",),
    "schema": ("oam-render schema webservice", "oam-render schema gateway --dialect draft-2020-12",
               "oam-render schema --all --output-dir schemas/"),
    "show": ("oam-render show webservice", "oam-render show my-trait.cue --format markdown"),
    "docs": ("oam-render docs --output-dir docs/reference -d definitions/ --only user",),
}


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Epilogs as written (examples keep their lines), and every flag's default shown."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if "%(default)" in text or not action.option_strings or default in (None, False, [], argparse.SUPPRESS):
            return text
        shown = ".".join(map(str, default)) if isinstance(default, tuple) else str(default)
        return f"{text} (default: {shown.replace('%', '%%')})"


def epilog(command: str) -> str:
    """The examples and exit codes of `command` (`render`, `def vet`)."""
    lines = ["examples:", *(f"  {line}" for line in EXAMPLES.get(command, ()))] if command in EXAMPLES else []
    if lines:
        lines.append("")
    lines += ["Exit codes:", *(f"  {line}" for line in _EXIT.get(command, _EXIT["default"]))]
    return "\n".join(lines)


def _summaries(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each subcommand's one-line help, as its parent lists it."""
    found: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update({choice.dest: choice.help or "" for choice in action._choices_actions})
    return found


def _walk(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = HelpFormatter
    summaries = _summaries(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if sub.description is None and summaries.get(name):
                    sub.description = summaries[name][0].upper() + summaries[name][1:] + "."
                _walk(sub)


def describe(root: argparse.ArgumentParser, commands: Mapping[str, argparse.ArgumentParser]) -> None:
    """Give every parser the help formatter, a description, and each command its epilog."""
    _walk(root)
    root.epilog = "Run `oam-render COMMAND --help` for a command's flags, examples and exit codes."
    for name, parser in commands.items():
        parser.epilog = epilog(name)
