"""The pointer world: lists held behind pointers, and an agent that errs by a stated law.

Rates are measured over enough seeded trees that the law's value must fall in the 95%
interval of what the trees did; strategies and slip rates are compared the same way.
"""

from __future__ import annotations

import pytest

import hch
from agents.pointer_lists import PointerLists
from experiments.tasks.pointer_lists import PointerListTask, ask, list_parts, numbers
from hch import Answer, Limits, Question, Status, Unlock
from hch.analysis.memes import Rate
from hch.registry import find
from hch.verdicts import verdicts

DEEP = Limits(max_depth=8)


def run(task: PointerListTask, agent: PointerLists, seed: int) -> hch.Tree:
    meta = hch.declare_memes(agent.meme)
    return hch.run(task.sample(seed).question, agent, limits=DEEP, seed=seed, meta=meta)


def revealed(tree: hch.Tree) -> Answer:
    """The root's answer as the asker reads it."""
    assert tree.root.answer is not None
    return hch.reveal(tree.root.answer, tree.content)


def right(task: PointerListTask, tree: hch.Tree, seed: int) -> bool:
    return task.check(task.sample(seed), revealed(tree))


def accuracy(task: PointerListTask, agent: PointerLists, trials: int, start: int = 0) -> Rate:
    hits = sum(right(task, run(task, agent, s), s) for s in range(start, start + trials))
    return Rate(hits=hits, n=trials)


def test_parts_hold_the_list_in_order_and_in_halves() -> None:
    items = list(range(10, 21))  # 11 numbers, 3 to a leaf: 4 leaves
    parts = list_parts(items, chunk=3)
    leaves = [p for p in parts if not p.pointers]
    assert [len(p.data) for p in leaves] == [3, 3, 3, 2]
    assert all(len(p.pointers) == 2 for p in parts if p.pointers)
    content = {f"task:{k}": p for k, p in enumerate(parts, 1)}
    q = hch.holding("reverse the list $1", parts, data={"op": "reverse"}, pointers=[1])
    assert numbers(hch.reveal(q, content).text) == items
    task = PointerListTask(length=11, chunk=3)
    assert task.node_truth(hch.reveal(q, content)) == items[::-1]
    assert task.node_truth(q) is None  # unrevealed: it cannot see the numbers
    assert find("task", "pointer-lists") is PointerListTask
    assert find("agent", "pointer-lists") is PointerLists


@pytest.mark.parametrize("op", ["reverse", "sum"])
@pytest.mark.parametrize("read", ["forward", "top", "all"])
def test_a_perfect_agent_is_right_at_every_node(op: str, read: str) -> None:
    task = PointerListTask(length=23, chunk=4, op=op)
    tree = run(task, PointerLists(read=read, p_error=0.0), seed=4)
    assert right(task, tree, 4)
    found = verdicts(tree, task)
    parts = len(task.sample(4).question.parts)  # a node per part, unless one reads it all
    assert len(tree) == (1 if read == "all" else parts) and set(found.values()) == {True}


def test_forwarding_reads_only_the_top_level_and_sends_content_up_unread() -> None:
    task = PointerListTask(length=32)
    tree = run(task, PointerLists(read="forward", p_error=0.0), seed=1)
    for node in tree:  # one unlock each: its own part
        unlocks = [e.pointer for e in node.events if isinstance(e, Unlock)]
        assert unlocks == list(node.question.pointers)
    reading = run(task, PointerLists(read="top", p_error=0.0), seed=1)
    inner = [n for n in reading if n.n_children]
    assert all(sum(isinstance(e, Unlock) for e in n.events) == 3 for n in inner)
    alone = run(task, PointerLists(read="all", p_error=0.0), seed=1)
    assert len(alone) == 1 and sum(isinstance(e, Unlock) for e in alone.root.events) == 15


def test_it_refuses_questions_of_another_world() -> None:
    tree = hch.run(Question(text="reverse 1 2 3"), PointerLists())
    assert tree.root.status is Status.FAILED
    assert "reads only list questions" in tree.root.error.message  # type: ignore[union-attr]


def slips(tree: hch.Tree, kind: str) -> int:
    return sum(note.get("slips", []).count(kind) for n in tree for note in n.notes)


def test_slip_rates_follow_the_stated_law() -> None:
    """Operation slips per number at the leaves, wrong pointers per pointer passed,
    overreads per node that would delegate, memes per leaf: each within its interval."""
    task = PointerListTask(length=32)  # 8 leaves of 4, 7 inner nodes
    agent = PointerLists(
        read="forward",
        p_error=0.02,
        capacity=2,
        p_wrong_pointer=0.05,
        p_overread=0.05,
        p_meme=0.1,
        p_filter=0.0,
    )
    counted = {"operation": [0, 0], "wrong_pointer": [0, 0], "overread": [0, 0], "meme": [0, 0]}
    for seed in range(60):
        tree = run(task, agent, seed)
        for node in tree:
            kinds = [k for note in node.notes for k in note.get("slips", [])]
            delegated = node.n_children > 0
            if not delegated and "overread" not in kinds:  # a leaf part
                counted["operation"][0] += kinds.count("operation")
                counted["operation"][1] += 4  # a leaf part: 4 numbers moved
                counted["meme"][0] += any("meme_injected" in note for note in node.notes)
                counted["meme"][1] += 1
            if delegated or "overread" in kinds:
                counted["overread"][0] += kinds.count("overread")
                counted["overread"][1] += 1
            if delegated:  # 2 pointers down, 2 up
                counted["wrong_pointer"][0] += kinds.count("wrong_pointer")
                counted["wrong_pointer"][1] += 4
    law = {
        "operation": agent.solo_rate(4),
        "wrong_pointer": agent.p_wrong_pointer,
        "overread": agent.p_overread,
        "meme": agent.p_meme,
    }
    for kind, (hits, n) in counted.items():
        low, high = Rate(hits=hits, n=n).interval
        assert low <= law[kind] <= high, (kind, hits, n, law[kind])


