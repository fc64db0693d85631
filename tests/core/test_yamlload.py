"""The two bounded loaders (libyaml's parser, PyYAML's) build the same node trees, and the
message for unreadable text is PyYAML's (it says what it found, not only what it expected)."""

from __future__ import annotations

import pytest
import yaml

from engine.yamlio import YamlInputError, load_documents
from engine.yamlload import Loader, PyLoader, compose
from tests.support import TESTS

ROOT = TESTS.parent
CORPUS = sorted([*TESTS.glob("golden*/**/*.yaml"), *ROOT.glob("examples/**/*.yaml"),
                 *ROOT.glob("definitions/**/*.yaml")])


def _shape(node: yaml.Node) -> object:
    """What a node tree holds, with the line of every node (the style of a plain scalar is None
    in one parser and '' in the other: both mean plain)."""
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.style or None, node.start_mark.line)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, node.start_mark.line, [_shape(n) for n in node.value])
    return (node.tag, node.start_mark.line, [(_shape(k), _shape(v)) for k, v in node.value])


def _read(loader: type, text: str) -> object:
    try:
        return [_shape(n) for n in compose(loader, text)]
    except yaml.YAMLError as exc:
        return ("unreadable", getattr(getattr(exc, "problem_mark", None), "line", None))


@pytest.mark.skipif(Loader is PyLoader, reason="PyYAML is built without libyaml here")
def test_both_parsers_build_the_same_trees() -> None:
    texts = [p.read_text(encoding="utf-8") for p in CORPUS]
    texts += ["a: &x [1, 2]\nb: *x\n", "? complex\n: key\n", "s: 'q''t'\nb: |\n  x\n   y\n", "- - - 1\n",
              "a: {b: [c, {d: e}]}\n", "---\n...\n---\nx: 1\n", "a: b: c\n", "x: [1,\n"]
    assert len(texts) > 200
    different = [t[:80] for t in texts if _read(Loader, t) != _read(PyLoader, t)]
    assert different == []


def test_unreadable_text_gets_pyyamls_message() -> None:
    with pytest.raises(YamlInputError) as caught:
        load_documents("a:\n  b: {c: d\n  e: f\n")
    [issue] = caught.value.issues
    assert "expected ',' or '}', but got" in issue.message and issue.line == 3


def test_bounds_hold_on_the_fast_loader() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True))
    with pytest.raises(YamlInputError, match="values once aliases are expanded"):
        load_documents(bomb)
