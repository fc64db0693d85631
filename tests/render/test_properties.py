"""Invariants over generated apps: every input renders or raises one of our errors."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import OamError, render
from engine.definitions import bundled_loader

LOADER = bundled_loader()
COMPONENTS = LOADER.names("component") + ["no-such-type"]
TRAITS = LOADER.names("trait") + ["no-such-trait"]
KEYS = ["image", "replicas", "ports", "env", "cpu", "name", "cmd", "schedule", "objects", "port",
        "labels", "count", "containerName", "expose", "http", "domain"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 70000), st.text(max_size=12),
                    st.sampled_from(['"} x: {', "\\(x)", "nginx:1.27", "80", "*/5 * * * *"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)),
    max_leaves=8)
properties = st.dictionaries(st.sampled_from(KEYS), values, max_size=4)


@st.composite
def applications(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 3))
    components = []
    for index in range(count):
        traits = draw(st.lists(st.fixed_dictionaries(
            {"type": st.sampled_from(TRAITS), "properties": properties}), max_size=2))
        components.append({"name": f"c{index}", "type": draw(st.sampled_from(COMPONENTS)),
                           "properties": draw(properties), "traits": traits})
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": "generated"}, "spec": {"components": components}}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(applications())
def test_any_app_renders_or_raises_our_error(app: dict[str, Any]) -> None:
    try:
        result = render(app, definitions=LOADER)
    except OamError as error:
        assert error.problems, "an error must carry its problems"
        for problem in error.problems:
            assert problem.message and "Traceback" not in problem.message
        return
    for obj in result.objects:
        assert obj.body["metadata"]["labels"]["app.oam.dev/name"] == "generated"
        assert obj.component in {c["name"] for c in app["spec"]["components"]}
