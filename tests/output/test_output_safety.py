"""Writing into user-named folders: only inside them, never through links, all or nothing."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from engine.cli.main import run
from engine.errors import OamError
from engine.model import RenderedObject, RenderResult
from engine.output.emit import write_output_dir
from engine.schema.store import write as write_schemas

APP = """\
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata: {name: shop}
spec:
  components:
    - name: web
      type: webservice
      properties: {image: nginx:1.27}
"""

TRAIT_YAML = """\
apiVersion: core.oam.dev/v1beta1
kind: TraitDefinition
metadata:
  name: {name}
spec:
  schematic:
    cue:
      template: |
        parameter: {{value: *"a" | string}}
        patch: metadata: labels: v: parameter.value
"""


def outfiles() -> ModuleType:
    """The writer module, imported where a test uses it directly (the CLI tests run without it)."""
    import engine.output.files

    return engine.output.files


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def snapshot(root: Path) -> dict[str, Any]:
    """Every entry under `root` (links as their destination, files as their bytes), links not followed."""
    found: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = ("link", os.readlink(path))
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


def deployment(name: str, component: str, environment: str = "", **extra: Any) -> RenderedObject:
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}}
    return RenderedObject(body, component, None, None, environment, **extra)


def result(*objects: RenderedObject) -> RenderResult:
    return RenderResult("shop", tuple(objects))


@pytest.fixture
def box(tmp_path: Path) -> Path:
    """A folder nested a few levels down, so `..` has room to escape: tmp/a/b/c."""
    inner = tmp_path / "a" / "b" / "c"
    inner.mkdir(parents=True)
    return inner


def outside_of(tmp_path: Path, target: Path) -> set[str]:
    """Files under tmp_path that are not under `target`."""
    return {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
            if p.is_file() and target not in p.parents}


# --- every path stays inside the target --------------------------------------------------------


HOSTILE_NAMES = ["..", ".", "../..", "../x", "/etc", "a/../../b", "x\0y", ".hidden", "", "..\\..\\x"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
@pytest.mark.parametrize("field", ["component", "environment", "object", "policy"])
def test_render_names_never_leave_the_output_folder(tmp_path: Path, box: Path, name: str, field: str) -> None:
    obj = {
        "component": deployment("web", name),
        "environment": deployment("web", "web", environment=name),
        "object": deployment(name, "web"),
        "policy": deployment("web", "", policy=name),
    }[field]
    target = box / "out"
    written = write_output_dir(result(obj), target)
    assert outside_of(tmp_path, target) == set()
    assert len(written) == 1 and written[0].is_file() and target in written[0].parents
    assert sorted(p for p in target.rglob("*") if p.is_file()) == written


def test_double_dot_component_and_environment_together(tmp_path: Path, box: Path) -> None:
    target = box / "out"
    written = write_output_dir(result(deployment("web", "..", environment="..")), target)
    assert [str(p.relative_to(target)) for p in written] == ["__/__/deployment-web.yaml"]
    assert outside_of(tmp_path, target) == set()


def test_normal_names_keep_their_readable_files(tmp_path: Path) -> None:
    objects = [deployment("web", "web", environment="eu"), deployment("api.v1", "api-1"),
               deployment("db", "", policy="shared")]
    written = write_output_dir(result(*objects), tmp_path / "out")
    assert [str(p.relative_to(tmp_path / "out")) for p in written] == [
        "eu/web/deployment-web.yaml", "api-1/deployment-api.v1.yaml", "policies/shared/deployment-db.yaml"]


@pytest.mark.parametrize("path", ["..", "../x", "a/../../x", "/abs", "a//b", "a/./b", "x\0y", "a\\..\\b", "",
                                  ".oam-render-manifest.json", "a/.oam-render-staging-x/b"])
def test_the_writer_refuses_paths_that_are_not_plain(tmp_path: Path, path: str) -> None:
    target = tmp_path / "out"
    with pytest.raises(outfiles().OutputError) as caught:
        outfiles().write_files(target, [outfiles().OutputFile(path, "x")])
    assert caught.value.problems[0].code == "output-path-unsafe"
    assert not target.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, expected", [("web", "web"), ("api.v1", "api.v1"), ("..", "__"), ("../x", "___x"),
                                            ("a b", "a_b"), ("", "_"), (".git", "_git"), ("x\0y", "x_y")])
def test_file_part(name: str, expected: str) -> None:
    assert outfiles().file_part(name) == expected


# --- definition names: docs, schema --all, def convert --------------------------------------------


@pytest.fixture
def evil_defs(tmp_path: Path) -> Path:
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "evil.yaml").write_text(TRAIT_YAML.format(name="../../../evil"))
    return folder


def test_docs_with_a_dotdot_definition_name_stays_inside(tmp_path: Path, box: Path, evil_defs: Path) -> None:
    target = box / "site"
    code, _, err = cli("docs", "--output-dir", str(target), "-d", str(evil_defs), "--only", "user")
    assert code == 0, err
    assert outside_of(tmp_path, target) == {"defs/evil.yaml"}
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*.md")) == ["index.md", "trait/___.._.._evil.md"]
    assert "(trait/___.._.._evil.md)" in (target / "index.md").read_text()


def test_schema_all_with_a_dotdot_definition_name_stays_inside(tmp_path: Path, box: Path, evil_defs: Path) -> None:
    target = box / "schemas"
    code, _, err = cli("schema", "--all", "-d", str(evil_defs), "--output-dir", str(target))
    assert code == 0, err
    assert outside_of(tmp_path, target) == {"defs/evil.yaml"}
    assert (target / "draft-07" / "trait" / "___.._.._evil.json").is_file()
    files = [p for p in target.rglob("*") if p.is_file() and p.name != ".oam-render-manifest.json"]
    assert f"wrote {len(files)} files" in err


def test_def_convert_with_a_dotdot_definition_name_stays_inside(tmp_path: Path, box: Path, evil_defs: Path) -> None:
    target = box / "cue"
    code, _, err = cli("def", "convert", str(evil_defs / "evil.yaml"), "-o", f"{target}/")
    assert code == 0, err
    assert outside_of(tmp_path, target) == {"defs/evil.yaml"}
    assert [p.name for p in target.iterdir()] == ["___.._.._evil.cue"]


# --- links inside the target are never followed ----------------------------------------------------


def render_into(target: Path, tmp_path: Path) -> tuple[int, str]:
    app = tmp_path / "app.yaml"
    app.write_text(APP)
    code, _, err = cli("render", "-f", str(app), "--output-dir", str(target))
    return code, err


def test_a_linked_folder_inside_the_target_is_not_written_through(tmp_path: Path) -> None:
    elsewhere, target = tmp_path / "elsewhere", tmp_path / "out"
    elsewhere.mkdir()
    target.mkdir()
    (target / "web").symlink_to(elsewhere, target_is_directory=True)
    code, err = render_into(target, tmp_path)
    assert code == 1 and "symbolic link" in err and "Traceback" not in err
    assert list(elsewhere.iterdir()) == []
    assert (target / "web").is_symlink()


def test_a_linked_file_inside_the_target_is_left_alone(tmp_path: Path) -> None:
    secret, target = tmp_path / "secret.txt", tmp_path / "out"
    secret.write_text("keep me")
    (target / "web").mkdir(parents=True)
    (target / "web" / "deployment-web.yaml").symlink_to(secret)
    before = snapshot(target)
    code, err = render_into(target, tmp_path)
    assert code == 1 and "symbolic link" in err
    assert secret.read_text() == "keep me" and snapshot(target) == before


def test_a_file_in_the_way_of_a_folder_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "web").write_text("mine")
    code, err = render_into(target, tmp_path)
    assert code == 1 and "in the way" in err and "Traceback" not in err
    assert (target / "web").read_text() == "mine"


def test_the_target_itself_may_be_a_link_the_user_named(tmp_path: Path) -> None:
    real, link = tmp_path / "real", tmp_path / "link"
    real.mkdir()
    link.symlink_to(real, target_is_directory=True)
    code, err = render_into(link, tmp_path)
    assert code == 0, err
    assert err.startswith("wrote 1 files") and (real / "web" / "deployment-web.yaml").is_file()


# --- schema --all deletes only files it wrote, unchanged -----------------------------------------


def test_schema_all_keeps_the_users_files(tmp_path: Path, evil_defs: Path) -> None:
    target = tmp_path / "config"
    (target / "dev").mkdir(parents=True)
    (target / "dev" / "settings.json").write_text('{"mine": true}')
    (target / "openapi-3.0" / "trait").mkdir(parents=True)
    (target / "openapi-3.0" / "trait" / "notes.json").write_text("{}")
    code, _, err = cli("schema", "--all", "-d", str(evil_defs), "--output-dir", str(target))
    assert code == 0, err
    assert (target / "dev" / "settings.json").read_text() == '{"mine": true}'
    assert (target / "openapi-3.0" / "trait" / "notes.json").read_text() == "{}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_prune_removes_only_unchanged_files_the_manifest_lists(tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    write_schemas({"a/t/one.json": "1\n", "a/t/two.json": "2\n", "a/t/three.json": "3\n"}, target)
    (target / "a" / "t" / "three.json").write_text("edited by hand\n")
    (target / "a" / "t" / "mine.json").write_text("mine\n")
    written = write_schemas({"a/t/one.json": "1\n"}, target)
    assert written == [target / "a/t/one.json"]
    assert sorted(p.name for p in (target / "a" / "t").iterdir()) == ["mine.json", "one.json", "three.json"]
    manifest = json.loads((target / ".oam-render-manifest.json").read_text())
    assert manifest["files"] == {"a/t/one.json": digest("1\n")}


def test_a_hostile_manifest_cannot_delete_outside_or_through_links(tmp_path: Path) -> None:
    target, victim = tmp_path / "schemas", tmp_path / "victim.json"
    victim.write_text("precious\n")
    target.mkdir()
    (target / "link").symlink_to(tmp_path, target_is_directory=True)
    listed = {"../victim.json": digest("precious\n"), "link/victim.json": digest("precious\n"),
              str(victim): digest("precious\n")}
    (target / ".oam-render-manifest.json").write_text(json.dumps({"files": listed}))
    write_schemas({"a/t/one.json": "1\n"}, target)
    assert victim.read_text() == "precious\n"


# --- collisions ------------------------------------------------------------------------------------


def test_names_that_map_to_one_file_are_an_error_naming_them(tmp_path: Path) -> None:
    target = tmp_path / "out"
    objects = [deployment("x", name) for name in ("a b", "a_b", "a/b")]
    with pytest.raises(OamError) as caught:
        write_output_dir(result(*objects), target)
    message = str(caught.value)
    assert all(f"component {name!r}" in message for name in ("a b", "a_b", "a/b"))
    assert not target.exists()


def test_names_differing_only_in_case_collide(tmp_path: Path) -> None:
    with pytest.raises(OamError, match="same file"):
        write_output_dir(result(deployment("Web", "c"), deployment("web", "c"), deployment("WEB", "c")),
                         tmp_path / "out")


def test_a_file_and_a_folder_of_one_name_collide(tmp_path: Path) -> None:
    files = [outfiles().OutputFile("a", "1"), outfiles().OutputFile("a/b", "2")]
    with pytest.raises(OamError, match="same file"):
        outfiles().write_files(tmp_path / "out", files)


def test_docs_of_definitions_that_map_to_one_page_fail(tmp_path: Path) -> None:
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "one.yaml").write_text(TRAIT_YAML.format(name="a b"))
    (defs / "two.yaml").write_text(TRAIT_YAML.format(name="a_b"))
    code, _, err = cli("docs", "--output-dir", str(tmp_path / "site"), "-d", str(defs), "--only", "user")
    assert code == 1 and "'a b'" in err and "'a_b'" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_wrote_n_files_counts_the_files_that_exist(tmp_path: Path) -> None:
    target = tmp_path / "out"
    code, err = render_into(target, tmp_path)
    assert code == 0
    assert err == f"wrote {sum(p.is_file() for p in target.rglob('*'))} files under {target}\n"


# --- all or nothing ------------------------------------------------------------------------------


def failing_on(call: int) -> Callable[..., None]:
    """os.replace that fails on its `call`-th use, then works again (so a rollback can run)."""
    real, calls = os.replace, iter(range(1, 1000))

    def flaky(source: Any, destination: Any, **kwargs: Any) -> None:
        if next(calls) == call:
            raise OSError(28, "No space left on device", str(destination))
        real(source, destination, **kwargs)

    return flaky


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    """An output folder from an earlier render, plus a file of the user's."""
    target = tmp_path / "out"
    write_output_dir(result(deployment("web", "web"), deployment("api", "api")), target)
    (target / "README.md").write_text("mine")
    return target


