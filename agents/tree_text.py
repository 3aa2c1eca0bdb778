"""A tree as text for a reader who grades it: each node's path, agent, question, answer.

Parents come before children::

    [root] agent=lead
      Q: (3 + 4) - 5
      A: 1
    [root.0] agent=manager
      Q: 3 + 4
      A: 8

A question that repeats the root question's opening lines (a lookup's facts) shows them
once, at the root, and ``(facts as above)`` in their place. The grader's prompt
(``agents.grader``) and the simulated grader (``agents.server.GraderModel``) share it.
"""

from __future__ import annotations

import re

from hch import Tree, format_path
from hch.model import Node, Path

__all__ = ["FACTS_AS_ABOVE", "read_path", "render"]

FACTS_AS_ABOVE = "(facts as above)"

_PATH = re.compile(r"\broot(?:\.\d+)*")


def render(tree: Tree) -> str:
    """The tree as a grader reads it: each node's path, agent, question and answer,
    parents before children, then the right final answer when the trace has it."""
    root = tree.root.question.text
    shared = root[: root.rfind("\n") + 1] if "\n" in root else ""
    lines = ["The tree, parents before children:"]
    for node in tree:  # path order: depth first, parents before children
        lines.append(f"[{format_path(node.path)}] agent={node.agent}")
        asked = node.question.text
        if node.path and shared and asked.startswith(shared):
            asked = f"{FACTS_AS_ABOVE} {asked[len(shared) :]}"
        lines += _field("Q", asked)
        lines += _field("A", _answer(node))
    if tree.header.truth is not None:
        lines.append(f"The right final answer: {tree.header.truth}")
    return "\n".join(lines)


def _answer(node: Node) -> str:
    if node.answer is not None:
        return node.answer.text
    return f"(no answer: {node.status})"


def _field(name: str, text: str) -> list[str]:
    first, *rest = text.splitlines() or [""]
    return [f"  {name}: {first}", *(f"     {line}" for line in rest)]


def read_path(text: str, tree: Tree) -> Path | None:
    """The node a reply names: the last path in it that is a node of ``tree``."""
    for found in reversed(_PATH.findall(text)):
        parts = found.split(".")[1:]
        path = tuple(int(p) for p in parts)
        if path in tree:
            return path
    return None
