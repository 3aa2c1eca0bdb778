"""Simulated agents with a known error law, so that tree effects can be measured exactly.

``NoisyCalculator`` answers arithmetic questions (``experiments.tasks.arithmetic``).
Two forces pull against each other, which is what makes depth interesting:

* Limited capacity: an expression of ``k`` operations done alone fails each operation
  with probability ``p_error * (1 + (k - 1) / capacity)``. Big problems done alone err more.
* Delegation costs: a node that splits reads each child's answer (misread with
  probability ``p_handoff``) and combines them with one operation of its own (fails with
  ``p_error``). Every hop up the tree is a chance for a new error.

A slip shifts a value by a nonzero amount of at most ``max_slip``. Every slip is noted
on its node (``ctx.note(slips=...)``), so analyses know where errors were born.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from experiments.tasks.arithmetic import Expr, apply, count_ops, parse, question_for, read_int
from hch import AgentError, Answer, Context, Question

__all__ = ["NoisyCalculator"]


class NoisyCalculator(BaseModel):
    """An arithmetic agent that errs by a known law, and splits work when it may ask.

    Attributes:
        p_error: Chance one operation fails when the expression is tiny.
        capacity: Operations it can hold before its error rate climbs (larger is better).
        p_handoff: Chance it misreads a child's answer; None means ``p_error``.
        min_ops_to_split: Split only expressions of at least this many operations.
        max_slip: A slip shifts a value by 1..max_slip, up or down.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "noisy-calculator"
    p_error: float = Field(0.05, ge=0, le=1)
    capacity: float = Field(4.0, gt=0)
    p_handoff: float | None = Field(None, ge=0, le=1)
    min_ops_to_split: int = Field(2, ge=1)
    max_slip: int = Field(3, ge=1)

    async def answer(self, question: Question, ctx: Context) -> Answer:
        expr = _expression(question)
        slips: list[str] = []
        n = count_ops(expr)
        if isinstance(expr, list) and n >= self.min_ops_to_split and self._can_split(expr, ctx):
            value = await self._delegate(expr, ctx, slips)
        else:
            rate = min(1.0, self.p_error * (1 + (n - 1) / self.capacity)) if n else 0.0
            value = self._alone(expr, rate, ctx, slips)
        if slips:
            ctx.note(slips=slips)
        return Answer(text=str(value), data=value)

    def _can_split(self, expr: list[Any], ctx: Context) -> bool:
        wanted = sum(1 for part in expr[1:] if not isinstance(part, int))
        budget = ctx.budget
        return ctx.can_ask and (budget is None or budget >= wanted)

    async def _delegate(self, expr: list[Any], ctx: Context, slips: list[str]) -> int:
        op, left, right = expr
        parts = [part for part in (left, right) if not isinstance(part, int)]
        answers = iter(await ctx.ask_all([question_for(part) for part in parts]))
        p_handoff = self.p_error if self.p_handoff is None else self.p_handoff
        values = []
        for part in (left, right):
            if isinstance(part, int):
                values.append(part)
                continue
            got = read_int(next(answers))
            if got is None:
                raise AgentError(f"a child's answer to {question_for(part).text!r} has no number")
            values.append(self._slip(got, p_handoff, ctx, slips, "handoff"))
        return self._slip(apply(op, *values), self.p_error, ctx, slips, "combine")

    def _alone(self, expr: Expr, rate: float, ctx: Context, slips: list[str]) -> int:
        if isinstance(expr, int):
            return expr
        op, left, right = expr
        a = self._alone(left, rate, ctx, slips)
        b = self._alone(right, rate, ctx, slips)
        return self._slip(apply(op, a, b), rate, ctx, slips, "operation")

    def _slip(self, value: int, p: float, ctx: Context, slips: list[str], kind: str) -> int:
        if p <= 0 or ctx.rng.random() >= p:
            return value
        slips.append(kind)
        shift = ctx.rng.randint(1, self.max_slip)
        return value + (shift if ctx.rng.random() < 0.5 else -shift)


def _expression(question: Question) -> Expr:
    if question.data is not None:
        return question.data
    try:
        return parse(question.text)
    except ValueError as exc:
        raise AgentError(f"noisy-calculator cannot read {question.text!r}: {exc}") from exc
