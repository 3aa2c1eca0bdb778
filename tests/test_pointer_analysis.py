"""The pointer analysis on hand-made trees whose answers are known: who made, passed and
unlocked each pointer, what reached the root unread, memes riding read or unread."""

from __future__ import annotations

import io
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

import hch
from experiments.pointer_world import pointer_world
from hch import Answer, Content, Context, Limits, Meme, Question, Unlock
from hch.analysis import safe
from hch.analysis.pointers import (
    Mean,
    PointerCounts,
    pointer_grids,
    pointer_metrics,
    pointer_study_text,
    pointer_text,
    pointer_trails,
    revealed_tree,
    study_pointers,
    trace_pointers,
)
from hch.study import load, run_study
from tests.test_pointers import Spy, root_question


def question() -> Question:
    return hch.holding(
        "go $1",
        [Content(text="$1 $2", pointers=("task:2", "task:3")), "alpha", "beta"],
        pointers=[1],
    )


async def mixed(q: Question, ctx: Context) -> Answer:
    """The root reads its part, asks one child per half and reads child 0's answer;
    child 0 reads its half and answers with its own note; child 1 forwards its half in a
    note, unread; the root answers with a note of both answers."""
    if ctx.path == (0,):
        made = ctx.hold(ctx.unlock(q.pointers[0]).text.upper())
        return Answer(text="$1", pointers=(made,))
    if ctx.path == (1,):
        return Answer(text="$1", pointers=(ctx.hold("$1", pointers=q.pointers),))
    top = ctx.unlock(q.pointers[0])
    a, b = await ctx.ask_all([Question(text="$1", pointers=(p,)) for p in top.pointers])
    ctx.unlock(a.pointers[0])
    return Answer(text="$1", pointers=(ctx.hold("$1 $2", pointers=(*a.pointers, *b.pointers)),))


def test_who_made_passed_and_unlocked_each_pointer() -> None:
    tree = hch.run(question(), mixed, limits=Limits(max_depth=1))
    assert hch.reveal(tree.root.answer, tree.content).text == "ALPHA beta"  # type: ignore[type-var]
    tp = trace_pointers(tree)
    got = {
        t.pointer: (t.maker, t.asked_with, t.answered_with, t.wrapped_by, t.unlocked_by)
        for t in tp.trails
    }
    assert got == {
        "task:1": (None, [], [], [], [()]),
        "task:2": (None, [()], [], [], [(0,)]),
        "task:3": (None, [()], [], [(1,)], []),
        "root.0:1": ((0,), [], [(0,)], [()], [()]),
        "root.1:1": ((1,), [], [(1,)], [()], []),
        "root:1": ((), [], [()], [], []),
    }
    assert [t.pointer for t in tp.trails][:3] == ["task:1", "task:2", "task:3"]
    assert {t.pointer for t in tp.at_root} == {"root:1", "root.0:1", "root.1:1", "task:3"}
    assert {t.pointer for t in tp.unread} == {"root.1:1", "task:3"}  # nobody unlocked them
    assert tp.unlocks == {(): 2, (0,): 1} and tp.unlock_cost == 3
    assert tp.budget_used == tree.root.budget_used == 3 + 3  # three nodes, three unlocks
    counts = PointerCounts.of(tp)
    assert counts.units == [2, 4]
    assert counts.chars == [len("beta"), len("ALPHA") + len("beta")]  # notes weigh nothing
    assert counts.unread_share.value == 0.5 and counts.busiest.value == 2
    assert counts.unlock_share.value == 3 / 6
    text = pointer_text(tp)
    assert "reached the root: 4 piece(s), 9 chars; travelled unread: 2/4 (50%)" in text
    assert "4/9 (44%) of chars" in text and "unlocks: 3 by 2 of 3 node(s), 3 of 6 budget" in text


def test_a_cut_off_tree_still_names_who_asked_with_each_pointer() -> None:
    tree = hch.run(question(), mixed, limits=Limits(max_depth=1))
    cut = tree.model_copy(update={"nodes": [n for n in tree if n.path != ()], "complete": False})
    tp = trace_pointers(cut)  # no root: nothing reached it, no memes traced
    got = {t.pointer: (t.asked_with, t.answered_with, t.unlocked_by) for t in tp.trails}
    assert got["task:2"] == ([()], [], [(0,)])  # the root asked (0,) with it, unrecorded
    assert got["root.1:1"] == ([], [(1,)], [])
    assert "task:1" in got and "root:1" not in got  # the root's note was never recorded
    assert tp.unlocks == {(0,): 1} and tp.at_root == [] and tp.budget_used == 0


