"""Unit tests of engine.cue.syntax.concrete: concrete CUE text (as `cue export --out cue` prints it) to data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.cue.syntax.concrete import parse_concrete
from engine.cue.syntax.lexer import CueSyntaxError
from tests.support.strict import typed

# --- Outputs recorded from /tmp/cuebin/cue v0.17.1 `export --out cue` --------------------------

BRIEF_EXAMPLE = """\
r_i1: patch: spec: template: spec: {
\t// +patchKey=name
\tcontainers: [{
\t\tname:  "log"
\t\timage: "fluentd"
\t\t// +patchKey=name
\t\tenv: [{
\t\t\tname:  "A"
\t\t\tvalue: "x\\"y"
\t\t}]
\t}]
\t"app.oam.dev/x": 1.5
}
"""

# Source: a trait patch with markers on label chains, a retainKeys and a replace field.
TRAIT_PATCH = """\
patch: {
\tspec: {
\t\ttemplate: spec: {
\t\t\t// +patchKey=name
\t\t\tcontainers: [{
\t\t\t\tname:  "log"
\t\t\t\timage: "fluentd:v1.16"
\t\t\t\t// +patchKey=name
\t\t\t\tenv: [{
\t\t\t\t\tname:  "A"
\t\t\t\t\tvalue: "x\\"y"
\t\t\t\t}, {
\t\t\t\t\tname:  "B"
\t\t\t\t\tvalue: "tab\\there"
\t\t\t\t}]
\t\t\t\tports: [{
\t\t\t\t\tcontainerPort: 8080
\t\t\t\t\tprotocol:      "TCP"
\t\t\t\t}]
\t\t\t}]
\t\t\t// +patchStrategy=replace
\t\t\tvolumes: [{
\t\t\t\tname: "v"
\t\t\t\temptyDir: {}
\t\t\t}]
\t\t}
\t\t// +patchStrategy=retainKeys
\t\tstrategy: type: "Recreate"
\t}
\tmetadata: annotations: "app.oam.dev/x": "1.5"
}
"""

# Source had two conjuncts each with a doc comment: cue keeps both groups, a blank line apart.
CONJUNCT_DOCS = """\
x: {
\ta: 1
\tc: {
\t\t// +patchKey=name

\t\t// +other=1
\t\td: [{
\t\t\tname: "a"
\t\t}]
\t}
\te: [{
\t\t// +patchKey=name

\t\t// +patchStrategy=replace
\t\tenv: [{
\t\t\tname: "a"
\t\t}]
\t\tf: [1, 2, 3]
\t}]
\tk: l: m: {
\t\t// doc of l
\t\tn: 1
\t}
\t// dangling at end
}
"""

SCALARS = '''\
ints: [0, -7, 1_000_000, 0x1F, 0o17, 0b101, 123456789012345678901234567890]
floats: [1.5, 1e10, 1.0e+10, -0.0025, 0.0, 3.0]
bools: [true, false, null]
strings: {
\tplain: "hello"
\tescapes: """
\t\tq" bs\\\\ nl
\t\t tab\\t cr\\r slash/ ué U😀
\t\t"""
\tmulti: """
\t\tline one
\t\t  indented
\t\tlast
\t\t"""
\ttrailing: """
\t\tends with newline

