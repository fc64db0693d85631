"""Unit tables for engine.cue.syntax (facts, outline): the lexical view of definition files and templates."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cue.syntax import (
    CueSyntaxError,
    DefinitionSource,
    field_markers,
    pattern_list_paths,
    references_context_output,
    split_definition_file,
    split_imports,
    top_level_patch_strategy,
)


def src(text: str) -> str:
    """CUE written indented with spaces here, indented with tabs as `cue fmt` writes it."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines(keepends=True)
    return "".join(re.sub(r"^(?:    )+", lambda m: "\t" * (len(m[0]) // 4), ln) for ln in lines)


# --- split_definition_file -------------------------------------------------------------

WEBSERVICE = src(
    """
    import (
        "strings"
    )

    webservice: {
        type: "component"
        description: "Describes long-running, scalable, containerized services"
        attributes: workload: definition: {apiVersion: "apps/v1", kind: "Deployment"}
    }
    template: {
        // a comment with a brace } and a "quote
        output: {
            apiVersion: "apps/v1"
            metadata: name: strings.ToLower("\\(context.name)-{x}")
        }
        parameter: image: string
    }
    """
)

TRAIT_TEMPLATE_FIRST = src(
    """
    package traits

    import "strings"
    import "list"

    template: {
        patch: spec: replicas: parameter.replicas
        parameter: replicas: *1 | int
    }

    "my-scaler": {
        type: "trait"
        attributes: appliesToWorkloads: ["*"]
    }
    """
)

RAW_AND_MULTILINE = src(
    '''
    cfg: {
        type: "component"
    }
    template: {
        output: data: {
            script: """
                echo "}" {{ not a brace }}
                """
            raw: #"a "quoted" \\(not) interpolation }"#
            bytes: 'x}'
        }
    }
    '''
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            WEBSERVICE,
            DefinitionSource(
                name="webservice",
                imports='import (\n\t"strings"\n)',
                metadata_source=WEBSERVICE.split("webservice: {")[1].split("\n}\n")[0] + "\n",
                metadata_line=5,
                template_body=WEBSERVICE.split("template: {")[1][: -len("}\n")],
                template_line=10,
            ),
        ),
        (
            TRAIT_TEMPLATE_FIRST,
            DefinitionSource(
                name="my-scaler",
                imports='import "strings"\nimport "list"',
                metadata_source='\n\ttype: "trait"\n\tattributes: appliesToWorkloads: ["*"]\n',
                metadata_line=11,
                template_body=("\n\tpatch: spec: replicas: parameter.replicas\n\tparameter: replicas: *1 | int\n"),
                template_line=6,
            ),
        ),
        (
            RAW_AND_MULTILINE,
            DefinitionSource(
                name="cfg",
                imports="",
                metadata_source='\n\ttype: "component"\n',
                metadata_line=1,
                template_body=RAW_AND_MULTILINE.split("template: {")[1][: -len("}\n")],
                template_line=4,
            ),
        ),
        (
            'x: {type: "policy"}, template: {parameter: {}}',
            DefinitionSource("x", "", 'type: "policy"', 1, "parameter: {}", 1),
        ),
    ],
    ids=["webservice-grouped-import", "template-first-package-dropped", "raw-strings", "one-line"],
)
def test_split_definition_file(text: str, expected: DefinitionSource) -> None:
    assert split_definition_file(text) == expected


def test_split_definition_file_lines_map_back_to_the_file() -> None:
    parts = split_definition_file(WEBSERVICE)
    file_lines = WEBSERVICE.splitlines()
    for offset, line in enumerate(parts.template_body.splitlines()[1:], start=1):
        assert file_lines[parts.template_line - 1 + offset] == line


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('web: {type: "component"}\n', 1, "no `template: {...}`"),
        ("template: {}\n", 1, "no `NAME: {...}` metadata"),
        ("a: {}\ntemplate: {}\nb: {}\n", 3, "one metadata field: found 'a' (line 1) and 'b'"),
        ("a: {}\ntemplate: {}\ntemplate: {}\n", 3, "one template field"),
        ("a: {}\ntemplate: {\n\toutput: {\n}\n", 2, "unclosed '{'"),
        ("a: {}\ntemplate: {}\n}\n", 3, "unexpected '}'"),
        ("a: {}\ntemplate: {\n\tx: [1, 2}\n}\n", 3, "'}' does not close '['"),
        ("a: {}\nversion: 2\ntemplate: {}\n", 2, "must be a struct"),
        ("a: {}\ntemplate: close({})\n", 2, "must be a struct"),
        ("a: {}\ntemplate: {} & {}\n", 2, "must be a struct"),
        ("a: b: {}\ntemplate: {}\n", 1, "must be `a: {...}`"),
        ("a: {}\nlet x = 1\ntemplate: {}\n", 2, "unexpected declaration"),
        ("a: {}\nif true {}\ntemplate: {}\n", 2, "unexpected declaration"),
        ('a: {}\ntemplate: {\n\tx: "abc\n}\n', 3, "unterminated string"),
        ('a: {}\ntemplate: {\n\tx: """\n\t\tabc\n}\n', 3, "unterminated string"),
        ('a: {}\ntemplate: {\n\tx: "\\(a + "b"\n}\n', 3, "unterminated string"),
        ("import strings\na: {}\ntemplate: {}\n", 1, "malformed import"),
    ],
    ids=[
        "no-template",
        "no-metadata",
        "two-metadata-fields",
        "two-templates",
        "unclosed-brace",
        "stray-closing-brace",
        "mismatched-bracket",
        "other-top-level-field",
        "template-not-a-literal",
        "template-conjunction",
        "label-chain",
        "top-level-let",
        "top-level-comprehension",
        "unterminated-string",
        "unterminated-multiline-string",
        "unterminated-interpolation",
        "import-without-path",
    ],
)
def test_split_definition_file_errors(text: str, line: int, fragment: str) -> None:
    with pytest.raises(CueSyntaxError) as caught:
        split_definition_file(text)
    assert caught.value.line == line
    assert fragment in caught.value.message


