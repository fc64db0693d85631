"""An object to check and where it came from: a rendered object or a document of a YAML file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import contract
from ..errors import Fixer, Location, Problem
from ..model import Application, RenderedObject
from ..paths import Parts, bracket_text

# Objects of this component type are written by the app author, not made by a template.
_APP_WRITTEN_COMPONENT = "k8s-objects"


@dataclass(frozen=True)
class Subject:
    """One Kubernetes object body and who made it, for problems that point back there."""

    body: Mapping[str, Any]
    app_path: str = ""  # components[web].traits[scaler], policies[eu]
    definition: str = ""  # the component's or trait's type
    definition_kind: str = ""
    file: str = ""
    line: int | None = None
    fixer: Fixer = Fixer.DEFINITION
    # Field path (as bracket_text writes it) -> (line, column) in `file`, for bodies read from YAML.
    lines: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """`Deployment default/web`, `ClusterRole reader`."""
        meta = self.body.get("metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        name = str(meta.get("name") or "<unnamed>")
        namespace = meta.get("namespace")
        return f"{self.body.get('kind') or '<no kind>'} {f'{namespace}/' if namespace else ''}{name}"

    def problem(self, code: str, path: Parts, message: str) -> Problem:
        """A problem at field `path` of this object."""
        where = bracket_text(path)
        text = f"{self.title}: {where}: {message}" if where else f"{self.title}: {message}"
        line, column = self._position(path)
        return Problem(code, text, self.fixer,
                       Location(self.app_path, self.definition, self.definition_kind, self.file, line, column))

    def _position(self, path: Parts) -> tuple[int | None, int | None]:
        """Where the field is written, or its closest parent that is (a missing field's parent)."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(bracket_text(path[:end]))
            if found is not None:
                return found
        return self.line, None


def from_rendered(obj: RenderedObject, app: Application | None = None) -> Subject:
    """A Subject for a rendered object; `app` (when given) adds definition types, file and line."""
    if obj.policy is not None:
        return Subject(obj.body, f"policies[{obj.policy}]", "", contract.KIND_POLICY,
                       app.source if app else "")
    path = f"components[{obj.component}]"
    component = next((c for c in app.components if c.name == obj.component), None) if app else None
    if obj.trait is not None:
        path += f".traits[{obj.trait}]"
        definition, kind = obj.trait, contract.KIND_TRAIT
    else:
        definition, kind = (component.type if component else ""), contract.KIND_COMPONENT
    fixer = Fixer.APP if obj.trait is None and definition == _APP_WRITTEN_COMPONENT else Fixer.DEFINITION
    line = app.lines.get(path) if app else None
    return Subject(obj.body, path, definition, kind, app.source if app else "", line, fixer)
