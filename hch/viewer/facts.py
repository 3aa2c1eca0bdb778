"""What both views show beside a tree's own records: verdicts, where errors were born,
who made, passed and unlocked each pointer, and the outline of a tree that may be
missing nodes (a run cut off mid-way)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from hch.flow import PointerFlow, pointer_flow, unread_by
from hch.model import Node, Path, PointerId, Status, Tree
from hch.verdicts import trace_task, verdicts

__all__ = ["TreeFacts", "outline"]


def outline(paths: Iterable[Path]) -> list[Path]:
    """``paths`` and every ancestor of theirs, in path order (depth-first, pre-order).

    A trace cut off mid-run holds finished nodes whose parents never finished; the
    outline keeps their place so the tree still reads from the root down.
    """
    found: set[Path] = set()
    for path in paths:
        for depth in range(len(path), -1, -1):
            if path[:depth] in found:
                break
            found.add(path[:depth])
    return sorted(found)


class TreeFacts:
    """A tree with its verdicts: which nodes answered right or wrong, and where an error
    was born (a node gone wrong, wrongly answered or failed, none of whose children did).

    Attributes:
        tree: The tree.
        task: The task that judges it: the one given, else the one the tree's header
            names (None where that is unknown).
        correct: Each node's verdict: True, False, or None where nobody can tell.
        nodes: The recorded nodes by path.
    """

    def __init__(self, tree: Tree, task: Any = None) -> None:
        self.tree = tree
        self.task = task if task is not None else trace_task(tree)
        self.correct: dict[Path, bool | None] = verdicts(tree, self.task)
        self.nodes: dict[Path, Node] = {n.path: n for n in tree}

    @cached_property
    def flow(self) -> dict[PointerId, PointerFlow]:
        """Every pointer of the tree: who made, passed and unlocked it."""
        return pointer_flow(self.tree)

    @cached_property
    def unread(self) -> dict[Path, tuple[PointerId, ...]]:
        """The pointers each node passed on without seeing their content."""
        return unread_by(self.flow)

    @property
    def checkable(self) -> bool:
        """Whether any node could be judged."""
        return any(v is not None for v in self.correct.values())

    def bad(self, path: Path) -> bool:
        """The node answered wrong, or did not answer (failed, cancelled, limited)."""
        node = self.nodes.get(path)
        return node is not None and (node.status != Status.OK or self.correct[path] is False)

    def born(self, path: Path) -> bool:
        """An error was born here: the node went bad, and none of its children did."""
        node = self.nodes.get(path)
        return node is not None and self.bad(path) and not any(self.bad(c) for c in node.children)

    def memes_born(self, path: Path) -> set[str]:
        """Memes this node's answer carries that none of its children's answers did."""
        node = self.nodes.get(path)
        if node is None or node.answer is None:
            return set()
        below: set[str] = set()
        for child in node.children:
            found = self.nodes.get(child)
            if found is not None and found.answer is not None:
                below |= found.answer.memes
        return set(node.answer.memes) - below
