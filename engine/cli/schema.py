"""The `oam-render schema`, `show` and `docs` commands: parameter schemas and reference pages."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .. import contract
from ..cue.runner import Cue
from ..definitions import DefinitionLoader, DirectoryLoader, default_loader, parse_definition_file
from ..documents import parse_documents, read_documents
from ..errors import Fixer, app_problem, raise_problems
from ..model import Definition
from ..output.files import OutputFile, file_part, write_files
from ..schema.dialect import DIALECTS, DRAFT_2020_12
from ..schema.docs import index, markdown, table
from ..schema.export import OPENAPI_30, as_configmap, canonical_schemas, export_schemas, find_definition, finish
from ..schema.forms import from_form
from ..schema.store import all_definitions, generate, write
from ..schema.uischema import ui_schema
from ..yamlio import MAX_TEXT_CHARS, dump

if TYPE_CHECKING:
    from .common import Parser

EXIT_OK = 0
_KINDS = (contract.KIND_COMPONENT, contract.KIND_TRAIT, contract.KIND_POLICY, contract.KIND_WORKFLOW_STEP)
_Handler = Callable[[argparse.Namespace, IO[str], IO[str], IO[str]], int]


def _cue() -> Cue:
    return Cue(os.environ.get("OAM_RENDER_CUE") or None)


def _add_definitions(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-d", "--definitions", action="append", default=[], metavar="DIR_OR_FILE",
                        help="definition files or folders, searched before the bundled ones")


def _target(args: argparse.Namespace) -> tuple[Definition, DefinitionLoader]:
    """The definition NAME names; NAME may also be a definition file (its first definition)."""
    path = Path(args.name)
    if args.name.endswith((".cue", ".yaml", ".yml")) and path.is_file():
        found = parse_definition_file(path)
        loader = default_loader([path, *args.definitions])
        if found:
            return found[0], loader
    loader = default_loader(args.definitions)
    return find_definition(args.name, loader, args.type), loader


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add `schema`, `show` and `docs` to the CLI."""
    p = sub.add_parser("schema", help="print a definition's parameter schema (OpenAPI 3.0 or JSON Schema)")
    p.add_argument("name", nargs="?", help="definition name, or a definition file")
    p.add_argument("--type", choices=_KINDS, help="kind of definition, when a name is used by several")
    p.add_argument("--dialect", choices=DIALECTS, default=OPENAPI_30, help="the schema language to write")
    p.add_argument("--as-configmap", action="store_true",
                   help="print the ConfigMap KubeVela keeps the OpenAPI schema in (<type>-schema-<name>)")
    p.add_argument("--vendor-keywords", action=argparse.BooleanOptionalAction, default=None,
                   help="keep the x- keywords (x-short, x-immutable, x-oam-condition, x-oam-hidden); default:"
                        " only in OpenAPI 3.0, so that strict JSON Schema validators take the others as they are")
    p.add_argument("--form", action="store_true",
                   help="JSON Schema dialects: the form shape for form renderers ($refs inlined, maps as key/value"
                        " entries, free-form values as YAML text)")
    p.add_argument("--from-form", metavar="FILE",
                   help="read form data (JSON or YAML; '-' reads stdin) of the --form schema and print the"
                        " properties it stands for, as YAML")
    p.add_argument("--ui-schema", action="store_true",
                   help="print a JSON Forms UI schema placing every field (of the --form schema in --dialect,"
                        " 2020-12 when the dialect is OpenAPI 3.0)")
    p.add_argument("--all", action="store_true", help="export every definition, in every dialect, to --output-dir")
    p.add_argument("--output-dir", type=Path, help="with --all: where to write DIALECT/KIND/NAME.json")
    _add_definitions(p)
    p.set_defaults(handler=_schema)
    p = sub.add_parser("show", help="print a definition's parameter reference, like vela show")
    p.add_argument("name", help="definition name, or a definition file")
    p.add_argument("--type", choices=_KINDS, help="kind of definition, when a name is used by several")
    p.add_argument("--format", choices=("table", "markdown"), default="table",
                   help="a table for the terminal, or a Markdown page")
    _add_definitions(p)
    p.set_defaults(handler=_show)
    p = sub.add_parser("docs", help="write a Markdown reference page per definition, and an index")
    p.add_argument("--output-dir", type=Path, required=True, help="where the pages go (KIND/NAME.md, index.md)")
    p.add_argument("--only", choices=("all", "user"), default="all",
                   help="user: only the definitions given with -d")
    _add_definitions(p)
    p.set_defaults(handler=_docs)


