"""Write rendered objects: a YAML stream, a JSON List, or a folder of files written atomically."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .model import RenderedObject, RenderResult
from .yamlio import dump, escape_comment


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


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", part) or "_"


def object_file(obj: RenderedObject) -> Path:
    """`[<env>/]<component>/<kind>-<name>.yaml`; a policy's objects under `[<env>/]policies/<policy>/`."""
    name = f"{_safe(obj.kind.lower())}-{_safe(obj.name or obj.output_name or 'unnamed')}.yaml"
    parts = [_safe(obj.environment)] if obj.environment else []
    owner = ["policies", _safe(obj.policy)] if obj.policy is not None else [_safe(obj.component)]
    return Path(*parts, *owner, name)


def write_output_dir(result: RenderResult, target: Path) -> list[Path]:
    """Write one file per object under `target`; all or nothing (staged, then moved in)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".oam-render-", dir=target.parent))
    written = []
    try:
        for obj in result.objects:
            path = staging / object_file(obj)
            if path.exists():
                path = path.with_name(f"{path.stem}-{obj.output_name or 'workload'}.yaml")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump_yaml(dict(obj.body)), encoding="utf-8")
            written.append(target / path.relative_to(staging))
        if not target.exists():
            staging.rename(target)
            return written
        # An existing folder may hold files of the user's: replace only ours, file by file.
        for path in written:
            path.parent.mkdir(parents=True, exist_ok=True)
            (staging / path.relative_to(target)).replace(path)
        shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written
