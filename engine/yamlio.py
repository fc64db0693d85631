"""YAML in and out: read plain data within bounds, write strings every reader keeps as strings."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from .yamlload import MAX_DEPTH, MAX_NODES, LimitError, Loader, PyLoader, compose

# Bounds on what one input may cost. A legitimate app of thousands of components is far below
# them; an alias bomb or a generated monster passes them quickly and is stopped when it does.
MAX_TEXT_CHARS = 16 * 1024 * 1024

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}
_MERGE_TAG = f"{_TAG}merge"
_UNSUPPORTED = {
    f"{_TAG}timestamp": "an unquoted date or time; quote it to keep it text",
    f"{_TAG}binary": "!!binary data is not supported; write the base64 text as a string",
    f"{_TAG}set": "!!set is not supported; use a list",
    f"{_TAG}omap": "!!omap is not supported; use a mapping",
    f"{_TAG}pairs": "!!pairs is not supported; use a mapping",
}


@dataclass(frozen=True)
class YamlIssue:
    """One reason an input cannot be used, where it is (`path` follows the app's convention)."""

    code: str  # "yaml" (unreadable), "yaml-limit" (too big or deep), "yaml-value" (not plain data)
    message: str
    path: str = ""
    line: int | None = None


class YamlInputError(ValueError):
    """The input is not YAML we accept; carries every issue found."""

    def __init__(self, issues: Sequence[YamlIssue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = tuple(issues)


@dataclass(frozen=True)
class YamlDocument:
    """One document: its node tree, its data, its first line and the line of every path."""

    node: yaml.Node
    data: Any
    line: int
    lines: dict[str, int] = field(default_factory=dict)


def _line_of(exc: yaml.YAMLError, text: str) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    position = getattr(exc, "position", None)  # a ReaderError: a character YAML forbids
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else None


def _unreadable(exc: yaml.YAMLError, text: str) -> YamlIssue:
    if isinstance(exc, LimitError):
        return YamlIssue("yaml-limit", f"YAML too large: {exc.problem}", "", _line_of(exc, text))
    if isinstance(exc, yaml.reader.ReaderError):
        return YamlIssue("yaml", f"malformed YAML: character U+{exc.character:04X} is not allowed", "",
                         _line_of(exc, text))
    problem = getattr(exc, "problem", None) or str(exc)
    return YamlIssue("yaml", f"malformed YAML: {problem}", "", _line_of(exc, text))


def compose_documents(text: str) -> list[yaml.Node]:
    """The node tree of every non-empty document; YamlInputError when unreadable or too big."""
    if len(text) > MAX_TEXT_CHARS:
        raise YamlInputError([YamlIssue("yaml-limit", f"YAML too large: more than {MAX_TEXT_CHARS}"
                                        " characters")])
    try:
        try:
            return compose(Loader, text)
        except LimitError:
            raise
        except yaml.YAMLError:
            if Loader is PyLoader:
                raise
            # libyaml says what it expected; PyYAML also says what it found there: read the
            # text again with PyYAML for the message (and its verdict).
            return compose(PyLoader, text)
    except yaml.YAMLError as exc:
        raise YamlInputError([_unreadable(exc, text)]) from exc
    except RecursionError as exc:  # the depth bound keeps us far from it; never a traceback anyway
        raise YamlInputError([YamlIssue("yaml-limit", "YAML too large: nested too deeply")]) from exc


def load_documents(text: str) -> list[YamlDocument]:
    """Every non-empty document as plain data (maps, lists, strings, numbers, booleans, null).

    Raises YamlInputError with every issue: unreadable text, a bound passed, or values that are
    not plain data (dates, binary, sets, unknown tags, lists or maps used as keys, inf and nan).
    """
    documents, issues = [], []
    for node in compose_documents(text):
        lines: dict[str, int] = {}
        for path, child, key, first in walk(node):
            if not key:  # a path's line is where its value starts, as cue's positions are
                lines.setdefault(path, child.start_mark.line + 1)
            if first:
                issues.extend(_node_issues(path, child, key))
        if not issues:
            documents.append(YamlDocument(node, _construct(node), node.start_mark.line + 1, lines))
    if issues:
        raise YamlInputError(issues)
    return documents


def walk(root: yaml.Node) -> Iterator[tuple[str, yaml.Node, bool, bool]]:
    """(path, node, is_key, first) for every node in document order; a shared (aliased) node is
    descended once, on its `first` visit. Paths follow the app's convention: `spec` is the root,
    so the line of `components[web].properties.image` is found there (and path "" is the spec's
    line); other top-level keys keep their name (`metadata.name`)."""
    stack = [(path, node, False) for path, node in reversed(_roots(root))]
    seen: set[int] = set()
    while stack:
        path, node, is_key = stack.pop()
        first = id(node) not in seen
        yield path, node, is_key, first
        if not first:
            continue
        seen.add(id(node))
        children: list[tuple[str, yaml.Node, bool]] = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                label = key.value if isinstance(key, yaml.ScalarNode) else "?"
                children += [(join(path, label), key, True), (join(path, label), value, False)]
        elif isinstance(node, yaml.SequenceNode):
            typed = path.endswith("traits")
            children = [(f"{path}[{item_label(item, i, typed)}]", item, False) for i, item in enumerate(node.value)]
        stack.extend(reversed(children))


def _roots(root: yaml.Node) -> list[tuple[str, yaml.Node]]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "spec":
                return [("", value), ("", root)]
    return [("", root)]


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def item_label(node: yaml.Node, index: int, typed: bool = False) -> str:
    """How a path names a list entry: components and policies by name, traits (`typed`) by type."""
    if isinstance(node, yaml.MappingNode):
        keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        value = keys.get("type" if typed and "name" not in keys else "name")
        if isinstance(value, yaml.ScalarNode) and value.tag == f"{_TAG}str":
            return entry_label(value.value, index)
    return str(index)


def entry_label(name: Any, index: int) -> str:
    """How a path names a list entry: its name when that is one-line text, else its index."""
    if isinstance(name, str) and name and escape_comment(name) == name:
        return name
    return str(index)


def _node_issues(path: str, node: yaml.Node, is_key: bool) -> list[YamlIssue]:
    line = node.start_mark.line + 1
    if is_key and not isinstance(node, yaml.ScalarNode):
        return [YamlIssue("yaml-value", "a list or mapping cannot be a key", path, line)]
    tag = node.tag
    if tag in _UNSUPPORTED:
        return [YamlIssue("yaml-value", _UNSUPPORTED[tag], path, line)]
    expected = _SCALAR_TAGS | ({_MERGE_TAG} if is_key else set())
    if isinstance(node, yaml.MappingNode):
        expected = {f"{_TAG}map"}
    elif isinstance(node, yaml.SequenceNode):
        expected = {f"{_TAG}seq"}
    if tag not in expected:
        return [YamlIssue("yaml-value", f"unsupported tag {tag}", path, line)]
    if tag in (f"{_TAG}int", f"{_TAG}float"):
        return _number_issues(path, node, line)
    return []


def _number_issues(path: str, node: yaml.Node, line: int) -> list[YamlIssue]:
    try:
        value = _construct(node)
    except YamlInputError:
        kind = node.tag.rpartition(":")[2]
        return [YamlIssue("yaml-value", f"{node.value!r} cannot be read as !!{kind}", path, line)]
    if isinstance(value, float) and not math.isfinite(value):
        return [YamlIssue("yaml-value", f"{node.value} is not a number JSON can hold", path, line)]
    return []


def _construct(node: yaml.Node) -> Any:
    """The Python value of a checked node (a fresh constructor: it keeps per-document state)."""
    try:
        return yaml.constructor.SafeConstructor().construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # e.g. `!!int abc`
        raise YamlInputError([YamlIssue("yaml-value", f"cannot read a value: {exc}")]) from exc



_PLAIN = (str, bool, int, float, type(None))


def check_data(data: Any) -> list[YamlIssue]:
    """Issues of an already-parsed document (a dict given to the library): values that are not
    plain data, nesting past MAX_DEPTH, or more than MAX_NODES values (a cycle never ends)."""
    stack: list[tuple[str, Any, int]] = [("", data, 1)]
    count = 0
    while stack:
        path, value, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            bound = f"more than {MAX_NODES} values" if count > MAX_NODES else f"nested more than {MAX_DEPTH} levels"
            return [YamlIssue("yaml-limit", f"input too large: {bound}", path)]
        if isinstance(value, dict):
            bad = [k for k in value if not isinstance(k, _PLAIN)]
            if bad:
                return [YamlIssue("yaml-value", f"a key must be text, not {type(bad[0]).__name__}", path)]
            # Paths as `walk` spells them: the top-level `spec` is the root.
            stack.extend(("" if depth == 1 and k == "spec" else join(path, str(k)), v, depth + 1)
                         for k, v in reversed(list(value.items())))
        elif isinstance(value, (list, tuple)):
            typed = path.endswith("traits")
            stack.extend((f"{path}[{entry_label(_name_of(v, typed), i)}]", v, depth + 1)
                         for i, v in reversed(list(enumerate(value))))
        elif not isinstance(value, _PLAIN) or (isinstance(value, float) and not math.isfinite(value)):
            return [YamlIssue("yaml-value", f"{type(value).__name__} {value!r:.40} is not plain data", path)]
    return []


def _name_of(entry: Any, typed: bool) -> Any:
    if isinstance(entry, dict):
        return entry.get("type" if typed and "name" not in entry else "name")
    return None


# --- writing ---------------------------------------------------------------------------------

# What may stand in a comment or an unquoted scalar: printable in YAML 1.1 and 1.2 and no line
# break of either (1.1 also breaks at U+0085, U+2028, U+2029); no byte-order mark inside.
_UNSAFE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_BARE_WORDS = {"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
               "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
               "<<", "="}
# Numbers of any reader: Go's integer bases (go-yaml, cue), YAML 1.2 floats with a bare
# exponent (1e3), 1.1's sexagesimal 12:30, infinities and NaN; `_` is dropped first, as
# go-yaml and YAML 1.1 do.
_NUMBER = re.compile(r"""[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+
                               |[0-9][0-9:]*(\.[0-9]*)?([eE][-+]?[0-9]+)?
                               |\.[0-9]+([eE][-+]?[0-9]+)?
                               |\.(inf|Inf|INF))
                        |\.(nan|NaN|NAN)""", re.VERBOSE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")  # go-yaml reads 2024-1-2 as a date too


def escape_comment(text: str) -> str:
    """`text` fit for one comment line: line breaks and other control characters escaped."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def resolves_as_non_string(text: str) -> bool:
    """True when some YAML 1.1 or 1.2 reader (PyYAML, go-yaml hence kubectl, cue) would read
    `text` written unquoted as a null, boolean, number or date."""
    return text in _BARE_WORDS or bool(_NUMBER.fullmatch(text.replace("_", "")) or _DATE.match(text))


class Dumper(yaml.SafeDumper):
    """Block style, keys in their given order, strings that stay strings in every reader (every
    YAML this tool prints goes through it; subclass it to change how a string is laid out)."""


def represent_str(dumper: yaml.representer.SafeRepresenter, value: str) -> yaml.ScalarNode:
    """A string as a scalar node in a style every YAML 1.1 and 1.2 reader reads back as that string."""
    style: str | None = None
    if _UNSAFE.search(value.replace("\n", "")):
        style = '"'  # escapes every break and control character
    elif "\n" in value:
        style = "|"
    elif resolves_as_non_string(value):
        style = "'"
    return dumper.represent_scalar(f"{_TAG}str", value, style=style)


Dumper.add_representer(str, represent_str)


if yaml.__with_libyaml__:
    class _CDumper(yaml.CSafeDumper):
        """The same representers on libyaml's emitter (C, about 4x faster)."""

    _CDumper.add_representer(str, represent_str)


def _same_in_both(value: Any, key: bool = False) -> bool:
    """Whether both emitters write `value` alike: libyaml escapes characters past U+FFFF, lays
    out keys that are empty or hold breaks otherwise, and ends a document after a kept (`|+`)
    block."""
    if isinstance(value, str):
        if _UNSAFE.search(value.replace("\n", "")) or (value and max(value) > "\uffff"):
            return False
        return bool(value) and "\n" not in value if key else not value.endswith("\n\n") and value != "\n"
    if isinstance(value, dict):
        return all(isinstance(k, str) and _same_in_both(k, True) and _same_in_both(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_same_in_both(v) for v in value)
    return True


def dump(body: Any) -> str:
    """One value as block-style YAML that any YAML 1.1 or 1.2 reader reads back unchanged.

    A mapping or list whose text both emitters write alike goes through libyaml's; the rest
    through PyYAML's, so the output does not depend on which one this machine has."""
    fast = yaml.__with_libyaml__ and isinstance(body, (dict, list)) and _same_in_both(body)
    return yaml.dump(body, Dumper=_CDumper if fast else Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1 << 16)
