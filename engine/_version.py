"""The package version: a source checkout's pyproject.toml, else the installed distribution's metadata."""

from __future__ import annotations

import tomllib
from pathlib import Path

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def package_version() -> str:
    """The version of oam-render: the checkout's when run from one, else the installed one's."""
    # A checkout says its own version, even when another copy of oam-render is installed.
    try:
        project = tomllib.loads(_PYPROJECT.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        project = {}
    if project.get("name") == "oam-render" and isinstance(project.get("version"), str):
        return str(project["version"])
    from importlib import metadata  # an installed copy: its metadata (slower to load)

    try:
        return metadata.version("oam-render")
    except metadata.PackageNotFoundError:
        return "0+unknown"

