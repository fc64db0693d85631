"""--compat kubevela: the checks KubeVela skips warn instead of failing, in the library and the CLI."""

from __future__ import annotations

import io

import pytest

from engine import OamError, RenderOptions, render
from engine.cli.main import run
from engine.render.compat import split
from tests.support import TESTS

CASE = TESTS / "golden" / "compat-kubevela-applies-to" / "app.yaml"


def test_library_default_is_strict_and_compat_warns() -> None:
    with pytest.raises(OamError) as error:
        render(CASE)
    assert [p.code for p in error.value.problems] == ["trait-not-applicable"]
    result = render(CASE, options=RenderOptions(compat="kubevela"))
    assert [o.kind for o in result.objects] == ["DaemonSet", "Service"]
    assert any("KubeVela lets this through" in w for w in result.warnings)


def test_cli_prints_the_warning_and_renders() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["render", "-f", str(CASE), "--compat", "kubevela"], io.StringIO(""), out, err)
    assert code == 0 and "kind: Service" in out.getvalue()
    assert err.getvalue().startswith("warning: components[node-agent].traits[expose]: trait expose")


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown compat mode"):
        split([], "helm")
