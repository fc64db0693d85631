"""Environments through the real cue binary: topologies, overrides, custom policies, the CLI."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import AppError, RenderOptions, render
from engine.cli.main import run
from engine.render.overrides import deep_merge, matches
from tests.support import TESTS

GOLDEN = TESTS / "golden"


def app(*steps: list[str], components: list[dict[str, Any]] | None = None,
        policies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "components": components or [
            {"name": "web", "type": "webservice", "properties": {"image": "nginx:1.27"},
             "traits": [{"type": "scaler", "properties": {"replicas": 2}}]},
            {"name": "api", "type": "worker", "properties": {"image": "api:1"}}],
        "policies": policies if policies is not None else [
            {"name": name, "type": "topology", "properties": {"namespace": f"shop-{name}"}}
            for name in ("eu", "us", "asia")] + [
            {"name": "big", "type": "override",
             "properties": {"components": [{"name": "web", "traits": [
                 {"type": "scaler", "properties": {"replicas": 9}}]}]}}],
    }
    if steps:
        spec["workflow"] = {"steps": [{"name": f"step{i}", "type": "deploy", "properties": {"policies": names}}
                                      for i, names in enumerate(steps)]}
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": "shop", "namespace": "prod"}, "spec": spec}


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def test_three_environments_cost_the_processes_of_one() -> None:
    one = render(app(["eu", "big"]))
    three = render(app(["eu", "big"], ["us"], ["asia", "big"]))
    plain = render(app())
    assert one.stats.cue_processes == three.stats.cue_processes == plain.stats.cue_processes
    assert [e.name for e in three.environments] == ["eu", "us", "asia"]
    assert len(three.objects) == 3 * len(one.objects)


def test_environments_group_objects_with_their_namespace_and_overrides() -> None:
    result = render(app(["eu"], ["us", "big"]))
    grouped = result.by_environment()
    assert list(grouped) == ["eu", "us"]
    replicas = {env: objs[0].body["spec"]["replicas"] for env, objs in grouped.items()}
    assert replicas == {"eu": 2, "us": 9}
    for env, objs in grouped.items():
        assert {o.body["metadata"]["namespace"] for o in objs} == {f"shop-{env}"}
        assert {o.environment for o in objs} == {env}
    eu, us = result.environments
    assert (us.namespace, us.policies, us.title) == ("shop-us", ("us", "big"), "shop with topology us")
    assert [o.environment for o in result.objects] == ["eu"] * 2 + ["us"] * 2  # environment by environment


def test_without_deploy_steps_the_app_renders_once_as_written() -> None:
    result = render(app())
    assert [(e.name, e.namespace, e.title) for e in result.environments] == [("", "prod", "shop")]
    assert {o.body["metadata"]["namespace"] for o in result.objects} == {"prod"}


def test_override_only_step_is_an_environment_named_after_the_step() -> None:
    result = render(app(["big"]))
    [env] = result.environments
    assert (env.name, env.namespace, env.policies) == ("step0", "prod", ("big",))
    assert env.title == "shop only with override policies in step step0"


def test_option_picks_one_environment_and_unknown_names_fail() -> None:
    result = render(app(["eu"], ["us"]), options=RenderOptions(environment="us"))
    assert [e.name for e in result.environments] == ["us"]
    with pytest.raises(AppError, match="no environment 'mars'; the app has 'eu', 'us'"):
        render(app(["eu"], ["us"]), options=RenderOptions(environment="mars"))


def test_repeated_topology_gets_its_step_name() -> None:
    result = render(app(["eu"], ["eu", "big"]))
    assert [e.name for e in result.environments] == ["eu", "step1-eu"]


def test_a_problem_of_one_environment_names_it() -> None:
    bad = app(["eu"], ["us", "break"], policies=[
        {"name": "eu", "type": "topology", "properties": {}},
        {"name": "us", "type": "topology", "properties": {}},
        {"name": "break", "type": "override", "properties": {"components": [
            {"name": "api", "properties": {"image": 5}}]}}])
    with pytest.raises(AppError) as caught:
        render(bad)
    [problem] = caught.value.problems
    assert problem.location.app_path == "components[api].properties.image"
    assert problem.message.endswith("in environment us")


def test_standalone_documents_apply_when_referenced_and_warn_otherwise(tmp_path: Path) -> None:
    policy = {"apiVersion": "core.oam.dev/v1alpha1", "kind": "Policy", "metadata": {"name": "mars"},
              "type": "topology", "properties": {"namespace": "shop-mars"}}
    unused = dict(policy, metadata={"name": "moon"})
    result = render(app(["mars"], policies=[]), documents=[policy, unused])
    assert [e.namespace for e in result.environments] == ["shop-mars"]
    assert result.warnings == ("policy 'moon' (<dict>) is not referenced by the application's deploy steps;"
                               " ignored",)


def test_custom_policy_sees_artifacts_and_runs_in_one_more_process() -> None:
    case = GOLDEN / "policy-artifacts"
    result = render(case / "app.yaml", definitions=[case / "defs"])
    plain = yaml.safe_load((case / "app.yaml").read_text())
    plain["spec"]["policies"] = [p for p in plain["spec"]["policies"] if p["type"] != "inventory"]
    without = render(plain, definitions=[case / "defs"])
    assert result.stats.cue_processes == without.stats.cue_processes + 1
    made = [(o.environment, o.policy, o.output_name, o.name) for o in result.objects if o.policy]
    assert made == [("eu", "inventory", None, "inventory"), ("eu", "inventory", "audit", "inventory-audit"),
                    ("us", "inventory", None, "inventory"), ("us", "inventory", "audit", "inventory-audit")]


@pytest.mark.parametrize(("base", "patch", "merged"), [
    ({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}, {"a": {"b": 1, "c": 3}}),
    ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
    ({"a": 1}, {"a": None}, {"a": None}),
    ({"a": {"b": 1}}, {"a": "x"}, {"a": "x"}),
    ({}, {"n": {"m": 1}}, {"n": {"m": 1}}),
], ids=["maps-merge", "lists-replace", "null-sets-null", "scalar-replaces-map", "new-key"])
def test_deep_merge(base: Any, patch: Any, merged: Any) -> None:
    assert deep_merge(base, patch) == merged


@pytest.mark.parametrize(("pattern", "name", "expected"), [
    ("api-*", "api-orders", True), ("api-*", "web", False), ("*", "x", True), ("a.b", "axb", False),
    ("*-db", "orders-db", True), ("web", "web2", False),
], ids=["prefix", "no-match", "star", "dot-literal", "suffix", "whole-name"])
def test_name_patterns(pattern: str, name: str, expected: bool) -> None:
    assert matches(pattern, name) is expected


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_headers_name_app_environment_and_component(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(app(["eu"], ["big"])))
    code, out, _ = cli("render", "-f", str(path))
    assert code == 0
    headers = [line for line in out.splitlines() if line.startswith("#")]
    assert headers == ["# Application(shop with topology eu) -- Component(web)",
                       "# Application(shop with topology eu) -- Component(api)",
                       "# Application(shop only with override policies in step step1) -- Component(web)",
                       "# Application(shop only with override policies in step step1) -- Component(api)"]
    docs = list(yaml.safe_load_all(out))
    assert None not in docs and [d["kind"] for d in docs] == ["Deployment"] * 4


def test_cli_env_flag_and_output_dir_folders(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(app(["eu"], ["us", "big"])))
    code, out, _ = cli("render", "-f", str(path), "--env", "us")
    assert code == 0 and "Application(shop with topology us)" in out and "topology eu" not in out
    assert cli("render", "-f", str(path), "--env", "mars")[0] == 1
    target = tmp_path / "out"
    assert cli("render", "-f", str(path), "--output-dir", str(target))[0] == 0
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*.yaml")) == [
        "eu/api/deployment-api.yaml", "eu/web/deployment-web.yaml",
        "us/api/deployment-api.yaml", "us/web/deployment-web.yaml"]


def test_cli_policy_objects_get_their_own_folder(tmp_path: Path) -> None:
    case = GOLDEN / "policy-artifacts"
    target = tmp_path / "out"
    code, _, _ = cli("render", "-f", str(case / "app.yaml"), "-d", str(case / "defs"), "--env", "eu",
                     "--output-dir", str(target))
    assert code == 0
    assert (target / "eu/policies/inventory/configmap-inventory.yaml").is_file()
    assert (target / "eu/policies/inventory/configmap-inventory-audit.yaml").is_file()
    code, out, _ = cli("render", "-f", str(case / "app.yaml"), "-d", str(case / "defs"), "--env", "eu")
    assert "# Application(shop with topology eu) -- Policy(inventory)" in out
    assert "## From the trait hpa" in out and "## From the auxiliary workload" in out


def test_cli_standalone_policy_and_workflow_files(tmp_path: Path) -> None:
    shop = app(policies=[])
    shop["spec"]["workflow"] = {"ref": "rollout"}
    (tmp_path / "app.yaml").write_text(yaml.safe_dump(shop))
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump_all([
        {"apiVersion": "core.oam.dev/v1alpha1", "kind": "Policy", "metadata": {"name": "eu"},
         "type": "topology", "properties": {"namespace": "shop-eu"}},
        {"apiVersion": "core.oam.dev/v1alpha1", "kind": "Policy", "metadata": {"name": "spare"},
         "type": "topology", "properties": {}}]))
    (tmp_path / "workflow.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "core.oam.dev/v1alpha1", "kind": "Workflow", "metadata": {"name": "rollout"},
         "steps": [{"name": "deploy-eu", "type": "deploy", "properties": {"policies": ["eu"]}}]}))
    code, out, err = cli("render", "-f", str(tmp_path / "policy.yaml"), "-f", "-", "-f",
                         str(tmp_path / "workflow.yaml"), stdin=yaml.safe_dump(shop))
    assert code == 0, err
    assert {d["metadata"]["namespace"] for d in yaml.safe_load_all(out)} == {"shop-eu"}
    assert "warning: policy 'spare'" in err and "not referenced" in err
    code, _, err = cli("render", "-f", str(tmp_path / "app.yaml"))
    assert code == 1 and "workflow.ref: workflow 'rollout' not found" in err


def test_cli_missing_policy_is_an_error_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(app(["eu", "nope"])))
    code, out, err = cli("render", "-f", str(path))
    assert code == 1 and out == ""
    assert "workflow.steps[step0].properties.policies[1]: policy 'nope' not found" in err
