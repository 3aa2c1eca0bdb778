"""Blame follow-ups: "your answer failed a check; which part caused the error?"

A parent whose child's answer failed a check may ask which of its parts (the questions
it asked together) caused the error. The question restates everything, so any agent can
answer it (a language model sees only its question): in text for models, in ``data``
for simulated agents. The answer names one part, from 1, in text and in ``data``.
"""

from __future__ import annotations

import random
import re
from typing import Any, ClassVar

from pydantic import Field

from agents.memetic._behaviour import Behaviour
from agents.memetic._session import Session
from hch import Answer, Context, Question

__all__ = [
    "BLAME_ASK",
    "ShiftBlame",
    "blame_answer",
    "blame_question",
    "blamed_part",
    "is_blame_question",
]

BLAME_ASK = "failed a check. Which part caused the error?"
"""The phrase that marks a blame follow-up in text."""

_YOURS = re.compile(r"Yours: (\d+)\.")
_PARTS = re.compile(r"^(\d+)\) ", re.MULTILINE)
_NUMBER = re.compile(r"\d+")


def blame_question(parts: list[Question], yours: int, answer: Answer) -> Question:
    """Ask the child that answered ``parts[yours]`` with ``answer`` which part erred."""
    lines = [
        f"Your answer {answer.text!r} to part {yours + 1} {BLAME_ASK}",
        *(f"{k + 1}) {q.text}" for k, q in enumerate(parts)),
        f"Yours: {yours + 1}. Reply with the number of the part that caused the error.",
    ]
    data = {"followup": "blame", "parts": len(parts), "yours": yours}
    return Question(text="\n".join(lines), data=data)


def is_blame_question(question: Question) -> bool:
    data = question.data
    return (isinstance(data, dict) and data.get("followup") == "blame") or (
        BLAME_ASK in question.text
    )


def _parts_and_yours(question: Question) -> tuple[int, int]:
    data: Any = question.data
    if isinstance(data, dict) and data.get("followup") == "blame":
        return int(data["parts"]), int(data["yours"])
    found = _YOURS.search(question.text)
    parts = len(_PARTS.findall(question.text))
    return max(parts, 1), (int(found.group(1)) - 1 if found else 0)


def blame_answer(question: Question, shift: bool, rng: random.Random) -> Answer:
    """The part to blame: the node's own, or (``shift``) another part drawn at random."""
    parts, yours = _parts_and_yours(question)
    others = [k for k in range(parts) if k != yours]
    part = rng.choice(others) if shift and others else yours
    return Answer(text=f"Part {part + 1} caused the error.", data={"blame": part})


def blamed_part(answer: Answer, parts: int) -> int | None:
    """Which part (from 0) an answer to a blame follow-up names; None if none it can."""
    data: Any = answer.data
    if isinstance(data, dict) and isinstance(data.get("blame"), int):
        part = int(data["blame"])
    else:
        found = _NUMBER.findall(answer.text)
        part = int(found[0]) - 1 if found else -1
    return part if 0 <= part < parts else None


class ShiftBlame(Behaviour):
    """Asked which part caused an error, the node blames another part (with ``p``).

    Other questions go to the inner agent unchanged; with probability ``1 - p`` a blame
    follow-up is answered honestly (the node's own part).

    Attributes:
        p: Chance it shifts the blame onto a sibling part.
    """

    kind: ClassVar[str] = "shift-blame"
    rank: ClassVar[int] = 60

    p: float = Field(1.0, ge=0, le=1)

    def session(self, ctx: Context) -> Session:
        return _Shifting(self, ctx)


class _Shifting(Session):
    config: ShiftBlame

    async def start(self, question: Question) -> Answer | None:
        if not is_blame_question(question):
            return None
        shift = self.rng.random() < self.config.p
        if shift:
            self.ctx.note(blame_shifted=True)
        return blame_answer(question, shift, self.rng)
