"""The bounded YAML loaders: PyYAML's composer, counting and bounding what it builds, on
libyaml's parser (C) where PyYAML has it, or on PyYAML's own (all Python: its messages)."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

__all__ = ["MAX_DEPTH", "MAX_NODES", "LimitError", "Loader", "PyLoader", "compose"]

MAX_NODES = 1_000_000  # values in the input once every alias is expanded
MAX_DEPTH = 100  # levels of nesting; Kubernetes objects need a few dozen at most
_TAG = "tag:yaml.org,2002:"


class LimitError(yaml.MarkedYAMLError):
    """A bound was passed while composing."""


class _Bounded(Composer):
    """PyYAML's composer, counting nodes (aliases expanded) and depth as it composes."""

    def _start(self) -> None:
        self.expanded = 0
        self.depth = 0
        self.sizes: dict[str, int] = {}

    def compose_document(self) -> yaml.Node | None:
        self.sizes = {}
        return super().compose_document()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            self._alias(event.anchor, event.start_mark)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LimitError(problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=event.start_mark)
        before = self.expanded
        node = super().compose_node(parent, index)
        self.depth -= 1
        self._count(1, event.start_mark)
        if event.anchor is not None:
            self.sizes[event.anchor] = self.expanded - before
        return node

    def _alias(self, anchor: Any, mark: Any) -> None:
        """An alias counts as a copy of what it names; one inside what it names never ends."""
        if anchor in self.anchors and anchor not in self.sizes:
            raise LimitError(problem=f"alias *{anchor} refers to a value that contains it", problem_mark=mark)
        self._count(self.sizes.get(anchor, 0), mark)

    def _count(self, size: int, mark: Any) -> None:
        self.expanded += size
        if self.expanded > MAX_NODES:
            raise LimitError(problem=f"more than {MAX_NODES} values once aliases are expanded",
                             problem_mark=mark)


class PyLoader(_Bounded, Reader, Scanner, Parser, SafeConstructor, Resolver):
    """The bounded safe loader, all in Python: PyYAML's own messages for unreadable text."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._start()


# `=` alone is text to every reader but PyYAML, which gives it a tag nothing can construct.
PyLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != f"{_TAG}value"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


if yaml.__with_libyaml__:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]  # (not in the type stubs)

    class FastLoader(_Bounded, CParser, SafeConstructor, Resolver):
        """The bounded safe loader on libyaml's parser (C: the same events, five times faster);
        the composer stays in Python, so the bounds hold the same."""

        yaml_implicit_resolvers = PyLoader.yaml_implicit_resolvers

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start()

    Loader: type[_Bounded] = FastLoader
else:  # pragma: no cover - a PyYAML built without libyaml
    Loader = PyLoader


def compose(loader_class: type[_Bounded], text: str) -> list[yaml.Node]:
    """Every non-empty document of `text` as a node tree; raises yaml.YAMLError (LimitError
    for a bound passed)."""
    nodes = []
    loader: Any = loader_class(text)  # type: ignore[call-arg]
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
    finally:
        loader.dispose()
    return nodes
