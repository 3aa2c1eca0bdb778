"""One bit, the simplest world with a known truth at every node.

Every question asks for the root's bit, which it carries in ``data["bit"]`` (what the
world holds; a leaf may read it, a checker judges by it). A question passed down a
noisy channel also carries ``data["heard"]``: the copy of the bit that reached that
node. Answers give the bit in ``text`` (and in ``data`` as an int, or as ``data["bit"]``).
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from hch import Answer, Question, Sample

__all__ = ["BitTask", "bit_answer", "heard", "question_for", "read_bit", "read_question"]


def question_for(bit: int, heard: int | None = None) -> Question:
    """The question about ``bit``; ``heard`` is the copy that reached this node, if noisy."""
    if heard is None:
        return Question(text="Which bit does the root hold?", data={"bit": bit})
    return Question(
        text=f"Which bit does the root hold? The copy that reached you says {heard}.",
        data={"bit": bit, "heard": heard},
    )


def _as_bit(value: Any) -> int | None:
    return value if value in (0, 1) and not isinstance(value, bool) else None


def read_question(question: Question) -> int | None:
    """The bit a question is about; None for a question that is not about a bit."""
    data = question.data
    return _as_bit(data.get("bit")) if isinstance(data, dict) else None


def heard(question: Question) -> int | None:
    """The copy of the bit that reached the node (the bit itself if nothing was noisy)."""
    data = question.data
    if not isinstance(data, dict):
        return None
    return _as_bit(data.get("heard", data.get("bit")))


def read_bit(answer: Answer) -> int | None:
    """The bit an answer gives: its ``data`` (an int or ``{"bit": ...}``), else its text."""
    data = answer.data
    found = _as_bit(data.get("bit") if isinstance(data, dict) else data)
    if found is not None:
        return found
    text = answer.text.strip()
    return int(text) if text in ("0", "1") else None


def bit_answer(bit: int, **data: Any) -> Answer:
    """An answer giving ``bit``; extra ``data`` rides along (``{"bit": bit, **data}``)."""
    return Answer(text=str(bit), data={"bit": bit, **data} if data else bit)


class BitTask(BaseModel):
    """A random bit per sample; every node's answer is checked against it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = "bits"

    def sample(self, seed: int) -> Sample:
        bit = random.Random(seed).randint(0, 1)
        return Sample(question=question_for(bit), truth=bit, task=self.name)

    def check(self, sample: Sample, answer: Answer) -> bool:
        return read_bit(answer) == sample.truth

    def check_node(self, question: Question, answer: Answer) -> bool | None:
        truth = self.node_truth(question)
        return None if truth is None else read_bit(answer) == truth

    def node_truth(self, question: Question) -> int | None:
        return read_question(question)
