"""Every problem code oam-render reports, with its meaning and who fixes it (a public table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from .errors import Fixer

_APP, _DEF, _ENV = Fixer.APP, Fixer.DEFINITION, Fixer.ENVIRONMENT


@dataclass(frozen=True)
class CodeInfo:
    """What a problem code means and who usually has to act (first the most likely)."""

    code: str
    meaning: str
    fixers: tuple[Fixer, ...]


_TABLE: dict[str, CodeInfo] = {}


def _code(code: str, meaning: str, *fixers: Fixer) -> str:
    _TABLE[code] = CodeInfo(code, meaning, fixers)
    return code


# Reading the input
INPUT: Final = _code("input", "A file or folder cannot be read, or holds something other than what is expected.", _APP)
YAML: Final = _code("yaml", "Malformed YAML.", _APP, _DEF)
YAML_LIMIT: Final = _code("yaml-limit", "YAML too large or too deeply nested for oam-render's limits.", _APP, _DEF)
YAML_VALUE: Final = _code("yaml-value", "A YAML value that is not plain data (a complex key, a custom tag).",
                          _APP, _DEF)
API_VERSION: Final = _code("api-version", "A document with the wrong apiVersion for its kind.", _APP)
INVALID_NAME: Final = _code("invalid-name", "A name or namespace that Kubernetes would refuse.", _APP)
# The app against its definitions
UNKNOWN_TYPE: Final = _code("unknown-type", "A component, trait or policy type no definition provides.", _APP)
UNKNOWN_COMPONENT: Final = _code("unknown-component", "A reference to a component the app does not have.", _APP)
UNKNOWN_ENVIRONMENT: Final = _code("unknown-environment", "--env names an environment the app does not deploy to.",
                                   _APP)
MISSING_POLICY: Final = _code("missing-policy", "A workflow step names a policy that is not defined.", _APP)
MISSING_WORKFLOW: Final = _code("missing-workflow", "A referenced Workflow document is not given.", _APP)
NO_TEMPLATE: Final = _code("no-template", "The type's definition has no CUE template, so a v1beta1 app cannot use it.",
                           _APP, _DEF)
TRAIT_NOT_APPLICABLE: Final = _code("trait-not-applicable", "A trait on a workload type it does not apply to.", _APP)
TRAIT_CONFLICT: Final = _code("trait-conflict", "Two traits of one component that declare a conflict.", _APP)
SCHEMA: Final = _code("schema", "Properties that break the definition's parameter schema.", _APP)
MISSING_PARAMETER: Final = _code("missing-parameter", "A required parameter is not given.", _APP)
INVALID_PARAMETER: Final = _code("invalid-parameter", "A parameter value cue rejects.", _APP)
UNKNOWN_PROPERTY: Final = _code("unknown-property", "A property key the definition does not declare (an error with"
                                " --strict, else a warning).", _APP)
ERRS: Final = _code("errs", "The template's own `errs` field: the app's mistake, in the template author's words.",
                    _APP)
# Evaluating templates and patching
TEMPLATE: Final = _code("template", "The CUE template does not evaluate.", _DEF)
ABSENT_OPTIONAL: Final = _code("absent-optional", "The template reads an optional field the properties leave out,"
                               " where KubeVela fails too (inside an object, output or patch).", _DEF, _APP)
INCOMPLETE_OUTPUT: Final = _code("incomplete-output", "The template leaves an output value incomplete.", _DEF, _APP)
CUE: Final = _code("cue", "cue reports an error that no template position explains.", _DEF)
CUE_OUTPUT: Final = _code("cue-output", "cue's output cannot be read.", _DEF)
SIZE_LIMIT: Final = _code("size-limit", "A template built values past cue's memory limit.", _DEF, _APP)
TIMEOUT: Final = _code("timeout", "The render used up its time budget (--timeout).", _ENV, _DEF)
CUE_UNAVAILABLE: Final = _code("cue-unavailable", "The cue binary is missing, unusable, or not the pinned version.",
                               _ENV)
NO_WORKLOAD: Final = _code("no-workload", "A trait patches the workload, but the component has none.", _APP)
PATCH: Final = _code("patch", "A trait's patch cannot be applied to the workload.", _APP, _DEF)
PATCH_OUTPUTS: Final = _code("patch-outputs", "patchOutputs names an object no earlier trait or component made.",
                             _APP, _DEF)
CONFLICT: Final = _code("conflict", "Two patches set one field to different values.", _APP, _DEF)
# Objects from outside the app (ref-objects, service-binding, helmchart)
MISSING_OBJECT: Final = _code("missing-object", "A ref-objects selector or service-binding Secret that no given object"
                              " matches (give it with -f or --objects).", _APP)
HELM_CHART: Final = _code("helm-chart", "A helmchart component whose chart cannot be had offline or that helm"
                          " rejects.", _APP)
HELM_UNAVAILABLE: Final = _code("helm-unavailable", "The helm CLI is missing or unusable (run `make tools`).", _ENV)
# Definitions
BAD_DEFINITION: Final = _code("bad-definition", "A definition file that cannot be read as a definition.", _DEF)
BAD_NAME: Final = _code("bad-name", "A definition name Kubernetes would refuse.", _DEF)
UNKNOWN_DEFINITION: Final = _code("unknown-definition", "No definition has the name asked for.", _APP)
FORM_DATA: Final = _code("form-data", "Form data that cannot be turned back into properties (an entry with no key,"
                        " a key given twice, unreadable YAML text).", _APP)
SCHEMA_EXPORT: Final = _code("schema-export", "cue cannot export the definition's parameter schema.", _DEF)
# The legacy model (v1alpha2)
LEGACY_COMPONENT: Final = _code("legacy-component", "A v1alpha2 Component that cannot be read.", _DEF)
LEGACY_FIELD_PATH: Final = _code("legacy-field-path", "A v1alpha2 parameter's fieldPaths that cannot be applied.",
                                 _DEF)
LEGACY_TRAIT_DEFINITION: Final = _code("legacy-trait-definition", "A v1alpha2 TraitDefinition that cannot be used.",
                                       _DEF)
UNKNOWN_PARAMETER: Final = _code("unknown-parameter", "A parameterValue the v1alpha2 Component does not declare.",
                                 _APP)
REQUIRED: Final = _code("required", "A required v1alpha2 or kube-schematic parameter is not given.", _APP)
KUBE_PARAMETER: Final = _code("kube-parameter", "A kube-schematic parameter of the wrong type.", _APP)
KUBE_SCHEMATIC: Final = _code("kube-schematic", "A kube-schematic definition that cannot be applied.", _DEF)
CONVERT: Final = _code("convert", "Legacy files that have no faithful v1beta1 equivalent.", _APP)
# Writing output
OUTPUT_PATH_UNSAFE: Final = _code("output-path-unsafe", "An output file name that would leave the output folder.",
                                  _APP, _DEF)
OUTPUT_PATH_COLLISION: Final = _code("output-path-collision", "Two objects that map to one output file.", _APP, _DEF)
OUTPUT_SYMLINK: Final = _code("output-symlink", "A symbolic link in the way of the output folder.", _ENV)
OUTPUT_NOT_A_FILE: Final = _code("output-not-a-file", "Something other than a file where an output file goes.", _ENV)
OUTPUT_NOT_A_FOLDER: Final = _code("output-not-a-folder", "Something other than a folder where the output goes.",
                                   _ENV)
# Checks of rendered objects (render --validate, validate)
K8S_UNKNOWN_FIELD: Final = _code("k8s-unknown-field", "A field the Kubernetes API type does not have (a typo, or a"
                                 " field of another version).", _DEF, _APP)
K8S_WRONG_TYPE: Final = _code("k8s-wrong-type", "A field whose value has the wrong type for the Kubernetes API type.",
                              _DEF, _APP)
K8S_MISSING_FIELD: Final = _code("k8s-missing-field", "A field the Kubernetes API type requires is missing.",
                                 _DEF, _APP)
K8S_UNKNOWN_KIND: Final = _code("k8s-unknown-kind", "An apiVersion/kind pair of a built-in API group that this"
                                " Kubernetes version does not serve.", _DEF, _APP)
K8S_INVALID_VALUE: Final = _code("k8s-invalid-value", "A value the custom resource's schema rejects (enum, pattern,"
                                 " range, ...).", _DEF, _APP)
CRD: Final = _code("crd", "A CustomResourceDefinition given with --crd that has no usable schema.", _APP)
# The definition toolbox (def vet)
VET_ERROR: Final = _code("vet-error", "def vet: a definition file that is wrong.", _DEF)
VET_WARNING: Final = _code("vet-warning", "def vet: a definition file that works but deserves a look.", _DEF)

CODES: Final[Mapping[str, CodeInfo]] = MappingProxyType(_TABLE)


def meaning(code: str) -> str:
    """The meaning of `code`, or the code itself for one this table does not know."""
    info = _TABLE.get(code)
    return info.meaning if info else code


def markdown_table() -> str:
    """The README's table of codes: code, meaning, who fixes it."""
    rows = ["| code | meaning | who fixes it |", "|---|---|---|"]
    rows += [f"| `{i.code}` | {i.meaning} | {' or '.join(f.value for f in i.fixers)} |" for i in _TABLE.values()]
    return "\n".join(rows) + "\n"
