"""Write rendered objects: a YAML stream, a JSON List, or a folder of files written atomically."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .model import RenderedObject, RenderResult


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks, keys in their rendered order."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump_yaml(body: Any) -> str:
    return yaml.dump(body, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1 << 16)


def yaml_stream(result: RenderResult) -> str:
    """A `---` separated stream of every object, in output order."""
    return "".join(f"---\n{dump_yaml(dict(o.body))}" for o in result.objects)


def json_list(result: RenderResult) -> str:
    """A Kubernetes `List` of every object, in output order."""
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": result.bodies()}, indent=2,
                      ensure_ascii=False) + "\n"


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", part) or "_"


def object_file(obj: RenderedObject) -> Path:
    """`[<env>/]<component>/<kind>-<name>.yaml`."""
    name = f"{_safe(obj.kind.lower())}-{_safe(obj.name or obj.output_name or 'unnamed')}.yaml"
    parts = [_safe(obj.environment)] if obj.environment else []
    return Path(*parts, _safe(obj.component), name)


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
