"""The seam every misbehaviour uses: a per-node session, and the Context facade over it.

A behaviour wraps an inner agent. At each node it opens a ``Session`` (its run-time
state there) and hands the inner agent a ``Facade``: a Context-like object that
forwards everything to the node's real Context, except that children's answers pass
through ``Session.received`` on their way back, and tool calls through
``Session.tool``. Built on the public Context API only.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any, cast

from hch import Answer, ChildFailed, Context, Exchange, Path, Question

__all__ = ["Facade", "FacadeChild", "Session", "as_question"]


def as_question(q: Question | str) -> Question:
    return q if isinstance(q, Question) else Question(text=q)


class Session:
    """One behaviour at one node. Override the hooks; each default changes nothing.

    Attributes:
        config: The behaviour's configuration.
        ctx: The Context the behaviour was given (the node's, or an outer facade).
        rng: This behaviour's own draws at this node. It is seeded by one draw from
            ``ctx.rng`` (so by run seed and path) taken before the inner agent runs,
            whatever the behaviour's parameters: the inner agent's draws are then the
            same in every arm of a study that uses the same stack of behaviours.
    """

    def __init__(self, config: Any, ctx: Context) -> None:
        self.config = config
        self.ctx = ctx
        self.rng = random.Random(ctx.rng.getrandbits(64))

    async def start(self, question: Question) -> Answer | None:
        """An answer that replaces the inner agent's work entirely, or None to run it."""
        return None

    async def received(self, asked: list[Question], answers: list[Answer]) -> list[Answer]:
        """Children's answers, in the order asked, as the inner agent will see them."""
        return answers

    async def tool(self, name: str, args: dict[str, Any]) -> Any:
        """A tool call of the inner agent; its result as the inner agent will see it."""
        return await self.ctx.tool(name, **args)

    async def finish(self, answer: Answer) -> Answer:
        """The node's answer, from the inner agent's."""
        return answer

    async def failed(self, exc: Exception) -> Answer:
        """The node's answer when the inner agent raised ``exc`` (default: raise it)."""
        raise exc

    def facade(self) -> Context:
        """The Context the inner agent gets (typed as one: it offers the same API)."""
        return cast(Context, Facade(self))


class Facade:
    """Context-like: forwards to ``session.ctx``; answers and tool results pass the session."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def question(self) -> Question:
        return self._session.ctx.question

    @property
    def path(self) -> Path:
        return self._session.ctx.path

    @property
    def history(self) -> tuple[Exchange, ...]:
        return self._session.ctx.history

    @property
    def depth(self) -> int:
        return self._session.ctx.depth

    @property
    def rng(self) -> random.Random:
        return self._session.ctx.rng

    @property
    def budget(self) -> int | None:
        return self._session.ctx.budget

    @property
    def can_ask(self) -> bool:
        return self._session.ctx.can_ask

    @property
    def children_left(self) -> int | None:
        return self._session.ctx.children_left

    async def ask(self, question: Question | str, *, budget: int | None = None) -> Answer:
        q = as_question(question)
        answer = await self._session.ctx.ask(q, budget=budget)
        return (await self._session.received([q], [answer]))[0]

    async def ask_all(
        self, questions: Iterable[Question | str], *, budget: int | None = None
    ) -> list[Answer]:
        qs = [as_question(q) for q in questions]
        try:
            answers = await self._session.ctx.ask_all(qs, budget=budget)
        except ChildFailed as exc:
            if exc.answers is None:
                raise
            got = [(i, a) for i, a in enumerate(exc.answers) if a is not None]
            seen = await self._session.received([qs[i] for i, _ in got], [a for _, a in got])
            passed: list[Answer | None] = [None] * len(qs)
            for (i, _), a in zip(got, seen, strict=True):
                passed[i] = a
            raise ChildFailed(exc.path, exc.status, exc.error, passed) from exc
        return await self._session.received(qs, answers)

    def child(self) -> FacadeChild:
        return FacadeChild(self._session, self._session.ctx.child())

    async def tool(self, name: str, /, **args: Any) -> Any:
        return await self._session.tool(name, args)

    def note(self, **fields: Any) -> None:
        self._session.ctx.note(**fields)

    def record(self, event: Any) -> None:
        self._session.ctx.record(event)

    def __getattr__(self, name: str) -> Any:
        # Anything else the Context offers (now or later) is the node's own.
        return getattr(self._session.ctx, name)


class FacadeChild:
    """A child handle for follow-ups whose answers pass the session too."""

    def __init__(self, session: Session, child: Any) -> None:
        self.session = session
        self.handle = child

    @property
    def history(self) -> tuple[Exchange, ...]:
        history: tuple[Exchange, ...] = self.handle.history
        return history

    async def ask(self, question: Question | str, *, budget: int | None = None) -> Answer:
        q = as_question(question)
        answer = await self.handle.ask(q, budget=budget)
        return (await self.session.received([q], [answer]))[0]
