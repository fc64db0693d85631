"""Guards in front of the object-making comprehensions of outputs and patchOutputs (pure Python)."""

from __future__ import annotations

from engine.cue.syntax.guards import guard_object_comprehensions

TEMPLATE = """outputs: {
\tfor v in parameter.items if v.on {
\t\t"x-\\(v.name)": {kind: "X"}
\t}
\tfixed: {kind: "Y", list: [for w in parameter.more {w}]}
}
patch: {for k, v in parameter.labels {(k): v}}
"""


def test_clauses_directly_in_outputs_get_guards_on_their_line() -> None:
    guarded = guard_object_comprehensions(TEMPLATE, ("outputs", "patchOutputs"))
    lines = guarded.splitlines()
    assert lines[1] == "\tif (parameter.items) != _|_ for v in parameter.items if (v.on) != _|_ if v.on {"
    assert len(lines) == len(TEMPLATE.splitlines())  # positions in cue's messages still hold
    assert "[for w in parameter.more {w}]" in guarded  # inside an object: untouched
    assert lines[-1] == TEMPLATE.splitlines()[-1]  # patch: untouched


def test_a_source_over_several_lines_is_joined_onto_one() -> None:
    text = "outputs: {\n\tfor v in [\n\t\t1,\n\t\t2,\n\t] {\"a\\(v)\": {}}\n}\n"
    guarded = guard_object_comprehensions(text, ("outputs",))
    assert guarded.count("\n") == text.count("\n")
    assert "if ([ 1 , 2 , ]) != _|_ for v in [" in guarded


def test_nothing_to_guard_or_unreadable_text_is_returned_as_is() -> None:
    assert guard_object_comprehensions("output: {a: 1}\n", ("outputs",)) == "output: {a: 1}\n"
    assert guard_object_comprehensions("outputs: {for x in {\n", ("outputs",)) == "outputs: {for x in {\n"
