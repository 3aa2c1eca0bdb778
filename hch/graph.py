"""Tree <-> networkx.DiGraph, and the shape statistics researchers ask for first.

networkx is imported when a graph is first asked for, so ``import hch`` stays light.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from hch.model import Node, Tree, TreeHeader
from hch.tasks import NodeChecker

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["TreeStats", "from_graph", "to_graph", "tree_stats"]


def to_graph(tree: Tree, task: Any = None) -> nx.DiGraph:
    """One vertex per node, keyed by path, edges parent -> child.

    Vertex attributes: ``node`` (the Node), ``depth``, ``status``, ``agent``, and
    ``correct`` (True/False/None) when ``task`` can check subanswers.
    """
    import networkx as nx  # here, not at import: most runs never ask for a graph

    g = nx.DiGraph(header=tree.header, complete=tree.complete, duration=tree.duration)
    checker = task if isinstance(task, NodeChecker) else None
    for node in tree.nodes:
        correct = None
        if checker is not None and node.answer is not None:
            correct = checker.check_node(node.question, node.answer)
        g.add_node(
            node.path,
            node=node,
            depth=node.depth,
            status=str(node.status),
            agent=node.agent,
            correct=correct,
        )
        if node.parent is not None and node.parent in g:
            g.add_edge(node.parent, node.path)
    for node in tree.nodes:  # children recorded before their parent in an unsorted list
        if node.parent is not None and node.parent in g and not g.has_edge(node.parent, node.path):
            g.add_edge(node.parent, node.path)
    return g


def from_graph(g: nx.DiGraph) -> Tree:
    """The Tree a graph from ``to_graph`` was made from."""
    header: TreeHeader = g.graph["header"]
    nodes: list[Node] = [data["node"] for _, data in g.nodes(data=True)]
    return Tree(
        header=header,
        nodes=nodes,
        complete=g.graph.get("complete", True),
        duration=g.graph.get("duration"),
    )


class TreeStats(BaseModel):
    """Shape of a tree: size, depth, fan-out, and node counts per depth and status."""

    nodes: int
    depth: int
    leaves: int
    max_fanout: int
    mean_fanout: float
    by_depth: dict[int, int]
    by_status: dict[str, int]


def tree_stats(tree: Tree) -> TreeStats:
    internal = [n.n_children for n in tree.nodes if n.n_children]
    return TreeStats(
        nodes=len(tree),
        depth=tree.depth,
        leaves=sum(1 for n in tree.nodes if not n.n_children),
        max_fanout=max(internal, default=0),
        mean_fanout=sum(internal) / len(internal) if internal else 0.0,
        by_depth=dict(sorted(Counter(n.depth for n in tree.nodes).items())),
        by_status=dict(Counter(str(n.status) for n in tree.nodes)),
    )
