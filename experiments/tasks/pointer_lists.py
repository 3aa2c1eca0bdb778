"""Long lists held behind pointers: a world where a node cannot read everything itself.

The root question holds its list as a tree of parts (``hch.holding``): the question
points to part 1; an inner part is ``Content(text="$1 $2", pointers=(...))`` (its
halves, in order), a leaf part holds a chunk of numbers (``text="3 14 15"``,
``data=[3, 14, 15]``). Two operations:

* ``reverse``: the answer is content as large as the list. A node can answer
  ``$1`` pointing to a note ``"$1 $2"`` of its children's answers in reverse order
  without unlocking them, so content travels up unread.
* ``sum``: the answer is one number, which a parent must read to add.

A subquestion is the same operation on one part: ``Question(text="reverse the list $1",
data={"op": "reverse"}, pointers=(part,))``. Checks read questions and answers revealed
(``hch.reveal``: every pointer expanded, as the asker who unlocks everything sees them),
so every node's answer can be checked exactly: the numbers in the revealed answer's
text (reverse) or its one number (sum) against the numbers in the revealed question.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from experiments.tasks.arithmetic import read_int
from hch import Answer, Content, PointerId, Question, Sample, holding

__all__ = [
    "PointerListTask",
    "PointerOp",
    "ask",
    "list_parts",
    "numbers",
    "read_answer",
    "read_op",
    "solve",
]

PointerOp = Literal["reverse", "sum"]

_INT = re.compile(r"-?\d+")


def numbers(text: str) -> list[int]:
    """Every integer in ``text``, in order (meme lines carry no digits)."""
    return [int(x) for x in _INT.findall(text)]


def solve(op: PointerOp, items: Sequence[int]) -> int | list[int]:
    """The true answer: the list reversed, or its sum."""
    return list(reversed(items)) if op == "reverse" else sum(items)


def ask(op: PointerOp, pointer: PointerId) -> Question:
    """The question to do ``op`` on the list ``pointer`` holds (no digits in its text)."""
    return Question(text=f"{op} the list $1", data={"op": op}, pointers=(pointer,))


def read_op(question: Question) -> PointerOp | None:
    """The operation a question of this world asks for; None for any other question."""
    data = question.data
    op = data.get("op") if isinstance(data, dict) else None
    return op if op in ("reverse", "sum") else None


def read_answer(op: PointerOp, answer: Answer) -> int | list[int] | None:
    """What a revealed answer says: its numbers (reverse) or its number (sum)."""
    return numbers(answer.text) if op == "reverse" else read_int(answer)


def list_parts(items: Sequence[int], chunk: int, fanout: int = 2) -> list[Content]:
    """The parts that hold ``items``: part 1 the whole list, each inner part ``$1 $2 ...``
    pointing to up to ``fanout`` sub-parts in order, each leaf ``chunk`` numbers or fewer.

    Parts are numbered depth first (a part before its sub-parts), so part ``k`` is
    ``task:k`` (``hch.pointers.task_pointer``).
    """
    parts: list[Content | None] = []

    def place(lo: int, hi: int) -> int:
        parts.append(None)
        index = len(parts)
        if hi - lo <= chunk:
            chunk_items = list(items[lo:hi])
            parts[index - 1] = Content(text=" ".join(map(str, chunk_items)), data=chunk_items)
            return index
        leaves = -(-(hi - lo) // chunk)
        per = -(-leaves // fanout)  # leaves under each sub-part, the last may have fewer
        bounds = [*range(lo, hi, per * chunk), hi]
        subs = [place(a, b) for a, b in itertools.pairwise(bounds)]
        refs = " ".join(f"${i}" for i in range(1, len(subs) + 1))
        parts[index - 1] = Content(text=refs, pointers=tuple(f"task:{k}" for k in subs))
        return index

    place(0, len(items))
    return [p for p in parts if p is not None]


class PointerListTask(BaseModel):
    """Reverse or sum ``length`` numbers held as a tree of parts behind pointers.

    Attributes:
        length: Numbers in the list.
        chunk: Numbers a leaf part holds at most.
        fanout: Sub-parts of an inner part at most.
        op: ``reverse`` (answers are content) or ``sum`` (answers are one number).
        max_value: Numbers are drawn from ``0..max_value``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = "pointer-lists"
    suggested_agent: ClassVar[str] = "pointer-lists"

    length: int = Field(64, ge=1, le=100_000)
    chunk: int = Field(4, ge=1)
    fanout: int = Field(2, ge=2)
    op: PointerOp = "reverse"
    max_value: int = Field(99, ge=0)

    def sample(self, seed: int) -> Sample:
        rng = random.Random(seed)
        items = [rng.randint(0, self.max_value) for _ in range(self.length)]
        question = holding(
            f"{self.op} the list $1",
            list_parts(items, self.chunk, self.fanout),
            data={"op": self.op},
            pointers=[1],
        )
        return Sample(question=question, truth=solve(self.op, items), task=self.name)

    def check(self, sample: Sample, answer: Answer) -> bool:
        """Whether the revealed root answer is right (an answer still holding pointers is
        unread content, which this check cannot see: wrong)."""
        return not answer.pointers and read_answer(self.op, answer) == sample.truth

    def check_node(self, question: Question, answer: Answer) -> bool | None:
        """Whether a revealed answer is right for its revealed question; None for a
        question of another world or one still holding pointers."""
        truth = self.node_truth(question)
        if truth is None or answer.pointers:
            return None
        op = read_op(question)
        return op is not None and read_answer(op, answer) == truth

    def node_truth(self, question: Question) -> int | list[int] | None:
        """The true answer to a revealed question of this world; None otherwise."""
        op = read_op(question)
        if op is None or question.pointers:
            return None
        return solve(op, numbers(question.text))
