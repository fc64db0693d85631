"""What `--compat kubevela` lets through as warnings: the checks oam-render adds and KubeVela skips."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..errors import Problem

KUBEVELA = "kubevela"
MODES = (KUBEVELA,)

# Problem codes of our deliberate strictness. KubeVela only documents appliesToWorkloads and
# conflictsWith, and ignores an override selector or entry naming no component: with
# compat=kubevela these warn, and the render goes on as vela's would (the trait is applied,
# the override entry changes nothing).
LENIENT = {
    KUBEVELA: frozenset({"trait-not-applicable", "trait-conflict", "unknown-component"}),
}


def split(problems: Sequence[Problem], compat: str | None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings): the problems the compat mode lets through become warnings.

    Raises ValueError for a mode that is not one of MODES."""
    if compat is not None and compat not in MODES:
        raise ValueError(f"unknown compat mode {compat!r}; known: {', '.join(MODES)}")
    lenient = LENIENT.get(compat or "", frozenset())
    errors = [p for p in problems if p.code not in lenient]
    warnings = [dataclasses.replace(p, message=f"{p.message}; KubeVela lets this through (--compat {compat})")
                for p in problems if p.code in lenient]
    return errors, warnings
