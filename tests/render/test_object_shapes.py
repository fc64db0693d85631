"""A template that makes something no Kubernetes object can be (a `kind` that is a list, a
`metadata` that is no mapping, labels that are no string map) gets a problem of its
definition at its app path; never an exception, and no partial object."""

from __future__ import annotations

from typing import Any

import pytest

from engine import DefinitionError, DictLoader, render

COMPONENT = """odd: {{
    type: "component"
    attributes: workload: definition: {{apiVersion: "v1", kind: "ConfigMap"}}
}}
template: {{
    output: {output}
    outputs: extra: {extra}
    parameter: {{}}
}}
"""
TRAIT = """bend: {
    type: "trait"
    attributes: appliesToWorkloads: ["*"]
}
template: {
    patch: metadata: labels: {"x": "y"}
    outputs: side: {apiVersion: "v1", kind: "Secret", metadata: 7}
    parameter: {}
}
"""
GOOD = '{apiVersion: "v1", kind: "ConfigMap", metadata: name: "ok"}'


def _app(traits: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": "a"},
            "spec": {"components": [{"name": "c", "type": "odd", "traits": traits or []}]}}


@pytest.mark.needs_cue
@pytest.mark.parametrize(("output", "extra", "said"), [
    ('{apiVersion: "v1", kind: [1]}', GOOD, "output: kind must be a string, not a list"),
    ('{apiVersion: "v1", kind: "ConfigMap", metadata: [1]}', GOOD, "output: metadata must be a mapping, not a list"),
    (GOOD, '{apiVersion: "v1", kind: "ConfigMap", metadata: labels: [1]}',
     "outputs.extra: metadata.labels must map names to strings"),
    (GOOD, '{apiVersion: 2, kind: "ConfigMap"}', "outputs.extra: apiVersion must be a string, not a number"),
    (GOOD, '{apiVersion: "v1", kind: "ConfigMap", metadata: name: 5}',
     "outputs.extra: metadata.name must be a string, not a number"),
])
def test_component_objects_of_no_kubernetes_shape(output: str, extra: str, said: str) -> None:
    loader = DictLoader({"odd.cue": COMPONENT.format(output=output, extra=extra)})
    with pytest.raises(DefinitionError) as caught:
        render(_app(), definitions=loader)
    [problem] = caught.value.problems
    assert problem.message == said and problem.code == "template"
    assert problem.location.app_path == "components[c]" and problem.location.definition == "odd"


@pytest.mark.needs_cue
def test_a_trait_object_of_no_kubernetes_shape_is_the_traits_problem() -> None:
    loader = DictLoader({"odd.cue": COMPONENT.format(output=GOOD, extra=GOOD), "bend.cue": TRAIT})
    with pytest.raises(DefinitionError) as caught:
        render(_app([{"type": "bend"}]), definitions=loader)
    [problem] = caught.value.problems
    assert problem.message == "outputs.side: metadata must be a mapping, not a number"
    assert problem.location.app_path == "components[c].traits[bend]" and problem.location.definition == "bend"


@pytest.mark.needs_cue
def test_a_policy_object_of_no_kubernetes_shape() -> None:
    quota = ('quota: {type: "policy"}\ntemplate: {\n    output: {apiVersion: "v1", kind: "ResourceQuota",'
             ' metadata: [1]}\n    parameter: {}\n}\n')
    app = {**_app(), "spec": {"components": [{"name": "c", "type": "worker", "properties": {"image": "x"}}],
                              "policies": [{"name": "q", "type": "quota"}]}}
    with pytest.raises(DefinitionError) as caught:
        render(app, definitions=DictLoader({"quota.cue": quota}))
    [problem] = caught.value.problems
    assert problem.location.app_path == "policies[q]"
    assert problem.message == "output: metadata must be a mapping, not a list"
