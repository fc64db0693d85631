"""A v1alpha2 app with any value of the wrong shape anywhere is refused with problems (exit 1)
or rendered (exit 0): never an exception, whatever the field."""

from __future__ import annotations

import io

import yaml

from engine.cli.main import run
from tests.support import TESTS
from tests.support.shapes import WRONG, field_paths, with_value

EXAMPLE = TESTS.parent / "examples" / "legacy" / "app.yaml"


def test_every_field_of_the_example_holding_a_wrong_shape() -> None:
    documents = list(yaml.safe_load_all(EXAMPLE.read_text(encoding="utf-8")))
    outcomes: dict[int, int] = {}
    for position, document in enumerate(documents):
        for at in list(field_paths(document))[1:]:
            for value in WRONG:
                stream = yaml.safe_dump_all([*documents[:position], with_value(document, at, value),
                                             *documents[position + 1:]])
                err = io.StringIO()
                code = run(["render", "-f", "-"], io.StringIO(stream), io.StringIO(), err)
                assert code in (0, 1) and "Traceback" not in err.getvalue(), (position, at, value)
                outcomes[code] = outcomes.get(code, 0) + 1
    assert outcomes[1] > 100 and outcomes[0] > 100