def _schema(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    if args.all:
        if not args.output_dir:
            stderr.write("error: schema --all needs --output-dir\n")
            return 2
        files = generate(_cue(), default_loader(args.definitions))
        written = write(files, args.output_dir)
        stderr.write(f"wrote {len(written)} files under {args.output_dir}\n")
        return EXIT_OK
    if not args.name:
        stderr.write("error: schema needs a definition NAME (or --all)\n")
        return 2
    definition, _ = _target(args)
    if args.from_form:
        return _from_form(args, definition, stdin, stdout)
    dialect = OPENAPI_30 if args.as_configmap else args.dialect
    if args.ui_schema and dialect == OPENAPI_30:
        dialect = DRAFT_2020_12
    found = export_schemas([definition], dialect=dialect, cue=_cue(), vendor_keywords=args.vendor_keywords,
                           form=args.form or args.ui_schema)
    schema = found[(definition.kind, definition.name)]
    if args.ui_schema:
        schema = ui_schema(schema)
    if args.as_configmap:
        stdout.write(dump(as_configmap(definition, schema)))
    else:
        stdout.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def _from_form(args: argparse.Namespace, definition: Definition, stdin: IO[str], stdout: IO[str]) -> int:
    """`schema NAME --from-form FILE`: form data back as properties (what `from_form` does)."""
    source = args.from_form
    documents = parse_documents(stdin.read(MAX_TEXT_CHARS + 1), "<stdin>") if source == "-" \
        else read_documents(Path(source))
    if len(documents) != 1:
        raise_problems([app_problem("input", f"expected one document of form data, found {len(documents)}", "",
                                    file="<stdin>" if source == "-" else source)])
    found = export_schemas([definition], dialect=DRAFT_2020_12, cue=_cue(), form=True)
    properties = from_form(found[(definition.kind, definition.name)], documents[0].data)
    stdout.write(dump(properties))
    return EXIT_OK


def _show(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    definition, _ = _target(args)
    found = export_schemas([definition], dialect=DRAFT_2020_12, cue=_cue(), vendor_keywords=True)
    schema = found[(definition.kind, definition.name)]
    stdout.write(markdown(definition, schema) if args.format == "markdown" else table(definition, schema))
    return EXIT_OK


def page_name(definition: Definition) -> str:
    return f"{file_part(definition.kind)}/{file_part(definition.name)}.md"


def write_docs(definitions: Sequence[Definition], cue: Cue, output_dir: Path) -> list[Path]:
    """A page per definition and `index.md`, from one cue process, written all or nothing;
    returns the files written.

    Raises DefinitionError naming every definition cue could not export, and OutputError
    (nothing written) when two definitions' names map to one page or a link is in the way.
    """
    found, problems = canonical_schemas(definitions, cue)
    raise_problems(problems)
    pages = []
    for position, definition in enumerate(definitions):
        schema = finish(definition, found.get(position, {}), DRAFT_2020_12)
        pages.append(OutputFile(page_name(definition), markdown(definition, schema),
                                f"{definition.kind} {definition.name!r} ({definition.source})"))
    links = {(d.kind, d.name): page_name(d) for d in definitions}
    pages.append(OutputFile("index.md", index(definitions, links), "the index page"))
    return write_files(output_dir, pages, fixer=Fixer.DEFINITION)


def _docs(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    loader: DefinitionLoader = default_loader(args.definitions)
    if args.only == "user":
        loader = DirectoryLoader(args.definitions)
    definitions = all_definitions(loader)
    written = write_docs(definitions, _cue(), args.output_dir)
    stderr.write(f"wrote {len(written)} files under {args.output_dir}\n")
    return EXIT_OK
