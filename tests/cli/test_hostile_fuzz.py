"""Fuzzing the CLI and the library with hostile names, values and malformed documents (issue 9).

Every run ends with exit 0 or 1 and no traceback; the library raises only OamError; and a
printed stream reads, with a YAML 1.1 and a YAML 1.2 reader, into exactly the rendered objects.
These call the real cue, so the example counts stay small and most malformed inputs fail before it.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from engine import OamError, render
from engine.cli.main import run

YAML12 = YAML(typ="safe", pure=True)
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRICKY = ["shop)\nkind: Secret\nmetadata: {name: x}\n#", "a\u2028kind: Secret", "a\rb", "a\x85b", "x\x00y",
          "1e3", "1.5e3", "0o17", "1e-5", "0x1F", ".inf", "yes", "no", "on", "y", "~", "null", "1_000",
          "12:30:00", "2024-01-01", "---", "...", "# x", "&a", "*a", "!foo", "- x", "a: b", "|", "'", '"',
          " lead", "trail ", "\ufeffbom", "\t", "", "web", "shop"]
names = st.one_of(st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True), st.sampled_from(TRICKY),
                  st.text(max_size=16))
values = st.one_of(st.sampled_from(TRICKY), st.text(max_size=24))
valid_names = st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


def cli(argv: list[str], stdin: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def read_both(stream: str) -> tuple[list[Any], list[Any]]:
    return list(yaml.safe_load_all(stream)), list(YAML12.load_all(io.StringIO(stream)))


def check_run(text: str) -> None:
    """The CLI and the library agree on `text`: both fail cleanly, or both print the same objects."""
    code, out, err = cli(["render", "-f", "-"], text)
    assert code in (0, 1), err
    assert "Traceback" not in err
    try:
        result = render(text)
    except OamError as error:
        assert code == 1 and out == "" and err.startswith("error: "), (code, err)
        assert error.problems
        return
    assert code == 0, err
    bodies = result.bodies()
    assert read_both(out) == (bodies, bodies)
    assert read_both(result.to_yaml()) == (bodies, bodies)
    check_output_dir(text, bodies)


def check_output_dir(text: str, bodies: list[Any]) -> None:
    """With --output-dir, every file lands inside the folder named, and they hold the objects."""
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Path(tmp)
        target = sandbox / "out"
        code, out, err = cli(["render", "-f", "-", "--output-dir", str(target)], text)
        assert code == 0 and out == "" and "Traceback" not in err, err
        written = [p for p in sandbox.rglob("*") if p.is_file()]
        assert all(target in p.parents for p in written), written
        read = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in written]
        assert sorted(map(repr, read)) == sorted(map(repr, bodies))


def application(name: Any, component: Any, properties: dict[str, Any], labels: dict[str, Any],
                extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    components = [{"name": component, "type": "webservice", "properties": {"image": "nginx", **properties}}]
    return {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": name, "labels": labels, "annotations": labels},
            "spec": {"components": components + (extra or [])}}


@FUZZ
@given(name=names, component=names, policy=names, step=names)
def test_any_name_is_refused_or_printed_safely(name: str, component: str, policy: str, step: str) -> None:
    app = application(name, component, {}, {})
    app["spec"]["policies"] = [{"name": policy, "type": "topology", "properties": {"clusters": ["local"]}}]
    app["spec"]["workflow"] = {"steps": [{"name": step, "type": "deploy", "properties": {"policies": [policy]}}]}
    check_run(yaml.safe_dump(app, allow_unicode=True))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=valid_names, env=st.lists(values, min_size=1, max_size=6), data=st.lists(values, max_size=6),
       labels=st.dictionaries(st.sampled_from(["team", "tier", "x.io/y"]), values, max_size=3))
def test_any_value_prints_as_the_same_string(name: str, env: list[str], data: list[str],
                                             labels: dict[str, str]) -> None:
    """Text in env values, ConfigMap data, labels and annotations reads back as the same text."""
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
              "data": {f"k{i}": v for i, v in enumerate(data)}}
    objects = {"name": "config", "type": "k8s-objects", "properties": {"objects": [config]}}
    env_vars = [{"name": f"V{i}", "value": v} for i, v in enumerate(env)]
    app = application(name, "web", {"env": env_vars}, labels, [objects])
    check_run(yaml.safe_dump(app, allow_unicode=True))


VALID = """apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: shop
  labels: {team: a}
spec:
  components:
    - name: web
      type: webservice
      dependsOn: [db]
      properties:
        image: nginx
        env: [{name: A, value: x}]
      traits:
        - type: scaler
          properties: {replicas: 2}
    - name: db
      type: worker
      properties: {image: postgres}
"""

FRAGMENTS = ["!!binary aGVsbG8=", "!foo x", "2024-01-01", "&a [*a]", "*nope", "[a, b]", "{a: 1}", "5", "null",
             "!!set {a}", "? [a]\n: 1", "\x00", "\u2028", "'unterminated", "[" * 150, "{", ".nan", "- x", "~",
             "!!python/object:os.system x", "yes", "<<: {a: 1}", "\"a\\u2028b\"", "|\n  text", "12:30:00"]


@st.composite
def malformed(draw: st.DrawFn) -> str:
    """VALID with a few lines damaged: a value replaced by a fragment, a line dropped, doubled or cut."""
    lines = VALID.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "value", "drop", "double", "cut", "text"]))
        line = lines[index]
        if action == "value" and ":" in line:
            lines[index] = line[: line.index(":") + 1] + " " + draw(st.sampled_from(FRAGMENTS))
        elif action == "drop":
            del lines[index]
        elif action == "double":
            lines.insert(index, line)
        elif action == "cut":
            lines[index] = line[: draw(st.integers(0, len(line)))]
        else:
            lines[index] = line + draw(st.text(max_size=8))
        if not lines:
            break
    return "\n".join(lines) + "\n"


@FUZZ
@given(malformed())
def test_malformed_documents_fail_cleanly(text: str) -> None:
    check_run(text)
