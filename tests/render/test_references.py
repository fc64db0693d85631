"""Referred objects (ref-objects, service-binding) and helm charts: matching and paths, in pure Python."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from engine import render
from engine.cli.main import run
from engine.documents import Document
from engine.model import Application
from engine.render.charts import _chart_path, _ordered
from engine.render.references import cleared, select
from tests.support import TESTS


def _docs(*bodies: dict) -> list[Document]:
    return [Document(b, "<test>", 1) for b in bodies]


DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "prod"}}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "api", "labels": {"a": "1", "b": "2"}}}


def test_resource_matches_singular_or_plural_in_its_group() -> None:
    for resource in ("deployment", "deployments", "Deployment"):
        found, error = select({"resource": resource, "group": "apps"}, "api", "prod", _docs(DEPLOY, SECRET))
        assert error is None and [f["kind"] for f in found] == ["Deployment"]
    found, error = select({"resource": "deployment"}, "api", "prod", _docs(DEPLOY))
    assert not found and error is not None and "group apps" in error


def test_namespace_name_and_labels() -> None:
    assert select({"resource": "deployment", "group": "apps"}, "api", "dev", _docs(DEPLOY))[1]
    # No namespace in the document: it counts as being wherever it is asked for.
    assert select({"resource": "secret", "namespace": "x"}, "api", "prod", _docs(SECRET))[0]
    assert select({"resource": "secret", "labelSelector": {"a": "1"}}, "c", "prod", _docs(SECRET))[0]
    assert select({"resource": "secret", "labelSelector": {"a": "1", "c": "3"}}, "c", "p", _docs(SECRET))[1]
    assert select({"resource": "secret", "name": "api", "labelSelector": {"a": "1"}}, "c", "p", _docs(SECRET))[1]


def test_cleared_keeps_a_headless_service_ip() -> None:
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "uid": "u"},
               "spec": {"clusterIP": "None"}, "status": {}}
    assert cleared(service) == {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                                "spec": {"clusterIP": "None"}}


def test_objects_flag_reads_a_folder() -> None:
    case = TESTS / "golden" / "component-ref-objects-folder"
    out, err = io.StringIO(), io.StringIO()
    code = run(["render", "-f", str(case / "app.yaml"), "--objects", str(case / "objects")],
               io.StringIO(""), out, err)
    assert code == 0 and "kind: CronJob" in out.getvalue(), err.getvalue()


def test_chart_paths_and_the_workload_first(tmp_path: Path) -> None:
    app = Application("a", "default", {}, {}, (), source=str(tmp_path / "app.yaml"))
    (tmp_path / "app.yaml").write_text("")
    (tmp_path / "chart").mkdir()
    assert _chart_path({"source": "chart"}, app) == (tmp_path / "chart", None)
    assert _chart_path({"source": "oci://r/c"}, app)[1]
    assert _chart_path({"source": "chart", "repoURL": "https://x"}, app)[1]
    kinds = [b["kind"] for b in _ordered([{"kind": "ServiceAccount"}, {"kind": "Service"}, {"kind": "StatefulSet"}])]
    assert kinds == ["StatefulSet", "ServiceAccount", "Service"]


def test_a_packaged_chart_renders(tmp_path: Path) -> None:
    helm = shutil.which("helm")
    if helm is None:
        pytest.skip("helm is not on PATH (`make tools` installs the pinned one)")
    chart = TESTS / "golden" / "component-helmchart" / "charts" / "greeter"
    subprocess.run([helm, "package", str(chart), "-d", str(tmp_path)], check=True, capture_output=True,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=60)
    app = yaml.safe_load((TESTS / "golden" / "component-helmchart" / "app.yaml").read_text())
    comp = app["spec"]["components"][0]
    comp["properties"]["chart"] = {"source": str(tmp_path / "greeter-0.1.0.tgz")}
    comp["traits"] = []
    result = render(app)
    assert [o.kind for o in result.objects] == ["Deployment", "ServiceAccount", "ConfigMap", "Service"]
