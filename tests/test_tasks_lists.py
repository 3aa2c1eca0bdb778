"""The list task: seeded lists, truth from the text, checks at every node."""

from __future__ import annotations

import re

import pytest

from experiments.tasks.lists import ListTask, question_for
from hch import Answer, Question


def _numbers_in(text: str) -> list[int]:
    return [int(n) for n in re.split(r",\s*", text.split(": ", 1)[1].rstrip("?"))]


def test_same_seed_same_sample_and_seeds_differ() -> None:
    task = ListTask(length=20)
    assert task.sample(4) == task.sample(4)
    assert len({task.sample(s).question.text for s in range(20)}) == 20


@pytest.mark.parametrize("length", [1, 2, 33, 500])
def test_truth_matches_the_question_text(length: int) -> None:
    for seed in range(10):
        summed = ListTask(length=length).sample(seed)
        numbers = _numbers_in(summed.question.text)
        assert len(numbers) == length and all(0 <= n <= 99 for n in numbers)
        total = 0
        for n in numbers:
            total += n
        assert summed.truth == total
        ordered = ListTask(length=length, op="sort").sample(seed)
        want = _numbers_in(ordered.question.text)
        assert all(a <= b for a, b in zip(ordered.truth, ordered.truth[1:], strict=False))
        assert sorted(ordered.truth) == sorted(want) and len(ordered.truth) == length


def test_sum_check() -> None:
    task = ListTask(length=10)
    sample = task.sample(0)
    assert task.check(sample, Answer(text=str(sample.truth)))
    assert task.check(sample, Answer(text=f"The sum is {sample.truth}."))
    assert task.check(sample, Answer(text="?", data=sample.truth))
    assert not task.check(sample, Answer(text=str(sample.truth + 1)))
    assert not task.check(sample, Answer(text="no idea"))


def test_sort_check() -> None:
    task = ListTask(length=10, op="sort")
    sample = task.sample(0)
    truth = sample.truth
    assert task.check(sample, Answer(text=", ".join(map(str, truth))))
    assert task.check(sample, Answer(text="?", data=truth))
    swapped = [truth[1], truth[0], *truth[2:]] if truth[0] != truth[1] else truth[::-1]
    assert not task.check(sample, Answer(text=", ".join(map(str, swapped))))
    assert not task.check(sample, Answer(text=", ".join(map(str, truth[:-1]))))


@pytest.mark.parametrize("op", ["sum", "sort"])
def test_any_sublist_is_checkable(op: str) -> None:
    task = ListTask(op=op)  # type: ignore[arg-type]
    items = task.sample(2).question.data["items"]
    for part in (items[:1], items[:7], items[5:19]):
        sub = question_for(op, part)  # type: ignore[arg-type]
        right = str(sum(part)) if op == "sum" else ", ".join(map(str, sorted(part)))
        wrong = str(sum(part) + 1) if op == "sum" else ", ".join(map(str, [*sorted(part), 1]))
        assert task.check_node(sub, Answer(text=right))
        assert task.check_node(sub, Answer(text=wrong)) is False
    assert task.check_node(Question(text="sum 1 2"), Answer(text="3")) is None