# --- split_imports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("output: {}\n", ("", "output: {}\n", 1)),
        (
            '// Code generated.\n\nimport "strings"\n\noutput: name: strings.ToLower("A")\n',
            ('import "strings"', '\noutput: name: strings.ToLower("A")\n', 4),
        ),
        (
            'import (\n\t"strings"\n\ts2 "strings"\n)\nimport "list"\noutput: {}\n',
            ('import (\n\t"strings"\n\ts2 "strings"\n)\nimport "list"', "output: {}\n", 6),
        ),
        ('package main\nimport "list"\nx: 1\n', ('import "list"', "x: 1\n", 3)),
        ('import "list" // sums\nx: 1\n', ('import "list"', " // sums\nx: 1\n", 1)),
        ('// import "strings"\nx: "import \\"list\\""\n', None),
        ('x: 1\nimport: "late"\n', None),
    ],
    ids=[
        "no-imports",
        "comment-then-import",
        "grouped-and-aliased",
        "package-clause-dropped",
        "comment-after-import",
        "import-only-in-comment-and-string",
        "import-label-after-fields",
    ],
)
def test_split_imports(template: str, expected: tuple[str, str, int] | None) -> None:
    assert split_imports(template) == (expected or ("", template, 1))


# --- references_context_output ---------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("patch: spec: replicas: context.output.spec.replicas + 1\n", True),
        ("outputs: svc: metadata: name: context.outputs.web.metadata.name\n", True),
        ('x: context["output"].kind\n', True),
        ('x: context["outputs"]\n', True),
        ('x: context."outputs"\n', True),
        ('x: "name-\\(context.output.metadata.name)"\n', True),
        ('x: """\n\tname \\(strings.ToLower(context.outputs.a.kind))\n\t"""\n', True),
        ('x: #"\\#(context.output.kind)"#\n', True),
        ('x: "a \\("b \\(context.output.kind)")"\n', True),
        ("// uses context.output when present\nx: context.name\n", False),
        ('x: "context.output is read by the engine"\n', False),
        ('x: #"\\(context.output)"#\n', False),
        ("x: parameter.context.output\n", False),
        ("x: context.outputName\n", False),
        ("context: output: {}\n", False),
        ("x: context.appName\n", False),
    ],
    ids=[
        "selector",
        "outputs-selector",
        "index-output",
        "index-outputs",
        "quoted-selector",
        "interpolation",
        "multiline-interpolation",
        "raw-string-interpolation",
        "nested-interpolation",
        "comment",
        "plain-string",
        "raw-string-no-interpolation",
        "selector-on-other-value",
        "longer-identifier",
        "label-chain",
        "other-context-key",
    ],
)
def test_references_context_output(template: str, expected: bool) -> None:
    assert references_context_output(template) is expected