\t\t"""
\tunicode: "über ☃"
\traw:     "raw \\\\n stays"
\tquotes: #"""
\t\thas """ inside
\t\tsecond
\t\t"""#
}
bytes: {
\tshort:   'abc'
\tescaped: '\\x00\\xffA'
\tmulti: \'\'\'
\t\ta
\t\tb
\t\t\'\'\'
}
labels: {
\t"app.kubernetes.io/name": "x"
\t"with space":             1
\ttrue:                     2
\t"_under":                 3
\t"#hash":                  4
\t"":                       5
\té:                        6
\t$dollar:                  7
}
empty: {
\ts: {}
\tl: []
}
nested: [[1, [2, []]], [{
\ta: [{
\t\tb: {}
\t}]
}]]
'''

SCALARS_VALUE = {
    "ints": [0, -7, 1000000, 31, 15, 5, 123456789012345678901234567890],
    "floats": [1.5, 1e10, 1e10, -0.0025, 0.0, 3.0],
    "bools": [True, False, None],
    "strings": {
        "plain": "hello",
        "escapes": 'q" bs\\ nl\n tab\t cr\r slash/ ué U😀',
        "multi": "line one\n  indented\nlast",
        "trailing": "ends with newline\n",
        "unicode": "über ☃",
        "raw": "raw \\n stays",
        "quotes": 'has """ inside\nsecond',
    },
    "bytes": {"short": "YWJj", "escaped": "AP9B", "multi": "YQpi"},
    "labels": {
        "app.kubernetes.io/name": "x", "with space": 1, "true": 2, "_under": 3, "#hash": 4,
        "": 5, "é": 6, "$dollar": 7,
    },
    "empty": {"s": {}, "l": []},
    "nested": [[1, [2, []]], [{"a": [{"b": {}}]}]],
}

CONTAINERS = ("r_i1", "patch", "spec", "template", "spec", "containers")
TRAIT_SPEC = ("patch", "spec", "template", "spec")

RECORDED = [
    (
        "brief-example",
        BRIEF_EXAMPLE,
        {"r_i1": {"patch": {"spec": {"template": {"spec": {
            "containers": [{"name": "log", "image": "fluentd",
                            "env": [{"name": "A", "value": 'x"y'}]}],
            "app.oam.dev/x": 1.5,
        }}}}}},
        {CONTAINERS: {"patchKey": "name"}, CONTAINERS + (0, "env"): {"patchKey": "name"}},
    ),
    (
        "trait-patch",
        TRAIT_PATCH,
        {"patch": {
            "spec": {
                "template": {"spec": {
                    "containers": [{
                        "name": "log", "image": "fluentd:v1.16",
                        "env": [{"name": "A", "value": 'x"y'}, {"name": "B", "value": "tab\there"}],
                        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    }],
                    "volumes": [{"name": "v", "emptyDir": {}}],
                }},
                "strategy": {"type": "Recreate"},
            },
            "metadata": {"annotations": {"app.oam.dev/x": "1.5"}},
        }},
        {
            TRAIT_SPEC + ("containers",): {"patchKey": "name"},
            TRAIT_SPEC + ("containers", 0, "env"): {"patchKey": "name"},
            TRAIT_SPEC + ("volumes",): {"patchStrategy": "replace"},
            ("patch", "spec", "strategy"): {"patchStrategy": "retainKeys"},
        },
    ),
    (
        "conjunct-doc-groups",
        CONJUNCT_DOCS,
        {"x": {"a": 1, "c": {"d": [{"name": "a"}]},
               "e": [{"env": [{"name": "a"}], "f": [1, 2, 3]}], "k": {"l": {"m": {"n": 1}}}}},
        {
            ("x", "c", "d"): {"patchKey": "name", "other": "1"},
            ("x", "e", 0, "env"): {"patchKey": "name", "patchStrategy": "replace"},
        },
    ),
    ("scalars", SCALARS, SCALARS_VALUE, {}),
]


@pytest.mark.parametrize(
    ("text", "value", "markers"), [r[1:] for r in RECORDED], ids=[r[0] for r in RECORDED]
)
def test_recorded_cue_output(text: str, value: Any, markers: Any) -> None:
    parsed, found = parse_concrete(text)
    assert typed(parsed) == typed(value)
    assert found == markers


VALUES = [
    ("empty-document", "", {}),
    ("blank-document", "\n\n", {}),
    ("top-scalar", "5\n", 5),
    ("top-list", "[1, 2]\n", [1, 2]),
    ("top-string", '"s"', "s"),
    ("label-chain", "a: b: c: 1", {"a": {"b": {"c": 1}}}),
    ("chains-share-prefix", "a: b: 1\na: c: 2", {"a": {"b": 1, "c": 2}}),
    ("same-value-twice", "a: 1\na: 1", {"a": 1}),
    ("struct-commas", "a: {b: 1, c: 2}", {"a": {"b": 1, "c": 2}}),
    ("struct-trailing-comma", "a: {b: 1, c: 2,}", {"a": {"b": 1, "c": 2}}),
    ("struct-newlines", "a: {\n\tb: 1\n\n\tc: 2\n}", {"a": {"b": 1, "c": 2}}),
    ("list-newlines", "a: [\n\t1\n\t2,\n\t3,\n]", {"a": [1, 2, 3]}),
    ("list-comments", "a: [\n\t// one\n\t1, // trailing\n\t2,\n]", {"a": [1, 2]}),
    ("keyword-labels", "if: 1\nfor: 2\nnull: 3\nfalse: 4", {"if": 1, "for": 2, "null": 3,
                                                               "false": 4}),
    ("quoted-label-escape", '"a\\"b": 1', {'a"b': 1}),
    ("negative-float", "a: -1.5e-3", {"a": -0.0015}),
    ("leading-dot-float", "a: .5", {"a": 0.5}),
    ("exponent-is-float", "a: 1e3", {"a": 1000.0}),
    ("big-negative-int", "a: -99999999999999999999", {"a": -99999999999999999999}),
    ("hex-underscores", "a: 0xFF_FF", {"a": 65535}),
    # cue prints list elements as written, so literal forms only CUE has reach the parser.
    ("list-literals-verbatim", "a: [1_0, 0o7, 0b1, 0X1F, 0x_F, 1e1, 2.50]",
     {"a": [10, 7, 1, 31, 15, 10.0, 2.5]}),
    ("multipliers", "a: [1K, 1.5Ki, 0.5Mi, 2Gi, 1T, 1Ti, 3P, 2Pi, 1_5Ki]",
     {"a": [1000, 1536, 524288, 2 * 1024**3, 10**12, 1024**4, 3 * 10**15, 2 * 1024**5, 15360]}),
    ("escape-u", 'a: "\\u00e9\\U0001F600"', {"a": "é😀"}),
    ("escape-all-simple", 'a: "\\a\\b\\f\\n\\r\\t\\v\\/\\\\\\""', {"a": '\a\b\f\n\r\t\v/\\"'}),
    ("raw-keeps-backslash", 'a: #"\\d+"#', {"a": "\\d+"}),
    ("raw-escape", 'a: #"x\\#ty"#', {"a": "x\ty"}),
    ("raw-two-hashes", 'a: ##"a"#b"##', {"a": 'a"#b'}),
    ("raw-multiline", 'a: #"""\n\tq"""x\n\t"""#', {"a": 'q"""x'}),
    ("multiline-empty", 'a: """\n\t"""', {"a": ""}),
    ("multiline-blank-lines", 'a: """\n\t\tx\n\n\t\ty\n\t\t"""', {"a": "x\n\ny"}),
    ("multiline-escaped-newline", 'a: """\n\tx\\ny\n\t"""', {"a": "x\ny"}),
    ("bytes-octal", "a: '\\101\\102'", {"a": "QUI="}),
    ("bytes-quote", "a: '\\''", {"a": "Jw=="}),
    ("bytes-unicode", "a: 'é'", {"a": "w6k="}),
    ("crlf-lines", "a: 1\r\nb: 2\r\n", {"a": 1, "b": 2}),
]


@pytest.mark.parametrize(("text", "value"), [v[1:] for v in VALUES], ids=[v[0] for v in VALUES])
def test_values(text: str, value: Any) -> None:
    parsed, _ = parse_concrete(text)
    assert typed(parsed) == typed(value)


def test_bytes_as_text() -> None:
    parsed, _ = parse_concrete("a: 'h\\xc3\\xa9'\nb: '\\xff'", bytes_as="text")
    assert parsed == {"a": "hé", "b": "\ufffd"}


MARKERS = [
    ("single", "// +patchKey=name\na: [1]", {("a",): {"patchKey": "name"}}),
    ("several-lines", "// +patchKey=name\n// +patchStrategy=retainKeys\na: 1",
     {("a",): {"patchKey": "name", "patchStrategy": "retainKeys"}}),
    ("other-comments-ignored", "// The list of containers.\n// +patchKey=name\n// more\na: 1",
     {("a",): {"patchKey": "name"}}),
    ("flag-without-value", "// +ignore\na: 1", {("a",): {"ignore": ""}}),
    ("spaces-trimmed", "//   +patchKey = name  \na: 1", {("a",): {"patchKey": "name"}}),
    ("value-keeps-equals", "// +x=a=b\na: 1", {("a",): {"x": "a=b"}}),
    ("last-wins", "// +k=1\n// +k=2\na: 1", {("a",): {"k": "2"}}),
    ("no-markers", "// just prose\na: 1", {}),
    ("prose-plus-is-not-marker", "// + not a marker\na: 1", {}),
    ("chain-marks-first-label", "// +m=1\na: b: 1", {("a",): {"m": "1"}}),
    ("inside-list-element", "a: [{x: 1}, {\n\t// +patchKey=k\n\tb: []\n}]",
     {("a", 1, "b"): {"patchKey": "k"}}),
    ("trailing-comment-not-doc", "a: 1 // +m=1\nb: 2", {}),
    ("trailing-after-comma", "x: {a: 1, // +m=1\nb: 2}", {}),
    ("dangling-at-end", "x: {\n\ta: 1\n\t// +m=1\n}", {}),
    ("not-on-top-value", "// +m=1\n[1]", {}),
]


@pytest.mark.parametrize(("text", "markers"), [m[1:] for m in MARKERS], ids=[m[0] for m in MARKERS])
def test_markers(text: str, markers: Any) -> None:
    assert parse_concrete(text)[1] == markers


ERRORS = [
    ("reference", "a: b", 1, 4),
    ("type-not-concrete", "a: {\n\tb: string\n}", 2, 5),
    ("interpolation", 'a: "\\(b)"', 1, 4),
    ("unterminated-string", 'a: "abc\nb: 1', 1, 4),
    # The one lexer reports an unclosed bracket where it opens (as for definition files).
    ("unterminated-struct", "a: {b: 1", 1, 4),
    ("unterminated-list", "a: [1, 2", 1, 4),
    ("missing-separator", "a: 1 b: 2", 1, 6),
    ("definition-label", "#a: 1", 1, 1),
    ("hidden-label", "x: _h: 1", 1, 4),
    ("hex-escape-in-string", 'a: "\\x41"', 1, 4),
    ("octal-escape-in-string", 'a: "\\101"', 1, 4),
    ("quote-escape-wrong-kind", "a: \"\\'\"", 1, 4),
    ("short-unicode-escape", 'a: "\\u12"', 1, 4),
    ("number-suffix", "a: 1Kb", 1, 4),
    ("multiplier-not-int", "a: [1.0001K]", 1, 5),
    ("leading-zero", "a: 007", 1, 4),
    ("attribute", "a: 1 @go(A)", 1, 6),
    ("disjunction", "a: 1 | 2", 1, 6),
    ("ellipsis", "a: [1, ...]", 1, 8),
    ("duplicate-conflict", "a: 1\na: 2", 2, 1),
    ("multiline-no-newline", 'a: """x\n"""', 1, 4),
    ("multiline-bad-indent", 'a: """\n\t\tx\n y\n\t\t"""', 1, 4),
    ("multiline-close-not-alone", 'a: """\n\tx"""', 1, 4),
    ("text-after-value", "[1] 2", 1, 5),
    ("label-without-value", "a:", 1, 3),
]


@pytest.mark.parametrize(
    ("text", "line", "col"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors_have_positions(text: str, line: int, col: int) -> None:
    with pytest.raises(CueSyntaxError) as caught:
        parse_concrete(text)
    assert (caught.value.line, caught.value.col) == (line, col), caught.value.message


# --- Round trip through a small printer that varies layout -----------------------------------

_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",)))
)
_data = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=20,
)


def _print(value: Any, indent: str, newline_layout: bool) -> str:
    if isinstance(value, dict):
        inner = indent + "\t"
        fields = [f"{json.dumps(k, ensure_ascii=False)}: {_print(v, inner, newline_layout)}"
                  for k, v in value.items()]
        if newline_layout and fields:
            return "{\n" + "".join(f"{inner}// +k=v\n{inner}{f}\n" for f in fields) + indent + "}"
        return "{" + ", ".join(fields) + "}"
    if isinstance(value, list):
        items = [_print(v, indent + "\t", newline_layout) for v in value]
        sep = "\n" + indent + "\t" if newline_layout else " "
        return "[" + "".join(f"{sep}{item}," for item in items) + sep + "]"
    if isinstance(value, float):
        return repr(value) if ("e" in repr(value) or "." in repr(value)) else f"{value}.0"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


@given(_data, st.booleans())
def test_round_trip_through_printed_cue(value: Any, newline_layout: bool) -> None:
    parsed, _ = parse_concrete("x: " + _print(value, "", newline_layout))
    assert typed(parsed) == typed({"x": value})


# --- Against the real binary, when it is on PATH ---------------------------------------------

LIVE_SOURCES = {
    "trait": """
patch: {
	// +patchKey=name
	spec: template: spec: containers: [{name: "a", env: [{name: "E", value: "\\(1+1)"}]}]
	// +patchStrategy=retainKeys
	spec: selector: matchLabels: {app: "x"}
	metadata: labels: "app.oam.dev/name": "n"
}
""",
    "numbers": "a: [1, -2, 1e3, 2.50, 1_000, 0x10, 1Ki, 3/2, div(7, 2), 100000000000000000000000]",
    "strings": """
a: "tab\\t \\"q\\" \\\\ é \\U0001F600"
b: "x\\n  y\\n"
c: 'bytes\\x00\\n'
d: "has \\"\\"\\" and \\\\(not interp)\\nline"
e: #"raw \\d"#
f: "a\\r\\n\\u0085\\u2028"
""",
    "list-literals": '''
