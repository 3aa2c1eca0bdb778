"""A misbehaviour is a frozen configuration that wraps any agent; composing them."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from agents.memetic._session import Session
from hch import Agent, Answer, Context, Question
from hch.agent import agent_name, describe, to_answer

__all__ = ["Behaviour", "Misbehaving", "misbehave"]


class Behaviour(BaseModel):
    """Base of every misbehaviour: its parameters, and what it does at one node.

    Subclasses set ``kind`` (its name in node records), ``rank`` (where it sits in a
    stack made by ``misbehave``: a higher rank wraps a lower one) and ``session`` (the
    per-node state and hooks).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str] = "behaviour"
    rank: ClassVar[int] = 0

    def session(self, ctx: Context) -> Session:
        return Session(self, ctx)

    async def answer(self, inner: Agent, question: Question, ctx: Context) -> Answer:
        """Answer at one node with ``inner`` doing the task under this behaviour."""
        session = self.session(ctx)
        early = await session.start(question)
        if early is not None:
            return early
        try:
            result: object = await inner.answer(question, session.facade())
        except Exception as exc:
            return await session.failed(exc)
        return await session.finish(to_answer(result, f"agent {agent_name(inner)}"))

    def around(self, agent: Agent) -> Misbehaving:
        """``agent`` with this behaviour."""
        return Misbehaving(inner=agent, behaviour=self)


class Misbehaving(BaseModel):
    """An agent under one behaviour; nodes record it as ``kind(inner name)``."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    inner: Any
    behaviour: Behaviour

    @property
    def name(self) -> str:
        return f"{self.behaviour.kind}({agent_name(self.inner)})"

    async def answer(self, question: Question, ctx: Context) -> Answer:
        return await self.behaviour.answer(self.inner, question, ctx)

    def __repr__(self) -> str:
        return f"{self.behaviour!r}.around({describe(self.inner)})"


def misbehave(agent: Agent, *behaviours: Behaviour) -> Agent:
    """``agent`` under every behaviour given, stacked in their one sensible order.

    From outside in: ``ShiftBlame`` (answers blame follow-ups), ``Inject`` (may ignore
    the task), ``Conceal`` and ``AvoidTests`` (bend what the lab's verdicts do),
    ``Carry`` (memes from children), ``Verify`` (checks children's answers), the agent.
    Wrap by hand with ``Behaviour.around`` for another order.
    """
    kinds = [b.kind for b in behaviours]
    if len(set(kinds)) != len(kinds):
        raise ValueError(f"each behaviour may be given once, got {kinds}")
    stacked: Agent = agent
    for behaviour in sorted(behaviours, key=lambda b: b.rank):
        stacked = behaviour.around(stacked)
    return stacked
