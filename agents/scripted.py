"""An agent from a table of canned answers, for tests, examples and fixed adversaries.

For an agent from a plain function, sync or async, use ``hch.agent(fn)``.
"""

from __future__ import annotations

from collections.abc import Mapping

from hch import AgentError, Answer, Context, Question
from hch.agent import to_answer

__all__ = ["Scripted"]


class Scripted:
    """Answers from a table keyed by question text; ``default`` covers the rest.

    A question with no entry and no default fails its node with an AgentError naming it.
    """

    def __init__(
        self,
        answers: Mapping[str, str | Answer],
        default: str | Answer | None = None,
        name: str = "scripted",
    ) -> None:
        self.answers = {k: to_answer(v, f"{name} table entry {k!r}") for k, v in answers.items()}
        self.default = None if default is None else to_answer(default, f"{name} default")
        self.name = name

    async def answer(self, question: Question, ctx: Context) -> Answer:
        found = self.answers.get(question.text, self.default)
        if found is None:
            raise AgentError(f"{self.name} has no scripted answer for {question.text!r}")
        return found

    def __repr__(self) -> str:
        return f"Scripted({len(self.answers)} answers, default={self.default!r})"