# --- top_level_patch_strategy ------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("// +patchStrategy=jsonPatch\npatch: operations: parameter.operations\n", "jsonPatch"),
        (
            "// Merge as RFC 7396.\n// +patchStrategy=jsonMergePatch\n// +usage=ignored\npatch: parameter\n",
            "jsonMergePatch",
        ),
        ("parameter: {}\n\n// +patchStrategy=retainKeys  \npatch: {}\n", "retainKeys"),
        ("// +patchStrategy=jsonPatch\n\npatch: {}\n", None),
        ("patch: {\n\t// +patchStrategy=replace\n\tspec: {}\n}\n", None),
        ("// +patchKey=name\npatch: {}\n", None),
        ("patch: {} // +patchStrategy=jsonPatch\n", None),
        ("// +patchStrategy=jsonPatch\nparameter: {}\npatch: {}\n", None),
        (
            "if parameter.raw {\n\t// +patchStrategy=jsonMergePatch\n\tpatch: {}\n}\n",
            "jsonMergePatch",
        ),
        ("patch: a: 1\n// +patchStrategy=retainKeys\npatch: b: 2\n", "retainKeys"),
        ('import "strings"\n\n// +patchStrategy=jsonPatch\npatch: {}\n', "jsonPatch"),
        ('x: "// +patchStrategy=jsonPatch"\npatch: {}\n', None),
        ("output: {}\n", None),
    ],
    ids=[
        "json-patch",
        "among-other-comment-lines",
        "after-other-fields",
        "blank-line-detaches",
        "nested-field-not-top-level",
        "other-marker",
        "trailing-comment",
        "above-another-field",
        "inside-if-body",
        "second-patch-field",
        "after-imports",
        "inside-a-string",
        "no-patch",
    ],
)
def test_top_level_patch_strategy(template: str, expected: str | None) -> None:
    assert top_level_patch_strategy(template) == expected


# --- pattern_list_paths ----------------------------------------------------------------

LIFECYCLE = src(
    """
    patch: spec: template: spec: containers: [...{
        lifecycle: {
            if parameter.postStart != _|_ {postStart: parameter.postStart}
        }
    }]
    parameter: postStart?: {...}
    """
)

STORAGE_LIKE = src(
    """
    let volumesList = [for v in parameter.pvc {name: v.name}] + [...{ignored: true}]
    patch: spec: template: spec: {
        // +patchKey=name
        volumes: [{name: "data"}, ...{emptyDir: {}}]
        if parameter.mounts != _|_ {
            // +patchKey=name
            containers: [{
                volumeMounts: [...{readOnly: true}]
                "env-from": [...{prefix: "X_"}]
            }]
        }
        for k, v in parameter.extra {
            "\\(k)": [...{}]
            (v.name): [...{}]
            fixed: [...{value: v}]
        }
        [string]: [...{}]
        _hidden: [...{}]
        #Def: [...{}]
        let tmp = {x: [...{}]}
        args: [1, 2, ...]
        cmd: [...]
        note: "[...{in a string}]"
        // [...{in a comment}]
    }
    patch: metadata: annotations: close({list: [...string]})
    """
)

