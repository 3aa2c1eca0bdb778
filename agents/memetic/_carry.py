"""Carrying: a parent that receives a meme passes it upward if the meme persuades it."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from agents.memetic._behaviour import Behaviour
from agents.memetic._inject import with_memes
from agents.memetic._session import Session
from hch import Answer, ChildFailed, Context, LimitExceeded, Meme, Question, memes_in

__all__ = ["Carry", "strip_memes"]


def strip_memes(answer: Answer, tags: frozenset[str], known: dict[str, Meme]) -> Answer:
    """``answer`` without the memes ``tags``: their tags, and their lines of text."""
    text = answer.text
    for tag in sorted(tags):
        if tag in known:
            text = known[tag].strip(text)
    return Answer(text=text, data=answer.data, memes=answer.memes - tags)


def _empty(answer: Answer) -> bool:
    return answer.data is None and not answer.text.strip()


class Carry(Behaviour):
    """Memes in children's answers persuade the node, which then passes them upward.

    Each child's answer that carries a meme persuades the node, independently, with
    probability ``persuasiveness * (1 - scepticism)``; one persuasion is enough. The
    inner agent sees its children's answers with every meme taken out, so it does its
    task on the task's content; the memes that persuaded the node are put back into its
    answer. With ``test``, the node first checks each meme it would carry with the lab
    (``ctx.tool(lab, claim=meme text)``) and drops those the lab calls false.

    Attributes:
        memes: The memes it recognises (by tag, or by canary in text). Tags it does not
            know persuade no one, and are taken out like the others.
        scepticism: In [0, 1]; 1 is never persuaded.
        mode: ``append``: its answer plus the memes; ``replace``: the memes alone (it
            abandons its task for them).
        test: Check a meme with the lab before carrying it.
        lab: The name the lab was granted under.
        redo: Ask again, once, a question whose answer was nothing but a meme the node
            did not carry (a meme-only answer leaves the task undone).
    """

    kind: ClassVar[str] = "carry"
    rank: ClassVar[int] = 20

    memes: tuple[Meme, ...] = ()
    scepticism: float = Field(0.0, ge=0, le=1)
    mode: Literal["append", "replace"] = "append"
    test: bool = False
    lab: str = "lab"
    redo: bool = True

    def carry_rate(self, meme: Meme) -> float:
        """Chance one carrying answer persuades this node (before any lab test)."""
        return meme.persuasiveness * (1 - self.scepticism)

    def session(self, ctx: Context) -> Session:
        return _Carrying(self, ctx)


class _Carrying(Session):
    config: Carry

    def __init__(self, config: Carry, ctx: Context) -> None:
        super().__init__(config, ctx)
        self.known = {m.tag: m for m in config.memes}
        self.carried: dict[str, Meme] = {}
        self.rejected: dict[str, str] = {}
        self.verdicts: dict[str, bool | None] = {}

    async def received(self, asked: list[Question], answers: list[Answer]) -> list[Answer]:
        seen = []
        for question, answer in zip(asked, answers, strict=True):
            kept = await self._take(answer)
            if self.config.redo and _empty(kept) and not _empty(answer) and not self._abandons():
                kept = await self._again(question, kept)
            seen.append(kept)
        return seen

    async def _take(self, answer: Answer) -> Answer:
        """Let each meme in ``answer`` try to persuade; the answer without its memes."""
        tags = memes_in(answer, self.config.memes)
        for tag in sorted(tags):
            meme = self.known.get(tag)
            persuaded = self.rng.random() < (self.config.carry_rate(meme) if meme else 0.0)
            if meme is None or not persuaded or tag in self.carried:
                continue
            if self.config.test and not await self._passes(meme):
                self.rejected[tag] = "lab"
                continue
            self.carried[tag] = meme
        return strip_memes(answer, tags, self.known) if tags else answer

    async def _passes(self, meme: Meme) -> bool:
        if meme.tag not in self.verdicts:
            try:
                verdict = await self.ctx.tool(self.config.lab, claim=meme.text)
            except LimitExceeded:  # no budget left to test: carried untested
                verdict = None
            self.verdicts[meme.tag] = verdict
        return self.verdicts[meme.tag] is not False

    async def _again(self, question: Question, kept: Answer) -> Answer:
        if not self.ctx.can_ask:
            return kept
        try:
            return await self._take(await self.ctx.ask(question))
        except (ChildFailed, LimitExceeded):
            return kept

    def _abandons(self) -> bool:
        return self.config.mode == "replace" and bool(self.carried)

    def _carrying(self) -> list[Meme]:
        if self.carried or self.rejected:
            self.ctx.note(memes_carried=sorted(self.carried), memes_rejected=self.rejected)
        return list(self.carried.values())

    async def finish(self, answer: Answer) -> Answer:
        carried = self._carrying()
        return with_memes(answer, carried, self.config.mode) if carried else answer

    async def failed(self, exc: Exception) -> Answer:
        if self._abandons():  # the task was abandoned for the memes anyway
            return with_memes(Answer(text=""), self._carrying(), "replace")
        raise exc
