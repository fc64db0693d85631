"""Agreement between each bundled definition's exported schema and cue itself, measured.

For every bundled definition (and every golden case of tests/golden-schema), Hypothesis
(hypothesis-jsonschema) draws instances from the exported draft-07 schema; each must evaluate
through cue without error (template rules beyond a schema, such as `errs`, are counted apart).
Then valid instances are mutated (a required property dropped, a wrong type, a value outside an enum or a bound, an
unknown property in a closed struct); every mutation the schema rejects must be rejected by cue
too. All instances of all definitions go through cue together (a handful of processes), with
the engine's own evaluation but without the schema check that a render does first. The
agreement rate per definition is printed with the test output.
"""

from __future__ import annotations

import copy
import json
import random
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import hypothesis_jsonschema._from_schema as hjs_internals
import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.internal.conjecture import providers
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis.internal.constants_ast import Constants
from hypothesis_jsonschema import from_schema

from engine import contract
from engine.cue.program import Instance
from engine.cue.runner import Cue
from engine.definitions import bundled_loader, parse_definition_file
from engine.model import Application, Component, Definition, RenderOptions, Trait
from engine.render.evaluate import Job, evaluate_groups, evaluate_jobs
from engine.render.resolve import ResolvedComponent
from engine.schema.store import SCHEMA_DIR, all_definitions, relative_path
from tests.support import TESTS

EXAMPLES = 15  # instances drawn per definition
MUTANTS = 12  # mutations kept per definition
HOST = {"image": "nginx:1.27"}
# Problems from rules no parameter schema states: a template's own `errs` (min <= max, "the
# container must exist"), and JSON patches applied to the workload. Counted, not disagreements.
BEYOND_SCHEMA = frozenset({"errs", "patch"})


class _ManyWithMore:
    """hypothesis-jsonschema 0.23.1 (the latest) drives `many` through `.more()`, which current
    Hypothesis replaced by a context manager and iterator; this adapter gives it back `.more()`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._many = conjecture_utils.many(*args, **kwargs)
        self._many.__enter__()
        self._steps = iter(self._many)

    def more(self) -> bool:
        if next(self._steps, False) is None:
            return True
        self._many.__exit__(None)
        return False

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


if not hasattr(conjecture_utils.many, "more"):
    hjs_internals.cu = SimpleNamespace(many=_ManyWithMore)


@dataclass
class Case:
    definition: Definition
    properties: Any
    valid: bool  # what the schema says
    note: str
    path: str = ""
    problems: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # failures of rules beyond a schema (errs, patches)


GOLDEN = TESTS / "golden-schema"


def _subjects() -> list[tuple[Definition, dict[str, Any]]]:
    """Every bundled definition with its checked-in draft-07 schema, and the golden cases'."""
    found = []
    for definition in all_definitions(bundled_loader()):
        path = SCHEMA_DIR / relative_path("draft-07", definition.kind, definition.name)
        found.append((definition, json.loads(path.read_text())))
    for case in sorted(p for p in GOLDEN.iterdir() if (p / "draft-07.json").is_file()):
        [definition] = parse_definition_file(next(case.glob("definition.*")))
        found.append((definition, json.loads((case / "draft-07.json").read_text())))
    return found


def _known_characters(value: Any) -> Any:
    """The value with characters unassigned in Python's Unicode database replaced. cue (Go)
    knows newer Unicode and prints map keys made of them as bare identifiers, which the engine's
    reader of cue's output rejects, losing the whole batch: an engine limitation, not the schema's."""
    if isinstance(value, str):
        return "".join("x" if unicodedata.category(ch) == "Cn" else ch for ch in value)
    if isinstance(value, list):
        return [_known_characters(v) for v in value]
    if isinstance(value, dict):
        return {_known_characters(k): _known_characters(v) for k, v in value.items()}
    return value