LEXER_CORNERS = src(
    """
    patch: {
        n: 1_000 + 0x1F + 1.5e-3 + .5
        b: int @go(B,type=[]byte) @x("]")
        s: '''
            a ] } ' [...{
            '''
        r: ##"a "# ] [...{"##
        e: _|_
        url: "http://x/[...{"
        z: [...{k: n}]
    }
    """
)


@pytest.mark.parametrize(
    ("template", "field", "expected"),
    [
        (LIFECYCLE, "patch", [("spec", "template", "spec", "containers")]),
        (
            STORAGE_LIKE,
            "patch",
            [
                ("spec", "template", "spec", "volumes"),
                ("spec", "template", "spec", "containers", 0, "volumeMounts"),
                ("spec", "template", "spec", "containers", 0, "env-from"),
                ("spec", "template", "spec", "fixed"),
                ("metadata", "annotations", "list"),
            ],
        ),
        (
            "patch: {a: [[...{x: 1}], [1, ...]], b: [{c: [...{}]}, for x in y {d: [...{}]}]}\n",
            "patch",
            [("a", 0), ("b", 0, "c")],
        ),
        ("patch: x: *[...{a: 1}] | [...{b: 2}]\n", "patch", [("x",)]),
        ("patch: x: ([...{a: 1}])\n", "patch", [("x",)]),
        ("patch: x: list.Concat([[...{a: 1}]])\n", "patch", []),
        ("patch: x: [\n\t{a: 1},\n\t...{b: 2},\n]\n", "patch", [("x",)]),
        ("patch: [...{a: 1}]\n", "patch", [()]),
        ("patch: x: [...{}]\npatch: x: [...{}]\n", "patch", [("x",)]),
        (
            'patchOutputs: svc: spec: ports: [...{protocol: "TCP"}]\n',
            "patchOutputs",
            [("svc", "spec", "ports")],
        ),
        ("output: x: [...{}]\nparameter: y: [...{}]\n", "patch", []),
        ("p: {patch: x: [...{}]}\n", "patch", []),
        (LEXER_CORNERS, "patch", [("z",)]),
        ("patch: {\n\tif: [...{}]\n\tfor: [1, ...]\n\tlet: x: [...int]\n}\n", "patch", [("if",), ("let", "x")]),
    ],
    ids=[
        "lifecycle",
        "storage-like",
        "nested-list-indexes",
        "disjunction",
        "parenthesized",
        "function-argument",
        "multiline-elements",
        "patch-is-the-list",
        "repeated-field-once",
        "other-field",
        "no-patch",
        "patch-not-top-level",
        "lexer-corners",
        "keywords-as-labels",
    ],
)
def test_pattern_list_paths(template: str, field: str, expected: list[tuple[str | int, ...]]) -> None:
    assert pattern_list_paths(template, field) == expected


# --- field_markers ---------------------------------------------------------------------

SIDECAR_LIKE = src(
    """
    // +patchStrategy=retainKeys
    patch: {
        // +patchKey=name
        spec: template: spec: containers: [{
            name: parameter.name
            if parameter.env != _|_ {
                // +patchKey=name
                env: parameter.env
            }
        }]
        for v in parameter.volumes {
            // +patchKey=name
            "host-volumes": [{name: v.name}]
        }
    }
    let mounts = {
        // +patchKey=mountPath
        volumeMounts: [...]
    }
    parameter: {
        // +usage=Specify the name of the sidecar
        // +short=n
        name: string
        // +ignore
        X=internal?: string

        // +usage=detached by the blank line

        image: string
        cmd: [...string] // +usage=trailing comments are dropped by cue
        // +usage=nothing below
    }
    """
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            SIDECAR_LIKE,
            {
                "patch": [(1, "patchStrategy", "retainKeys")],
                "spec": [(3, "patchKey", "name")],
                "env": [(7, "patchKey", "name")],
                "host-volumes": [(12, "patchKey", "name")],
                "volumeMounts": [(17, "patchKey", "mountPath")],
                "name": [
                    (21, "usage", "Specify the name of the sidecar"),
                    (22, "short", "n"),
                ],
                "internal": [(24, "ignore", "")],
                "": [
                    (27, "usage", "detached by the blank line"),
                    (30, "usage", "trailing comments are dropped by cue"),
                    (31, "usage", "nothing below"),
                ],
            },
        ),
        (
            '// +usage=x\nif true {\n\ta: 1\n}\nb: "// +usage=not a comment"\n',
            {"": [(1, "usage", "x")]},
        ),
        ("// + not a marker\n// plain\na: 1\n", {}),
        (
            '// +patchKey=name\n"app.oam.dev/name": 1\n// +k=v=w\n[string]: int\n',
            {"app.oam.dev/name": [(1, "patchKey", "name")], "[string]": [(3, "k", "v=w")]},
        ),
    ],
    ids=["sidecar-like", "above-comprehension-and-in-string", "not-markers", "label-forms"],
)
def test_field_markers(template: str, expected: dict[str, list[tuple[int, str, str]]]) -> None:
    assert field_markers(template) == expected


