"""Write rendered objects: a YAML stream, a JSON List, or a folder of files written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Fixer
from ..yamlio import dump, escape_comment
from .files import OutputFile, file_part, write_files

if TYPE_CHECKING:
    from ..model import RenderedObject, RenderResult


def dump_yaml(body: Any) -> str:
    """Block-style YAML whose strings every YAML 1.1 and 1.2 reader reads back as strings."""
    return dump(body)


def header(app_title: str, obj: RenderedObject) -> str:
    """`# Application(shop with topology eu) -- Component(frontend)`, as `vela dry-run` heads
    each component's objects (`-- Policy(name)` for a policy's)."""
    what = f"Policy({obj.policy})" if obj.policy is not None else f"Component({obj.component})"
    return f"# {escape_comment(f'Application({app_title}) -- {what}')}\n"


def _origin(obj: RenderedObject) -> str:
    """The comment `vela dry-run` puts above an extra object."""
    if obj.policy is not None or obj.output_name is None:
        return ""
    if obj.trait is None:
        return "## From the auxiliary workload\n"
    return f"## From the trait {escape_comment(obj.trait)}\n"


def yaml_stream(result: RenderResult, headers: bool = True) -> str:
    """A `---` separated stream of every object, in output order.

    With `headers`, the first object of each component (or policy) of each environment starts
    with a comment naming the app, the environment and the component; extra objects say which
    trait made them. The comments sit inside the documents, so the stream holds objects only.
    """
    titles = {env.name: env.title or result.app for env in result.environments}
    parts = []
    group: tuple[str, str, str | None] | None = None
    for obj in result.objects:
        comments = ""
        if headers:
            current = (obj.environment, obj.component, obj.policy)
            if current != group:
                comments = header(titles.get(obj.environment, result.app), obj)
                group = current
            comments += _origin(obj)
        parts.append(f"---\n{comments}{dump_yaml(dict(obj.body))}")
    return "".join(parts)


def json_list(result: RenderResult) -> str:
    """A Kubernetes `List` of every object, in output order."""
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": result.bodies()}, indent=2,
                      ensure_ascii=False) + "\n"


def object_file(obj: RenderedObject) -> Path:
    """`[<env>/]<component>/<kind>-<name>.yaml`; a policy's objects under `[<env>/]policies/<policy>/`."""
    name = f"{file_part(obj.kind.lower())}-{file_part(obj.name or obj.output_name or 'unnamed')}.yaml"
    parts = [file_part(obj.environment)] if obj.environment else []
    owner = ["policies", file_part(obj.policy)] if obj.policy is not None else [file_part(obj.component)]
    return Path(*parts, *owner, name)


def _describe(obj: RenderedObject) -> str:
    owner = f"policy {obj.policy!r}" if obj.policy is not None else f"component {obj.component!r}"
    where = f" in environment {obj.environment!r}" if obj.environment else ""
    return f"{obj.kind} {obj.name or obj.output_name or 'unnamed'!r} of {owner}{where}"


def output_files(result: RenderResult) -> list[OutputFile]:
    """One file per object; a second object of one kind and name of one component gets its
    output's name as a suffix (`service-web-expose.yaml`)."""
    files: list[OutputFile] = []
    # Path -> who took it. Objects of different owners whose names sanitize alike are left to
    # collide: the writer reports them, instead of a suffix hiding the clash.
    taken: dict[str, tuple[str, str, str | None]] = {}
    for obj in result.objects:
        path = object_file(obj)
        owner = (obj.environment, obj.component, obj.policy)
        if taken.get(path.as_posix().casefold()) == owner:
            path = path.with_name(f"{path.stem}-{file_part(obj.output_name or 'workload')}.yaml")
        taken.setdefault(path.as_posix().casefold(), owner)
        files.append(OutputFile(path.as_posix(), dump_yaml(dict(obj.body)), _describe(obj)))
    return files


def write_output_dir(result: RenderResult, target: Path) -> list[Path]:
    """Write one file per object under `target`, all or nothing; returns the files written.

    Raises OutputError, writing nothing, when two objects map to one file or a link is in the way.
    """
    return write_files(Path(target), output_files(result), fixer=Fixer.APP)
