"""render_many: one outcome per app in order, shared cue processes, the render cache."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import AppError, OamError, RenderOptions, render, render_many
from engine.cache import Store
from engine.render.rendercache import NAMESPACE

SHOUT = Path(__file__).resolve().parents[2] / "examples" / "shout" / "shout.cue"


def app(name: str, components: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": name}, "spec": {"components": components}}


def web(name: str = "web", kind: str = "webservice", traits: list[dict[str, Any]] | None = None,
        **props: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "properties": {"image": "nginx:1.27", **props},
            "traits": traits or []}


SCALED = [{"type": "scaler", "properties": {"replicas": 2}},
          {"type": "labels", "properties": {"tier": "web"}}]


def test_outcomes_in_input_order_and_errors_stay_with_their_app() -> None:
    apps = [app("one", [web(traits=SCALED)]),
            app("bad", [web(cpu=2)]),  # cpu must be text: this app fails alone
            app("three", [web("api"), web("job", kind="worker")])]
    batch = render_many(apps)
    assert [o.app for o in batch.outcomes] == ["one", "bad", "three"]
    assert [o.ok for o in batch.outcomes] == [True, False, True]
    assert [o.app for o in batch.failed] == ["bad"]
    bad = batch.outcomes[1].error
    assert isinstance(bad, AppError)
    assert [p.location.app_path for p in bad.problems] == ["components[web].properties.cpu"]
    for outcome, source in zip(batch.outcomes, apps, strict=True):
        if outcome.result is not None:
            assert outcome.result.to_yaml() == render(source).to_yaml()
    with pytest.raises(AppError) as alone:
        render(apps[1])
    assert alone.value.problems == bad.problems


def test_cue_processes_do_not_grow_with_apps() -> None:
    def shaped(index: int) -> dict[str, Any]:
        return app(f"app-{index}", [web("a", traits=SCALED), web("b", kind="worker",
                                                                   traits=[SCALED[0]])])

    one = render_many([shaped(0)])
    twenty = render_many([shaped(i) for i in range(20)])
    assert one.ok and twenty.ok
    assert twenty.stats.cue_processes == one.stats.cue_processes == render(shaped(0)).stats.cue_processes
    assert [o.app for o in twenty.outcomes] == [f"app-{i}" for i in range(20)]


def test_jobs_one_renders_the_same() -> None:
    apps = [app(f"a{i}", [web(traits=SCALED)]) for i in range(3)]
    serial = render_many(apps, options=RenderOptions(jobs=1))
    assert [o.result.to_yaml() for o in serial.outcomes if o.result] == \
        [o.result.to_yaml() for o in render_many(apps).outcomes if o.result]


def test_a_file_of_several_apps_with_policies_beside_them(tmp_path: Path) -> None:
    first = app("first", [web()])
    first["spec"]["workflow"] = {"steps": [{"name": "go", "type": "deploy",
                                            "properties": {"policies": ["here"]}}]}
    policy = {"apiVersion": "core.oam.dev/v1alpha1", "kind": "Policy", "metadata": {"name": "here"},
              "type": "topology", "properties": {"clusters": ["local"], "namespace": "there"}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "stray"}}
    stream = tmp_path / "apps.yaml"
    stream.write_text(yaml.safe_dump_all([first, service, app("second", [web()]), policy]))
    batch = render_many([stream])
    assert [o.app for o in batch.outcomes] == ["first", "second"]
    assert batch.outcomes[0].result is not None
    assert {o.body["metadata"]["namespace"] for o in batch.outcomes[0].result.objects} == {"there"}
    assert batch.notes == (f"{stream}: ignored Service (not an Application, Policy or Workflow)",)


def test_an_unreadable_source_is_one_failed_outcome(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Application\nmetadata: [unclosed\n")
    batch = render_many([broken, app("fine", [web()])])
    assert [o.ok for o in batch.outcomes] == [False, True]
    assert batch.outcomes[0].source == str(broken)


def _definitions(tmp_path: Path, greeting: str) -> Path:
    folder = tmp_path / "defs"
    folder.mkdir(exist_ok=True)
    (folder / "shout.cue").write_text(SHOUT.read_text().replace('*"hello"', f'*"{greeting}"'))
    return folder


def test_cache_rerenders_exactly_the_apps_using_a_changed_definition(tmp_path: Path) -> None:
    shouting = app("loud", [web(kind="worker", traits=[{"type": "shout"}])])
    apps = [shouting, app("quiet", [web()]), app("calm", [web("w", kind="worker")])]
    sources = []
    for index, data in enumerate(apps):
        sources.append(tmp_path / f"app{index}.yaml")
        sources[-1].write_text(yaml.safe_dump(data))
    options = RenderOptions(cache_dir=tmp_path / "cache")
    cold = render_many(sources, definitions=_definitions(tmp_path, "hello"), options=options)
    assert cold.ok and (cold.stats.cache_hits, cold.stats.cache_misses) == (0, 3)
    warm = render_many(sources, definitions=_definitions(tmp_path, "hello"), options=options)
    assert (warm.stats.cache_hits, warm.stats.cache_misses, warm.stats.cue_processes) == (3, 0, 0)
    assert [o.cached for o in warm.outcomes] == [True, True, True]
    assert [o.result.to_yaml() for o in warm.outcomes if o.result] == \
        [o.result.to_yaml() for o in cold.outcomes if o.result]
    changed = render_many(sources, definitions=_definitions(tmp_path, "bye"), options=options)
    assert (changed.stats.cache_hits, changed.stats.cache_misses) == (2, 1)
    assert [o.cached for o in changed.outcomes] == [False, True, True]
    assert changed.outcomes[0].result is not None and "BYE" in changed.outcomes[0].result.to_yaml()


def test_cache_key_ignores_where_a_definition_lives(tmp_path: Path) -> None:
    source = tmp_path / "app.yaml"
    source.write_text(yaml.safe_dump(app("loud", [web(kind="worker", traits=[{"type": "shout"}])])))
    options = RenderOptions(cache_dir=tmp_path / "cache")
    render_many([source], definitions=_definitions(tmp_path, "hi"), options=options)
    moved = tmp_path / "elsewhere"
    _definitions(tmp_path, "hi").rename(moved)
    again = render_many([source], definitions=moved, options=options)
    assert again.stats.cache_hits == 1


def test_corrupt_entries_are_misses_and_rewritten(tmp_path: Path) -> None:
    options = RenderOptions(cache_dir=tmp_path / "cache")
    apps = [app("a", [web()]), app("b", [web()])]
    sources = []
    for index, data in enumerate(apps):
        sources.append(tmp_path / f"app{index}.yaml")
        sources[-1].write_text(yaml.safe_dump(data))
    render_many(sources, options=options)
    entries = list(Store(tmp_path / "cache").entries(NAMESPACE))
    assert len(entries) == 2
    entries[0].write_text("{not json")
    entries[1].write_text(json.dumps({"key": entries[1].stem, "value": {"objects": 3}}))
    broken = render_many(sources, options=options)
    assert broken.ok and (broken.stats.cache_hits, broken.stats.cache_misses) == (0, 2)
    healed = render_many(sources, options=options)
    assert (healed.stats.cache_hits, healed.stats.cache_misses) == (2, 0)


def test_failed_apps_are_not_cached(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text(yaml.safe_dump(app("bad", [web(cpu=2)])))
    options = RenderOptions(cache_dir=tmp_path / "cache")
    assert not render_many([source], options=options).ok
    again = render_many([source], options=options)
    assert not again.ok and again.stats.cache_hits == 0


BROKEN = """broken: {
	type: "component"
	attributes: workload: definition: {apiVersion: "apps/v1", kind: "Deployment"}
}
template: {
	output: {apiVersion: "apps/v1", kind: "Deployment", metadata: name: context.name
		spec: replicas: parameter.n + "x"}
	parameter: n: *1 | int
}
"""


def test_apps_sharing_a_problem_get_exactly_their_own(tmp_path: Path) -> None:
    (tmp_path / "broken.cue").write_text(BROKEN)
    apps = [app("a", [web("c", kind="broken")]), app("b", [web("c", kind="worker")]),
            app("c", [web("c", kind="broken")])]
    batch = render_many(apps, definitions=tmp_path)
    assert [o.ok for o in batch.outcomes] == [False, True, False]
    for outcome, source in zip(batch.outcomes, apps, strict=True):
        if outcome.error is not None:
            with pytest.raises(OamError) as alone:
                render(source, definitions=tmp_path)
            assert outcome.error.problems == alone.value.problems


SPIN = """spin: {
	type: "component"
	attributes: workload: definition: {apiVersion: "v1", kind: "ConfigMap"}
}
template: {
	parameter: n: int
	let steps = [for i in list.Range(0, parameter.n, 1) for j in list.Range(0, parameter.n, 1) if i == j+1 {i}]
	output: {apiVersion: "v1", kind: "ConfigMap", data: n: "\\(len(steps))"}
}
"""


def test_a_runaway_app_times_out_alone(tmp_path: Path) -> None:
    (tmp_path / "spin.cue").write_text('import "list"\n\n' + SPIN)
    apps = [app("a", [web()]), app("slow", [{"name": "c", "type": "spin", "properties": {"n": 5000}}]),
            app("b", [web()]), app("c", [web()])]
    batch = render_many(apps, definitions=tmp_path, options=RenderOptions(timeout=2))
    assert [o.ok for o in batch.outcomes] == [True, False, True, True]
    error = batch.outcomes[1].error
    assert error is not None and [p.code for p in error.problems] == ["timeout"]


def test_a_warm_batch_reads_only_the_files_of_apps_that_render(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    batch_module = importlib.import_module("engine.render.batch")  # engine.render is also a function
    parsed: list[str] = []
    real = batch_module.parse_documents

    def counting(text: str, source: str = "<input>") -> Any:
        parsed.append(Path(source).name)
        return real(text, source)

    monkeypatch.setattr(batch_module, "parse_documents", counting)
    shouting = app("loud", [web(kind="worker", traits=[{"type": "shout"}])])
    files = {"loud.yaml": shouting, "quiet.yaml": app("quiet", [web()]), "calm.yaml": app("calm", [web()])}
    for name, data in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(data))
    sources = [tmp_path / name for name in files]
    options = RenderOptions(cache_dir=tmp_path / "cache")
    cold = render_many(sources, definitions=_definitions(tmp_path, "hello"), options=options)
    assert cold.ok and sorted(parsed) == ["calm.yaml", "loud.yaml", "quiet.yaml"]
    parsed.clear()
    warm = render_many(sources, definitions=_definitions(tmp_path, "hello"), options=options)
    assert warm.stats.cache_hits == 3 and parsed == []
    assert [o.app for o in warm.outcomes] == ["loud", "quiet", "calm"]
    (tmp_path / "calm.yaml").write_text(yaml.safe_dump(app("calm", [web(cpu="1")])))
    changed = render_many(sources, definitions=_definitions(tmp_path, "bye"), options=options)
    assert [o.cached for o in changed.outcomes] == [False, True, False]
    assert sorted(parsed) == ["calm.yaml", "loud.yaml"]
    assert changed.outcomes[2].result is not None
    assert "cpu: '1'" in changed.outcomes[2].result.to_yaml()


def test_a_warm_batch_still_applies_a_shared_policy_file(tmp_path: Path) -> None:
    deployed = app("deployed", [web()])
    deployed["spec"]["workflow"] = {"steps": [{"name": "go", "type": "deploy",
                                               "properties": {"policies": ["here"]}}]}
    policy = {"apiVersion": "core.oam.dev/v1alpha1", "kind": "Policy", "metadata": {"name": "here"},
              "type": "topology", "properties": {"clusters": ["local"], "namespace": "there"}}
    (tmp_path / "app.yaml").write_text(yaml.safe_dump(deployed))
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(app("other", [web()])))
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(policy))
    sources = [tmp_path / "app.yaml", tmp_path / "other.yaml", tmp_path / "policy.yaml"]
    options = RenderOptions(cache_dir=tmp_path / "cache")
    for run in range(2):
        batch = render_many(sources, options=options)
        assert batch.stats.cache_hits == 2 * run
        result = batch.outcomes[0].result
        assert result is not None and {o.body["metadata"]["namespace"] for o in result.objects} == {"there"}
    policy["properties"]["namespace"] = "moved"
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(policy))
    moved = render_many(sources, options=options)
    assert moved.stats.cache_hits == 0 and moved.outcomes[0].result is not None
    assert {o.body["metadata"]["namespace"] for o in moved.outcomes[0].result.objects} == {"moved"}


def test_a_check_fails_only_the_apps_whose_objects_it_refuses() -> None:
    from engine.gates import KubernetesCheck

    root = Path(__file__).resolve().parents[2] / "examples"
    broken, fine = root / "ci" / "broken" / "app.yaml", root / "quickstart" / "app.yaml"
    batch = render_many([broken, fine], definitions=[root / "ci" / "broken" / "tiny.cue"], check=KubernetesCheck())
    first, second = batch.outcomes
    assert first.error is not None and second.result is not None
    found = {(p.code, p.location.app_path) for p in first.error.problems}
    assert ("k8s-unknown-field", "components[web]") in found
    # each problem cites the app it came from, as render(check=...) does
    assert {p.location.file for p in first.error.problems} == {str(broken)}


def test_render_validate_over_many_apps_names_the_failed_one(tmp_path: Path) -> None:
    import io

    from engine.cli.main import run

    root = Path(__file__).resolve().parents[2] / "examples"
    out, err = io.StringIO(), io.StringIO()
    code = run(["render", "-f", str(root / "ci" / "broken" / "app.yaml"), "-f", str(root / "quickstart" / "app.yaml"),
                "-d", str(root / "ci" / "broken" / "tiny.cue"), "--validate"], io.StringIO(), out, err)
    assert code == 1
    assert "spec.tempalte: unknown field" in err.getvalue() and "1 of 2 apps failed" in err.getvalue()
    expected = render(root / "quickstart" / "app.yaml").bodies()
    assert list(yaml.safe_load_all(out.getvalue())) == expected  # the app that passed still prints
