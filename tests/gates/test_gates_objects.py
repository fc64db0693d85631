"""Objects of built-in kinds against the kubernetes client's models: goldens clean, broken objects caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.errors import Fixer
from engine.gates import validate_paths, validate_subjects
from engine.gates.objects import check_body
from engine.gates.sources import read_stream
from engine.gates.subjects import Subject, from_rendered
from engine.model import RenderedObject

GOLDEN = Path(__file__).parent.parent / "golden"
GOLDEN_OUTPUTS = sorted(GOLDEN.glob("*/expected.yaml"))


def _cluster_version(case: Path) -> tuple[int, int]:
    options = case / "options.yaml"
    raw = (yaml.safe_load(options.read_text()) or {}) if options.is_file() else {}
    major, minor = str(raw.get("cluster_version", "1.31")).split(".")[:2]
    return int(major), int(minor)


@pytest.mark.parametrize("expected", GOLDEN_OUTPUTS, ids=[p.parent.name for p in GOLDEN_OUTPUTS])
def test_every_golden_output_is_valid(expected: Path) -> None:
    result = validate_paths([expected], cluster_version=_cluster_version(expected.parent))
    assert [str(p) for p in result.problems] == []


def _deployment(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}},
                     "spec": {"containers": [{"name": "web", "image": "nginx"}]}},
    }
    base.update(spec)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"},
            "spec": {k: v for k, v in base.items() if v is not None}}


def _container(**fields: Any) -> dict[str, Any]:
    spec = _deployment()["spec"]
    spec["template"]["spec"]["containers"][0].update(fields)
    return _deployment(template=spec["template"])


BROKEN = {
    "replicas-string": (_deployment(replicas="three"), "k8s-wrong-type", "spec.replicas",
                        "expected an integer, found a string ('three')"),
    "no-selector": (_deployment(selector=None), "k8s-missing-field", "spec.selector", "required field is missing"),
    "typo-template": (_deployment(tempalte={}), "k8s-unknown-field", "spec.tempalte",
                      "unknown field (did you mean template?)"),
    "typo-in-container": (_container(imagePullPolicyy="Always"), "k8s-unknown-field",
                          "spec.template.spec.containers[0].imagePullPolicyy",
                          "unknown field (did you mean imagePullPolicy?)"),
    "port-not-int-or-string": (_container(livenessProbe={"httpGet": {"port": [80]}}), "k8s-wrong-type",
                               "spec.template.spec.containers[0].livenessProbe.httpGet.port",
                               "expected an integer or a string, found a list"),
    "env-value-number": (_container(env=[{"name": "N", "value": 3}]), "k8s-wrong-type",
                         "spec.template.spec.containers[0].env[0].value", "expected a string, found an integer (3)"),
    "hpa-v2beta2": ({"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler",
                     "metadata": {"name": "web"}, "spec": {}}, "k8s-unknown-kind", "apiVersion",
                    "autoscaling/v2beta2 HorizontalPodAutoscaler is not served by Kubernetes 1.37; "
                    "use autoscaling/v2"),
    "kind-typo": ({"apiVersion": "apps/v1", "kind": "Deploymnet", "metadata": {"name": "web"}},
                  "k8s-unknown-kind", "apiVersion", "apps/v1 has no kind Deploymnet in Kubernetes 1.37"),
    "secret-not-base64": ({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                           "data": {"password": "not base64!"}}, "k8s-wrong-type", 'data.password',
                          "expected a base64 string, found a string ('not base64!')"),
    "no-kind": ({"apiVersion": "v1", "metadata": {"name": "x"}}, "k8s-missing-field", "kind",
                "required field is missing"),
}


@pytest.mark.parametrize("case", BROKEN.values(), ids=list(BROKEN))
def test_broken_object_shows_its_problem(case: tuple[dict[str, Any], str, str, str]) -> None:
    body, code, path, message = case
    findings, note = check_body(body)
    assert note is None
    from engine.paths import bracket_text as format_path

    assert [(f.code, format_path(f.path), f.message) for f in findings] == [(code, path, message)]


VALID = {
    "int-or-string-name": _container(ports=[{"containerPort": 80, "name": "http"}],
                                     readinessProbe={"tcpSocket": {"port": "http"}}),
    "quantity-number": _container(resources={"limits": {"cpu": 1, "memory": "128Mi"}, "requests": {"cpu": 0.5}}),
    "nulls-are-unset": _deployment(strategy=None, paused=None) | {"status": None},
    "service-target-port": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                            "spec": {"ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081}]}},
}


@pytest.mark.parametrize("body", VALID.values(), ids=list(VALID))
def test_valid_objects_pass(body: dict[str, Any]) -> None:
    assert check_body(body) == ([], None)


def test_retired_version_passes_with_a_note_on_an_older_cluster() -> None:
    body = {"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}}
    findings, note = check_body(body, (1, 22))
    assert findings == []
    assert note == "HorizontalPodAutoscaler of autoscaling/v2beta2: served by Kubernetes 1.22, not checked"


def test_unknown_group_passes_with_a_note() -> None:
    subject = Subject({"apiVersion": "example.dev/v1", "kind": "Echo", "metadata": {"name": "e", "namespace": "ns"}})
    result = validate_subjects([subject])
    assert result.ok
    assert result.notes == ("Echo ns/e: Echo of example.dev/v1: not a built-in kind, not checked",)


STREAM = """\
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ok
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  replicas: three
  selector:
    matchLabels: {app: web}
  template:
    spec:
      containers:
        - name: web
          image: nginx
          imagePullPolicyy: Always
