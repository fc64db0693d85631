"""Validate objects offline: built-in kinds against the client's models, custom kinds against CRDs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..contract import DEFAULT_CLUSTER_VERSION
from ..errors import Problem
from ..model import Application, RenderResult
from .crds import CustomKinds, check_custom, load_crds
from .objects import check_body
from .sources import read_objects
from .subjects import Subject, from_rendered


@dataclass(frozen=True)
class Validation:
    """What a validation found: problems (sorted by path) and notes on objects not checked."""

    problems: tuple[Problem, ...]
    notes: tuple[str, ...]
    checked: int  # objects looked at

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_subjects(subjects: Iterable[Subject], *, crds: CustomKinds | None = None,
                      cluster_version: tuple[int, int] = DEFAULT_CLUSTER_VERSION) -> Validation:
    """Check each object: custom kinds that `crds` defines against their schema, the rest
    against the `kubernetes` client's models. Kinds neither knows pass with a note."""
    problems: list[Problem] = []
    notes: list[str] = []
    count = 0
    for subject in subjects:
        count += 1
        validator = crds.validator(str(subject.body.get("apiVersion", "")), str(subject.body.get("kind", ""))) \
            if crds else None
        if validator is not None:
            findings, note = check_custom(subject.body, validator), None
        else:
            findings, note = check_body(subject.body, cluster_version)
        problems += [subject.problem(f.code, f.path, f.message) for f in findings]
        if note:
            notes.append(f"{subject.title}: {note}")
    return Validation(tuple(sorted(problems, key=Problem.sort_key)), tuple(notes), count)


def validate_result(result: RenderResult, *, app: Application | None = None, crds: CustomKinds | None = None,
                    cluster_version: tuple[int, int] = DEFAULT_CLUSTER_VERSION) -> Validation:
    """Validate a render's objects; problems name the component and trait that made each object
    (and, with `app`, the definition type and the app's file and line)."""
    return validate_subjects((from_rendered(obj, app) for obj in result.objects), crds=crds,
                             cluster_version=cluster_version)


def validate_paths(paths: Iterable[str | Path], *, crd_paths: Iterable[str | Path] = (),
                   cluster_version: tuple[int, int] = DEFAULT_CLUSTER_VERSION) -> Validation:
    """Validate the objects of YAML streams and `--output-dir` folders; problems carry file and line.

    Raises AppError when a file cannot be read or is not YAML.
    """
    crd_list = list(crd_paths)
    crds = load_crds(crd_list) if crd_list else None
    return validate_subjects(read_objects(paths), crds=crds, cluster_version=cluster_version)
