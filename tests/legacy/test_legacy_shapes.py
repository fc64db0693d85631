"""A v1alpha2 app with any value of the wrong shape anywhere is refused with problems (exit 1)
or rendered (exit 0): never an exception, whatever the field."""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from typing import Any

import yaml

from engine.cli.main import run
from tests.support import TESTS

EXAMPLE = TESTS.parent / "examples" / "legacy" / "app.yaml"
WRONG = (None, 5, "x", [], {}, [1], {"a": 1}, True)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*at, index))


def _with(document: Any, at: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for part in at[:-1]:
        node = node[part]
    node[at[-1]] = value
    return changed


def test_every_field_of_the_example_holding_a_wrong_shape() -> None:
    documents = list(yaml.safe_load_all(EXAMPLE.read_text(encoding="utf-8")))
    outcomes: dict[int, int] = {}
    for position, document in enumerate(documents):
        for at in list(_paths(document))[1:]:
            for value in WRONG:
                stream = yaml.safe_dump_all([*documents[:position], _with(document, at, value),
                                             *documents[position + 1:]])
                err = io.StringIO()
                code = run(["render", "-f", "-"], io.StringIO(stream), io.StringIO(), err)
                assert code in (0, 1) and "Traceback" not in err.getvalue(), (position, at, value)
                outcomes[code] = outcomes.get(code, 0) + 1
    assert outcomes[1] > 100 and outcomes[0] > 100