"""


def test_problems_from_a_stream_point_at_file_and_line(tmp_path: Path) -> None:
    stream = tmp_path / "out.yaml"
    stream.write_text(STREAM)
    result = validate_paths([tmp_path])
    found = [(p.code, p.location.file, p.location.line, p.location.column, p.message) for p in result.problems]
    assert found == [
        ("k8s-wrong-type", str(stream), 13, 3,
         "Deployment prod/web: spec.replicas: expected an integer, found a string ('three')"),
        ("k8s-unknown-field", str(stream), 21, 11, "Deployment prod/web: "
         "spec.template.spec.containers[0].imagePullPolicyy: unknown field (did you mean imagePullPolicy?)"),
    ]
    assert result.checked == 2


def test_list_documents_give_their_items() -> None:
    subjects = read_stream('{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod"}]}')
    assert [s.body["kind"] for s in subjects] == ["Pod"]


def test_problems_of_rendered_objects_name_component_and_trait() -> None:
    obj = RenderedObject(_deployment(replicas="three"), component="web", trait="scaler", output_name=None)
    problem, = validate_subjects([from_rendered(obj)]).problems
    assert problem.location.app_path == "components[web].traits[scaler]"
    assert problem.location.definition == "scaler"
    assert problem.location.definition_kind == "trait"
    assert problem.fixer is Fixer.DEFINITION
    assert str(problem) == ("components[web].traits[scaler]: Deployment prod/web: spec.replicas: "
                            "expected an integer, found a string ('three') (scaler)")


def test_rendering_does_not_import_the_kubernetes_client() -> None:
    code = "import sys, engine, engine.gates; assert 'kubernetes' not in sys.modules, 'imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent.parent)


def test_objects_the_app_writes_are_the_app_authors_to_fix() -> None:
    from engine.documents import load_application

    app = load_application(GOLDEN / "component-k8s-objects" / "app.yaml")
    component = app.components[0]
    subject = from_rendered(RenderedObject(_deployment(), component.name, None, None), app)
    assert (subject.fixer, subject.definition, subject.app_path) == (Fixer.APP, "k8s-objects",
                                                                     f"components[{component.name}]")
    assert subject.file == app.source and subject.line == app.lines[f"components[{component.name}]"]
