"""Tree <-> networkx and shape statistics."""

from __future__ import annotations

import contextlib

import networkx as nx

import hch
from hch import Answer, Context, Limits, Question, Status, Tree, from_graph, tree_stats


async def node(question: Question, ctx: Context) -> str:
    """Two children at the root, one under the first; the second child fails."""
    if question.text == "bad":
        raise ValueError("no")
    if ctx.depth == 0:
        await ctx.ask("good")
        with contextlib.suppress(hch.ChildFailed):
            await ctx.ask("bad")
    elif ctx.can_ask:
        await ctx.ask("good")
    return "4" if question.text == "good" else "root"


class Checker:
    """Judges a subanswer right when it is "4"."""

    def check_node(self, question: Question, answer: Answer) -> bool | None:
        return answer.text == "4" if question.text == "good" else None


def make_tree() -> Tree:
    return hch.run("q", node, limits=Limits(max_depth=2), seed=1)


def test_graph_has_one_vertex_per_node_and_parent_edges() -> None:
    tree = make_tree()
    g = hch.to_graph(tree)
    assert isinstance(g, nx.DiGraph)
    assert set(g.nodes) == {(), (0,), (0, 0), (1,)}
    assert set(g.edges) == {((), (0,)), ((0,), (0, 0)), ((), (1,))}
    assert nx.is_arborescence(g)
    assert g.nodes[(1,)]["status"] == "failed"
    assert g.nodes[(0, 0)]["depth"] == 2
    assert g.nodes[()]["agent"] == "node"
    assert g.nodes[(0,)]["node"] == tree[(0,)]
    assert all(data["correct"] is None for _, data in g.nodes(data=True))


def test_graph_marks_correctness_when_the_task_can_check() -> None:
    g = hch.to_graph(make_tree(), task=Checker())
    correct = {p: d["correct"] for p, d in g.nodes(data=True)}
    assert correct == {(): None, (0,): True, (0, 0): True, (1,): None}


def test_edges_survive_children_listed_before_parents() -> None:
    tree = make_tree()
    shuffled = Tree.model_construct(
        header=tree.header, nodes=list(reversed(tree.nodes)), complete=True, duration=None
    )
    assert set(hch.to_graph(shuffled).edges) == set(hch.to_graph(tree).edges)


def test_from_graph_restores_the_tree() -> None:
    tree = make_tree()
    assert from_graph(hch.to_graph(tree)) == tree


def test_tree_stats() -> None:
    stats = tree_stats(make_tree())
    assert stats.nodes == 4
    assert stats.depth == 2
    assert stats.leaves == 2
    assert stats.max_fanout == 2
    assert stats.mean_fanout == 1.5
    assert stats.by_depth == {0: 1, 1: 2, 2: 1}
    assert stats.by_status == {str(Status.OK): 3, str(Status.FAILED): 1}
