"""The Program of one cue run, without cue: names in, errors and positions back out."""

from __future__ import annotations

from engine import contract
from engine.cue.program import Handle, Program
from engine.cue.runner import Diagnostic, Position
from engine.model import Definition
from tests.support import ROOT

WEB = Definition("web", contract.KIND_COMPONENT, "output: {kind: \"Deployment\"}\nparameter: {image: string}\n",
                 source="defs/web.cue", template_line=10)
SIDECAR = Definition("sidecar", contract.KIND_TRAIT, "patch: {}\nparameter: {}\n", imports='import "strings"',
                     source="defs/sidecar.yaml", template_line=20)


def _file_of(program: Program, definition: Definition) -> str:
    [name] = [n for n, text in program.files.items() if definition.template in text]
    return name


def test_references_resolve_back_to_their_instance() -> None:
    program = Program()
    web, sidecar = program.add(WEB), program.add(SIDECAR, {contract.PARAMETER: {}})
    assert program.handles == (web, sidecar)
    path = (*program.reference(sidecar, contract.PARAMETER).split("."), "image")
    diag = Diagnostic(path, "conflicting values", ())
    assert program.owner(diag) == sidecar
    assert program.inner_path(sidecar, path) == (contract.PARAMETER, "image")
    assert program.owners(diag) == {sidecar}
    assert program.owner(Diagnostic(("elsewhere", "x"), "m", ())) is None
    assert list(program.data) == [program.reference(sidecar)]


def test_positions_map_to_definition_lines() -> None:
    program = Program()
    web, sidecar = program.add(WEB), program.add(SIDECAR)
    web_file, sidecar_file = _file_of(program, WEB), _file_of(program, SIDECAR)
    first_web = program.files[web_file].splitlines().index('output: {kind: "Deployment"}') + 1
    assert program.body_line(web, Position(web_file, first_web, 3)) == 1
    assert program.source_line(web, Position(web_file, first_web + 1, 3)) == 11
    assert program.body_line(web, Position(sidecar_file, first_web, 3)) is None
    # a YAML definition's imports sit on the line before its body
    imports = program.files[sidecar_file].splitlines().index('import "strings"') + 1
    assert program.source_line(sidecar, Position(sidecar_file, imports, 1)) == 19
    diag = Diagnostic((), "expected operand", (Position("oam_data.json", 1, 1), Position(sidecar_file, 3, 1)))
    assert program.owner(diag) == sidecar and program.position_owner(diag.positions[1]) == sidecar
    assert program.owners(Diagnostic(tuple(program.reference(web).split(".")), "m", diag.positions)) == {web, sidecar}


def test_glue_and_fills_go_in_one_more_file() -> None:
    program = Program()
    handle = program.add(WEB)
    program.fill(handle, contract.CONTEXT, '{"name": "x"}')
    program.glue(f"result: {program.reference(handle, contract.OUTPUT, ('spec', 0))}\n")
    [glue] = [text for name, text in program.files.items() if WEB.template not in text]
    assert glue.startswith("package oam\n")
    assert f'{program.reference(handle)}: {contract.CONTEXT}: {{"name": "x"}}' in glue
    assert program.reference(handle, contract.OUTPUT, ("spec", 0)) + "\n" in glue
    assert program.reference(handle, contract.OUTPUT, ("spec", 0)).endswith('.output["spec"][0]')


def test_inner_reference_drops_only_an_instance_name() -> None:
    program = Program()
    handle = program.add(WEB)
    assert Program.inner_reference(program.reference(handle, "#Probe")) == "#Probe"
    assert Program.inner_reference(f"{program.reference(handle, '#A')}.#B") == "#A.#B"
    assert Program.inner_reference("other.#Probe") == "other.#Probe"
    assert Handle(0) == handle


def test_nobody_else_spells_the_instance_names() -> None:
    program = Program()
    name = program.reference(program.add(WEB))
    prefix = name.rstrip("0123456789")
    engine = ROOT / "engine"
    spelled = [str(p.relative_to(ROOT)) for p in sorted(engine.rglob("*.py"))
               if prefix in p.read_text() and p != engine / "cue" / "program.py"]
    assert not spelled, f"{prefix!r} spelled outside engine/cue/program.py: {spelled}"
