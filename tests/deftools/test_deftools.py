"""The definition toolbox: golden CLI cases, round trips over the bundled definitions, unit tables.

Golden cases live in tests/golden-def/<case>/: the input files, `args` (the command line after
`oam-render`, run from the case folder), and the expectations `stdout`, `stderr` and
`exit-code`. Adding a case needs no code; `pytest --update-golden` rewrites the expectations.
"""

from __future__ import annotations

import dataclasses
import io
import json
import shlex
from pathlib import Path

import pytest
import yaml

from engine import contract
from engine.cli.main import run
from engine.cue.runner import Cue
from engine.definitions import BUNDLED_DIR, parse_cue_definition, parse_yaml_definitions
from engine.deftools import KINDS, convert_files, render_files, skeleton, vet_files
from engine.deftools.checks import WORKLOAD_DEFINITION_EXTRA
from engine.deftools.convert import apply_diff, cue_data, cue_label, form_from_cue, format_cue, render_yaml
from engine.deftools.lint import marker_notes, usage_notes
from tests.support import TESTS

GOLDEN = TESTS / "golden-def"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "args").is_file())
BUNDLED = sorted(BUNDLED_DIR.rglob("*.cue"))


@pytest.fixture(scope="module")
def cue() -> Cue:
    return Cue()


