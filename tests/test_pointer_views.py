"""Pointers in every view of a tree but the page: who made, passed and unlocked each one
(``hch.flow``), ``hch diff``, ``to_graph`` and ``hch export``, and ``hch show`` in a
pseudo-terminal."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from rich.cells import cell_len

import hch
from hch.cli import main
from hch.export import export
from hch.flow import Hop, annotate, pointer_flow, unread_by
from tests.pointer_trees import NO_CONTENT, Reverser, hostile_pointer_tree, reversal
from tests.test_viewer_terminal import plain, show
from tests.viewer_trees import PAYLOADS


def test_the_flow_says_who_made_passed_and_unlocked_each_pointer() -> None:
    tree = reversal()
    flow = pointer_flow(tree)
    assert list(flow)[:5] == [f"task:{k}" for k in range(1, 6)]
    leaf = flow["root.0.0:1"]
    assert leaf.maker == (0, 0) and leaf.content is not None and leaf.content.text == "2 1"
    assert [(h.by, h.to, h.way, h.read) for h in leaf.hops] == [
        ((0, 0), (0,), "up", True),  # made it, so saw it
        ((0,), (), "up", False),  # forwarded unread
        ((), (), "into", False),  # wrapped unread in the root's note
    ]
    assert leaf.hops[-1].into == "root:1"
    assert leaf.unlocked == []
    assert flow["task:2"].hops == [Hop(pointer="task:2", by=(), to=(0,), way="down", read=False)]
    assert flow["task:2"].unlocked == [((0,), 1)]
    assert flow["task:1"].hops[0].by is None and flow["task:1"].hops[0].read
    assert unread_by(flow)[(0,)] == ("task:4", "task:5", "root.0.0:1", "root.0.1:1")
    assert (0, 0) not in unread_by(flow)
    peeked = unread_by(pointer_flow(reversal(Reverser(peek=((0,),)))))
    assert peeked[(0,)] == ("task:4", "task:5")
    assert annotate(tree[(0,)].answer) == "$1→root.0.1:1 $2→root.0.0:1"  # type: ignore[arg-type]
    assert annotate(hch.Answer(text="see $2", pointers=("a", "b"))) == "see $2→b [$1→a]"


def test_passes_down_by_a_parent_the_trace_lacks_are_kept_only_when_asked() -> None:
    tree = reversal()
    cut = tree.model_copy(update={"nodes": [n for n in tree if n.path != (0,)], "complete": False})
    downs = [(h.by, h.to, h.read) for h in pointer_flow(cut, unrecorded=True)["task:4"].hops]
    assert downs == [((0,), (0, 0), False)]  # (0,) asked with it; what it saw is lost
    assert pointer_flow(cut)["task:4"].hops == []  # views show only recorded passers
    full = pointer_flow(tree, unrecorded=True)  # nothing is missing: the same flow
    assert {p: f.model_dump() for p, f in full.items()} == {
        p: f.model_dump() for p, f in pointer_flow(tree).items()
    }


def test_diff_sees_a_held_content_change_that_travels_up_unread() -> None:
    a, b = reversal(), reversal(Reverser(slip=(0, 0)))
    assert a.root.answer == b.root.answer  # the root's own answer is the same
    d = hch.diff(a, b)
    assert d.root_changed and d.root_revealed_changed
    assert d.paths("changed") == [(), (0,), (0, 0)]
    leaf = d.get((0, 0))
    assert leaf is not None and leaf.held_changed and not leaf.answer_changed
    assert leaf.held_a["root.0.0:1"].text == "2 1" and leaf.held_b["root.0.0:1"].text == "1 2"
    root = d.get(())
    assert root is not None and root.aspects == ["revealed"]
    assert (root.revealed_a, root.revealed_b) == ("reversed: 6 5 4 3 2 1", "reversed: 6 5 4 3 1 2")
    (chain,) = d.chains
    assert chain.changed == [(0, 0), (0,), ()] and chain.reaches_root
    text = str(d)
    assert "what changed: held 1, revealed 3" in text
    assert "held root.0.0:1 '2 1' -> '1 2'" in text
    assert "the root changed: revealed 'reversed: 6 5 4 3 2 1' -> 'reversed: 6 5 4 3 1 2'" in text


def test_diff_sees_pointers_unlocks_and_passes_where_the_text_is_equal() -> None:
    a = reversal()
    swapped = hch.diff(a, reversal(Reverser(swap=((0,),))))
    change = swapped.get((0,))
    assert (
        change is not None
        and change.answer_changed
        and change.aspects
        == [
            "pointers",
            "revealed",
        ]
    )
    assert "same text, other pointers: '$1→root.0.1:1 $2→root.0.0:1' -> '$1→root.0.0:1 $2" in (
        change.describe()
    )
    peeked = hch.diff(a, reversal(Reverser(peek=((0,),))))
    assert not peeked.root_changed and peeked.paths("changed") == [(0,)]
    change = peeked.get((0,))
    assert change is not None and change.aspects == ["unlocked"]
    assert change.unlocked_b == ["task:2", "root.0.1:1", "root.0.0:1"]
    assert "what changed: unlocked 1" in str(peeked)
    # a parent passing its children other pointers (the same questions' text)
    child = a[(0, 0)]
    other = child.model_copy(
        update={"question": child.question.model_copy(update={"pointers": ("task:5",)})}
    )
    b = hch.Tree(header=a.header, nodes=[other if n.path == (0, 0) else n for n in a.nodes])
    passed = hch.diff(a, b).get((0,))
    assert passed is not None and passed.aspects == ["passed"]
    assert passed.passed_a == {"root.0.0": ["task:4"], "root.0.1": ["task:5"]}
    assert "passed down {root.0.0: [task:4], root.0.1: [task:5]} -> {root.0.0: [task:5]" in (
        passed.describe()
    )


def test_hch_diff_prints_and_dumps_pointer_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    reversal(trace=a)
    reversal(Reverser(slip=(0, 0)), trace=b)
    assert main(["diff", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "what changed: held 1, revealed 3" in out and "(reaches the root)" in out
    assert main(["diff", str(a), str(b), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["root_changed"] and data["root_revealed_changed"]
    (leaf,) = [c for c in data["changes"] if c["path"] == [0, 0]]
    assert leaf["held_changed"] and leaf["held_b"]["root.0.0:1"]["text"] == "1 2"
    assert main(["diff", str(a), str(a)]) == 0


def test_the_graph_carries_pointer_flow() -> None:
    g = hch.to_graph(reversal())
    assert g.graph["pointers"]["root.0.0:1"].maker == (0, 0)
    assert g.graph["content"]["task:3"].text == "5 6"
    mid = g.nodes[(0,)]
    assert mid["received"] == ("task:2",) and mid["unlocked"] == ("task:2",)
    assert mid["passed_up"] == ("root.0.1:1", "root.0.0:1") and mid["made"] == ()
    assert mid["unread"] == ("task:4", "task:5", "root.0.0:1", "root.0.1:1")
    assert mid["revealed"] == "4 3 2 1" and mid["unlock_cost"] == 1
    assert g.nodes[()]["revealed"] == "reversed: 6 5 4 3 2 1"
    assert g.edges[(0,), (0, 1)] == {"pointers_down": ("task:5",), "pointers_up": ("root.0.1:1",)}
    # networkx questions answered from it: who forwarded anything unread
    assert {n for n, d in g.nodes(data=True) if d["unread"]} == {(), (0,)}


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "dot"])
def test_exports_carry_pointers_and_stay_valid(fmt: str) -> None:
    for tree in (reversal(), hostile_pointer_tree()):
        buf = io.BytesIO()
        export(tree, buf, fmt)  # type: ignore[arg-type]
        buf.seek(0)
        if fmt == "graphml":
            g = nx.read_graphml(buf)
        elif fmt == "gexf":
            g = nx.read_gexf(buf)
        elif fmt == "json":
            g = nx.node_link_graph(json.load(buf), edges="edges")
        else:
            dot = buf.read().decode()
            if tree.header.run_id != "hostile-pointers":
                assert '"root.0" -> "root.0.0" [label="↓task:4 ↑root.0.0:1"]' in dot
                assert "A: $1→root.0.1:1 $2→root.0.0:1" in dot
            continue
        if tree.header.run_id == "hostile-pointers":
            assert g.nodes["root.0"]["made"] == PAYLOADS[0]
            continue
        mid = g.nodes["root.0"]
        assert mid["unread"] == "task:4 task:5 root.0.0:1 root.0.1:1"
        assert mid["revealed"] == "4 3 2 1" and mid["passed_up"] == "root.0.1:1 root.0.0:1"
        assert g.edges["root.0", "root.0.0"]["pointers_up"] == "root.0.0:1"
        if fmt != "gexf":  # GEXF keeps no graph attributes
            assert json.loads(g.graph["content"])["root.0.0:1"] == "2 1"


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pointers")
    made = {"plain": folder / "plain.jsonl", "hostile": folder / "hostile.jsonl"}
    reversal(trace=made["plain"])
    hch.save(hostile_pointer_tree(), made["hostile"])
    return made


def test_show_tells_who_made_passed_and_unlocked_each_pointer(traces: dict[str, Path]) -> None:
    code, out = show(str(traces["plain"]))
    assert code == 0
    lines = plain(out)
    assert max(cell_len(x) for x in lines) <= 80
    text = re.sub(r"\s*\n[│ ]*", " ", "\n".join(lines))  # unwrap the folded lines
    assert "root     · reversed: $1→root:1" in text
    assert "revealed reversed: 6 5 4 3 2 1" in text
    assert "root.0  A: $1→root.0.1:1 $2→root.0.0:1" in text
    assert "Q: reverse the list $1→task:2" in text
    assert (
        "⇢ unlocked task:2 (cost 1); passed on unread task:4, task:5, root.0.0:1, root.0.1:1;"
        " answer unlocked: 4 3 2 1"
    ) in text
    assert "⇢ made root.0.0:1; unlocked task:4 (cost 1); answer unlocked: 2 1" in text
    assert (
        "root.0.0:1  by root.0.0  2 1  passed root.0.0↑root.0, root.0↑root·, root⊂root:1·"
        "  never unlocked"
    ) in text
    assert (
        "task:2  by the task  $1→task:4 $2→task:5  passed root↓root.0·  unlocked by root.0 (1)"
        in (text)
    )


def test_show_escapes_hostile_pointers(traces: dict[str, Path]) -> None:
    code, out = show(str(traces["hostile"]), "--fold", "400")
    assert code == 0
    assert "\x1b]0;pwned" not in out and "\u202e" not in out
    assert "\\x1b]0;pwned\\x07" in out and "\\u202eevil" in out
    assert f"$2→{NO_CONTENT}" in "".join(plain(out))
    assert "(not in the trace)" in out
    assert "root.9:1  by root.9  $1→root.9:1 $2→root.9:1" in "".join(plain(out))
    d = hch.diff(hostile_pointer_tree(), hostile_pointer_tree())  # the loop ends here too
    assert d.identical
    assert max(cell_len(x) for x in plain(out)) <= 80
