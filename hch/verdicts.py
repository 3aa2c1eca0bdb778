"""Which nodes of a recorded tree answered right, judged by the task that asked.

A trace names its task in the header (``task``); where that name is a registered task
(``hch.tasks`` entry points) that can check subanswers, every node is judged; otherwise
the verdicts are unknown (None). Only registered names are looked up: a trace is data,
so its header never makes hch import a module it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hch.errors import ConfigError
from hch.loading import build
from hch.model import Content, Node, Path, PointerId, Tree
from hch.pointers import reveal
from hch.registry import find, registered
from hch.tasks import NodeChecker, Sample, Task

__all__ = ["check_node", "task_named", "trace_task", "verdicts"]


def task_named(name: str) -> Any:
    """The registered task called ``name``, built with its defaults.

    Only registered names are looked up: a trace is untrusted, so the ``module:attr``
    form (which imports code) is never taken from one. Questions carry their own
    structure, so a task built with defaults checks any of its nodes.

    Raises:
        ConfigError: the name is not a registered task, or it cannot be built.
    """
    known = registered("task")
    if name not in known:
        raise ConfigError(
            f"the trace's task {name!r} is not a registered task ({', '.join(known)})"
        )
    try:
        return build(find("task", name), {}, "task")
    except ImportError as exc:
        raise ConfigError(f"task {name!r} cannot be loaded: {exc}") from None


def trace_task(tree: Tree) -> Any | None:
    """The task a tree's header names, built with its defaults; None where unknown.

    None when the header names no task, a name no installed package registers, or a
    task that cannot be built without parameters.
    """
    name = tree.header.task
    if not name:
        return None
    try:
        return task_named(name)
    except Exception:  # a task needing parameters, or a broken plugin: unknown, not fatal
        return None


def check_node(
    task: Any, node: Node, truth: Any = None, content: Mapping[PointerId, Content] | None = None
) -> bool | None:
    """Whether ``node`` answered right: the task's ``check_node``, or, for the root,
    ``check`` against ``truth``. None where nobody can tell (or the checker fails on
    what the node said: a trace's text is not the checker's to trust).

    ``content`` (the tree's, ``Tree.content``) lets the checker read the question and
    answer with their pointers expanded, as the asker would.
    """
    if task is None or node.answer is None:
        return None
    question, answer = node.question, node.answer
    try:
        if content is not None:
            question, answer = reveal(question, content), reveal(answer, content)
        if isinstance(task, NodeChecker):
            verdict = task.check_node(question, answer)
            if verdict is not None or node.path:
                return verdict
        if not node.path and truth is not None and isinstance(task, Task):
            sample = Sample(question=question, truth=truth, task=task.name)
            return bool(task.check(sample, answer))
    except Exception:
        return None
    return None


def verdicts(tree: Tree, task: Any = None) -> dict[Path, bool | None]:
    """Every node's verdict (see ``check_node``); all None without a task that checks."""
    truth = tree.header.truth
    content = tree.content
    return {node.path: check_node(task, node, truth, content) for node in tree}
