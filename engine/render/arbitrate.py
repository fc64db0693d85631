"""Decide patch conflicts that CUE would allow: a patch may override a default of the workload.

Workloads reach the merge as exported data, where `replicas: *1 | int` has become `1`, so a
patch setting `replicas: 3` looks like a conflict. For every such conflict, cue unifies the
component's own output at that path with the patch value: if that succeeds, the template left
the value open (a default) and the patch wins. One cue process decides every pending conflict
of a render round, and only rounds with conflicts pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import contract
from ..cue.program import Instance, chunked, compose, describe
from ..cue.runner import Cue, CueFailed
from ..cue.syntax import CueSyntaxError, parse_concrete
from ..model import JSON
from ..paths import Parts, cue_selector

_VERDICTS = "oam_verdict"
_VALUES = "oam_arb"


@dataclass(frozen=True)
class Check:
    """Would `value` unify with the output of `instance` at `location`?"""

    instance: Instance
    location: Parts
    value: JSON


def arbitrate(cue: Cue, checks: Sequence[Check]) -> list[bool]:
    """For each check, whether the patch value may replace the workload's (a default).

    The checks of at most CHUNK_SIZE instances go to one cue process, for bounded memory."""
    by_instance: dict[int, list[int]] = {}  # by id: comparing instances by value is costly
    for n, check in enumerate(checks):
        by_instance.setdefault(id(check.instance), []).append(n)
    # Each chunk: the indexes of the checks of its instances.
    chunks = [[n for ns in group for n in ns] for group in chunked(list(by_instance.values()))]
    decided = cue.map(lambda chunk: _decide(cue, [checks[n] for n in chunk]), chunks)
    verdicts = [False] * len(checks)
    for chunk, found in zip(chunks, decided, strict=True):
        for n, verdict in zip(chunk, found, strict=True):
            verdicts[n] = verdict
    return verdicts


def _decide(cue: Cue, checks: Sequence[Check]) -> list[bool]:
    """arbitrate, in one cue process."""
    instances: list[Instance] = []
    index: dict[int, int] = {}
    for check in checks:
        if id(check.instance) not in index:
            index[id(check.instance)] = len(instances)
            instances.append(check.instance)
    program = compose(instances)
    lines = [f"{_VALUES}: _", f"{_VERDICTS}: {{"]
    values = {}
    for n, check in enumerate(checks):
        target = f"oam_i{index[id(check.instance)]}.{contract.OUTPUT}{cue_selector(check.location)}"
        lines.append(f"\tc{n}: *{{ok: true, v: {target} & {_VALUES}.c{n}}} | {{ok: false}}")
        values[f"c{n}"] = check.value
    lines.append("}")
    files = dict(program.files)
    files["oam_glue.cue"] += "\n".join(lines) + "\n"
    try:
        text = cue.export(files, {**program.data, _VALUES: values}, _VERDICTS,
                          task=f"checked which patches override defaults of {describe(instances)}")
        verdicts, _ = parse_concrete(text)
    except (CueFailed, CueSyntaxError):
        return [False] * len(checks)  # undecidable: the conflict stands
    return [bool((verdicts.get(f"c{n}") or {}).get("ok")) for n in range(len(checks))]
