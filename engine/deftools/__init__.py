"""The definition toolbox: vet, render to CRD YAML, convert to `.cue`, and new skeletons."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .. import contract
from ..cue.runner import Cue
from ..definitions import BrokenDefinition
from ..errors import definition_problem
from .checks import check_name
from .convert import (
    ALIAS_ANNOTATION,
    DefinitionForm,
    form_from_cue,
    formatted_cue,
    forms_from_yaml,
    render_yaml,
)
from .vet import Finding, vet_files

__all__ = [
    "ALIAS_ANNOTATION",
    "DefinitionForm",
    "Finding",
    "KINDS",
    "convert_files",
    "read_forms",
    "render_files",
    "skeleton",
    "vet_files",
]

KINDS = tuple(contract.KIND_TO_CRD)

_SKELETON_BODIES = {
    contract.KIND_COMPONENT: """
	output: {
		apiVersion: "apps/v1"
		kind:       "Deployment"
		spec: {
			selector: matchLabels: "app.oam.dev/component": context.name
			template: {
				metadata: labels: "app.oam.dev/component": context.name
				spec: containers: [{
					name:  context.name
					image: parameter.image
					if parameter.port != _|_ {
						ports: [{containerPort: parameter.port}]
					}
				}]
			}
		}
	}

	parameter: {
		// +usage=Container image to run
		image: string
		// +usage=Port the container listens on, if any
		port?: int
	}
""",
    contract.KIND_TRAIT: """
	// Merged into the component's workload; containers are matched by name, not by position.
	patch: spec: template: spec: {
		// +patchKey=name
		containers: [{
			name: context.name
			// +patchKey=name
			env: [for k, v in parameter.env {name: k, value: v}]
		}]
	}

	parameter: {
		// +usage=Environment variables to set on the main container, by name
		env: [string]: string
	}
""",
    contract.KIND_POLICY: """
	parameter: {
		// +usage=Names of the components this policy applies to (all when empty)
		components: *[] | [...string]
		// +usage=Whether the policy is in force
		enabled: *true | bool
	}
""",
    contract.KIND_WORKFLOW_STEP: """
	parameter: {
		// +usage=Names of the components this step acts on
		components: [...string]
		// +usage=Seconds to wait before the step fails
		timeout: *300 | int
	}
""",
}
_SKELETON_ATTRIBUTES: dict[str, dict[str, object]] = {
    contract.KIND_COMPONENT: {"workload": {"definition": {"apiVersion": "apps/v1", "kind": "Deployment"},
                                           "type": "deployments.apps"}},
    contract.KIND_TRAIT: {"podDisruptive": True, "appliesToWorkloads": ["deployments.apps"]},
    contract.KIND_POLICY: {},
    contract.KIND_WORKFLOW_STEP: {},
}


def read_forms(path: Path) -> list[DefinitionForm]:
    """The definitions of one file, either format; raises BrokenDefinition or OSError."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".cue":
        return [form_from_cue(text, str(path))]
    return forms_from_yaml(text, str(path))


def render_files(paths: Sequence[Path]) -> str:
    """The CRD YAML stream of every definition in `paths`; raises BrokenDefinition or OSError."""
    return render_yaml([form for path in paths for form in read_forms(path)])


def convert_files(paths: Sequence[Path], cue: Cue) -> list[tuple[str, str]]:
    """(name, formatted `.cue` text) of every definition in `paths`.

    Raises BrokenDefinition (also when cue cannot parse a template) or OSError.
    """
    return [(form.name, formatted_cue(form, cue)) for path in paths for form in read_forms(path)]


def skeleton(name: str, kind: str, cue: Cue, description: str = "") -> str:
    """A documented `.cue` definition of `kind` that passes `def vet`; raises BrokenDefinition
    for a name Kubernetes would refuse."""
    problems = check_name(name, 1)
    if problems:
        raise BrokenDefinition(definition_problem("bad-name", problems[0].message, definition=name))
    form = DefinitionForm(
        name=name, kind=kind, template=_SKELETON_BODIES[kind],
        description=description or f"TODO: describe what the {name} {kind} does.",
        attributes=_SKELETON_ATTRIBUTES[kind])
    return formatted_cue(form, cue)

