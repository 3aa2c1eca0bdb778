"""One tree's memes: where each was born, the route it took up, and every hop it tried.

Works on any trace: a node carries a meme if its answer has the meme's tag or, for a
meme the header declares, its canary in the text (what a language model leaves).
A birth is a node that carries a meme none of its recorded children carries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict

from hch.graph import to_graph
from hch.memes import Meme, declared_memes, memes_in
from hch.model import Answer, Path, Question, ToolCall, Tree
from hch.tasks import NodeChecker

__all__ = ["Birth", "Hop", "TreeMemes", "carriers", "trace_memes"]


class Hop(BaseModel):
    """A child that carried a meme, and whether its parent, which answered, carried it on.

    A parent that gave no answer (it failed) decided nothing: that is no hop.

    Attributes:
        tag: The meme.
        child: The carrying child's path.
        carried: Whether the parent's answer carries the meme too.
    """

    model_config = ConfigDict(frozen=True)

    tag: str
    child: Path
    carried: bool

    @property
    def parent(self) -> Path:
        return self.child[:-1]

    @property
    def depth(self) -> int:
        """Depth of the parent, the node that decides."""
        return len(self.child) - 1


class Birth(BaseModel):
    """One birth of a meme and how far up it went from there.

    Attributes:
        tag: The meme.
        route: The birth node, then each ancestor that carried it on, in order.
        stopped: The first ancestor that did not carry it; None if it reached the root.
        injected: Whether the node noted that it injected the meme (simulated agents
            do); False for a birth the trace alone reveals (a model that made it up).
    """

    model_config = ConfigDict(frozen=True)

    tag: str
    route: list[Path]
    stopped: Path | None
    injected: bool

    @property
    def node(self) -> Path:
        return self.route[0]

    @property
    def depth(self) -> int:
        return len(self.route[0])

    @property
    def height(self) -> int:
        """Hops the meme went up from its birth."""
        return len(self.route) - 1

    @property
    def captured(self) -> bool:
        """Whether this birth's route reached the root."""
        return self.route[-1] == ()


class TreeMemes(BaseModel):
    """Everything about the memes of one tree.

    Attributes:
        memes: The memes the header declares (for their canaries and persuasiveness).
        carried: Tags carried at each node that answered.
        answered: How many nodes answered, per depth.
        births: Every birth, by birth path.
        hops: Every hop a meme tried (one per carrying child whose parent answered).
        root: Tags the root answer carries.
        lab_calls: Lab calls, and how many of them called a claim false.
        lab_false: Of those, the verdicts that were False.
        notes: How often nodes noted each misbehaviour (``meme_injected``,
            ``concealed``, ``avoided_test``, ``blame_shifted``): the simulator's truth.
        errors: Error births and how far each went (only with a task that checks nodes):
            wrong task content, followed up while each ancestor is wrong too.
    """

    model_config = ConfigDict(frozen=True)

    memes: list[Meme]
    carried: dict[Path, frozenset[str]]
    answered: dict[int, int]
    births: list[Birth]
    hops: list[Hop]
    root: frozenset[str]
    lab_calls: int = 0
    lab_false: int = 0
    notes: dict[str, int] = {}
    errors: list[Birth] | None = None

    @property
    def tags(self) -> list[str]:
        """Every meme seen in the tree, declared ones first."""
        seen = {tag for tags in self.carried.values() for tag in tags}
        declared = [m.tag for m in self.memes]
        return [t for t in declared if t in seen] + sorted(seen - set(declared))

    def meme(self, tag: str) -> Meme | None:
        return next((m for m in self.memes if m.tag == tag), None)


def carriers(tree: Tree, memes: Iterable[Meme] | None = None) -> dict[Path, frozenset[str]]:
    """Tags each answered node carries (declared memes found by canary too)."""
    known = declared_memes(tree.header) if memes is None else list(memes)
    return {n.path: memes_in(n.answer, known) for n in tree if n.answer is not None}


_NOTED = ("meme_injected", "concealed", "avoided_test", "blame_shifted")


def trace_memes(
    tree: Tree,
    memes: Iterable[Meme] | None = None,
    *,
    task: Any = None,
    lab: str = "lab",
) -> TreeMemes:
    """The memes of ``tree``: births, routes, hops, what reached the root.

    Args:
        tree: Any recorded tree (complete or not).
        memes: The memes to look for by canary; default those the header declares.
        task: A task that checks subanswers (``NodeChecker``): errors are followed too.
        lab: The name the lab tool was granted under, for counting its calls.
    """
    known = declared_memes(tree.header) if memes is None else list(memes)
    graph = to_graph(tree)
    carried = carriers(tree, known)
    noted: Counter[str] = Counter()
    injected: set[tuple[Path, str]] = set()
    lab_calls = lab_false = 0
    for node in tree:
        for fields in node.notes:
            noted.update(k for k in _NOTED if k in fields)
            if "meme_injected" in fields:
                injected.add((node.path, str(fields["meme_injected"])))
        for event in node.events:
            if isinstance(event, ToolCall) and event.name == lab:
                lab_calls += 1
                lab_false += event.result is False
    hops = [
        Hop(tag=tag, child=path, carried=tag in carried[path[:-1]])
        for path, tags in carried.items()
        if path and path[:-1] in carried
        for tag in sorted(tags)
    ]
    births = [
        _route(graph, carried, path, tag, (path, tag) in injected)
        for path, tags in carried.items()
        for tag in sorted(tags)
        if not any(tag in carried.get(child, ()) for child in graph.successors(path))
    ]
    errors = _errors(tree, graph, task, known) if isinstance(task, NodeChecker) else None
    return TreeMemes(
        memes=known,
        carried=carried,
        answered=dict(sorted(Counter(len(p) for p in carried).items())),
        births=sorted(births, key=lambda b: (b.tag, b.node)),
        hops=hops,
        root=carried.get((), frozenset()),
        lab_calls=lab_calls,
        lab_false=lab_false,
        notes=dict(sorted(noted.items())),
        errors=errors,
    )


def _route(graph: nx.DiGraph, has: dict[Path, Any], path: Path, tag: str, injected: bool) -> Birth:
    """Walk up from ``path`` while each parent carries ``tag`` too."""
    route = [path]
    while route[-1] and route[-1][:-1] in graph and tag in has.get(route[-1][:-1], ()):
        route.append(route[-1][:-1])
    top = route[-1]
    stopped = top[:-1] if top and top[:-1] in graph else None
    return Birth(tag=tag, route=route, stopped=stopped, injected=injected)


_WRONG = "error"


def _check(task: NodeChecker, question: Question, answer: Answer) -> bool | None:
    """The task's verdict; None for a question it cannot read (a follow-up, say)."""
    try:
        return task.check_node(question, answer)
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def _errors(tree: Tree, graph: nx.DiGraph, task: NodeChecker, known: list[Meme]) -> list[Birth]:
    """Errors followed like memes, on the task content of answers (memes taken out; an
    answer that is nothing but a meme makes no claim about the task). A wrong node none
    of whose children is wrong is a birth; its route goes up while ancestors are wrong."""
    wrong = {}
    for node in tree:
        if node.answer is None:
            continue
        text = node.answer.text
        for meme in known:
            text = meme.strip(text)
        if not text and node.answer.data is None:
            continue
        content = Answer(text=text, data=node.answer.data)
        if _check(task, node.question, content) is False:
            wrong[node.path] = frozenset({_WRONG})
    return [
        _route(graph, wrong, path, _WRONG, False)
        for path in sorted(wrong)
        if not any(child in wrong for child in graph.successors(path))
    ]
