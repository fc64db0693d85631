"""`oam-render render` over many apps: folders, several -f, stdin, --output-dir, --jobs, progress, cache."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml

from engine.cache import Store
from engine.cli.main import run
from engine.render.rendercache import NAMESPACE


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def app(name: str, image: Any = "nginx:1.27") -> dict[str, Any]:
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application", "metadata": {"name": name},
            "spec": {"components": [{"name": "web", "type": "webservice", "properties": {"image": image}}]}}


def tree(root: Path) -> Path:
    """apps/a.yaml, apps/team/b.yml (with a ConfigMap), apps/team/deep/c.json, a README."""
    (root / "apps" / "team" / "deep").mkdir(parents=True)
    (root / "apps" / "a.yaml").write_text(yaml.safe_dump(app("alpha")))
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    (root / "apps" / "team" / "b.yml").write_text(yaml.safe_dump_all([app("beta"), config]))
    (root / "apps" / "team" / "deep" / "c.json").write_text(yaml.safe_dump(app("gamma")))
    (root / "apps" / "README.md").write_text("not yaml: [")
    return root / "apps"


def names_in(stream: str) -> list[str]:
    return [d["metadata"]["labels"]["app.oam.dev/name"] for d in yaml.safe_load_all(stream) if d]


def test_a_folder_renders_every_app_under_its_header(tmp_path: Path) -> None:
    folder = tree(tmp_path)
    code, out, err = cli("render", "-f", str(folder))
    assert code == 0, err
    assert names_in(out) == ["alpha", "beta", "gamma"]
    assert "# Application(beta) -- Component(web)" in out
    assert err == f"note: {folder}/team/b.yml: ignored ConfigMap (not an Application, Policy or Workflow)\n"


def test_one_failed_app_keeps_the_others_and_exits_1(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(app("good")))
    bad.write_text(yaml.safe_dump(app("bad", image=3)))
    code, out, err = cli("render", "-f", str(good), "-f", str(bad), "-f", "-",
                         stdin=yaml.safe_dump(app("piped")))
    assert code == 1
    assert names_in(out) == ["good", "piped"]
    assert f"error: app 'bad' ({bad}): 1 error:\n  components[web].properties.image" in err
    assert err.endswith(f"error: 1 of 3 apps failed: bad ({bad})\n")


def test_output_dir_puts_each_app_in_its_folder(tmp_path: Path) -> None:
    folder = tree(tmp_path)
    (folder / "again.yaml").write_text(yaml.safe_dump(app("alpha")))
    code, _, err = cli("render", "-f", str(folder), "--output-dir", str(tmp_path / "out"))
    assert code == 0, err
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.yaml"))
    assert written == ["alpha-2/web/deployment-web.yaml", "alpha/web/deployment-web.yaml",
                       "beta/web/deployment-web.yaml", "gamma/web/deployment-web.yaml"]


def test_one_app_in_a_folder_is_written_as_before(tmp_path: Path) -> None:
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "app.yaml").write_text(yaml.safe_dump(app("solo")))
    code, _, err = cli("render", "-f", str(tmp_path / "only"), "--output-dir", str(tmp_path / "out"))
    assert code == 0, err
    assert (tmp_path / "out" / "web" / "deployment-web.yaml").is_file()


def test_json_is_one_list_of_every_app(tmp_path: Path) -> None:
    code, out, _ = cli("render", "-f", str(tree(tmp_path)), "-o", "json")
    assert code == 0
    listed = yaml.safe_load(out)
    assert listed["kind"] == "List" and len(listed["items"]) == 3


def test_jobs_and_progress(tmp_path: Path) -> None:
    folder = tree(tmp_path)
    code, quiet_out, err = cli("render", "-f", str(folder), "--jobs", "1")
    assert code == 0 and "rendering" not in err
    code, out, err = cli("render", "-f", str(folder), "--jobs", "1", "--progress")
    assert code == 0 and out == quiet_out
    assert "rendering" in err and "3app" in err.replace(" ", "")
    code, _, err = cli("render", "-f", str(folder), "--jobs", "0")
    assert code == 2 and "at least 1" in err


def test_cache_dir_and_no_cache(tmp_path: Path) -> None:
    folder = tree(tmp_path)
    cache = tmp_path / "cache"
    code, cold, _ = cli("render", "-f", str(folder), "--cache-dir", str(cache))
    assert code == 0 and len(list(Store(cache).entries(NAMESPACE))) == 3
    code, warm, _ = cli("render", "-f", str(folder), "--cache-dir", str(cache))
    assert code == 0 and warm == cold
    other = tmp_path / "other"
    code, _, _ = cli("render", "-f", str(folder), "--cache-dir", str(other), "--no-cache")
    assert code == 0 and not other.exists()


def test_no_application_anywhere_says_what_it_found(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap"}))
    code, out, err = cli("render", "-f", str(tmp_path))
    assert code == 1 and out == ""
    assert "expected one Application, found 'ConfigMap'" in err


def test_shared_policies_go_to_the_apps_that_name_them(tmp_path: Path) -> None:
    deployed = app("deployed")
    deployed["spec"]["workflow"] = {"steps": [{"name": "go", "type": "deploy", "properties": {"policies": ["eu"]}}]}
    (tmp_path / "deployed.yaml").write_text(yaml.safe_dump(deployed))
    (tmp_path / "plain.yaml").write_text(yaml.safe_dump(app("plain")))
    policies = [{"apiVersion": "core.oam.dev/v1alpha1", "kind": "Policy", "metadata": {"name": name},
                 "type": "topology", "properties": {"clusters": ["local"], "namespace": name}}
                for name in ("eu", "unused")]
    (tmp_path / "policies.yaml").write_text(yaml.safe_dump_all(policies))
    code, out, err = cli("render", "-f", str(tmp_path))
    assert code == 0, err
    namespaces = {d["metadata"]["labels"]["app.oam.dev/name"]: d["metadata"]["namespace"]
                  for d in yaml.safe_load_all(out) if d}
    assert namespaces == {"deployed": "eu", "plain": "default"}
    assert err == f"note: {tmp_path}/policies.yaml: policy 'unused' is not referenced by any application; ignored\n"


def test_a_bad_namespace_flag_is_a_usage_error_naming_the_flag(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(app("alpha")))
    for command in ("render", "diff"):
        argv = [command, "-f", str(tmp_path / "a.yaml"), "-n", "Bad_NS"]
        if command == "diff":
            argv = [command, str(tmp_path / "a.yaml"), str(tmp_path / "a.yaml"), "-n", "Bad_NS"]
        code, out, err = cli(*argv)
        assert code == 2 and out == "", err
        assert "argument -n/--namespace: 'Bad_NS' is not a DNS-1123 label" in err, err
