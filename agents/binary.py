"""Binary agents whose errors compose by closed forms (``hch.analysis.theory``).

* ``FlipRelay``: asks one child, passes its bit up, flipped with ``epsilon``; the last
  node of the chain reads the bit from the world. A chain of d hand-offs.
* ``NoisyMajority``: the majority of ``inputs`` children's bits, flipped with
  ``epsilon``; a leaf reads the bit, flipped with ``p_leaf`` (default ``epsilon``).
* ``Broadcast``: the bit flows down: each node sends each of its ``fanout`` children
  the copy it heard, flipped with ``epsilon`` (independently per child). Leaves report
  what they heard; every node answers the majority of the leaves below it (a tie is a
  coin toss) and passes the counts up exactly.

They read questions of ``experiments.tasks.bits`` and note every flip on their node
(``slips=["flip"]``; a broadcasting node notes ``flipped=[child index, ...]``), so
analyses know where errors were born.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.noise import Fallible, Slips
from experiments.tasks.bits import bit_answer, heard, question_for, read_bit, read_question
from hch import AgentError, Answer, Context, Question

__all__ = ["Broadcast", "FlipRelay", "NoisyMajority"]


class _Binary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    epsilon: float = Field(0.1, ge=0, le=1)


def _truth(question: Question, who: str) -> int:
    bit = read_question(question)
    if bit is None:
        raise AgentError(f"{who} reads questions about a bit; {question.text[:80]!r} is not one")
    return bit


def _bits(answers: list[Answer], who: str) -> list[int]:
    bits = [read_bit(a) for a in answers]
    if any(b is None for b in bits):
        raise AgentError(f"{who}: a child's answer gives no bit")
    return [b for b in bits if b is not None]


class FlipRelay(_Binary):
    """Passes its one child's bit up, flipped with ``epsilon``; at the bottom, reads it."""

    name: str = "flip-relay"

    async def answer(self, question: Question, ctx: Context) -> Answer:
        bit = _truth(question, self.name)
        if not Fallible.can_delegate(ctx, 1):
            return bit_answer(bit)
        slips = Slips(ctx, max_slip=1)
        (child,) = _bits([await ctx.ask(question)], self.name)
        bit = 1 - child if slips.happens(self.epsilon, "flip") else child
        slips.note()
        return bit_answer(bit)


class NoisyMajority(_Binary):
    """The majority of ``inputs`` children, flipped with ``epsilon``; a leaf reads the bit.

    Attributes:
        inputs: Children per gate (odd).
        p_leaf: Chance a leaf misreads the bit; None means ``epsilon``.
    """

    name: str = "noisy-majority"
    inputs: int = Field(3, ge=1)
    p_leaf: float | None = Field(None, ge=0, le=1)

    @field_validator("inputs")
    @classmethod
    def _odd(cls, inputs: int) -> int:
        if inputs % 2 == 0:
            raise ValueError(f"a majority needs an odd number of inputs, got {inputs}")
        return inputs

    async def answer(self, question: Question, ctx: Context) -> Answer:
        bit = _truth(question, self.name)
        slips = Slips(ctx, max_slip=1)
        if Fallible.can_delegate(ctx, self.inputs):
            bits = _bits(await ctx.ask_all([question] * self.inputs), self.name)
            bit, p = int(2 * sum(bits) > self.inputs), self.epsilon
        else:
            p = self.epsilon if self.p_leaf is None else self.p_leaf
        if slips.happens(p, "flip"):
            bit = 1 - bit
        slips.note()
        return bit_answer(bit)


class Broadcast(_Binary):
    """Sends each child a copy of the bit it heard (each flipped with ``epsilon``).

    Answers the majority of the leaves below it, with ``data`` holding ``ones`` (leaves
    that heard 1) and ``leaves``, which its parent adds up.

    Attributes:
        fanout: Children per node.
    """

    name: str = "broadcast"
    fanout: int = Field(2, ge=1)

    async def answer(self, question: Question, ctx: Context) -> Answer:
        bit = _truth(question, self.name)
        mine = heard(question)
        if mine is None:
            raise AgentError(f"{self.name}: the question carries no bit it heard")
        if Fallible.can_delegate(ctx, self.fanout):
            flips = [ctx.rng.random() < self.epsilon for _ in range(self.fanout)]
            if any(flips):  # the children whose copy was flipped: where errors were born
                ctx.note(flipped=[i for i, flip in enumerate(flips) if flip])
            copies = [1 - mine if flip else mine for flip in flips]
            answers = await ctx.ask_all([question_for(bit, heard=c) for c in copies])
            counts = [a.data for a in answers]
            if not all(isinstance(c, dict) and {"ones", "leaves"} <= c.keys() for c in counts):
                raise AgentError(f"{self.name}: a child's answer carries no leaf counts")
            ones, leaves = sum(c["ones"] for c in counts), sum(c["leaves"] for c in counts)
        else:
            ones, leaves = mine, 1
        tie = 2 * ones == leaves
        estimate = ctx.rng.randint(0, 1) if tie else int(2 * ones > leaves)
        return bit_answer(estimate, ones=ones, leaves=leaves)
