"""Simulated agents with a known error law, so that tree effects can be measured exactly.

``NoisyCalculator`` answers arithmetic questions (``experiments.tasks.arithmetic``) by
the law of ``agents.noise``: an expression of ``k`` operations done alone fails each
operation with ``solo_rate(k)``; a node that splits misreads each child's answer with
``p_handoff`` and fails its own combining operation with ``p_error``. A slip shifts a
value by a nonzero amount of at most ``max_slip``. Every slip is noted on its node
(``ctx.note(slips=...)``), so analyses know where errors were born.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from agents.noise import Fallible, Slips
from experiments.tasks.arithmetic import (
    Expr,
    apply,
    count_ops,
    is_expression,
    parse,
    question_for,
    read_int,
)
from hch import AgentError, Answer, Context, Question

__all__ = ["NoisyCalculator"]


class NoisyCalculator(Fallible):
    """An arithmetic agent that errs by a known law, and splits work when it may ask.

    Attributes:
        min_ops_to_split: Split only expressions of at least this many operations.
    """

    name: str = "noisy-calculator"
    min_ops_to_split: int = Field(2, ge=1)

    async def answer(self, question: Question, ctx: Context) -> Answer:
        expr = _expression(question)
        slips = self.slips(ctx)
        n = count_ops(expr)
        if (
            isinstance(expr, list)
            and n >= self.min_ops_to_split
            and self.can_delegate(ctx, sum(1 for part in expr[1:] if not isinstance(part, int)))
        ):
            value = await self._delegate(expr, ctx, slips)
        else:
            value = self._alone(expr, self.solo_rate(n), slips)
        slips.note()
        return Answer(text=str(value), data=value)

    async def _delegate(self, expr: list[Any], ctx: Context, slips: Slips) -> int:
        op, left, right = expr
        parts = [part for part in (left, right) if not isinstance(part, int)]
        answers = iter(await ctx.ask_all([question_for(part) for part in parts]))
        values = []
        for part in (left, right):
            if isinstance(part, int):
                values.append(part)
                continue
            got = read_int(next(answers))
            if got is None:
                raise AgentError(f"a child's answer to {question_for(part).text!r} has no number")
            values.append(slips.number(got, self.handoff_rate, "handoff"))
        return slips.number(apply(op, *values), self.p_error, "combine")

    def _alone(self, expr: Expr, rate: float, slips: Slips) -> int:
        if isinstance(expr, int):
            return expr
        op, left, right = expr
        a = self._alone(left, rate, slips)
        b = self._alone(right, rate, slips)
        return slips.number(apply(op, a, b), rate, "operation")


def _expression(question: Question) -> Expr:
    """The expression a question carries in ``data``, or else spells out in its text."""
    if is_expression(question.data):
        return question.data
    try:
        return parse(question.text)
    except ValueError as exc:
        raise AgentError(
            f"noisy-calculator reads arithmetic expressions (task arithmetic); "
            f"{question.text!r:.80} is not one"
        ) from exc