def _unrolled(node: Any, root: dict[str, Any], stack: tuple[str, ...]) -> Any:
    """A copy with `$ref`s inlined, and a recursive one cut (`false`) after one round:
    hypothesis-jsonschema cannot draw from recursive schemas (and rewrites what it is given)."""
    if isinstance(node, list):
        return [_unrolled(v, root, stack) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rpartition("/")[2]
        if stack.count(name) >= 2:
            return False
        return _unrolled(root.get("definitions", {}).get(name, {}), root, (*stack, name))
    return {k: _unrolled(v, root, stack) for k, v in node.items() if k != "definitions"}


@contextmanager
def _without_local_constants() -> Iterator[None]:
    """Hypothesis (6.13x+) also draws, now and then, string and number literals it finds in the
    non-test modules loaded so far (engine/ included): with `derandomize=True` the draws then
    still depend on which engine modules earlier tests imported, and on every literal added to
    engine/ (a flaky test). Off while drawing here; Hypothesis's own global constants stay."""
    saved = providers._get_local_constants
    providers._get_local_constants = Constants  # an empty pool
    providers.CONSTANTS_CACHE.cache.clear()  # it caches the local pool per draw kind
    try:
        yield
    finally:
        providers._get_local_constants = saved
        providers.CONSTANTS_CACHE.cache.clear()


def draw(schema: dict[str, Any], count: int) -> list[Any]:
    """`count` instances of `schema`, the same ones every run, whatever ran before."""
    found: list[Any] = []
    validator = jsonschema.Draft7Validator(schema)

    @settings(max_examples=count, database=None, derandomize=True, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(from_schema(_unrolled(schema, schema, ())))
    def collect(value: Any) -> None:
        value = _known_characters(value)
        if validator.is_valid(value):
            found.append(value)

    with _without_local_constants():
        collect()
    return found


# --- mutations -------------------------------------------------------------------------------


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` (and draft-07's `allOf: [{$ref}]` wrapper) to the schema that says the shape."""
    if not isinstance(schema, dict):
        return {}
    ref = schema.get("$ref") or next((s["$ref"] for s in schema.get("allOf", []) if "$ref" in s), None)
    if ref:
        target = root.get("definitions", {}).get(ref.rpartition("/")[2], {})
        return {**_resolve(target, root), **{k: v for k, v in schema.items() if k not in ("$ref", "allOf")}}
    return schema


_WRONG = {"string": 12345, "integer": "12", "number": "1.5", "boolean": "yes", "array": "x", "object": "x"}


def _set(instance: Any, path: tuple[Any, ...], value: Any) -> Any:
    copied = copy.deepcopy(instance)
    if not path:
        return value
    node = copied
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copied


def _drop(instance: Any, path: tuple[Any, ...], key: str) -> Any:
    copied = copy.deepcopy(instance)
    node = copied
    for step in path:
        node = node[step]
    del node[key]
    return copied


Mutations = Iterator[tuple[str, Any]]


def mutations(schema: Any, instance: Any, root: dict[str, Any], path: tuple[Any, ...] = ()) -> Mutations:
    """Ways to break `instance` at `path` and below, as the schema describes it."""
    shape = _resolve(schema, root)
    yield from _scalar_mutations(shape, instance, path)
    node = _get(instance, path)
    for key in ("anyOf", "oneOf"):
        fitting = [b for b in shape.get(key, []) if _fits(b, node, root)]
        if fitting:
            yield from mutations(fitting[0], instance, root, path)
    if isinstance(node, dict):
        yield from _object_mutations(shape, instance, node, root, path)
    if isinstance(node, list) and node and isinstance(shape.get("items"), dict):
        yield from mutations(shape["items"], instance, root, (*path, 0))


def _scalar_mutations(shape: dict[str, Any], instance: Any, path: tuple[Any, ...]) -> Mutations:
    where = "/".join(map(str, path)) or "(top)"
    kind = shape.get("type")
    if isinstance(kind, str) and kind in _WRONG and path:  # properties themselves are always a map
        yield f"{where}: wrong type", _set(instance, path, _WRONG[kind])
    if "enum" in shape:
        yield f"{where}: outside the enum", _set(instance, path, "zz-not-in-enum")
    for bound, step in (("minimum", -1), ("maximum", 1), ("exclusiveMinimum", 0), ("exclusiveMaximum", 0)):
        if isinstance(shape.get(bound), (int, float)) and not isinstance(shape.get(bound), bool):
            yield f"{where}: past {bound}", _set(instance, path, shape[bound] + step)


def _object_mutations(shape: dict[str, Any], instance: Any, node: dict[str, Any], root: dict[str, Any],
                      path: tuple[Any, ...]) -> Mutations:
    where = "/".join(map(str, path)) or "(top)"
    for name in shape.get("required", []):
        if name in node:
            yield f"{where}: {name} dropped", _drop(instance, path, name)
    if shape.get("additionalProperties") is False:
        yield f"{where}: unknown property", _set(instance, (*path, "zzUnknown"), 1)
    for name, sub in shape.get("properties", {}).items():
        kind = _resolve(sub, root).get("type")
        if name in node:
            yield from mutations(sub, instance, root, (*path, name))
        elif isinstance(kind, str) and kind in _WRONG:
            yield f"{where}: {name} added with a wrong type", _set(instance, (*path, name), _WRONG[kind])


def _fits(branch: Any, value: Any, root: dict[str, Any]) -> bool:
    document = {**branch, "definitions": root.get("definitions", {})} if isinstance(branch, dict) else branch
    return bool(jsonschema.Draft7Validator(document).is_valid(value))


def _get(instance: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        instance = instance[key]
    return instance


# --- running the cases through cue -----------------------------------------------------------


def _cases() -> list[Case]:
    rng = random.Random(7)
    cases: list[Case] = []
    for definition, schema in _subjects():
        if definition.kind not in (contract.KIND_COMPONENT, contract.KIND_TRAIT, contract.KIND_POLICY):
            continue
        validator = jsonschema.Draft7Validator(schema)
        drawn = draw(schema, EXAMPLES)
        cases += [Case(definition, value, True, "drawn") for value in drawn]
        broken = [(note, value) for value in drawn[:6] for note, value in mutations(schema, value, schema)
                  if not validator.is_valid(value)]
        unique = list({json.dumps(v, sort_keys=True): (n, v) for n, v in broken}.values())
        for note, value in rng.sample(unique, min(MUTANTS, len(unique))):
            cases.append(Case(definition, value, False, note))
    return cases


def _application(cases: list[Case]) -> tuple[Application, list[ResolvedComponent]]:
    loader = bundled_loader()
    host = loader.get(contract.KIND_COMPONENT, "webservice")
    assert host is not None
    components, resolved = [], []
    for index, case in enumerate(cases):
        name = f"c{index}"
        path = f"components[{name}]"
        if case.definition.kind == contract.KIND_COMPONENT:
            comp = Component(name, case.definition.name, case.properties, (), (), path,
                             {"name": name, "type": case.definition.name, "properties": case.properties})
            resolved.append(ResolvedComponent(comp, case.definition, ()))
        else:
            trait = Trait(case.definition.name, case.properties, f"{path}.traits[{case.definition.name}]")
            comp = Component(name, "webservice", HOST, (trait,), (), path,
                             {"name": name, "type": "webservice", "properties": HOST})
            resolved.append(ResolvedComponent(comp, host, (case.definition,)))
        case.path = path
        components.append(comp)
    return Application("agreement", "default", {}, {}, tuple(components)), resolved


def _judge(cases: list[Case]) -> None:
    """Evaluate every case through cue (no schema check first) and keep each one's problems."""
    cue = Cue()
    workloads = [c for c in cases if c.definition.kind != contract.KIND_POLICY]
    app, resolved = _application(workloads)
    [(_, problems)] = evaluate_jobs([Job(app, resolved)], RenderOptions(), cue)
    policies = [c for c in cases if c.definition.kind == contract.KIND_POLICY]
    for index, case in enumerate(policies):
        case.path = f"policies[p{index}]"
    instances = [Instance(c.definition, c.properties, {}, c.path) for c in policies]
    _, [policy_problems] = evaluate_groups(cue, [instances])
    for problem in [*problems, *policy_problems]:
        owner = problem.location.app_path
        for case in cases:
            if owner == case.path or owner.startswith(case.path + ".") or owner.startswith(case.path + "["):
                (case.rules if problem.code in BEYOND_SCHEMA else case.problems).append(str(problem))


@pytest.fixture(scope="module")
def judged() -> dict[str, list[Case]]:
    cases = _cases()
    _judge(cases)
    by_definition: dict[str, list[Case]] = {}
    for case in cases:
        by_definition.setdefault(f"{case.definition.kind}/{case.definition.name}", []).append(case)
    return by_definition


def _disagreements(cases: list[Case]) -> list[Case]:
    """Schema-valid instances cue rejects, and schema-invalid ones cue accepts."""
    return [c for c in cases if (c.valid and c.problems) or (not c.valid and not c.problems and not c.rules)]


def test_agreement_per_definition(judged: dict[str, list[Case]], capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["", "schema/cue agreement per definition (drawn valid + mutated invalid instances):"]
    failures = []
    for key, cases in sorted(judged.items()):
        bad = _disagreements(cases)
        valid = sum(c.valid for c in cases)
        rate = 100.0 * (len(cases) - len(bad)) / len(cases)
        rules = sum(bool(c.rules) and c.valid for c in cases)
        lines.append(f"  {key:34} {rate:6.1f}%  ({valid} drawn, {len(cases) - valid} mutated, {len(bad)} disagree;"
                     f" {rules} drawn stopped by template rules)")
        for case in bad[:3]:
            verdict = "cue rejected a schema-valid" if case.valid else "cue accepted a schema-invalid"
            failures.append(f"{key}: {verdict} instance ({case.note}): {json.dumps(case.properties)}"
                            f" {case.problems[:2]}")
    with capsys.disabled():
        print("\n".join(lines))
    assert not failures, "\n".join(failures)


def test_every_definition_drew_instances(judged: dict[str, list[Case]]) -> None:
    kinds = {key.split("/")[0] for key in judged}
    assert kinds == {"component", "trait", "policy"}
    thin = [key for key, cases in judged.items() if sum(c.valid for c in cases) < 3]
    assert not thin, f"too few instances drawn for {thin}"