def changed_render() -> RenderResult:
    """Against `existing`: one file changed (backup, then move in), two new ones (one in a new folder)."""
    bodies = [deployment("web", "web"), deployment("api2", "api"), deployment("db", "db")]
    return result(*(RenderedObject({**o.body, "spec": {"replicas": 3}}, o.component, None, None) for o in bodies))


@pytest.mark.parametrize("call", [1, 2, 3, 4])
def test_a_failure_half_way_leaves_the_folder_as_it_was(existing: Path, monkeypatch: pytest.MonkeyPatch,
                                                         call: int) -> None:
    before = snapshot(existing)
    monkeypatch.setattr(os, "replace", failing_on(call))
    with pytest.raises(OSError):
        write_output_dir(changed_render(), existing)
    monkeypatch.undo()
    assert snapshot(existing) == before


def test_without_a_failure_the_same_write_goes_through(existing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "replace", failing_on(5))
    write_output_dir(changed_render(), existing)
    monkeypatch.undo()
    assert sorted(str(p.relative_to(existing)) for p in existing.rglob("*") if p.is_file()) == [
        "README.md", "api/deployment-api.yaml", "api/deployment-api2.yaml", "db/deployment-db.yaml",
        "web/deployment-web.yaml"]
    assert "replicas: 3" in (existing / "web" / "deployment-web.yaml").read_text()


def test_a_failure_through_the_cli_is_a_message_and_leaves_the_folder(tmp_path: Path, existing: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(existing)
    monkeypatch.setattr(os, "replace", failing_on(2))
    code, err = render_into(existing, tmp_path)
    monkeypatch.undo()
    assert code == 1 and "No space left on device" in err and "Traceback" not in err
    assert snapshot(existing) == before


# --- permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_a_new_folder_gets_the_users_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        target = tmp_path / "out"
        write_output_dir(result(deployment("web", "web", environment="eu")), target)
    finally:
        os.umask(old)
    for folder in (target, target / "eu", target / "eu" / "web"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask, folder
    assert stat.S_IMODE((target / "eu" / "web" / "deployment-web.yaml").stat().st_mode) == 0o666 & ~umask
