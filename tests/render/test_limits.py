"""Time and size: one budget for the whole render, chunked cue processes, located errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from engine import OamError, RenderOptions, render
from engine.cli.main import run
from engine.cue import program as compose

# 25 million comprehension steps (with n = 5000): cue needs far longer than the budgets below.
_COSTLY = 'len([for i in list.Range(0, {n}, 1) for j in list.Range(0, {n}, 1) if i == j+1 {{i}}])'


def _definition(folder: Path, name: str, template: str) -> None:
    body = "\n".join(f"        {line}" for line in template.strip().splitlines())
    (folder / f"{name}.yaml").write_text(f"""\
apiVersion: core.oam.dev/v1beta1
kind: ComponentDefinition
metadata:
  name: {name}
spec:
  workload:
    definition: {{apiVersion: v1, kind: ConfigMap}}
  schematic:
    cue:
      template: |
{body}
""")


def _app(folder: Path, *components: tuple[str, str]) -> Path:
    entries = "".join(f"    - name: {name}\n      type: {kind}\n" for name, kind in components)
    path = folder / "app.yaml"
    path.write_text("apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: shop}\n"
                    f"spec:\n  components:\n{entries}")
    return path


def _cli(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    code = run(list(argv), io.StringIO(), io.StringIO(), err)
    return code, err.getvalue()


def test_a_looping_template_spends_the_budget_of_the_whole_render(tmp_path: Path) -> None:
    # The cost depends on a property, so the parameter schema is read quickly: evaluation loops.
    costly = _COSTLY.format(n="parameter.n")
    _definition(tmp_path, "spin", f"""
import "list"
parameter: n: int
output: {{
\tapiVersion: "v1"
\tkind:       "ConfigMap"
\tdata: n:    "\\({costly})"
}}
""")
    app = _app(tmp_path, ("web", "spin"))
    app.write_text(app.read_text() + "      properties: {n: 5000}\n")
    code, err = _cli("render", "-f", str(app), "-d", str(tmp_path), "--timeout", "2")
    assert code == 1
    assert "the time budget of 2 s ran out while cue evaluated components[web] (spin)" in err


def test_a_timed_out_parameter_schema_is_reported_not_swallowed(tmp_path: Path) -> None:
    _definition(tmp_path, "slowparam", f"""
import "list"
parameter: n: *{_COSTLY.format(n=5000)} | int
output: {{apiVersion: "v1", kind: "ConfigMap", data: n: "\\(parameter.n)"}}
""")
    app = _app(tmp_path, ("web", "slowparam"))
    with pytest.raises(OamError) as caught:
        render(app, definitions=[tmp_path], options=RenderOptions(timeout=2))
    [problem] = caught.value.problems
    assert problem.code == "timeout"
    assert "time budget of 2 s ran out while cue read the parameters of component slowparam" \
        in problem.message


def test_the_timeout_flag_takes_positive_seconds(tmp_path: Path) -> None:
    code, err = _cli("render", "-f", "app.yaml", "--timeout", "0")
    assert code == 2
    assert "positive number of seconds" in err


def test_components_beyond_one_chunk_render_the_same_objects(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    entries = "".join(f"""\
    - name: svc-{n}
      type: webservice
      properties: {{image: "nginx:1.{n}", ports: [{{port: 80, expose: true}}]}}
      traits:
        - {{type: scaler, properties: {{replicas: {n + 1}}}}}
        - {{type: labels, properties: {{tier: web}}}}
""" for n in range(5))
    app = tmp_path / "app.yaml"
    app.write_text("apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: shop}\n"
                   f"spec:\n  components:\n{entries}")
    whole = render(app)
    monkeypatch.setattr(compose, "CHUNK_SIZE", 3)
    chunked = render(app)
    assert chunked.bodies() == whole.bodies()
    # Two layers (labels reads context.output): the components with their scalers, 10
    # instances, then the 5 labels; in chunks of at most 3 that is 4 + 2 processes.
    assert (whole.stats.cue_processes, chunked.stats.cue_processes) == (2, 6)


def test_a_registry_import_is_located_in_its_definition(tmp_path: Path) -> None:
    _definition(tmp_path, "importer", """
import "example.com/foo"

output: {apiVersion: "v1", kind: "ConfigMap", data: name: foo.name}
""")
    app = _app(tmp_path, ("web", "importer"))
    with pytest.raises(OamError) as caught:
        render(app, definitions=[tmp_path])
    [problem] = caught.value.problems
    where = problem.location
    assert "import failed" in problem.message
    assert (where.app_path, where.definition, where.file, where.line) == \
        ("components[web]", "importer", str(tmp_path / "importer.yaml"), 11)


def test_a_template_parse_error_is_located_in_its_definition(tmp_path: Path) -> None:
    _definition(tmp_path, "broken", """
output: {
\tapiVersion: "v1"
\tmetadata name: "x"
}
""")
    app = _app(tmp_path, ("web", "broken"), ("ok", "broken"))
    with pytest.raises(OamError) as caught:
        render(app, definitions=[tmp_path])
    found = {(p.location.app_path, p.location.file, p.location.line) for p in caught.value.problems}
    assert found == {("components[web]", str(tmp_path / "broken.yaml"), 13),
                     ("components[ok]", str(tmp_path / "broken.yaml"), 13)}
    assert all("expected label or ':'" in p.message for p in caught.value.problems)


def test_a_component_too_large_for_cue_alone_is_a_size_limit_at_its_path(tmp_path: Path) -> None:
    # 1 MB of text repeated `times` times: with 5000, past cue's 4 GiB at once.
    _definition(tmp_path, "bomb", """
import "strings"
parameter: times: int
_text: strings.Repeat(strings.Repeat("x", 1000000), parameter.times)
output: {apiVersion: "v1", kind: "ConfigMap", data: n: "\\(len(_text))"}
""")
    _definition(tmp_path, "plain", 'output: {apiVersion: "v1", kind: "ConfigMap"}')
    app = _app(tmp_path, ("a", "plain"), ("b", "plain"), ("big", "bomb"), ("c", "plain"))
    app.write_text(app.read_text().replace("type: bomb\n", "type: bomb\n      properties: {times: 5000}\n"))
    with pytest.raises(OamError) as caught:
        render(app, definitions=[tmp_path])
    [problem] = caught.value.problems
    assert (problem.code, problem.location.app_path) == ("size-limit", "components[big]")
    assert "memory limit of 4 GiB (a size limit of oam-render)" in problem.message
