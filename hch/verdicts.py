"""Which nodes of a recorded tree answered right, judged by the task that asked.

A trace names its task in the header (``task``); where that name is a registered task
(``hch.tasks`` entry points) that can check subanswers, every node is judged; otherwise
the verdicts are unknown (None). Only registered names are looked up: a trace is data,
so its header never makes hch import a module it names.
"""

from __future__ import annotations

from typing import Any

from hch.model import Node, Path, Tree
from hch.registry import find, registered
from hch.tasks import NodeChecker, Sample, Task

__all__ = ["check_node", "trace_task", "verdicts"]


def trace_task(tree: Tree) -> Any | None:
    """The task a tree's header names, built with its defaults; None where unknown.

    None when the header names no task, a name no installed package registers, or a
    task that cannot be built without parameters.
    """
    name = tree.header.task
    if not name or name not in registered("task"):
        return None
    try:
        return find("task", name)()
    except Exception:  # a task needing parameters, or a broken plugin: unknown, not fatal
        return None


def check_node(task: Any, node: Node, truth: Any = None) -> bool | None:
    """Whether ``node`` answered right: the task's ``check_node``, or, for the root,
    ``check`` against ``truth``. None where nobody can tell (or the checker fails on
    what the node said: a trace's text is not the checker's to trust)."""
    if task is None or node.answer is None:
        return None
    try:
        if isinstance(task, NodeChecker):
            verdict = task.check_node(node.question, node.answer)
            if verdict is not None or node.path:
                return verdict
        if not node.path and truth is not None and isinstance(task, Task):
            sample = Sample(question=node.question, truth=truth, task=task.name)
            return bool(task.check(sample, node.answer))
    except Exception:
        return None
    return None


def verdicts(tree: Tree, task: Any = None) -> dict[Path, bool | None]:
    """Every node's verdict (see ``check_node``); all None without a task that checks."""
    truth = tree.header.truth
    return {node.path: check_node(task, node, truth) for node in tree}
