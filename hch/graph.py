"""Tree <-> networkx.DiGraph, and the shape statistics researchers ask for first.

networkx is imported when a graph is first asked for, so ``import hch`` stays light.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from hch.flow import pointer_flow, revealed, unread_by
from hch.model import (
    Content,
    Hold,
    ModelCall,
    Node,
    Note,
    PointerId,
    ToolCall,
    Tree,
    TreeHeader,
    Unlock,
    format_path,
)
from hch.verdicts import check_node

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["TreeStats", "from_graph", "to_graph", "tree_stats"]


def to_graph(tree: Tree, task: Any = None, *, for_export: bool = False) -> nx.DiGraph:
    """One vertex per node, keyed by path, edges parent -> child.

    Vertex attributes: ``node`` (the Node), ``depth``, ``status``, ``agent``, and
    ``correct`` (True/False/None) when ``task`` can check subanswers.

    Pointers (``hch.flow``): every vertex has ``received`` (its question's pointers),
    ``passed_up`` (its answer's), ``made`` (what it held), ``unlocked`` (with
    ``unlock_cost``, the budget that took), ``unread`` (pointers it passed on, up, down
    or into content it held, without seeing their content) and, where its answer has
    pointers, ``revealed`` (the answer as its asker reads it with everything unlocked).
    Each edge carries ``pointers_down`` (in the child's question) and ``pointers_up`` (in
    the child's answer). The graph's ``content`` is ``tree.content``, its ``pointers``
    ``hch.flow.pointer_flow(tree)``.

    With ``for_export=True`` every attribute is a plain string, number or boolean, so
    ``networkx.write_graphml`` and ``write_gexf`` take the graph as it is: vertices are
    keyed by their id (``root.0.1``) and carry ``label``, ``question``, ``answer``,
    ``memes``, ``error``, budget, timings (``started``, ``ended``) and event counts
    instead of the Node; the header's fields become graph attributes. Pointer lists
    are written as text separated by spaces, the content as JSON (``content``: pointer
    -> text). Absent values are left out, and characters XML cannot hold are written as
    ``\\xNN`` escapes.
    """
    import networkx as nx  # here, not at import: most runs never ask for a graph

    content = tree.content
    flow = pointer_flow(tree)
    unread = unread_by(flow)
    if for_export:
        g = nx.DiGraph(**_export_header(tree))
    else:
        g = nx.DiGraph(
            header=tree.header,
            complete=tree.complete,
            duration=tree.duration,
            content=content,
            pointers=flow,
        )
    key = _export_key if for_export else _path_key
    for node in tree.nodes:
        correct = check_node(task, node, tree.header.truth, content)
        pointers = _node_pointers(node, content, unread.get(node.path, ()))
        if for_export:
            g.add_node(key(node.path), **_export_node(node, correct), **_plain(pointers))
        else:
            g.add_node(
                node.path,
                node=node,
                depth=node.depth,
                status=str(node.status),
                agent=node.agent,
                correct=correct,
                **pointers,
            )
    for node in tree.nodes:  # after every vertex: children may be listed before parents
        if node.parent is not None and key(node.parent) in g:
            edge = {
                "pointers_down": node.question.pointers,
                "pointers_up": node.answer.pointers if node.answer is not None else (),
            }
            g.add_edge(key(node.parent), key(node.path), **(_plain(edge) if for_export else edge))
    return g


def _node_pointers(
    node: Node, content: dict[PointerId, Content], unread: tuple[PointerId, ...]
) -> dict[str, Any]:
    unlocks = [e for e in node.events if isinstance(e, Unlock)]
    attrs: dict[str, Any] = {
        "received": node.question.pointers,
        "passed_up": node.answer.pointers if node.answer is not None else (),
        "made": tuple(e.pointer for e in node.events if isinstance(e, Hold)),
        "unlocked": tuple(e.pointer for e in unlocks),
        "unlock_cost": sum(e.cost for e in unlocks),
        "unread": unread,
    }
    read = revealed(node.answer, content) if node.answer is not None else None
    if read is not None:
        attrs["revealed"] = read
    return attrs


def _plain(attrs: dict[str, Any]) -> dict[str, Any]:
    """Pointer attributes as GraphML and GEXF hold them: lists as text, none left out."""
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if isinstance(v, tuple):
            if v:
                out[k] = _xml_text(" ".join(v))
        elif isinstance(v, str):
            out[k] = _xml_text(v)
        elif v:
            out[k] = v
    return out


def _path_key(path: tuple[int, ...]) -> Any:
    return path


def _export_key(path: tuple[int, ...]) -> Any:
    return format_path(path)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` with the characters an XML file cannot hold written as escapes."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _json_text(value: Any) -> str:
    return _xml_text(json.dumps(value, default=str, ensure_ascii=False))


def _export_node(node: Node, correct: bool | None) -> dict[str, Any]:
    answer = node.answer.text if node.answer is not None else None
    calls = [e for e in node.events if isinstance(e, ModelCall)]
    attrs: dict[str, Any] = {
        "label": _xml_text(f"{node.id}: {answer if answer is not None else node.status}"[:80]),
        "depth": node.depth,
        "agent": _xml_text(node.agent),
        "status": str(node.status),
        "question": _xml_text(node.question.text),
        "answer": _xml_text(answer) if answer is not None else None,
        "correct": correct,
        "memes": _xml_text(",".join(sorted(node.answer.memes)))
        if node.answer and node.answer.memes
        else None,
        "error": _xml_text(f"{node.error.type}: {node.error.message}") if node.error else None,
        "follows": node.follows,
        "n_children": node.n_children,
        "budget_given": node.budget_given,
        "budget_used": node.budget_used,
        "started": node.start,  # not "start"/"end", which GEXF reads as a time interval
        "ended": node.end,
        "duration": node.duration,
        "model_calls": len(calls),
        "tokens": sum(c.usage.prompt_tokens + c.usage.completion_tokens for c in calls if c.usage),
        "cost": sum((c.cost or 0.0 for c in calls), 0.0),
        "tool_calls": sum(1 for e in node.events if isinstance(e, ToolCall)),
        "notes": _json_text(node.notes) if any(isinstance(e, Note) for e in node.events) else None,
    }
    return {k: v for k, v in attrs.items() if v is not None}


def _export_header(tree: Tree) -> dict[str, Any]:
    h = tree.header
    attrs: dict[str, Any] = {
        "run_id": h.run_id,
        "seed": str(h.seed),  # beyond GraphML's and GEXF's 64-bit integers at times
        "agent": _xml_text(h.agent),
        "question": _xml_text(h.question.text),
        "task": _xml_text(h.task) if h.task else None,
        "truth": _json_text(h.truth) if h.truth is not None else None,
        "limits": h.limits.model_dump_json(),
        "package_version": h.package_version,
        "complete": tree.complete,
        "duration": tree.duration,
        "content": _json_text({p: c.text for p, c in tree.content.items()})
        if tree.content
        else None,
    }
    return {k: v for k, v in attrs.items() if v is not None}


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
