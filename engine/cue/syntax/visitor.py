"""Walking the syntax tree: children of a node, all nodes below one, and a visitor base."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from .tree import Node

__all__ = ["Visitor", "children", "walk"]


def children(node: Node) -> Iterator[Node]:
    """The nodes directly inside `node`, in source order."""
    for item in dataclasses.fields(node):
        value = getattr(node, item.name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple):
            yield from (v for v in value if isinstance(v, Node))


def walk(node: Node) -> Iterator[Node]:
    """`node` and every node below it, depth first in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


class Visitor:
    """Dispatch on the node type: `visit_StructLit(node)`, else generic_visit (the children).

    Subclasses define the methods they care about and call generic_visit to go deeper.
    """

    def visit(self, node: Node) -> Any:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            return self.generic_visit(node)
        return method(node)

    def generic_visit(self, node: Node) -> Any:
        for child in children(node):
            self.visit(child)
        return None
