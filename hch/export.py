"""A tree written for other tools: GraphML (yEd, Gephi), GEXF (Gephi), DOT (Graphviz),
and node-link JSON (d3, networkx).

All four are made from ``to_graph(tree, task, for_export=True)``, so they carry the
same attributes; DOT is written here (no Graphviz needed to write it), the others by
networkx.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, get_args

from hch.errors import ConfigError
from hch.flow import annotate
from hch.graph import to_graph
from hch.model import Tree
from hch.text import printable

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["FORMATS", "Format", "export", "format_for", "to_dot"]

Format = Literal["graphml", "gexf", "dot", "json"]
FORMATS: tuple[str, ...] = get_args(Format)

_FILL = {True: "#d9f2d9", False: "#f9d0d0", None: "#eeeeee"}
_BORDER = {"ok": "#555555", "failed": "#d35400", "cancelled": "#888888", "limited": "#8e44ad"}
_LABEL_WIDTH = 48


def format_for(file: str | Path, given: str | None = None) -> Format:
    """The format asked for, or else the one a file's suffix names (``tree.gexf``)."""
    name = given or Path(file).suffix.lstrip(".").lower()
    if name == "gv":
        name = "dot"
    if name not in FORMATS:
        raise ConfigError(
            f"cannot tell the export format of {str(file)!r}: give --format "
            f"({', '.join(FORMATS)}) or a file ending in one of them"
        )
    return name  # type: ignore[return-value]


def export(tree: Tree, out: IO[bytes], fmt: Format, task: Any = None) -> None:
    """Write ``tree`` to the binary stream ``out`` in format ``fmt``."""
    import networkx as nx

    g = to_graph(tree, task, for_export=True)
    if fmt == "graphml":
        nx.write_graphml(g, out)
    elif fmt == "gexf":
        nx.write_gexf(g, out)
    elif fmt == "json":
        out.write(json.dumps(nx.node_link_data(g, edges="edges"), indent=1).encode() + b"\n")
    else:
        out.write(to_dot(tree, task, graph=g).encode())


def to_dot(tree: Tree, task: Any = None, *, graph: nx.DiGraph | None = None) -> str:
    """Graphviz DOT: a box per node (path, question, answer, their pointers as
    ``$1→root.0:1``), filled by correctness (green right, red wrong, grey unknown),
    bordered by status; attributes as tooltips; the pointers passed along an edge as its
    label (``↓task:2``, ``↑root.0:1``)."""
    g = graph if graph is not None else to_graph(tree, task, for_export=True)
    nodes = {n.id: n for n in tree}
    buf = io.StringIO()
    title = f"{tree.header.question.text[:100]}" + ("" if tree.complete else " (incomplete)")
    buf.write("digraph hch {\n")
    buf.write(f"  graph [rankdir=TB, labelloc=t, label={_quote(title)}];\n")
    buf.write('  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];\n')
    for key, data in g.nodes(data=True):
        node = nodes[key]
        question = annotate(node.question)
        answer = annotate(node.answer) if node.answer is not None else f"({data['status']})"
        label = "\n".join(
            [key, "Q: " + _cut(question), "A: " + _cut(answer)]
            + ([_cut(data["error"])] if "error" in data else [])
        )
        attrs = {
            "label": label,
            "fillcolor": _FILL[data.get("correct")],
            "color": _BORDER.get(data["status"], "#555555"),
            "tooltip": f"{data['agent']}, {data['status']}, budget used {data['budget_used']}",
        }
        body = ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())
        buf.write(f"  {_quote(key)} [{body}];\n")
    for parent, child, data in g.edges(data=True):
        passed = [f"↓{p}" for p in data.get("pointers_down", "").split()]
        passed += [f"↑{p}" for p in data.get("pointers_up", "").split()]
        label = f" [label={_quote(_cut(' '.join(passed)))}]" if passed else ""
        buf.write(f"  {_quote(parent)} -> {_quote(child)}{label};\n")
    buf.write("}\n")
    return buf.getvalue()


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _LABEL_WIDTH else flat[: _LABEL_WIDTH - 1] + "…"


def _quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, lines as ``\\n``, and
    other characters that act (controls, direction overrides) as visible escapes."""
    lines = [printable(line) for line in text.split("\n")]
    body = "\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + body.replace("\n", "\\n") + '"'
