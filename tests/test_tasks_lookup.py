"""The multi-hop lookup task: seeded worlds, truth from the text, checks at every node."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from experiments.tasks.lookup import LookupTask, question_for, read_name, read_question
from hch import Answer, Question


def _truth_from_text(text: str) -> str:
    """Answer a question from its words alone, independently of ``Question.data``."""
    facts = {
        person: dict(pair.split(" ") for pair in rest.split(", "))
        for person, rest in re.findall(r"^- (\w+): (.+)$", text, flags=re.M)
    }
    asked = re.search(r"Who is (.+)\?$", text)
    assert asked is not None
    *relations, start = asked.group(1).removeprefix("the ").split(" of the ")
    last, start = start.split(" of ")
    person = start
    for relation in reversed([*relations, last]):
        person = facts[person][relation]
    return person


def test_same_seed_same_sample_and_seeds_differ() -> None:
    task = LookupTask(hops=5)
    assert task.sample(3) == task.sample(3)
    assert len({task.sample(s).question.text for s in range(20)}) == 20


@pytest.mark.parametrize("hops", [1, 2, 5, 9])
def test_truth_matches_the_question_text(hops: int) -> None:
    task = LookupTask(hops=hops, people=8)
    for seed in range(30):
        sample = task.sample(seed)
        assert sample.truth == _truth_from_text(sample.question.text)
        facts, _, chain = read_question(sample.question) or ({}, "", [])
        assert len(chain) == hops and len(facts) == 8
        assert all(other != person for person, rel in facts.items() for other in rel.values())


def test_check_accepts_the_truth_and_rejects_everyone_else() -> None:
    task = LookupTask()
    sample = task.sample(0)
    people = list(sample.question.data["facts"])
    assert task.check(sample, Answer(text=sample.truth))
    assert task.check(sample, Answer(text=f"It is {sample.truth}."))
    for person in people:
        if person != sample.truth:
            assert not task.check(sample, Answer(text=person))
    assert not task.check(sample, Answer(text="nobody I know"))


def test_any_subchain_is_checkable() -> None:
    task = LookupTask(hops=6)
    sample = task.sample(1)
    facts, start, chain = read_question(sample.question) or ({}, "", [])
    for cut in range(1, 6):
        sub = question_for(facts, start, chain[:cut])
        truth = _truth_from_text(sub.text)
        assert task.check_node(sub, Answer(text=truth))
        wrong = next(p for p in facts if p != truth)
        assert task.check_node(sub, Answer(text=wrong)) is False
    assert task.check_node(Question(text="Who is Ada?"), Answer(text="Ada")) is None


def test_read_name_prefers_data_then_the_last_name_in_the_text() -> None:
    names = ["Ada", "Ben"]
    assert read_name(Answer(text="Ada", data="Ben"), names) == "Ben"
    assert read_name(Answer(text="Not Ada but Ben"), names) == "Ben"
    assert read_name(Answer(text="Adam"), names) is None


def test_options_are_validated() -> None:
    with pytest.raises(ValidationError):
        LookupTask(hops=0)
    with pytest.raises(ValidationError):
        LookupTask(relations=("boss", "boss"))
    with pytest.raises(ValidationError):
        LookupTask(people=1000)
