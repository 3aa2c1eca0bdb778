"""Verification: the node checks each child's answer with the lab and asks again."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from agents.memetic._behaviour import Behaviour
from agents.memetic._blame import blame_answer, blame_question, blamed_part, is_blame_question
from agents.memetic._session import Session
from hch import Answer, ChildFailed, Context, LimitExceeded, Question

__all__ = ["Verify"]


class Verify(Behaviour):
    """Before using a child's answer, check it with the lab; ask again when it fails.

    Each answer is checked as ``ctx.tool(lab, claim=answer text, question=its question)``.
    A failed answer is asked again (a fresh child) up to ``retries`` times, while the
    limits allow. With ``blame``, the node first asks which of the parts it asked
    together caused the error (a follow-up that restates them) and asks that part again
    instead: an honest child names its own part; one that shifts blame names another,
    so a right answer is redone and the wrong one kept. Answered honestly here: blame
    follow-ups put to this node.

    Attributes:
        lab: The name the lab was granted under.
        retries: Times a failed answer is asked again.
        blame: Ask which part caused the error before asking again.
    """

    kind: ClassVar[str] = "verify"
    rank: ClassVar[int] = 10

    lab: str = "lab"
    retries: int = Field(1, ge=0)
    blame: bool = False

    def session(self, ctx: Context) -> Session:
        return _Verifying(self, ctx)


class _Verifying(Session):
    config: Verify

    async def start(self, question: Question) -> Answer | None:
        return blame_answer(question, False, self.rng) if is_blame_question(question) else None

    async def received(self, asked: list[Question], answers: list[Answer]) -> list[Answer]:
        answers = list(answers)
        for i, (question, answer) in enumerate(zip(asked, answers, strict=True)):
            if await self._check(question, answer) is not False:
                continue
            part = await self._blamed(asked, i, answer) if self.config.blame else i
            if part != i:  # the blame went elsewhere: that part is redone, this one kept
                self.ctx.note(blame={"failed": i, "blamed": part})
                answers[part] = await self._again(asked[part], answers[part], 1)
                continue
            answers[i] = await self._again(question, answer, self.config.retries)
        return answers

    async def _check(self, question: Question, answer: Answer) -> bool | None:
        try:
            verdict: bool | None = await self.ctx.tool(
                self.config.lab, claim=answer.text, question=question.text
            )
        except LimitExceeded:  # no budget left for the lab: used unchecked
            return None
        return verdict

    async def _blamed(self, asked: list[Question], i: int, answer: Answer) -> int:
        if not self.ctx.can_ask:
            return i
        try:
            reply = await self.ctx.ask(blame_question(asked, i, answer))
        except (ChildFailed, LimitExceeded):
            return i
        part = blamed_part(reply, len(asked))
        return i if part is None else part

    async def _again(self, question: Question, answer: Answer, tries: int) -> Answer:
        for _ in range(tries):
            if not self.ctx.can_ask:
                break
            try:
                answer = await self.ctx.ask(question)
            except (ChildFailed, LimitExceeded):
                break
            if await self._check(question, answer) is not False:
                break
        return answer
