"""A simulated agent for multi-hop lookup (``experiments.tasks.lookup``) by the shared law.

Alone, it follows a chain of ``k`` relations and names the wrong person at each hop with
``solo_rate(k)``. When it may ask, it splits the chain in two and asks one child for the
first half, then another for the rest starting from the person the first one named: it
misreads each child's answer with ``p_handoff`` and writes the wrong person into the
follow-up question with ``p_error``. Slips are noted on the node.
"""

from __future__ import annotations

from pydantic import Field

from agents.noise import Fallible, Slips
from experiments.tasks.lookup import Facts, question_for, read_name, read_question, resolve
from hch import AgentError, Answer, Context, Question

__all__ = ["NoisyLookup"]


class NoisyLookup(Fallible):
    """A lookup agent that errs by a known law, and splits chains when it may ask.

    Attributes:
        min_hops_to_split: Split only chains of at least this many relations.
    """

    name: str = "noisy-lookup"
    min_hops_to_split: int = Field(2, ge=2)

    async def answer(self, question: Question, ctx: Context) -> Answer:
        found = read_question(question)
        if found is None:
            raise AgentError(f"noisy-lookup reads only lookup questions, not {question.text!r:.80}")
        facts, start, chain = found
        slips = self.slips(ctx)
        if len(chain) >= self.min_hops_to_split and self.can_delegate(ctx, 2):
            person = await self._delegate(facts, start, chain, ctx, slips)
        else:
            person = self._alone(facts, start, chain, slips)
        slips.note()
        return Answer(text=person, data=person)

    async def _delegate(
        self, facts: Facts, start: str, chain: list[str], ctx: Context, slips: Slips
    ) -> str:
        half = len(chain) // 2
        budget = ctx.budget
        first = await ctx.ask(
            question_for(facts, start, chain[:half]), budget=None if budget is None else budget // 2
        )
        middle = self._read(first, facts, slips)
        middle = slips.other(middle, list(facts), self.p_error, "combine")
        rest = await ctx.ask(question_for(facts, middle, chain[half:]))
        return self._read(rest, facts, slips)

    def _read(self, answer: Answer, facts: Facts, slips: Slips) -> str:
        person = read_name(answer, list(facts))
        if person is None:
            raise AgentError(f"a child's answer {answer.text!r:.80} names nobody in the facts")
        return slips.other(person, list(facts), self.handoff_rate, "handoff")

    def _alone(self, facts: Facts, start: str, chain: list[str], slips: Slips) -> str:
        rate = self.solo_rate(len(chain))
        person = start
        for relation in chain:
            person = slips.other(resolve(facts, person, [relation]), list(facts), rate, "hop")
        return person
