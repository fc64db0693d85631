"""`yamlio.dump` writes the same text whichever emitter it picks (libyaml's for what both write
alike, PyYAML's otherwise): the output does not depend on the machine."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import yamlio
from tests.support import TESTS

TRICKY = ["", " ", "x ", " x", "a\nb", "a\n", "a\n\n", "\n", "\nx", "- a", "a: b", "#", "  \n", "x\n ",
          "yes", "null", "0o17", "1e3", "2024-01-01", "a\n\tb\n", "😀", "\u2028", "\x85", "\r", "~", "é 中"]
text = st.text(st.sampled_from(list("ab0 .:-#'\"{}[]|>&*!%@`,?\n\t~=+_é中\u00a0😀\r")), max_size=12) \
    | st.sampled_from(TRICKY) | st.text(max_size=8)
leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text
data = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                    max_leaves=16)


def python_dump(body: Any) -> str:
    return yaml.dump(body, Dumper=yamlio.Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True,
                     width=1 << 16)


@settings(max_examples=1500, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.lists(data, max_size=4) | st.dictionaries(text, data, max_size=4) | leaf)
def test_dump_is_pyyamls_text(body: Any) -> None:
    assert yamlio.dump(body) == python_dump(body)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML is built without libyaml here")
def test_rendered_objects_take_the_fast_emitter() -> None:
    """Every object of the golden cases is one libyaml writes (and writes alike)."""
    bodies = [d for p in sorted(TESTS.glob("golden/*/expected.yaml"))
              for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if isinstance(d, dict)]
    assert len(bodies) > 300
    assert all(yamlio._same_in_both(b) for b in bodies)
    assert [yamlio.dump(b) for b in bodies] == [python_dump(b) for b in bodies]