def _run_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(case)
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(shlex.split((case / "args").read_text()), io.StringIO(), stdout, stderr)
    return {"stdout": stdout.getvalue(), "stderr": stderr.getvalue(), "exit-code": f"{code}\n"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_def(case: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    actual = _run_case(case, monkeypatch)
    if update_golden:
        for name, text in actual.items():
            (case / name).write_text(text)
        return
    for name, text in actual.items():
        assert (case / name).is_file(), f"{case.name}: no {name}; run pytest --update-golden and review it"
        assert text == (case / name).read_text(), f"{case.name}: {name} differs"


# --- round trips -----------------------------------------------------------------------------


def _bare(text: str) -> object:
    return dataclasses.replace(parse_cue_definition(text), source="", template_line=0)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_round_trip(path: Path, cue: Cue, tmp_path: Path) -> None:
    first_yaml = render_files([path])
    (tmp_path / "def.yaml").write_text(first_yaml)
    [(name, cue_text)] = convert_files([tmp_path / "def.yaml"], cue)
    (tmp_path / "def.cue").write_text(cue_text)
    second_yaml = render_files([tmp_path / "def.cue"])
    assert name == path.stem
    assert second_yaml == first_yaml
    assert _bare(cue_text) == _bare(path.read_text())
    assert parse_yaml_definitions(first_yaml)[0].template == parse_yaml_definitions(second_yaml)[0].template


def test_bundled_definitions_vet_clean_in_one_process(cue: Cue) -> None:
    before = cue.processes
    assert vet_files([BUNDLED_DIR], cue) == []
    assert cue.processes - before == 1


def test_rendered_yaml_loads_as_the_same_definition() -> None:
    path = BUNDLED_DIR / "component" / "webservice.cue"
    form = form_from_cue(path.read_text(), str(path))
    [loaded] = parse_yaml_definitions(render_yaml([form]))
    assert loaded.kind == contract.KIND_COMPONENT
    assert loaded.description == form.description
    assert loaded.imports.strip() == form.imports.strip()
    assert dict(loaded.spec)["workload"] == form.attributes["workload"]


# --- init ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_skeleton_passes_vet(kind: str, cue: Cue, tmp_path: Path) -> None:
    path = tmp_path / f"my-{kind}.cue"
    path.write_text(skeleton(f"my-{kind}", kind, cue))
    assert vet_files([path], cue) == []
    assert parse_cue_definition(path.read_text()).kind == kind


def test_init_writes_the_file(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "gpu.cue"
    assert run(["def", "init", "gpu", "--type", "trait", "-o", str(target)], io.StringIO(), out, err) == 0
    assert out.getvalue() == ""
    assert err.getvalue() == f"wrote {target}\n"
    assert parse_cue_definition(target.read_text()).name == "gpu"


def test_convert_to_a_folder_writes_one_file_per_definition(tmp_path: Path) -> None:
    source = tmp_path / "two.yaml"
    source.write_text(render_files([BUNDLED_DIR / "trait" / "scaler.cue", BUNDLED_DIR / "trait" / "labels.cue"]))
    out, err = io.StringIO(), io.StringIO()
    code = run(["def", "convert", str(source), "-o", str(tmp_path / "cue") + "/"], io.StringIO(), out, err)
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "cue").iterdir()) == ["labels.cue", "scaler.cue"]
    assert (tmp_path / "cue" / "scaler.cue").read_text() == (BUNDLED_DIR / "trait" / "scaler.cue").read_text()


# --- unit tables -----------------------------------------------------------------------------


def test_every_attribute_shape_has_a_check() -> None:
    shapes = {shape for types in contract.ATTRIBUTES.values() for shape in types.values()}
    samples = {contract.BOOL: True, contract.STRING: "s", contract.INT: 3, contract.STRUCT: {"a": 1},
               contract.LIST: [1], contract.STRINGS: ["a"]}
    for shape in shapes | set(WORKLOAD_DEFINITION_EXTRA.values()):
        assert contract.fits(shape, samples[shape]) and not contract.fits(shape, object()), shape
    assert not contract.fits(contract.INT, True) and not contract.fits(contract.STRINGS, [1])


@pytest.mark.parametrize(("value", "expected"), [
    ({}, "{}"),
    ({"a": 1, "b-c": [True, None], "if": "x"}, '{\n\ta: 1\n\t"b-c": [true, null]\n\t"if": "x"\n}'),
    ("two\nlines", '#"""\n\ttwo\n\tlines\n\t"""#'),
    ('a """# b\n\\#(x)', '##"""\n\ta """# b\n\t\\#(x)\n\t"""##'),
    ("end\n", '#"""\n\tend\n\n\t"""#'),
], ids=["empty", "struct", "multiline", "hashes", "trailing-newline"])
def test_cue_data(value: object, expected: str, cue: Cue) -> None:
    assert cue_data(value) == expected
    exported = cue.export({"x.cue": f"x: {expected}\n"}, {}, "x", out="json")
    assert json.loads(exported) == value


@pytest.mark.parametrize(("name", "label"), [("scaler", "scaler"), ("json-patch", '"json-patch"'),
                                             ("_x", '"_x"'), ("#D", '"#D"'), ("for", '"for"')])
def test_cue_label(name: str, label: str) -> None:
    assert cue_label(name) == label


@pytest.mark.parametrize("original", [
    "x: {\na:  1\n    bb: 2\n}\n\ny: 3\nz:   4",
    "a: 1\n\n\n\nb:    2\n",
    "a: 1\n",
], ids=["indent-and-eof", "blank-lines", "already-formatted"])
def test_format_cue_applies_cue_fmt_diff(original: str, cue: Cue) -> None:
    formatted = format_cue(original, cue)
    assert format_cue(formatted, cue) == formatted
    assert apply_diff(original, "") == original


@pytest.mark.parametrize(("template", "expected"), [
    ("// +patchStrategy=jsonPatch\npatch: parameter\nparameter: {}\n", []),
    ("patch: {\n\t// +patchStrategy=jsonMergePatch\n\ta: 1\n}\n", [(2, "error")]),
    ("// +patchStrategy=retainKeys\npatch: a: 1\n", []),
    ("// +color=red\npatch: a: 1\n", [(1, "warning")]),
    ("// +patchKey\npatch: a: [1]\n", [(1, "warning")]),
    ("// + usage=x\nparameter: a: int\n", [(1, "warning")]),
    ("// +ignore=yes\nparameter: {}\n", [(1, "warning")]),
], ids=["json-patch-top", "merge-patch-nested", "retain", "unknown", "no-value", "malformed", "flag-value"])
def test_marker_notes(template: str, expected: list[tuple[int, str]]) -> None:
    assert [(n.line, n.severity) for n in marker_notes(template)] == expected


@pytest.mark.parametrize(("template", "expected"), [
    ("parameter: {\n\t// +usage=x\n\ta: int\n}\n", []),
    ("parameter: {\n\ta: int\n}\n", ["parameter.a"]),
    ("parameter: {\n\t// +ignore\n\ta: {b: int}\n}\n", []),
    ("parameter: {\n\t// +usage=x\n\ta?: [...{n: int}]\n}\n", ["parameter.a[].n"]),
    ("parameter: {\n\t// +usage=x\n\tp: #P\n}\n#P: {\n\tq: int\n}\n", ["#P.q"]),
    ("parameter: {\n\tif true {\n\t\tz: int\n\t}\n\t_h: 1\n}\n", ["parameter.z"]),
    ("parameter: [string]: string\n", []),
], ids=["documented", "missing", "ignored", "list-element", "definition", "inside-if", "pattern"])
def test_usage_notes(template: str, expected: list[str]) -> None:
    assert [n.message.split(" ")[0] for n in usage_notes(template)] == expected


def test_vet_sets_broken_templates_aside_and_reruns_the_rest(cue: Cue) -> None:
    before = cue.processes
    findings = vet_files([GOLDEN / "vet-batch"], cue)
    files = {Path(f.file).name for f in findings if f.severity == "error"}
    assert files == {"conflict.cue", "markers.cue", "syntax.cue", "template.cue"}
    # syntax errors, then unresolved references, then conflicting values, then the clean rest
    assert cue.processes - before <= 4


def test_vet_reads_yaml_through_the_bounded_loader(tmp_path: Path) -> None:
    import io

    from engine.cli.main import run

    levels = ["a: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(levels).replace("a: &a0", "a0: &a0") + "\n")
    dated = tmp_path / "dated.yaml"
    dated.write_text("apiVersion: core.oam.dev/v1beta1\nkind: TraitDefinition\nmetadata: {name: x}\nwhen: 2024-01-01\n")
    out, err = io.StringIO(), io.StringIO()
    code = run(["def", "vet", str(bomb), str(dated)], io.StringIO(), out, err)
    report = out.getvalue() + err.getvalue()
    assert code == 1, report
    assert "YAML too large" in report and "date" in report, report


def test_render_quotes_strings_other_yaml_readers_would_retype(tmp_path: Path) -> None:
    """`def render` prints through the one quoting dumper: a description `on` or an annotation
    `0o17` stays a string for PyYAML (YAML 1.1) and ruamel (YAML 1.2, as go-yaml and cue),
    while the template stays a literal block, tabs and all."""
    from ruamel.yaml import YAML

    source = tmp_path / "odd.cue"
    source.write_text('odd: {\n\ttype: "trait"\n\tdescription: "on"\n\tannotations: {"x.io/mode": "0o17"}\n'
                      '\tattributes: appliesToWorkloads: ["*"]\n}\ntemplate: {\n\tparameter: {\n\t\tn: *1 | int\n\t}\n'
                      '\tpatch: spec: replicas: parameter.n\n}\n')
    text = render_files([source])
    assert "template: |" in text and "\tn: *1 | int" in text
    for read in (lambda t: yaml.safe_load(t), lambda t: YAML(typ="safe", pure=True).load(t)):
        document = read(text)
        assert document["metadata"]["annotations"]["definition.oam.dev/description"] == "on"
        assert document["metadata"]["annotations"]["x.io/mode"] == "0o17"
