"""A simulated agent for list sums and sorts (``experiments.tasks.lists``) by the shared law.

A list of ``n`` items is ``n - 1`` units of work. Alone, each addition is off by a
small amount, or each comparison leaves a neighbouring pair swapped, with ``solo_rate``.
When it may ask, it splits the list in halves (a single item needs no child), misreads
each child's answer with ``p_handoff`` and slips in its own combining step (one
addition, or one merge) with ``p_error``. Merging does not re-sort, so a child's
mistake survives the trip up. Slips are noted on the node.
"""

from __future__ import annotations

import heapq

from pydantic import Field

from agents.noise import Fallible, Slips
from experiments.tasks.arithmetic import read_int
from experiments.tasks.lists import ListOp, question_for, read_ints, read_question, solve
from hch import AgentError, Answer, Context, Question

__all__ = ["NoisyLists"]

Value = int | list[int]


class NoisyLists(Fallible):
    """A sum-and-sort agent that errs by a known law, and splits lists when it may ask.

    Attributes:
        min_items_to_split: Split only lists of at least this many items.
    """

    name: str = "noisy-lists"
    min_items_to_split: int = Field(3, ge=2)

    async def answer(self, question: Question, ctx: Context) -> Answer:
        found = read_question(question)
        if found is None:
            raise AgentError(f"noisy-lists reads only list questions, not {question.text!r:.80}")
        op, items = found
        slips = self.slips(ctx)
        halves = [items[: len(items) // 2], items[len(items) // 2 :]]
        wanted = sum(1 for half in halves if len(half) > 1)
        if len(items) >= self.min_items_to_split and self.can_delegate(ctx, wanted):
            value = await self._delegate(op, halves, ctx, slips)
        else:
            value = self._alone(op, items, slips)
        slips.note()
        text = str(value) if isinstance(value, int) else ", ".join(map(str, value))
        return Answer(text=text, data=value)

    async def _delegate(
        self, op: ListOp, halves: list[list[int]], ctx: Context, slips: Slips
    ) -> Value:
        asked = [half for half in halves if len(half) > 1]
        answers = iter(await ctx.ask_all([question_for(op, half) for half in asked]))
        parts = [
            self._slip(self._read(op, next(answers)), self.handoff_rate, "handoff", slips)
            if len(half) > 1
            else solve(op, half)  # a single item: nothing to do, nothing to slip
            for half in halves
        ]
        if op == "sum":
            combined: Value = sum(p for p in parts if isinstance(p, int))
        else:
            combined = list(heapq.merge(*(p for p in parts if isinstance(p, list))))
        return self._slip(combined, self.p_error, "combine", slips)

    def _read(self, op: ListOp, answer: Answer) -> Value:
        value = read_int(answer) if op == "sum" else read_ints(answer)
        if value is None:
            raise AgentError(f"a child's answer {answer.text!r:.80} has no number")
        return value

    def _alone(self, op: ListOp, items: list[int], slips: Slips) -> Value:
        rate = self.solo_rate(len(items) - 1)
        if op == "sum":
            total = items[0] if items else 0
            for item in items[1:]:
                total = slips.number(total + item, rate, "operation")
            return total
        ordered = sorted(items)
        for i in range(len(ordered) - 1):
            if slips.happens(rate, "operation"):
                ordered[i], ordered[i + 1] = ordered[i + 1], ordered[i]
        return ordered

    def _slip(self, value: Value, p: float, kind: str, slips: Slips) -> Value:
        if isinstance(value, int):
            return slips.number(value, p, kind)
        if len(value) < 2 or not slips.happens(p, kind):
            return value
        i = slips.ctx.rng.randrange(len(value) - 1)
        return [*value[:i], value[i + 1], value[i], *value[i + 2 :]]
