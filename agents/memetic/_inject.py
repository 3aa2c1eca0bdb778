"""Injection: the node ignores its task and answers with a meme (instead or as well)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from agents.memetic._behaviour import Behaviour
from agents.memetic._session import Session
from hch import Answer, Context, Meme, Path, Question

__all__ = ["Inject", "with_memes"]


def with_memes(answer: Answer, memes: list[Meme], mode: Literal["append", "replace"]) -> Answer:
    """``answer`` carrying ``memes``: their lines after its text, or instead of it."""
    if mode == "replace":
        return Answer(text="\n".join(m.text for m in memes), memes=frozenset(m.tag for m in memes))
    new = [m for m in memes if not m.in_answer(answer)]
    if not new:
        return answer
    text = "\n".join([answer.text, *(m.text for m in new)])
    tags = answer.memes | {m.tag for m in new}
    return Answer(text=text, data=answer.data, memes=tags)


class Inject(Behaviour):
    """With probability ``p``, or at the chosen paths, the node answers with ``meme``.

    Attributes:
        meme: What it injects.
        p: Chance a node injects (drawn at every node, also at chosen paths).
        at: Paths that always inject.
        mode: ``replace``: the node ignores its task (asks no child) and answers with the
            meme alone; ``append``: it does its task and adds the meme to its answer.
    """

    kind: ClassVar[str] = "inject"
    rank: ClassVar[int] = 50

    meme: Meme
    p: float = Field(0.0, ge=0, le=1)
    at: frozenset[Path] = frozenset()
    mode: Literal["replace", "append"] = "replace"

    def session(self, ctx: Context) -> Session:
        return _Injecting(self, ctx)


class _Injecting(Session):
    config: Inject

    def __init__(self, config: Inject, ctx: Context) -> None:
        super().__init__(config, ctx)
        fires = self.rng.random() < config.p
        self.fires = fires or ctx.path in config.at

    async def start(self, question: Question) -> Answer | None:
        if not self.fires:
            return None
        self.ctx.note(meme_injected=self.config.meme.tag)
        if self.config.mode == "replace":
            return with_memes(Answer(text=""), [self.config.meme], "replace")
        return None

    async def finish(self, answer: Answer) -> Answer:
        return with_memes(answer, [self.config.meme], "append") if self.fires else answer
