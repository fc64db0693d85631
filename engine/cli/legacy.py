"""The `oam-render convert v1alpha2` command: write the v1beta1 equivalent of legacy OAM files."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..definitions import default_loader
from ..documents import Document, parse_documents, read_documents
from ..legacy.pipeline import convert_v1alpha2
from ..output.emit import dump_yaml
from ..output.files import OutputFile, file_part, write_files

if TYPE_CHECKING:
    from .common import Parser

EXIT_OK = 0
APPLICATION_FILE = "application.yaml"
DEFINITIONS_DIR = "definitions"


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add `convert` and its source formats to the top-level parser."""
    group = sub.add_parser("convert", help="convert legacy OAM files into an Application and definitions")
    formats = group.add_subparsers(dest="convert_from", required=True, parser_class=type(group))
    legacy = formats.add_parser(
        "v1alpha2", help="core.oam.dev/v1alpha2 Components and an ApplicationConfiguration",
        description="Write the v1beta1 Application, ComponentDefinitions (schematic.kube) and"
                    " TraitDefinitions that render to the same objects as the legacy files.")
    legacy.add_argument("files", nargs="+", metavar="FILE", help="YAML files ('-' reads stdin)")
    legacy.add_argument("-d", "--definitions", action="append", default=[], metavar="DIR_OR_FILE",
                        help="folders or files with the v1alpha2 TraitDefinitions of the traits")
    legacy.add_argument("--output-dir", type=Path, metavar="DIR",
                        help=f"write DIR/{APPLICATION_FILE} and DIR/{DEFINITIONS_DIR}/ instead of one stream")
    legacy.set_defaults(handler=_convert)


def _documents(files: Sequence[str], stdin: IO[str]) -> list[Document]:
    docs: list[Document] = []
    for name in files:
        docs += parse_documents(stdin.read(), "<stdin>") if name == "-" else read_documents(Path(name))
    return docs


def _file_name(doc: dict[str, Any]) -> str:
    kind = "component" if doc["kind"] == "ComponentDefinition" else "trait"
    return file_part(f"{kind}-{doc['metadata']['name']}") + ".yaml"


def write_conversion(docs: Sequence[dict[str, Any]], target: Path) -> list[Path]:
    """The Application and one file per definition under `target`, all or nothing (through the
    one safe writer: inside `target` only, no links followed); returns the files written."""
    files = [OutputFile(APPLICATION_FILE, dump_yaml(docs[0]), "the Application")]
    files += [OutputFile(f"{DEFINITIONS_DIR}/{_file_name(doc)}", dump_yaml(doc),
                         f"{doc['kind']} {doc['metadata']['name']}") for doc in docs[1:]]
    return write_files(target, files)


def _convert(args: argparse.Namespace, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    converted = convert_v1alpha2(_documents(args.files, stdin), default_loader(args.definitions))
    if args.output_dir is None:
        stdout.write("".join(f"---\n{dump_yaml(doc)}" for doc in converted))
        return EXIT_OK
    written = write_conversion(converted, args.output_dir)
    stderr.write(f"wrote {len(written)} files under {args.output_dir}; render them with: oam-render render"
                 f" -f {args.output_dir / APPLICATION_FILE} -d {args.output_dir / DEFINITIONS_DIR}\n")
    return EXIT_OK
