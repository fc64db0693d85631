"""Parameter reference pages from exported schemas: Markdown and terminal tables, like `vela show`."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Definition
from .dialect import Schema, with_conditional_types

HEADERS = ("Name", "Description", "Type", "Required", "Default")
_KIND_TITLES = {"component": "Components", "trait": "Traits", "policy": "Policies", "workflow-step": "Workflow steps"}


@dataclass
class Section:
    """One table: the parameters of the top level, of a nested struct or of list items."""

    title: str
    anchor: str
    description: str = ""
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)


@dataclass
class _Walk:
    defs: dict[str, Schema]
    links: bool = True  # Markdown links to sections in the type column (plain names otherwise)
    sections: list[Section] = field(default_factory=list)
    seen_defs: dict[str, str] = field(default_factory=dict)  # def name -> anchor of its section

    def link(self, text: str, anchor: str) -> str:
        return f"[{text}](#{anchor})" if self.links else text

    def anchor(self, title: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "parameters"
        taken = {s.anchor for s in self.sections}
        anchor, n = base, 1
        while anchor in taken:
            n += 1
            anchor = f"{base}-{n}"
        return anchor


def reference(schema: Schema, links: bool = True) -> list[Section]:
    """The sections of a definition's parameter reference, top level first (2020-12 schema)."""
    schema = with_conditional_types(schema)
    walk = _Walk(dict(schema.get("$defs", {})), links)
    _section(walk, "Parameters", schema)
    return walk.sections


def _resolve(walk: _Walk, schema: Any) -> tuple[Schema, str]:
    """The schema a `$ref` points at, and the definition's name ("" when not a reference)."""
    if not isinstance(schema, dict):
        return {}, ""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.rpartition("/")[2]
        target = walk.defs.get(name, {})
        return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}, name
    return schema, ""


def _section(walk: _Walk, title: str, schema: Schema, description: str = "") -> str:
    section = Section(title, walk.anchor(title), description)
    walk.sections.append(section)
    required = set(schema.get("required", []))
    for name, prop in (schema.get("properties") or {}).items():
        resolved, _ = _resolve(walk, prop)
        default = resolved.get("default", prop.get("default"))
        section.rows.append((name, str(prop.get("description", resolved.get("description", ""))),
                             _type(walk, f"{title}.{name}" if title != "Parameters" else name, prop),
                             "true" if name in required else "false",
                             "" if default is None and "default" not in resolved else json.dumps(default)))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        section.rows.append(("[string]", "any other key", _type(walk, f"{title}[string]", extra), "false", ""))
    forms = []
    for index, branch in enumerate(schema.get("oneOf") or schema.get("anyOf") or []):
        target, def_name = _resolve(walk, branch)
        if def_name:
            forms.append(_type(walk, title, branch))
        elif target.get("properties"):
            option = f"{title} (form {index + 1})"
            forms.append(walk.link(option, _section(walk, option, target)))
        else:
            forms.append(_type(walk, title, branch))
    if forms:
        section.description = (section.description + " " if section.description else "") + \
            f"Set one of these forms: {', '.join(forms)}."
    return section.anchor


def _type(walk: _Walk, path: str, schema: Any) -> str:
    """The type column: scalars by name, enums by their values, structs as links to sections."""
    resolved, def_name = _resolve(walk, schema)
    if def_name and resolved.get("properties"):
        if def_name not in walk.seen_defs:
            walk.seen_defs[def_name] = ""
            walk.seen_defs[def_name] = _section(walk, def_name, resolved)
        return walk.link(def_name, walk.seen_defs[def_name])
    if "enum" in resolved:
        return " or ".join(json.dumps(v) for v in resolved["enum"])
    if "const" in resolved:
        return json.dumps(resolved["const"])
    for key in ("oneOf", "anyOf"):
        if key in resolved:
            parts = [_type(walk, f"{path} (option {i + 1})", b) for i, b in enumerate(resolved[key])]
            return " or ".join(dict.fromkeys(parts))
    kind = resolved.get("type")
    if kind == "array":
        items = resolved.get("items")
        return f"[...{_type(walk, f'{path}[]', items)}]" if isinstance(items, dict) else "list"
    if kind == "object" and resolved.get("properties"):
        return walk.link(path.rpartition(".")[2], _section(walk, path, resolved))
    if kind == "object" and resolved.get("patternProperties"):
        pattern, value = next(iter(resolved["patternProperties"].items()))
        return f"map[=~{json.dumps(pattern)}]{_type(walk, path, value)}"
    if kind == "object":
        extra = resolved.get("additionalProperties")
        return f"map[string]{_type(walk, path, extra)}" if isinstance(extra, dict) else "map[string]_"
    if isinstance(kind, list):
        return " or ".join(kind)
    return str(kind) if kind else "_"


# --- output ----------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(definition: Definition, schema: Schema) -> str:
    """A Markdown reference page for one definition."""
    lines = [f"# {definition.name}", "", f"*{definition.kind}*"]
    if definition.description:
        lines += ["", definition.description]
    for section in reference(schema):
        level = "##" if section.title == "Parameters" else "###"
        lines += ["", f'{level} <a id="{section.anchor}"></a>{section.title}', ""]
        if section.description:
            lines += [section.description, ""]
        if section.rows:
            lines += ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in section.rows]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).rstrip("\n")) + "\n"


def table(definition: Definition, schema: Schema) -> str:
    """The reference as terminal tables, one per section."""
    out = [f"{definition.name} ({definition.kind})"]
    if definition.description:
        out.append(definition.description)
    for section in reference(schema, links=False):
        out += ["", f"{section.title}:" if section.title == "Parameters" else f"{section.title} (#{section.anchor}):"]
        if section.description:
            out.append(section.description)
        if section.rows:
            out += _boxed([HEADERS, *section.rows])
    return "\n".join(out) + "\n"


def _boxed(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return [rule, body[0], rule, *body[1:], rule]


def index(definitions: Sequence[Definition], link: dict[tuple[str, str], str]) -> str:
    """The index page: every definition by kind, with its description and a link to its page."""
    lines = ["# Definitions", ""]
    for kind, title in _KIND_TITLES.items():
        members = sorted((d for d in definitions if d.kind == kind), key=lambda d: d.name)
        if not members:
            continue
        lines += [f"## {title}", "", "| Name | Description |", "|---|---|"]
        lines += [f"| [{d.name}]({link[(d.kind, d.name)]}) | {_cell(d.description)} |" for d in members]
        lines.append("")
    return "\n".join(lines)
