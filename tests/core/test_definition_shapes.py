"""A definition with a value of the wrong shape in any field the engine reads is a
DefinitionError naming the field (never an exception), in both file formats."""

from __future__ import annotations

import pytest
import yaml

from engine import Definition, DefinitionError
from engine.definitions import BUNDLED_DIR
from engine.deftools import render_files
from tests.support.shapes import WRONG, field_paths, with_value


def _read(definition: Definition) -> None:
    """What the engine reads of a loaded definition besides its template."""
    assert isinstance(definition.workload_type, str)
    assert all(isinstance(a, str) for a in definition.applies_to + definition.conflicts_with)
    assert isinstance(definition.description, str)


@pytest.mark.parametrize("source", ["trait/scaler.cue", "component/webservice.cue", "policy/topology.cue"])
def test_every_field_of_a_crd_definition_holding_a_wrong_shape(source: str) -> None:
    crd = yaml.safe_load(render_files([BUNDLED_DIR / source]))
    refused = 0
    for at in list(field_paths(crd))[1:]:
        if at[-1] == "template":
            continue
        for value in WRONG:
            text = yaml.safe_dump(with_value(crd, at, value))
            try:
                definition = Definition.from_yaml(text)
            except DefinitionError as error:
                assert error.problems and error.problems[0].message, at
                refused += 1
                continue
            _read(definition)
    assert refused > 20


@pytest.mark.parametrize(("metadata", "said"), [
    ("attributes: 5", "attributes must be a struct"),
    ("attributes: appliesToWorkloads: 5", "attribute appliesToWorkloads must be a list of strings"),
    ("attributes: conflictsWith: [1]", "attribute conflictsWith must be a list of strings"),
    ("annotations: 5", "annotations must map names to strings"),
    ("labels: {a: 1}", "labels must map names to strings"),
    ("description: [1]", "description must be a string"),
])
def test_cue_metadata_of_the_wrong_shape(metadata: str, said: str) -> None:
    text = f'x: {{\n\ttype: "trait"\n\t{metadata}\n}}\ntemplate: {{\n\tpatch: {{}}\n\tparameter: {{}}\n}}\n'
    with pytest.raises(DefinitionError) as caught:
        Definition.from_cue(text)
    assert caught.value.problems[0].message == said
