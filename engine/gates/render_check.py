"""The object check a render runs last when asked (`render(..., check=KubernetesCheck())`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..contract import DEFAULT_CLUSTER_VERSION
from ..errors import Problem
from ..model import Application, RenderResult
from .check import validate_result
from .crds import CustomKinds, load_crds


@dataclass
class KubernetesCheck:
    """Checks a render's objects against the Kubernetes API types (and `crds`); an ObjectCheck.

    Objects of kinds neither knows pass; the notes about them gather in `notes`, render after
    render, for the caller to show.
    """

    crds: CustomKinds | None = None
    cluster_version: tuple[int, int] = DEFAULT_CLUSTER_VERSION
    notes: list[str] = field(default_factory=list)

    @classmethod
    def with_crds(cls, crd_paths: Iterable[str | Path] = (),
                  cluster_version: tuple[int, int] = DEFAULT_CLUSTER_VERSION) -> KubernetesCheck:
        """A check that knows the CustomResourceDefinitions in `crd_paths` (files or folders).

        Raises AppError when a CRD cannot be read or has no usable schema.
        """
        paths = list(crd_paths)
        return cls(load_crds(paths) if paths else None, cluster_version)

    def __call__(self, result: RenderResult, app: Application | None) -> Sequence[Problem]:
        validation = validate_result(result, app=app, crds=self.crds, cluster_version=self.cluster_version)
        self.notes += validation.notes
        return validation.problems