MEME = Meme(tag="m", canary="the zebra protocol")


def meme_tree(middle: str) -> hch.Tree:
    """A chain root -> root.0 -> root.0.0; the leaf holds content with the meme, and
    the middle node forwards it unread, reads and copies it, reads and drops it, or the
    leaf answers in plain text which the middle passes on."""

    async def agent(q: Question, ctx: Context) -> Answer:
        if ctx.depth == 2:
            if middle == "plain":
                return Answer(text="leaf", memes=frozenset({"m"}))
            return Answer(text="$1", pointers=(ctx.hold("leaf", memes=["m"]),))
        child = await ctx.ask("down")
        if middle == "plain" or ctx.depth == 0:  # the root always forwards what it got
            if not child.pointers:
                return child
            return Answer(text="$1", pointers=(ctx.hold("$1", pointers=child.pointers),))
        if middle == "forward":
            return Answer(text="$1", pointers=(ctx.hold("$1", pointers=child.pointers),))
        seen = ctx.unlock(child.pointers[0])
        kept = seen.memes if middle == "copy" else frozenset()
        return Answer(text="$1", pointers=(ctx.hold(seen.text, memes=kept),))

    return hch.run("up", agent, limits=Limits(max_depth=2), meta=hch.declare_memes(MEME))


def test_memes_riding_unread_pointers_and_read_ones() -> None:
    cases = {  # middle -> (hops as (child, carried, route), captured, route of the birth)
        "forward": ([((0,), True, "unread"), ((0, 0), True, "unread")], True, "unread"),
        "copy": ([((0,), True, "unread"), ((0, 0), True, "read")], True, "read"),
        "drop": ([((0, 0), False, "read")], False, "read"),
        "plain": ([((0,), True, "read"), ((0, 0), True, "read")], True, "read"),
    }
    for middle, (hops, captured, route) in cases.items():
        tp = trace_pointers(meme_tree(middle))
        assert sorted((c, carried, r) for _, c, carried, r in tp.hops) == hops, middle
        (ride,) = tp.rides
        assert (ride.node, ride.captured, ride.route) == ((0, 0), captured, route), middle
        counts = PointerCounts.of(tp)
        assert counts.captured == captured and counts.captured_unread == (route == "unread")
        assert counts.birth_capture(route).hits == captured  # type: ignore[arg-type]
    both = PointerCounts.of(trace_pointers(meme_tree("forward"))) + PointerCounts.of(
        trace_pointers(meme_tree("drop"))
    )
    assert both.transmission("unread").text() == "1.00 [0.34, 1.00] (2/2)"
    assert both.transmission("read").hits == 0 and both.root_capture.hits == 1
    metrics = pointer_metrics(meme_tree("forward"))
    assert metrics["memes"]["captured"] == 1  # the meme analysis sees inside content too


def test_means_and_counts_add_up() -> None:
    m = Mean.one(1.0) + Mean.one(2.0) + Mean.one(3.0)
    assert m.value == 2.0
    low, high = m.interval  # type: ignore[misc]
    assert math.isclose(high - 2.0, 1.959964 * math.sqrt(1 / 3)) and math.isclose(
        2.0 - low, high - 2.0
    )
    assert Mean.one(None).text() == "-" and Mean.one(0.5).interval is None
    a = PointerCounts.of(trace_pointers(hch.run(question(), mixed)))
    b = PointerCounts.of(trace_pointers(meme_tree("copy")))
    total = a + b
    assert total.trees == 2 and total.units == [a.units[0] + b.units[0], a.units[1] + b.units[1]]
    assert total.unlocks.n == 2 and total.unlocks.total == a.unlocks.total + b.unlocks.total
    again = PointerCounts.model_validate_json(total.model_dump_json())
    assert again == total  # what a result row keeps reads back the same


SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(seed=st.integers(0, 10_000), depth=st.integers(0, 3), parts=st.integers(1, 4))
def test_the_revealed_tree_reads_like_reveal(seed: int, depth: int, parts: int) -> None:
    tree = hch.run(
        root_question(parts), Spy(), limits=Limits(max_depth=depth, budget=40), seed=seed
    )
    shown = revealed_tree(tree)
    for node in tree:
        other = shown[node.path]
        assert other.question == hch.reveal(node.question, tree.content)
        assert other.answer == (
            None if node.answer is None else hch.reveal(node.answer, tree.content)
        )
    tp = trace_pointers(tree)  # every pointer any node unlocked is in a trail
    unlocked = {e.pointer for n in tree for e in n.events if isinstance(e, Unlock)}
    assert unlocked == {t.pointer for t in tp.trails if t.unlocked_by}


def test_strings_from_a_trace_are_never_interpreted() -> None:
    tree = hch.run(question(), mixed)
    evil = "[bold]x[/bold]\x1b[2J\u202e"
    root = tree.root.model_copy(
        update={"events": [*tree.root.events, Unlock(pointer=f"root.9:{evil}", cost=0)]}
    )
    hostile = hch.Tree(header=tree.header, nodes=[root, *tree.nodes[1:]])
    tp = trace_pointers(hostile)
    text = pointer_text(tp, limit=None)
    assert "\x1b" not in text and "\u202e" not in text and safe(evil, None) in text
    out = io.StringIO()
    Console(file=out, width=400, force_terminal=False).print(pointer_trails(tp, None).table())
    assert "[bold]x[/bold]" in out.getvalue() and "\x1b" not in out.getvalue()


def test_a_study_per_grid_cell_from_rows_or_from_traces(tmp_path: Path) -> None:
    params = {"read": ["forward", "top"], "length": 16, "p_wrong_pointer": 0.0, "p_meme": 0.3}
    rows = run_study(pointer_world, tmp_path, params=params, trials=6, keep_traces="all")
    cells = study_pointers(rows, tmp_path)
    assert [c.params["read"] for c in cells] == ["forward", "top"]
    for cell in cells:  # the rows' metrics are the traces' counts, added up
        mine = [r for r in load(tmp_path) if r.params == cell.params]
        traced = [PointerCounts.of(trace_pointers(hch.load(tmp_path / r.trace))) for r in mine]  # type: ignore[operator]
        assert cell.counts == sum(traced, PointerCounts())
        assert cell.counts.trees == cell.report.n == 6 and cell.unmeasured == 0
    forward, top = cells
    assert forward.counts.unread_share.value == 6 / 7 and top.counts.unread_share.value == 0
    assert top.counts.transmission("unread").n == 0 and forward.counts.transmission("read").n == 0
    bare = [r.model_copy(update={"metrics": {}}) for r in rows]  # a study without measure
    assert [c.counts for c in study_pointers(bare, tmp_path)] == [c.counts for c in cells]
    assert [c.unmeasured for c in study_pointers(bare)] == [6, 6]  # no traces to read
    text = pointer_study_text(cells)
    assert text.startswith("pointers: content that reached the root")
    assert "memes riding pointers" in text and len(pointer_grids(cells)) == 2


def test_explain_reads_the_root_and_the_origin_as_their_askers_do() -> None:
    """A wrong pointer tree explained: the root's answer and the origin's question and
    answer appear with their pointers unlocked, never as a bare ``$1``."""
    from agents.pointer_lists import PointerLists
    from experiments.tasks.pointer_lists import PointerListTask
    from hch.analysis import explain, tree_errors

    task = PointerListTask(length=16, chunk=4)
    for seed in range(50):
        sample = task.sample(seed)
        tree = hch.run(
            sample.question, PointerLists(p_error=0.2), limits=hch.Limits(max_depth=4),
            seed=seed, task=task.name, truth=sample.truth,
        )  # fmt: skip
        errors = tree_errors(tree, task)
        if tree.root.answer is not None and errors.trails:
            break
    else:  # pragma: no cover - a fifth of the work slips
        raise AssertionError("no seed gave a wrong tree")
    lines = explain(tree, errors, task)
    opened = hch.reveal(tree.root.answer, tree.content).text
    assert lines[1].startswith(f"root: answered {opened[:20]}")
    assert not any(
        line.strip().startswith(("answered: $", "asked:    reverse the list $")) for line in lines
    )