x: 2
a: [#"r\\d"#, "\\(x)", 'b\\x41', """
    m
    """, 1_0, 0o7, 0b1, 1e1, x, -1Ki, +1, -(1), 0x_F, 1.5Ki, 2Gi]
''',
    "lists": "a: [[], [{}], [1, [2, [3]]], [{x: [{y: 1}], z: {w: [true, null]}}]]",
    "defaults": """
#P: {n: *3 | int, s: *"d" | string}
p: #P
l: [for i in [1, 2] {i * 2}]
if true {
	// +patchKey=k
	q: [{k: 1}]
}
""",
}


@pytest.mark.skipif(shutil.which("cue") is None, reason="cue binary not on PATH")
@pytest.mark.parametrize("source", LIVE_SOURCES.values(), ids=list(LIVE_SOURCES))
def test_against_cue_binary(source: str, tmp_path: Path) -> None:
    cue = shutil.which("cue")
    assert cue is not None
    (tmp_path / "x.cue").write_text(source)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "CUE_REGISTRY": "none",
           "CUE_CACHE_DIR": str(tmp_path / "cache"), "CUE_CONFIG_DIR": str(tmp_path / "cfg")}

    def export(out: str) -> str:
        run = subprocess.run([cue, "export", "--out", out, "x.cue"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60, check=True)
        return run.stdout

    parsed, _ = parse_concrete(export("cue"))
    assert typed(parsed) == typed(json.loads(export("json")))


def test_labels_with_letters_newer_than_pythons_unicode_tables() -> None:
    # U+319EF is a CJK letter Go knows and Python 3.11 does not: cue prints it unquoted.
    label = "\U000319ef\U000319f0"
    data, _ = parse_concrete(f"{label}: 1\nx: {{{label}a: \"v\"}}\n")
    assert data == {label: 1, "x": {label + "a": "v"}}
