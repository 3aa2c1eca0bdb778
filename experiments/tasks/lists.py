"""Long lists of numbers to sum or sort: the truth for any sublist is known.

A question's ``data`` is ``{"op": "sum" | "sort", "items": [int, ...]}`` and its text
says the same in words, so a simulated agent reads the structure, an LLM reads the
text, and any node's answer can be checked exactly. A subquestion is the same
operation on a sublist.
"""

from __future__ import annotations

import random
import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from experiments.tasks.arithmetic import read_int
from hch import Answer, Question, Sample

__all__ = ["ListOp", "ListTask", "question_for", "read_ints", "read_question", "solve"]

ListOp = Literal["sum", "sort"]

_INT = re.compile(r"-?\d+")


def solve(op: ListOp, items: list[int]) -> int | list[int]:
    """The true answer: the sum, or the items in ascending order."""
    return sum(items) if op == "sum" else sorted(items)


def question_for(op: ListOp, items: list[int]) -> Question:
    listed = ", ".join(map(str, items))
    text = (
        f"What is the sum of these {len(items)} numbers: {listed}?"
        if op == "sum"
        else f"Sort these {len(items)} numbers in ascending order: {listed}"
    )
    return Question(text=text, data={"op": op, "items": items})


def read_ints(answer: Answer) -> list[int]:
    """The list an answer gives: its ``data`` if a list of ints, else every integer in its text."""
    data = answer.data
    if isinstance(data, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in data):
        return data
    return [int(x) for x in _INT.findall(answer.text.replace(",", " "))]


def read_question(question: Question) -> tuple[ListOp, list[int]] | None:
    """``(op, items)`` from a list question's data; None for any other question."""
    data = question.data
    if not isinstance(data, dict) or data.get("op") not in ("sum", "sort") or "items" not in data:
        return None
    return data["op"], data["items"]


def _read(op: ListOp, answer: Answer) -> int | list[int] | None:
    return read_int(answer) if op == "sum" else read_ints(answer)


class ListTask(BaseModel):
    """Sum or sort ``length`` random numbers in ``0..max_value``; exact truth at every node."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = "lists"
    suggested_agent: ClassVar[str] = "noisy-lists"

    length: int = Field(32, ge=1, le=100_000)
    op: ListOp = "sum"
    max_value: int = Field(99, ge=1)

    def sample(self, seed: int) -> Sample:
        rng = random.Random(seed)
        items = [rng.randint(0, self.max_value) for _ in range(self.length)]
        return Sample(
            question=question_for(self.op, items), truth=solve(self.op, items), task=self.name
        )

    def check(self, sample: Sample, answer: Answer) -> bool:
        return _read(self.op, answer) == sample.truth

    def check_node(self, question: Question, answer: Answer) -> bool | None:
        found = read_question(question)
        if found is None:
            return None
        op, items = found
        return _read(op, answer) == solve(op, items)

    def node_truth(self, question: Question) -> int | list[int] | None:
        """The true sum or sorted list for a list question; None for any other question."""
        found = read_question(question)
        return None if found is None else solve(*found)
