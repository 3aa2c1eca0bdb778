"""Trees for other tools: GraphML and GEXF through networkx, DOT, node-link JSON."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

import hch
from hch.cli import main
from hch.export import to_dot
from tests.viewer_trees import PAYLOADS, hostile_tree, wrong_tree


def test_the_export_graph_writes_to_graphml_and_gexf(tmp_path: Path) -> None:
    tree = wrong_tree()
    g = hch.to_graph(tree, task=tree.header.task and _task(), for_export=True)
    nx.write_graphml(g, tmp_path / "t.graphml")
    nx.write_gexf(g, tmp_path / "t.gexf")
    for back in (nx.read_graphml(tmp_path / "t.graphml"), nx.read_gexf(tmp_path / "t.gexf")):
        assert set(back.nodes) == {n.id for n in tree}
        assert set(back.edges) == {
            (hch.format_path(n.parent), n.id) for n in tree if n.parent is not None
        }
        root = back.nodes["root"]
        assert root["question"] == tree.header.question.text
        assert root["answer"] == tree.root.answer.text
        assert root["correct"] is False
        assert root["budget_used"] == len(tree)


def _task() -> object:
    from experiments.tasks.arithmetic import ArithmeticTask

    return ArithmeticTask()


def test_the_plain_graph_fails_to_write_and_the_export_one_does_not(tmp_path: Path) -> None:
    tree = hostile_tree(big=100)
    with pytest.raises(nx.NetworkXError):
        nx.write_graphml(hch.to_graph(tree), tmp_path / "plain.graphml")
    g = hch.to_graph(tree, for_export=True)
    nx.write_graphml(g, tmp_path / "t.graphml")
    nx.write_gexf(g, tmp_path / "t.gexf")
    back = nx.read_graphml(tmp_path / "t.graphml")
    assert back.nodes["root.0"]["agent"] == PAYLOADS[0]  # markup survives as text
    assert "\\x1b]0;pwned\\x07" in back.nodes["root.8"]["agent"]  # XML cannot hold ESC
    assert back.nodes["root.10"]["error"].startswith("<b>Boom</b>: ")


def test_dot_is_quoted_and_complete() -> None:
    tree = hostile_tree(big=100)
    dot = to_dot(tree)
    assert dot.startswith("digraph hch {") and dot.rstrip().endswith("}")
    assert dot.count(" -> ") == len(tree) - 1
    for line in dot.splitlines()[3:-1]:  # every vertex and edge line is well quoted
        unescaped = line.replace("\\\\", "").replace('\\"', "")
        assert unescaped.count('"') % 2 == 0, line
    assert "\x1b" not in dot


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "dot", "json"])
def test_the_export_command(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "t.jsonl"
    tree = wrong_tree(trace)
    out = tmp_path / f"tree.{fmt}"
    assert main(["export", str(trace), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "graphml":
        assert nx.read_graphml(out).number_of_nodes() == len(tree)
    elif fmt == "gexf":
        assert nx.read_gexf(out).number_of_nodes() == len(tree)
    elif fmt == "json":
        data = json.loads(text)
        assert len(data["nodes"]) == len(tree) and len(data["edges"]) == len(tree) - 1
        assert {n["correct"] for n in data["nodes"]} == {True, False}  # judged by its task
    else:
        assert text.startswith("digraph hch {") and '"root" -> "root.0";' in text
    assert f"wrote {out}" in capsys.readouterr().err


def test_export_to_stdout_and_bad_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "t.jsonl"
    wrong_tree(trace)
    assert main(["export", str(trace), "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph hch {")
    assert main(["export", str(trace), "-o", str(tmp_path / "tree.svg")]) == 2
    assert "cannot tell the export format" in capsys.readouterr().err
    assert main(["export", str(trace)]) == 2
    assert "give --format" in capsys.readouterr().err
