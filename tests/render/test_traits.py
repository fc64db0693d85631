"""Trait application through the real cue binary: process counts, provenance, list patterns."""

from __future__ import annotations

from typing import Any

import pytest

from engine import ChainLoader, DictLoader, render
from engine.definitions import bundled_loader, parse_cue_definition

# Small traits for these tests. `tag` and `settings` read nothing; `see-image` reads
# context.output; `see-annotation` reads what `see-image` wrote, so it must come after it.
TRAITS = {
    "tag": """
"tag": {type: "trait", attributes: appliesToWorkloads: ["*"]}
template: {
	patch: metadata: annotations: "example.com/tag": "t"
	parameter: {}
}
""",
    "settings": """
"settings": {type: "trait", attributes: appliesToWorkloads: ["*"]}
template: {
	outputs: settings: {
		apiVersion: "v1"
		kind:       "ConfigMap"
		metadata: name: context.name + "-settings"
		data: mode: "fast"
	}
	parameter: {}
}
""",
    "see-image": """
"see-image": {type: "trait", attributes: appliesToWorkloads: ["*"]}
template: {
	patch: metadata: annotations: "example.com/image": context.output.spec.template.spec.containers[0].image
	parameter: {}
}
""",
    "see-annotation": """
"see-annotation": {type: "trait", attributes: appliesToWorkloads: ["*"]}
template: {
	let _seen = context.output.metadata.annotations["example.com/image"]
	patch: spec: template: metadata: annotations: "example.com/image": _seen
	parameter: {}
}
""",
}

LOADER = ChainLoader([DictLoader([parse_cue_definition(text, f"<{name}>") for name, text in TRAITS.items()]),
                      bundled_loader()])

SIDECAR = {"type": "sidecar", "properties": {"name": "log-agent", "image": "busybox:1.36"}}
SCALER = {"type": "scaler", "properties": {"replicas": 2}}


def trait(name: str) -> dict[str, Any]:
    return {"tag": {"type": "tag"}, "sidecar": SIDECAR, "scaler": SCALER}.get(name, {"type": name})


def app(components: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": "demo"}, "spec": {"components": components}}


def web(name: str, traits: list[str], **props: Any) -> dict[str, Any]:
    return {"name": name, "type": "webservice", "properties": {"image": f"nginx:{name}", **props},
            "traits": [trait(t) for t in traits]}


def pod(body: Any) -> Any:
    return body["spec"]["template"]


# --- the process-count rule ------------------------------------------------------------------

# name: (traits of every component, cue processes): traits that do not read context.output
# share the components' process; each reader waits for the readers listed before it. Bundled
# traits only (custom ones may cost a schema process, which is not what this counts): labels,
# env and annotations read context.output; sidecar, scaler, lifecycle and expose do not.
PROCESS_COUNTS = {
    "no readers": (["sidecar", "scaler", "lifecycle", "expose"], 1),
    "one reader": (["sidecar", "labels", "scaler", "expose"], 2),
    "reader first": (["env", "sidecar", "scaler"], 2),
    "chain of two readers": (["sidecar", "labels", "lifecycle", "env"], 3),
    "readers apart": (["annotations", "scaler", "expose", "env", "sidecar"], 3),
}

BUNDLED_TRAITS: dict[str, dict[str, Any]] = {
    "sidecar": SIDECAR,
    "scaler": SCALER,
    "lifecycle": {"type": "lifecycle", "properties": {"preStop": {"exec": {"command": ["sleep", "5"]}}}},
    "expose": {"type": "expose", "properties": {"port": [8080]}},
    "labels": {"type": "labels", "properties": {"tier": "web"}},
    "annotations": {"type": "annotations", "properties": {"example.com/owner": "shop"}},
    "env": {"type": "env", "properties": {"env": {"MODE": "fast"}}},
}


@pytest.mark.parametrize("count", [1, 10])
@pytest.mark.parametrize("case", PROCESS_COUNTS, ids=list(PROCESS_COUNTS))
def test_process_count_depends_on_reader_chains_not_components(case: str, count: int) -> None:
    traits, processes = PROCESS_COUNTS[case]
    components = [web(f"c{i}", []) for i in range(count)]
    for component in components:
        component["traits"] = [BUNDLED_TRAITS[name] for name in traits]
    result = render(app(components))
    assert result.stats.cue_processes == processes
    workloads = [o for o in result.objects if o.output_name is None]
    assert [o.component for o in workloads] == [f"c{i}" for i in range(count)]


def test_readers_see_every_earlier_trait() -> None:
    chain = ["tag", "see-image", "sidecar", "see-annotation"]
    result = render(app([web(f"c{i}", chain) for i in range(3)]), definitions=LOADER)
    for index, obj in enumerate(result.objects):
        assert obj.body["metadata"]["annotations"] == {"example.com/tag": "t", "example.com/image": f"nginx:c{index}"}
        assert pod(obj.body)["metadata"]["annotations"] == {"example.com/image": f"nginx:c{index}"}
        assert [c["name"] for c in pod(obj.body)["spec"]["containers"]] == [f"c{index}", "log-agent"]


# --- provenance ------------------------------------------------------------------------------

# (component, trait, output name, kind) of every object, in output order.
PROVENANCE = [
    ("front", None, None, "Deployment"),
    ("front", None, "webserviceExpose", "Service"),
    ("front", "settings", "settings", "ConfigMap"),
    ("front", "expose", "service", "Service"),
    ("back", None, None, "Deployment"),
    ("back", "settings", "settings", "ConfigMap"),
]


def test_every_object_knows_its_component_trait_and_output() -> None:
    front = web("front", ["tag", "settings", "see-image"], ports=[{"port": 80, "expose": True}])
    front["traits"].append({"type": "expose", "properties": {"port": [8080]}})
    back = web("back", ["settings", "scaler"])
    result = render(app([front, back]), definitions=LOADER)
    assert [(o.component, o.trait, o.output_name, o.kind) for o in result.objects] == PROVENANCE
    labels = [o.body["metadata"]["labels"] for o in result.objects]
    assert [lab.get("trait.oam.dev/type") for lab in labels] == [
        None, "AuxiliaryWorkload", "settings", "expose", None, "settings"]
    assert [lab.get("trait.oam.dev/resource") for lab in labels] == [o[2] for o in PROVENANCE]


# --- list patterns ---------------------------------------------------------------------------

HOOK = {"preStop": {"exec": {"command": ["sleep", "5"]}}}


def test_lifecycle_pattern_reaches_containers_added_before_it_only() -> None:
    component = web("web", [])
    component["traits"] = [
        {"type": "sidecar", "properties": {"name": "before", "image": "busybox:1.36"}},
        {"type": "lifecycle", "properties": HOOK},
        {"type": "sidecar", "properties": {"name": "after", "image": "busybox:1.36"}},
    ]
    result = render(app([component]), definitions=LOADER)
    containers = pod(result.objects[0].body)["spec"]["containers"]
    assert [(c["name"], c.get("lifecycle")) for c in containers] == [
        ("web", HOOK), ("before", HOOK), ("after", None)]
