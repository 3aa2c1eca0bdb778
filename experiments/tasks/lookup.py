"""Multi-hop lookup over a generated knowledge base: "Who is the parent of the manager of X?"

Each sample draws its own small world: ``people`` people, each with exactly one
``manager``, ``parent`` and ``mentor`` (another person), so every chain of relations
has one answer. The knowledge base travels inside the question, which keeps every
question self-contained and every node checkable:

* ``Question.text`` lists all facts, then asks, so an LLM agent needs nothing else.
* ``Question.data`` is ``{"facts": {person: {relation: person}}, "start": person,
  "chain": [relation, ...]}`` with the chain in the order it is followed (the first
  relation is applied to ``start`` first). A subquestion is a shorter chain from any
  person over the same facts, so its truth is known too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hch import Answer, Question, Sample

__all__ = [
    "NAMES",
    "RELATIONS",
    "Facts",
    "LookupTask",
    "question_for",
    "read_name",
    "read_question",
    "resolve",
]

Facts = dict[str, dict[str, str]]
"""``facts[person][relation]`` is the related person."""

RELATIONS = ("manager", "parent", "mentor")

NAMES = (
    "Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jade", "Kai", "Lena",
    "Milo", "Nia", "Omar", "Pia", "Quin", "Rosa", "Sam", "Tara", "Uma", "Vik", "Wren", "Xena",
    "Yuri", "Zoe", "Abel", "Bea", "Cyrus", "Dina", "Emil", "Flora", "Gale", "Hugo", "Iris",
    "Jon", "Kira", "Leo", "Maya", "Nils", "Olga", "Paul", "Rhea", "Saul", "Tess", "Ugo",
    "Vera", "Walt",
)  # fmt: skip
"""Names people are drawn from, one word each."""


def resolve(facts: Facts, start: str, chain: Sequence[str]) -> str:
    """Follow ``chain`` from ``start``: the true answer."""
    person = start
    for relation in chain:
        person = facts[person][relation]
    return person


def _phrase(start: str, chain: Sequence[str]) -> str:
    return "".join(f"the {relation} of " for relation in reversed(chain)) + start


def question_for(facts: Facts, start: str, chain: Sequence[str]) -> Question:
    """A self-contained question: every fact, then "Who is the ... of START?"."""
    lines = [
        f"- {person}: " + ", ".join(f"{rel} {other}" for rel, other in relations.items())
        for person, relations in facts.items()
    ]
    text = "Facts:\n" + "\n".join(lines) + f"\nWho is {_phrase(start, chain)}?"
    return Question(text=text, data={"facts": facts, "start": start, "chain": list(chain)})


def read_name(answer: Answer, names: Sequence[str]) -> str | None:
    """The person an answer names: its ``data`` if a known name, else the last one in its text."""
    if isinstance(answer.data, str) and answer.data in names:
        return answer.data
    found = re.findall(r"\b(" + "|".join(map(re.escape, names)) + r")\b", answer.text)
    return found[-1] if found else None


def read_question(question: Question) -> tuple[Facts, str, list[str]] | None:
    """``(facts, start, chain)`` from a lookup question's data; None for any other question."""
    data = question.data
    if not isinstance(data, dict) or not {"facts", "start", "chain"} <= data.keys():
        return None
    return data["facts"], data["start"], data["chain"]


class LookupTask(BaseModel):
    """Chains of ``hops`` relations over a fresh world of ``people``; truth at every node."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = "lookup"
    suggested_agent: ClassVar[str] = "noisy-lookup"

    hops: int = Field(4, ge=1, le=256)
    people: int = Field(12, ge=2, le=len(NAMES))
    relations: tuple[str, ...] = RELATIONS

    @field_validator("relations")
    @classmethod
    def _words(cls, relations: tuple[str, ...]) -> tuple[str, ...]:
        if not relations or len(set(relations)) != len(relations):
            raise ValueError(f"relations must be distinct and not empty, got {relations!r}")
        if not all(re.fullmatch(r"[a-z]+", r) for r in relations):
            raise ValueError(f"relations must be lowercase words, got {relations!r}")
        return relations

    def sample(self, seed: int) -> Sample:
        rng = random.Random(seed)
        names = sorted(rng.sample(NAMES, self.people))
        facts = {
            person: {rel: rng.choice([n for n in names if n != person]) for rel in self.relations}
            for person in names
        }
        start = rng.choice(names)
        chain = [rng.choice(self.relations) for _ in range(self.hops)]
        return Sample(
            question=question_for(facts, start, chain),
            truth=resolve(facts, start, chain),
            task=self.name,
        )

    def check(self, sample: Sample, answer: Answer) -> bool:
        return read_name(answer, list(sample.question.data["facts"])) == sample.truth

    def check_node(self, question: Question, answer: Answer) -> bool | None:
        found = read_question(question)
        if found is None:
            return None
        facts, start, chain = found
        return read_name(answer, list(facts)) == resolve(facts, start, chain)

    def node_truth(self, question: Question) -> str | None:
        """The person a lookup question's chain leads to; None for any other question."""
        found = read_question(question)
        return None if found is None else resolve(*found)