@pytest.mark.parametrize(
    ("read", "p_wrong_pointer", "p_overread"),
    [("forward", 0.02, 0.05), ("top", 0.02, 0.0), ("all", 0.0, 0.0)],
)
def test_accuracy_and_meme_capture_match_the_closed_forms(
    read: str, p_wrong_pointer: float, p_overread: float
) -> None:
    task = PointerListTask(length=32)
    agent = PointerLists(
        read=read,
        p_error=0.004,
        capacity=4,
        p_wrong_pointer=p_wrong_pointer,
        p_overread=p_overread,
        p_meme=0.04,
        p_filter=0.5,
    )
    parts = task.sample(0).question.parts
    hits = captured = 0
    trials = 200
    for seed in range(trials):
        tree = run(task, agent, seed)
        answer = revealed(tree)
        hits += task.check(task.sample(seed), answer)
        captured += agent.meme.tag in answer.memes
    low, high = Rate(hits=hits, n=trials).interval
    assert low <= agent.accuracy(parts) <= high, (hits, agent.accuracy(parts))
    if not p_wrong_pointer:
        low, high = Rate(hits=captured, n=trials).interval
        assert low <= agent.meme_capture(parts) <= high, (captured, agent.meme_capture(parts))


def test_forwarding_beats_reading_everything_when_lists_exceed_capacity() -> None:
    task = PointerListTask(length=64)  # 64 numbers for a capacity of 8
    law = {"p_error": 0.002, "capacity": 8}
    forward = accuracy(task, PointerLists(read="forward", **law), 120)
    alone = accuracy(task, PointerLists(read="all", **law), 120)
    reading = accuracy(task, PointerLists(read="top", **law), 120)
    assert forward.interval[0] > alone.interval[1], (forward.text(), alone.text())
    assert forward.interval[0] > reading.interval[1], (forward.text(), reading.text())
    short = PointerListTask(length=4)  # within capacity: one leaf, nothing to forward
    same = [accuracy(short, PointerLists(read=r, **law), 60) for r in ("all", "forward")]
    assert same[0] == same[1]


def test_pointer_slips_measurably_lower_accuracy() -> None:
    task = PointerListTask(length=64)
    clean = accuracy(task, PointerLists(p_error=0.002, capacity=8), 120)
    slipping = accuracy(task, PointerLists(p_error=0.002, capacity=8, p_wrong_pointer=0.02), 120)
    assert clean.interval[0] > slipping.interval[1], (clean.text(), slipping.text())


def test_a_wrong_pointer_sends_a_siblings_content() -> None:
    task = PointerListTask(length=8)  # two leaves under the root
    agent = PointerLists(p_error=0.0, p_wrong_pointer=1.0)
    tree = run(task, agent, seed=0)
    asked = [tree[(i,)].question.pointers for i in range(2)]
    assert asked == [("task:3",), ("task:2",)]  # each child got its sibling's half
    assert slips(tree, "wrong_pointer") == 4
    assert right(task, tree, 0)  # and the note swapped them back: two slips that cancel
    once = run(task, agent.model_copy(update={"read": "top"}), seed=0)
    assert slips(once, "wrong_pointer") == 2 and not right(task, once, 0)


def test_memes_ride_up_unread_only_past_forwarding_parents() -> None:
    task = PointerListTask(length=16)  # 4 leaves at depth 2
    leaves_only = dict(p_error=0.0, p_meme=1.0, p_filter=1.0)
    forward = run(task, PointerLists(read="forward", **leaves_only), seed=0)
    reading = run(task, PointerLists(read="top", **leaves_only), seed=0)
    up, kept = revealed(forward), revealed(reading)
    assert up.memes == {"ledger"} and kept.memes == frozenset()
    filtered = [n.id for n in reading for note in n.notes if "meme_filtered" in note]
    assert filtered == ["root.0", "root.1"]
    assert right(task, forward, 0) and right(task, reading, 0)  # memes ride beside the list
    summed = PointerListTask(length=16, op="sum")  # sums are read at every hop
    tree = run(summed, PointerLists(read="forward", **leaves_only), seed=0)
    assert tree.root.answer is not None and not tree.root.answer.memes


async def test_the_same_tree_on_both_backends(anyio_backend: str) -> None:
    task = PointerListTask(length=24)
    agent = PointerLists(p_error=0.05, p_wrong_pointer=0.05, p_overread=0.1, p_meme=0.2)
    meta = hch.declare_memes(agent.meme)
    tree = await hch.run_tree(task.sample(3).question, agent, limits=DEEP, seed=3, meta=meta)
    assert tree.fingerprint() == run(task, agent, 3).fingerprint()
    sub = ask("reverse", "task:2")
    assert sub.text == "reverse the list $1" and sub.pointers == ("task:2",)
    assert task.check(task.sample(3), Answer(text="$1", pointers=("x:1",))) is False
