"""Objects of custom kinds against their CRD's openAPIV3Schema, with the x-kubernetes-* extensions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.gates import load_crds, validate_paths, validate_subjects
from engine.gates.subjects import Subject
from engine.paths import bracket_text as format_path

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.dev
spec:
  group: example.dev
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                port: {x-kubernetes-int-or-string: true}
                mode: {type: string, enum: [fast, slow]}
                note: {type: string, nullable: true}
                settings:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  properties:
                    spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
                partial:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    known:
                      type: object
                      properties:
                        depth: {type: integer}
"""


@pytest.fixture(scope="module")
def crd_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crds")
    (folder / "widget.yaml").write_text(CRD)
    (folder / "other.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: skipped}\n")
    return folder


def _widget(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "example.dev/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "ns"},
            "spec": {"size": 1, **spec}}


CASES = {
    "minimal": (_widget(), []),
    "int-or-string-int": (_widget(port=80), []),
    "int-or-string-string": (_widget(port="http"), []),
    "int-or-string-bool": (_widget(port=True), [("k8s-wrong-type", "spec.port")]),
    "preserve-unknown-below": (_widget(settings={"anything": {"goes": [1]}}), []),
    "preserve-keeps-known-schemas": (_widget(partial={"extra": 1, "known": {"depth": "deep"}}),
                                     [("k8s-wrong-type", "spec.partial.known.depth")]),
    "closed-below-preserve": (_widget(partial={"known": {"depthh": 1}}),
                              [("k8s-unknown-field", "spec.partial.known.depthh")]),
    "embedded-resource": (_widget(template={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                            "spec": {"x": 1}}), []),
    "embedded-resource-unknown": (_widget(template={"kind": "Pod", "extra": 1}),
                                  [("k8s-unknown-field", "spec.template.extra")]),
    "unknown-field": (_widget(sise=2), [("k8s-unknown-field", "spec.sise")]),
    "missing-required": ({**_widget(), "spec": {}}, [("k8s-missing-field", "spec.size")]),
    "wrong-type": (_widget(size="three"), [("k8s-wrong-type", "spec.size")]),
    "enum": (_widget(mode="medium"), [("k8s-invalid-value", "spec.mode")]),
    "minimum": (_widget(size=0), [("k8s-invalid-value", "spec.size")]),
    "nullable": (_widget(note=None), []),
    "unknown-top-level": ({**_widget(), "status2": {}}, [("k8s-unknown-field", "status2")]),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_custom_kind_against_its_schema(crd_dir: Path, case: tuple[dict[str, Any], list[tuple[str, str]]]) -> None:
    body, expected = case
    result = validate_subjects([Subject(body)], crds=load_crds([crd_dir]))
    found = [(p.code, p.message.split(": ")[1]) for p in result.problems]
    assert found == expected
    assert result.notes == ()


def test_without_the_crd_the_kind_passes_with_a_note() -> None:
    result = validate_subjects([Subject(_widget(sise=2))])
    assert result.ok and len(result.notes) == 1


def test_validate_paths_with_crds(crd_dir: Path, tmp_path: Path) -> None:
    stream = tmp_path / "objects.yaml"
    stream.write_text(yaml.safe_dump_all([_widget(size="x")]))
    problem, = validate_paths([stream], crd_paths=[crd_dir]).problems
    assert problem.message == "Widget ns/w: spec.size: expected an integer, found a string ('x')"
    assert (problem.location.line, problem.location.column) == (7, 3)


def test_schema_paths_are_readable() -> None:
    assert format_path(("metadata", "labels", "app.oam.dev/name")) == 'metadata.labels["app.oam.dev/name"]'
