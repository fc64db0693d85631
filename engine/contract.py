"""The CUE template contract: every field name and label the engine and templates share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# Top-level fields of a definition template.
PARAMETER: Final = "parameter"
CONTEXT: Final = "context"
OUTPUT: Final = "output"
OUTPUTS: Final = "outputs"
PATCH: Final = "patch"
PATCH_OUTPUTS: Final = "patchOutputs"
ERRS: Final = "errs"

# Keys of `context`, as KubeVela fills them in an offline dry-run.
CTX_NAME: Final = "name"
CTX_APP_NAME: Final = "appName"
CTX_NAMESPACE: Final = "namespace"
CTX_APP_REVISION: Final = "appRevision"
CTX_APP_REVISION_NUM: Final = "appRevisionNum"
CTX_REVISION: Final = "revision"
CTX_COMPONENTS: Final = "components"
CTX_APP_LABELS: Final = "appLabels"
CTX_APP_ANNOTATIONS: Final = "appAnnotations"
CTX_WORKFLOW_NAME: Final = "workflowName"
CTX_PUBLISH_VERSION: Final = "publishVersion"
CTX_REPLICA_KEY: Final = "replicaKey"
CTX_CLUSTER: Final = "cluster"
CTX_CLUSTER_VERSION: Final = "clusterVersion"
CTX_PARAMETER: Final = "parameter"
CTX_COMPONENT_TYPE: Final = "componentType"
CTX_OUTPUT: Final = "output"
CTX_OUTPUTS: Final = "outputs"
CTX_ARTIFACTS: Final = "artifacts"

# Comment markers on patch fields (`// +key=value`).
MARK_PATCH_KEY: Final = "patchKey"
MARK_PATCH_STRATEGY: Final = "patchStrategy"
STRATEGY_RETAIN_KEYS: Final = "retainKeys"
STRATEGY_REPLACE: Final = "replace"
STRATEGY_JSON_MERGE_PATCH: Final = "jsonMergePatch"
STRATEGY_JSON_PATCH: Final = "jsonPatch"
JSON_PATCH_OPERATIONS: Final = "operations"

# Labels put on every rendered object.
LABEL_APP_NAME: Final = "app.oam.dev/name"
LABEL_COMPONENT: Final = "app.oam.dev/component"
LABEL_APP_REVISION: Final = "app.oam.dev/appRevision"
LABEL_NAMESPACE: Final = "app.oam.dev/namespace"
LABEL_WORKLOAD_TYPE: Final = "workload.oam.dev/type"
LABEL_RESOURCE_TYPE: Final = "app.oam.dev/resourceType"
LABEL_TRAIT_TYPE: Final = "trait.oam.dev/type"
LABEL_TRAIT_RESOURCE: Final = "trait.oam.dev/resource"
RESOURCE_TYPE_WORKLOAD: Final = "WORKLOAD"
RESOURCE_TYPE_TRAIT: Final = "TRAIT"
AUXILIARY_WORKLOAD: Final = "AuxiliaryWorkload"

# Application annotations that steer labelling, and keys never copied.
ANNOTATION_FILTER_LABEL_KEYS: Final = "filter.oam.dev/label-keys"
ANNOTATION_FILTER_ANNOTATION_KEYS: Final = "filter.oam.dev/annotation-keys"
ANNOTATION_WORKFLOW_NAME: Final = "app.oam.dev/workflowName"
ANNOTATION_PUBLISH_VERSION: Final = "app.oam.dev/publishVersion"
NEVER_COPIED: Final = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        "app.oam.dev/inplace-upgrade",
        ANNOTATION_FILTER_LABEL_KEYS,
        ANNOTATION_FILTER_ANNOTATION_KEYS,
    }
)
DESCRIPTION_ANNOTATION: Final = "definition.oam.dev/description"

# Definition kinds.
OAM_API_VERSION: Final = "core.oam.dev/v1beta1"
LEGACY_API_VERSION: Final = "core.oam.dev/v1alpha2"  # KubeVela 1.0's model, rendered by engine.legacy
KIND_COMPONENT: Final = "component"
KIND_TRAIT: Final = "trait"
KIND_POLICY: Final = "policy"
KIND_WORKFLOW_STEP: Final = "workflow-step"
CRD_KINDS: Final = {
    "ComponentDefinition": KIND_COMPONENT,
    "WorkloadDefinition": KIND_COMPONENT,
    "TraitDefinition": KIND_TRAIT,
    "PolicyDefinition": KIND_POLICY,
    "WorkflowStepDefinition": KIND_WORKFLOW_STEP,
}
KIND_TO_CRD: Final = {
    KIND_COMPONENT: "ComponentDefinition",
    KIND_TRAIT: "TraitDefinition",
    KIND_POLICY: "PolicyDefinition",
    KIND_WORKFLOW_STEP: "WorkflowStepDefinition",
}

# The fields of a `.cue` definition's metadata struct, in the order `def vet` lists them.
METADATA_KEYS: Final = ("type", "description", "alias", "annotations", "labels", "attributes")
# The attributes (the CRD spec beside the template) each kind may have, with the shape of each
# value: loading refuses any other attribute, `def vet` also checks the shapes.
BOOL, STRING, INT, STRUCT, LIST, STRINGS = (
    "a bool", "a string", "an integer", "a struct", "a list", "a list of strings")
STRING_MAP: Final = "a map of names to strings"  # labels and annotations


def fits(shape: str, value: object) -> bool:
    """Whether `value` has `shape` (one of BOOL, STRING, INT, STRUCT, LIST, STRINGS, STRING_MAP)."""
    if shape == BOOL:
        return isinstance(value, bool)
    if shape == STRING:
        return isinstance(value, str)
    if shape == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if shape == STRUCT:
        return isinstance(value, Mapping)
    if shape == LIST:
        return isinstance(value, list)
    if shape == STRING_MAP:
        return isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())
    return shape == STRINGS and isinstance(value, list) and all(isinstance(v, str) for v in value)


_COMMON_ATTRIBUTES = {"status": STRUCT, "extension": STRUCT, "schematic": STRUCT}
ATTRIBUTES: Final = {
    KIND_COMPONENT: {"workload": STRUCT, "podSpecPath": STRING, "revisionLabel": STRING,
                     "childResourceKinds": LIST, **_COMMON_ATTRIBUTES},
    KIND_TRAIT: {"appliesToWorkloads": STRINGS, "conflictsWith": STRINGS, "podDisruptive": BOOL,
                 "stage": STRING, "manageWorkload": BOOL, "workloadRefPath": STRING,
                 "revisionEnabled": BOOL, "skipRevisionAffect": BOOL, "controlPlaneOnly": BOOL,
                 **_COMMON_ATTRIBUTES},
    KIND_POLICY: {"manageHealthCheck": BOOL, "global": BOOL, "priority": INT,
                  "extension": STRUCT, "schematic": STRUCT},
    KIND_WORKFLOW_STEP: dict(_COMMON_ATTRIBUTES),
}

DEFAULT_NAMESPACE: Final = "default"
# The pinned cue release; older binaries are refused.
CUE_VERSION: Final = (0, 17, 1)
# A current Kubernetes, for templates that pick API versions by minor.
DEFAULT_CLUSTER_VERSION: Final = (1, 31)
