"""Object finishing: labels, annotations, name, namespace and header order, in one place."""

from __future__ import annotations

from engine.model import Application
from engine.output.labels import finish_object

APP = Application("shop", "prod", {"team": "a"}, {"note": "x"}, ())


def test_component_objects_inherit_and_keep_a_namespace_the_template_set() -> None:
    body = {"spec": {}, "kind": "Service", "metadata": {"name": "web", "namespace": "other"}, "apiVersion": "v1"}
    done = finish_object(body, "prod", {"app.oam.dev/name": "shop"}, APP)
    assert list(done) == ["apiVersion", "kind", "metadata", "spec"]
    assert done["metadata"] == {"name": "web", "namespace": "other",
                                "labels": {"team": "a", "app.oam.dev/name": "shop"}, "annotations": {"note": "x"}}
    assert body["metadata"] == {"name": "web", "namespace": "other"}  # not changed


def test_policy_objects_get_a_name_and_only_their_labels_after_the_namespace() -> None:
    done = finish_object({"kind": "ConfigMap"}, "prod", {"l": "v"}, name="pol")
    assert list(done["metadata"]) == ["name", "namespace", "labels"]


def test_legacy_objects_are_moved_and_cluster_scoped_ones_lose_theirs() -> None:
    moved = finish_object({"kind": "Service", "metadata": {"namespace": "x"}}, "prod", {}, APP, replace_namespace=True)
    assert moved["metadata"]["namespace"] == "prod"
    cluster = finish_object({"kind": "Namespace", "metadata": {"namespace": "x"}}, "prod", {}, APP,
                            replace_namespace=True)
    assert "namespace" not in cluster["metadata"]
    kept = finish_object({"kind": "Namespace", "metadata": {"namespace": "x"}}, "prod", {}, APP)
    assert kept["metadata"]["namespace"] == "x"
