"""The one-bit world and its binary agents: questions, answers, checks, flips noted."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import hch
from agents.binary import Broadcast, FlipRelay, NoisyMajority
from experiments.tasks.bits import BitTask, bit_answer, heard, question_for, read_bit
from hch import Answer, Limits, Question, Status
from hch.commands.analyze import task_for

TASK = BitTask()


def test_samples_are_seeded_bits_and_every_node_can_be_checked() -> None:
    samples = [TASK.sample(seed) for seed in range(40)]
    assert {s.truth for s in samples} == {0, 1}
    assert [s.truth for s in samples] == [TASK.sample(seed).truth for seed in range(40)]
    assert isinstance(TASK, hch.NodeChecker) and isinstance(TASK, hch.NodeTruth)
    assert isinstance(task_for("bits"), BitTask)
    q = question_for(1, heard=0)
    assert heard(q) == 0 and TASK.node_truth(q) == 1 and heard(question_for(0)) == 0
    assert TASK.check_node(q, bit_answer(1)) is True
    assert TASK.check_node(q, bit_answer(0, ones=3, leaves=4)) is False
    assert TASK.check_node(Question(text="what?"), bit_answer(1)) is None
    assert TASK.check(samples[0], Answer(text=f" {samples[0].truth} ")) is True


@pytest.mark.parametrize(
    ("answer", "bit"),
    [
        (Answer(text="1"), 1),
        (Answer(text="x", data=0), 0),
        (Answer(text="x", data={"bit": 1, "ones": 0}), 1),
        (Answer(text="yes"), None),
        (Answer(text="1", data=True), 1),  # a bool is not a bit: the text decides
        (Answer(text="2"), None),
    ],
)
def test_read_bit(answer: Answer, bit: int | None) -> None:
    assert read_bit(answer) == bit


def test_a_noiseless_chain_and_majority_are_always_right() -> None:
    for seed in range(4):
        sample = TASK.sample(seed)
        chain = hch.run(sample.question, FlipRelay(epsilon=0), limits=Limits(max_depth=5))
        assert len(chain) == 6 and read_bit(chain.root.answer) == sample.truth  # type: ignore[arg-type]
        tree = hch.run(sample.question, NoisyMajority(epsilon=0), limits=Limits(max_depth=2))
        assert len(tree) == 13 and read_bit(tree.root.answer) == sample.truth  # type: ignore[arg-type]


def test_a_certain_flip_is_noted_where_it_happens() -> None:
    sample = TASK.sample(0)
    chain = hch.run(sample.question, FlipRelay(epsilon=1), limits=Limits(max_depth=3), seed=1)
    assert read_bit(chain.root.answer) == 1 - sample.truth  # type: ignore[arg-type]  # 3 flips
    assert [n.notes for n in chain] == [[{"slips": ["flip"]}]] * 3 + [[]]


def test_broadcast_counts_every_leaf_and_notes_flipped_copies() -> None:
    sample = TASK.sample(2)
    tree = hch.run(sample.question, Broadcast(epsilon=0.3, fanout=3), limits=Limits(max_depth=2))
    root = tree.root.answer
    assert root is not None and root.data["leaves"] == 9
    leaves = [n for n in tree if n.depth == 2]
    assert root.data["ones"] == sum(heard(n.question) for n in leaves)  # type: ignore[misc]
    for node in tree:
        flipped = {i for note in node.notes for i in note.get("flipped", [])}
        for i, child in enumerate(tree.children(node)):
            assert (heard(child.question) != heard(node.question)) == (i in flipped)


def test_agents_refuse_what_they_cannot_read() -> None:
    with pytest.raises(ValidationError, match="odd"):
        NoisyMajority(inputs=4)
    tree = hch.run(Question(text="what is 2 + 2?"), FlipRelay(), limits=Limits(max_depth=1))
    assert tree.root.status is Status.FAILED and "bit" in tree.root.error.message  # type: ignore[union-attr]