# --- malformed templates ---------------------------------------------------------------

SCANNERS = [
    split_imports,
    references_context_output,
    top_level_patch_strategy,
    pattern_list_paths,
    field_markers,
]
SCANNER_IDS = [scan.__name__ for scan in SCANNERS]


@pytest.mark.parametrize(
    ("template", "line", "col"),
    [
        ("patch: {\n\tx: [1, 2\n", 2, 5),
        ("patch: x: 1)\n", 1, 12),
        ('patch: x: "a\\(b\n', 1, 11),
        ("patch: x: 'abc\n", 1, 11),
        ('patch: x: #"abc"\n', 1, 11),
        ('patch: x: """\n\tabc\n', 1, 11),
        ("x: @go(a\n", 1, 4),
    ],
    ids=[
        "unclosed-list",
        "stray-paren",
        "newline-in-interpolation",
        "unterminated-bytes",
        "raw-string-needs-hash",
        "unterminated-multiline",
        "unterminated-attribute",
    ],
)
@pytest.mark.parametrize("scan", SCANNERS, ids=SCANNER_IDS)
def test_malformed_template(scan: Callable[[str], object], template: str, line: int, col: int) -> None:
    with pytest.raises(CueSyntaxError) as caught:
        scan(template)
    assert (caught.value.line, caught.value.col) == (line, col)


@pytest.mark.parametrize("scan", SCANNERS[2:], ids=SCANNER_IDS[2:])
def test_comprehension_without_body(scan: Callable[[str], object]) -> None:
    with pytest.raises(CueSyntaxError, match="comprehension without a body") as caught:
        scan("patch: x: [for v in y]\n")
    assert (caught.value.line, caught.value.col) == (1, 12)


# --- robustness ------------------------------------------------------------------------

ATOMS = st.sampled_from(
    [
        "a",
        "patch",
        "if",
        "for",
        "in",
        "let",
        "=",
        "import",
        "package",
        '"x"',
        '"\\(a)"',
        "1",
        "@a()",
        "?",
        "_|_",
        "|",
        "&",
        ".",
        "context",
        "output",
        ":",
        ",",
        "\n",
        " ",
        "// +k=v\n",
        "...",
        '#"r"#',
        '"""\n\ta\n\t"""',
        "*",
        "[string]",
        "(k)",
        '"',
        "}",
        ")",
    ]
)
BRACKETED = st.recursive(
    ATOMS,
    lambda inner: st.tuples(st.sampled_from(["{}", "[]", "()"]), st.lists(inner, max_size=6)).map(
        lambda pair: pair[0][0] + " ".join(pair[1]) + pair[0][1]
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(BRACKETED, max_size=12).map(" ".join))
def test_any_text_scans_or_raises_cue_source_error(text: str) -> None:
    for scan in [*SCANNERS, split_definition_file]:
        try:
            scan(text)
        except CueSyntaxError as error:
            assert error.line >= 1 and error.col >= 1
