"""Export every definition's `parameter` as OpenAPI 3.0 / JSON Schema, batched through `cue def`.

Route: the parameter is printed by `cue def` (one process for any number of definitions, each
wrapped exactly as a render wraps it) and the printed CUE is parsed and mapped in Python
(cuesyntax.defs, schema_build). Why not cue's own encoders: `cue def --out openapi` only takes
definitions, cannot inline references from the CLI and its oneOf output is untested upstream;
`--out jsonschema` drops defaults. `cue def` keeps what a schema needs and an evaluated value
loses: defaults as `*v | T`, doc comments (`// +usage=` and the other markers), `if` blocks,
`...`, bounds and validator calls, and `#Defs` as `let` declarations (which become `$defs`).

Mapping (checked by tests/test_schema*.py and the agreement test, not taken on trust):
- required: a field without `?` whose absence cue cannot fill. Fields with a default are not
  required, and neither are lists `[...T]` and structs whose fields all fill themselves: cue
  exports them as `[]` / `{}`; `name!:` is always required.
- `*d | T` gives `default: d`; literal disjunctions give `enum`; struct disjunctions `oneOf`
  (`anyOf` when a default is marked: cue then settles an overlap by the default);
  bounds, `=~`/`!~`, `strings.MinRunes/MaxRunes`, `list.MinItems/MaxItems/UniqueItems`;
  `[string]: T` is `additionalProperties: T`, `[=~"re"]: T` patternProperties; `#Defs` and
  `close()` are closed (`additionalProperties: false`), plain structs are open, as in cue.
- `// +usage=` is the description, `// +ignore` hides a field, `// +immutable` sets
  `x-immutable`, `// +short=` sets `x-short`; `title` is the field name.
- a field under `if cond {...}` is an optional property whose description says the condition
  (`x-oam-condition` holds it as text); what it requires becomes an `if`/`then` rule when the
  condition compares fields of the same struct (OpenAPI 3.0 drops those rules).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import contract
from ..cue.program import Program
from ..cue.runner import Cue, CueFailed
from ..cue.syntax.lexer import CueSyntaxError
from ..definitions import DefinitionLoader, default_loader, strip_version
from ..errors import AppError, Problem, app_problem, definition_problem, raise_problems
from ..model import Definition, RenderOptions
from .dialect import DIALECTS, DRAFT_07, DRAFT_2020_12, OPENAPI_30, Schema, convert
from .forms import form_shape

__all__ = ["DIALECTS", "DRAFT_07", "DRAFT_2020_12", "OPENAPI_30", "as_configmap", "canonical_schemas",
           "export_schema", "export_schemas", "find_definition", "finish"]

_GLUE = "oam_schema"
_KINDS = (contract.KIND_COMPONENT, contract.KIND_TRAIT, contract.KIND_POLICY, contract.KIND_WORKFLOW_STEP)
CONFIGMAP_KEY = "openapi-v3-json-schema"
CONFIGMAP_NAMESPACE = "vela-system"


def _program(definitions: Sequence[Definition], keep: Sequence[int]) -> tuple[Program, list[str]]:
    """One `cue def` run over the kept definitions: `k<n>` is the parameter of definitions[n]."""
    program = Program()
    glue = [f"{_GLUE}: {{"]
    for index in keep:
        handle = program.add(definitions[index])
        glue.append(f"\tk{index}: {program.reference(handle, contract.PARAMETER)}")
    program.glue("\n".join([*glue, "}"]) + "\n")
    return program, ["def", *program.files, "-e", _GLUE]


def _failed_indexes(program: Program, failed: CueFailed, keep: Sequence[int]) -> set[int]:
    """Definitions a `cue def` failure names, by value path or by file."""
    return {keep[h.index] for d in failed.diagnostics for h in program.owners(d)}


def _names(definitions: Sequence[Definition], keep: Sequence[int], shown: int = 3) -> str:
    named = [f"{definitions[i].kind} {definitions[i].name}" for i in keep[:shown]]
    return ", ".join(named) + (f" and {len(keep) - shown} more" if len(keep) > shown else "")


def _problem(definition: Definition, message: str) -> Problem:
    return definition_problem("schema-export", message, definition=definition.name,
                              definition_kind=definition.kind, file=definition.source)


def canonical_schemas(definitions: Sequence[Definition], cue: Cue) -> tuple[dict[int, Schema], list[Problem]]:
    """The 2020-12 schema of each definition's parameter, by position, from one `cue def` run
    (one more, without them, when some templates fail). Problems name the ones that failed."""
    keep = [i for i, d in enumerate(definitions) if d.template.strip()]
    problems: list[Problem] = []
    for _attempt in range(2):
        if not keep:
            return {}, problems
        program, args = _program(definitions, keep)
        try:
            text = cue.run(args, program.files, task=f"read the parameters of {_names(definitions, keep)}")
        except CueFailed as failed:
            bad = _failed_indexes(program, failed, keep) or set(keep)
            first = failed.diagnostics[0].message if failed.diagnostics else failed.stderr.strip()
            problems += [_problem(definitions[i], f"cue def failed: {first}") for i in sorted(bad)]
            keep = [i for i in keep if i not in bad]
            continue
        return _parse_batch(text, program, definitions, keep, problems)
    return {}, problems


def _parse_batch(text: str, program: Program, definitions: Sequence[Definition], keep: Sequence[int],
                 problems: list[Problem]) -> tuple[dict[int, Schema], list[Problem]]:
    # The readers of `cue def` output load on the first export: `import engine` skips them.
    from ..cue.syntax.defs import parse_def_output
    from .build import Builder

    try:
        document = parse_def_output(text)
    except CueSyntaxError as exc:
        return {}, [*problems, *(_problem(definitions[i], f"cannot read cue def output: {exc}") for i in keep)]
    found: dict[int, Schema] = {}
    fields = {f.label: f.value for f in document.root.fields}
    for index, handle in zip(keep, program.handles, strict=True):
        value = fields.get(f"k{index}")
        if value is None:
            problems.append(_problem(definitions[index], "cue def printed no parameter"))
            continue
        found[index] = Builder(document, program, handle).parameter(value)
    return found, problems


def finish(definition: Definition, canonical: Schema, dialect: str, *, vendor_keywords: bool = True,
           form: bool = False) -> Schema:
    """The exported schema: name and description on top, in the dialect asked for (with the
    `x-` keywords the checker and the docs read, unless `vendor_keywords` is false)."""
    head: Schema = {"title": definition.name}
    if definition.description:
        head["description"] = definition.description
    body = {k: v for k, v in canonical.items() if k not in ("title", "description")}
    out = convert({**head, **body}, dialect, vendor_keywords=vendor_keywords, form=form)
    return form_shape(out) if form and dialect != OPENAPI_30 else out


def export_schemas(definitions: Sequence[Definition], *, dialect: str = OPENAPI_30,
                   cue: Cue | None = None, vendor_keywords: bool | None = None,
                   form: bool = False) -> dict[tuple[str, str], Schema]:
    """Schemas of many definitions, by (kind, name), from one cue process.

    `vendor_keywords` (`x-short`, `x-immutable`, `x-oam-condition`, `x-oam-hidden`, ...):
    by default kept in OpenAPI 3.0, which allows `x-` extensions, and left out of the JSON
    Schema dialects, so that Ajv in strict mode compiles them as they are. `form` (JSON
    Schema dialects): every `$ref` replaced by its target, and maps and free-form values in
    their form shape (see `engine.schema.forms`), for form renderers.

    Raises DefinitionError naming every definition whose parameter could not be exported.
    """
    if dialect not in DIALECTS:
        raise AppError([app_problem("input", f"unknown schema dialect {dialect!r}; expected one of"
                                    f" {', '.join(DIALECTS)}", "")])
    runner = cue or Cue()
    found, problems = canonical_schemas(definitions, runner)
    raise_problems(problems)
    vendor = dialect == OPENAPI_30 if vendor_keywords is None else vendor_keywords
    return {(d.kind, d.name): finish(d, found.get(i, {}), dialect, vendor_keywords=vendor, form=form)
            for i, d in enumerate(definitions)}


def _loader(definitions: DefinitionLoader | str | Path | Iterable[str | Path] | None) -> DefinitionLoader:
    if definitions is None:
        return default_loader()
    if isinstance(definitions, DefinitionLoader):
        return definitions
    return default_loader([definitions] if isinstance(definitions, (str, Path)) else list(definitions))


def find_definition(name: str, loader: DefinitionLoader, kind: str | None = None) -> Definition:
    """The definition called `name` (of `kind`, or the first kind that has it).

    Raises DefinitionError when there is none.
    """
    for candidate in (kind,) if kind else _KINDS:
        found = loader.get(candidate, strip_version(name))
        if found is not None:
            return found
    known = sorted({n for k in _KINDS for n in loader.names(k)})
    hint = f"; known: {', '.join(known)}" if len(known) < 60 else ""
    raise_problems([definition_problem("unknown-definition", f"no {kind or 'definition'} named {name!r}"
                                       f" (looked in {loader.describe()}){hint}", definition=name)])
    raise AssertionError("unreachable")


def export_schema(definition_or_name: Definition | str, *, dialect: str = OPENAPI_30, kind: str | None = None,
                  definitions: DefinitionLoader | str | Path | Iterable[str | Path] | None = None,
                  options: RenderOptions | None = None, vendor_keywords: bool | None = None,
                  form: bool = False) -> Schema:
    """The parameter schema of one definition (a Definition, or a name found in `definitions`,
    default: the bundled ones) in `dialect`: "openapi-3.0" (default), "draft-07" or "2020-12".
    `vendor_keywords` and `form`: as in `export_schemas` (default: `x-` keywords only in
    OpenAPI 3.0; `$ref`s kept).

    Returns a JSON-ready dict. Raises DefinitionError if the name is unknown or cue rejects the
    template, CueEnvironmentError if cue is missing, AppError for an unknown dialect.
    """
    definition = definition_or_name if isinstance(definition_or_name, Definition) \
        else find_definition(definition_or_name, _loader(definitions), kind)
    options = options or RenderOptions()
    cue = Cue(options.cue_binary, options.timeout)
    found = export_schemas([definition], dialect=dialect, cue=cue, vendor_keywords=vendor_keywords, form=form)
    return found[(definition.kind, definition.name)]


def as_configmap(definition: Definition, openapi_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The ConfigMap KubeVela keeps a definition's OpenAPI schema in (`<kind>-schema-<name>`)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{definition.kind}-schema-{definition.name}",
            "namespace": CONFIGMAP_NAMESPACE,
            "labels": {"definition.oam.dev/name": definition.name},
        },
        "data": {CONFIGMAP_KEY: json.dumps(openapi_schema, indent=2, sort_keys=False)},
    }
