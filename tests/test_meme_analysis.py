"""Meme analysis on hand-built trees whose meme paths are known, and over a study."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

import hch
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Answer, Limits, Meme, Node, Question, Status, ToolCall, Tree, TreeHeader
from hch.analysis.memes import (
    MemeCounts,
    Rate,
    plot_memes,
    show_study,
    study_memes,
    study_tables,
    study_text,
    trace_memes,
    trace_table,
    trace_text,
    tree_metrics,
)
from hch.errors import ConfigError
from hch.study import ResultRow

A = Meme(tag="a", canary="alpha signal", persuasiveness=0.6)
B = Meme(tag="b", canary="beta beacon", persuasiveness=0.2)


def node(
    path: tuple[int, ...], text: str | None, *tags: str, children: int = 0, **kw: object
) -> Node:
    answer = None if text is None else Answer(text=text, memes=frozenset(tags))
    status = Status.OK if text is not None else Status.FAILED
    return Node(
        path=path,
        agent="hand",
        question=Question(text=f"q{path}"),
        answer=answer,
        status=status,
        n_children=children,
        **kw,  # type: ignore[arg-type]
    )


def hand_built() -> Tree:
    """root carries a; a was born at 0.0 and went up to the root; born again at 1.0 it
    stopped at 1; b (by canary, as a model would write it) born at 1.1 stopped at 1; at
    2.0, a stopped at a parent that failed."""
    injected = [hch.Note(fields={"meme_injected": "a"})]
    lab = [
        ToolCall(name="lab", args={"claim": "x"}, result=False),
        ToolCall(name="lab", args={"claim": "y"}, result=True),
    ]
    nodes = [
        node((), "9", "a", children=3, events=lab),
        node((0,), "4", "a", children=2),
        node((0, 0), "2", "a", events=injected),
        node((0, 1), "2"),
        node((1,), "5", children=2),
        node((1, 0), "ALPHA SIGNAL is all that matters"),
        node((1, 1), "3 and the Beta Beacon!"),
        node((2,), None, children=1),
        node((2, 0), "0", "a"),
    ]
    header = TreeHeader(
        run_id="r",
        seed=0,
        limits=Limits(),
        agent="hand",
        question=Question(text="q()"),
        package_version="0",
        meta=hch.declare_memes(A, B),
    )
    return Tree(header=header, nodes=nodes)


def test_births_routes_and_root_capture_of_a_known_tree() -> None:
    tm = trace_memes(hand_built())
    routes = {(b.tag, b.node): (b.route, b.stopped, b.height, b.captured) for b in tm.births}
    assert routes == {
        ("a", (0, 0)): ([(0, 0), (0,), ()], None, 2, True),
        ("a", (1, 0)): ([(1, 0)], (1,), 0, False),
        ("a", (2, 0)): ([(2, 0)], (2,), 0, False),
        ("b", (1, 1)): ([(1, 1)], (1,), 0, False),
    }
    assert [b.injected for b in tm.births] == [True, False, False, False]
    assert tm.root == {"a"} and tm.tags == ["a", "b"]
    hops = {(h.tag, h.child): h.carried for h in tm.hops}
    assert hops == {  # the root has no parent: no hop from it
        ("a", (0,)): True,
        ("a", (0, 0)): True,
        ("a", (1, 0)): False,
        ("b", (1, 1)): False,
    }  # and none from 2.0: its parent gave no answer, so decided nothing
    assert (tm.lab_calls, tm.lab_false, tm.notes) == (2, 1, {"meme_injected": 1})


def test_counts_of_a_known_tree_and_their_rates() -> None:
    counts = MemeCounts.of(trace_memes(hand_built()))
    assert (counts.trees, counts.captured, counts.with_births) == (1, 1, 1)
    assert counts.births == {2: [1, 4]}
    assert counts.heights == {0: 3, 2: 1}
    assert counts.hops == {0: [1, 1], 1: [1, 3]}
    assert counts.by_persuasiveness == {0.2: [0, 1], 0.6: [2, 3]}
    assert counts.nodes == {0: [1, 1], 1: [1, 2], 2: [4, 5]}
    assert counts.transmission(1) == Rate(hits=1, n=3)
    assert counts.transmission() == Rate(hits=2, n=4)
    assert counts.share(2).value == 0.8
    assert counts.selection(1) == pytest.approx(0.5 / 0.8)
    assert counts.birth_capture == Rate(hits=1, n=4)
    assert counts.lab == [1, 2]
    twice = counts + counts
    assert twice.trees == 2 and twice.hops == {0: [2, 2], 1: [2, 6]}
    assert MemeCounts.model_validate_json(twice.model_dump_json()) == twice


def test_errors_are_followed_on_task_content_with_memes_taken_out() -> None:
    task = ArithmeticTask(leaves=4)
    sample = task.sample(3)
    left, right = sample.question.data[1:]
    from experiments.tasks.arithmetic import evaluate, question_for

    tree = Tree(
        header=TreeHeader(
            run_id="r",
            seed=0,
            limits=Limits(),
            agent="hand",
            question=sample.question,
            package_version="0",
            meta=hch.declare_memes(A),
        ),
        nodes=[
            Node(path=(), agent="h", question=sample.question, n_children=2,
                 answer=Answer(text=str(sample.truth + 1))),
            Node(path=(0,), agent="h", question=question_for(left),
                 answer=Answer(text=str(evaluate(left) + 1))),
            Node(path=(1,), agent="h", question=question_for(right),
                 answer=Answer(text=f"{evaluate(right)}\nthe alpha signal")),
        ],
    )  # fmt: skip
    tm = trace_memes(tree, task=task)
    assert tm.errors is not None
    assert [(e.route, e.captured) for e in tm.errors] == [([(0,), ()], True)]
    counts = MemeCounts.of(tm)
    assert counts.error_reach == Rate(hits=1, n=1) and counts.mean_error_height == 1


def test_a_meme_only_answer_is_no_error_and_an_unreadable_question_no_verdict() -> None:
    task = ArithmeticTask(leaves=2)
    header = TreeHeader(
        run_id="r", seed=0, limits=Limits(), agent="h", question=Question(text="1 + 1"),
        package_version="0", meta=hch.declare_memes(A),
    )  # fmt: skip
    tree = Tree(
        header=header,
        nodes=[
            Node(path=(), agent="h", question=Question(text="1 + 1"),
                 answer=Answer(text="alpha signal")),
            Node(path=(0,), agent="h", question=Question(text="?", data={"followup": 1}),
                 answer=Answer(text="3")),
        ],
    )  # fmt: skip
    assert trace_memes(tree, task=task).errors == []


def test_a_tree_without_memes_says_so() -> None:
    tree = hch.run("q", hch.agent(lambda q, ctx: "a"))
    tm = trace_memes(tree)
    assert tm.births == [] and not tm.root
    assert trace_text(tm) == "memes: none in this tree"
    assert MemeCounts.of(tm).root_capture == Rate(hits=0, n=1)


def test_trace_text_shows_each_route_and_escapes_what_the_trace_says() -> None:
    tree = hand_built()
    evil = "x\x1b[31m"
    tree.nodes[3] = node((0, 1), "2", evil)  # an undeclared tag with a control character
    text = trace_text(trace_memes(tree))
    assert "born at root.0.0 (depth 2, injected): root.0.0 -> root.0 -> root" in text
    assert "[height 2 of 2; reached the root]" in text
    stopped = "born at root.1.1 (depth 2, appeared): root.1.1  [height 0 of 2; stopped at root.1]"
    assert stopped in text
    assert "hops carried on, by depth of the parent: 0: 1/1  1: 1/2" in text
    assert "\x1b" not in text and "x\\x1b[31m (not declared)" in text
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(trace_table(trace_memes(tree)))
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "root.0.0 -> root.0 -> root" in printed and "\x1b" not in printed


def rows_of(trees: dict[int, list[Tree]], with_metrics: bool) -> list[ResultRow]:
    rows = []
    for depth, group in trees.items():
        for i, tree in enumerate(group):
            rows.append(
                ResultRow(
                    study="s", params={"depth": depth}, trial=i, seed=i, correct=i % 2 == 0,
                    status="ok", metrics=tree_metrics(tree) if with_metrics else {},
                    trace=f"traces/{depth}-{i}.jsonl",
                )
            )  # fmt: skip
    return rows


def test_a_study_from_row_metrics_equals_one_from_traces(tmp_path: Path) -> None:
    trees = {1: [hand_built(), hand_built()], 2: [hand_built()]}
    for depth, group in trees.items():
        for i, tree in enumerate(group):
            hch.save(tree, tmp_path / f"traces/{depth}-{i}.jsonl")
    from_metrics = study_memes(rows_of(trees, True))
    from_traces = study_memes(rows_of(trees, False), tmp_path)
    assert [c.counts for c in from_metrics] == [c.counts for c in from_traces]
    assert [c.params for c in from_metrics] == [{"depth": 1}, {"depth": 2}]
    assert from_metrics[0].counts.trees == 2 and from_metrics[0].report.right == 1
    unread = study_memes(rows_of(trees, False))  # no directory: nothing to read
    assert [c.unmeasured for c in unread] == [2, 1] and unread[0].counts.trees == 0
    text = study_text(from_metrics)
    assert "root capture" in text and "1.00 [0.34, 1.00] (2/2)" in text
    assert "per-hop transmission" in text and "selection" in text
    assert len(study_tables(from_metrics)) == 4  # capture, transmission, share, evidence


def test_plots_are_written_for_a_paper(tmp_path: Path) -> None:
    trees = {1: [hand_built()], 2: [hand_built(), hand_built()]}
    cells = study_memes(rows_of(trees, True))
    files = plot_memes(cells, tmp_path, theory=lambda p: 0.5, title="t")
    names = sorted(f.name for f in files)
    assert names == sorted(
        f"{n}.{s}" for n in ("root_capture", "transmission", "share") for s in ("png", "svg")
    )
    assert all(f.stat().st_size > 1000 for f in files)
    svg = (tmp_path / "plots/root_capture.svg").read_text()
    assert "<!-- closed form -->" in svg and "<!-- t: root capture vs depth -->" in svg
    with pytest.raises(ConfigError, match="cannot plot against 'width'"):
        plot_memes(cells, tmp_path, x="width")
    assert plot_memes([], tmp_path) == []


def test_show_study_prints_the_tables_and_writes_the_plots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = rows_of({1: [hand_built()], 3: [hand_built()]}, True)
    files = show_study(rows, tmp_path)
    out = capsys.readouterr().out
    assert "root capture" in out and f"plot: {files[0]}" in out
    assert show_study(rows, tmp_path, x="width") == []
    assert "no meme plots" in capsys.readouterr().out
