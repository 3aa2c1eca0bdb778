"""The Context: everything a node may see and do, passed explicitly to ``Agent.answer``.

A Context is a thin facade. The scheduler keeps each node's bookkeeping (budget
reserved and used, children asked, its clock, its events) in its own record, and a
Context only forwards to the engine that owns that record (the ``Engine`` protocol
below), so what agents can do is exactly the public methods here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Coroutine, Hashable, Iterable
from typing import Any, Protocol, TypeVar, cast

from hch.limits import Limits
from hch.model import Answer, Content, Event, Exchange, Note, Path, PointerId, Question
from hch.recording import RecordedCall

__all__ = ["Child", "Context", "Engine"]

T = TypeVar("T")


class Engine(Protocol):
    """What a Context forwards to: the scheduler of the running tree implements it.

    ``node`` is the engine's own record of one node; a Context holds it without reading it.
    """

    seed: int
    limits: Limits

    def budget(self, node: Any) -> int | None: ...

    def children_left(self, node: Any) -> int | None: ...

    def rng(self, node: Any) -> random.Random: ...

    def ask_all(
        self, node: Any, questions: list[Question], budget: int | None
    ) -> Coroutine[Any, Any, list[Answer]]: ...

    async def ask(
        self,
        node: Any,
        question: Question,
        budget: int | None,
        history: tuple[Exchange, ...],
        follows: int | None,
    ) -> tuple[int, Answer]: ...

    async def tool(self, node: Any, name: str, args: dict[str, Any]) -> Any: ...

    def record(self, node: Any, event: Event) -> None: ...

    def session(self, key: Hashable, factory: Callable[[], Any]) -> Any: ...

    def replayed(self, node: Any, model: str, request: dict[str, Any]) -> RecordedCall | None: ...

    def hold(self, node: Any, content: Content) -> PointerId: ...

    def unlock(self, node: Any, pointer: PointerId) -> Content: ...

    def pointers(self, node: Any) -> dict[PointerId, bool]: ...


def as_question(q: Question | str) -> Question:
    """A Question as it is; a str as ``Question(text=...)``."""
    return q if isinstance(q, Question) else Question(text=q)


class Context:
    """Everything a node may see and do. Passed explicitly to ``Agent.answer``.

    Attributes:
        question: The question this node is answering.
        path: This node's id; ``depth == len(path)``.
        history: Earlier turns when this node answers a follow-up (strong HCH).
    """

    __slots__ = ("_engine", "_node", "history", "path", "question")

    def __init__(
        self,
        engine: Engine,
        node: Any,
        path: Path,
        question: Question,
        history: tuple[Exchange, ...] = (),
    ) -> None:
        self._engine = engine
        self._node = node
        self.path = path
        self.question = question
        self.history = history

    # -- what the node can see -------------------------------------------------------
    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def seed(self) -> int:
        """The run's seed."""
        return self._engine.seed

    @property
    def limits(self) -> Limits:
        """The tree's limits (what an unlock costs is ``limits.unlock_cost``)."""
        return self._engine.limits

    @property
    def rng(self) -> random.Random:
        """A random generator seeded from (run seed, path): reproducible, never timed."""
        return self._engine.rng(self._node)

    @property
    def budget(self) -> int | None:
        """Nodes this node may still hand to children (None = unbounded)."""
        return self._engine.budget(self._node)

    @property
    def children_left(self) -> int | None:
        """How many more children every limit still allows at once (None = no bound)."""
        return self._engine.children_left(self._node)

    @property
    def can_ask(self) -> bool:
        """Whether one more ``ask`` would pass every limit."""
        left = self._engine.children_left(self._node)
        return left is None or left > 0

    # -- asking children --------------------------------------------------------------
    async def ask(self, question: Question | str, *, budget: int | None = None) -> Answer:
        """Ask a new child; raises ``ChildFailed`` if it does not answer."""
        _, answer = await self._engine.ask(self._node, as_question(question), budget, (), None)
        return answer

    def ask_all(
        self, questions: Iterable[Question | str], *, budget: int | None = None
    ) -> Coroutine[Any, Any, list[Answer]]:
        """Ask several new children concurrently; await it for their answers, in order.

        Without ``budget`` each child gets an equal share of what is left. If any child
        fails, ``ChildFailed`` names the first in order and carries every answer.
        (A plain method returning the engine's coroutine: one frame less per node.)
        """
        qs = [as_question(q) for q in questions]
        return self._engine.ask_all(self._node, qs, budget)

    def child(self) -> Child:
        """A handle on one child that keeps the conversation for follow-up questions."""
        return Child(self)

    # -- pointers ----------------------------------------------------------------------
    @property
    def pointers(self) -> tuple[PointerId, ...]:
        """The pointers this node holds, in the order it met them: its question's, its
        children's answers', those inside content it unlocked, and its own."""
        return tuple(self._engine.pointers(self._node))

    def unlocked(self, pointer: PointerId) -> bool:
        """Whether this node has seen what ``pointer`` holds (unlocked it, or made it)."""
        return self._engine.pointers(self._node).get(pointer, False)

    def unlock(self, pointer: PointerId) -> Content:
        """Show this node what ``pointer`` holds; its pointers are then held too.

        The first unlock of a pointer uses ``Limits.unlock_cost`` of the budget (later
        ones are free) and is recorded. Raises ``PointerError`` for a pointer this node
        does not hold, ``BudgetExhausted`` when too little budget is left.
        """
        return self._engine.unlock(self._node, pointer)

    def hold(
        self,
        content: Content | str,
        *,
        data: Any = None,
        memes: Iterable[str] = (),
        pointers: Iterable[PointerId] = (),
    ) -> PointerId:
        """Put content in the tree's keeping and get a pointer to it, to pass to a
        child or up to the parent. ``$1`` in its text stands for its first pointer
        (each must be one this node holds). Free; recorded."""
        if not isinstance(content, Content):
            content = Content(
                text=content, data=data, memes=frozenset(memes), pointers=tuple(pointers)
            )
        return self._engine.hold(self._node, content)

    # -- tools and notes -------------------------------------------------------------
    async def tool(self, name: str, /, **args: Any) -> Any:
        """Call a tool the run granted; the call and its result are recorded.

        A tool with a ``cost`` attribute (an int) uses that much of this node's budget
        per call, as a child would; ``BudgetExhausted`` if too little is left.
        """
        return await self._engine.tool(self._node, name, args)

    def note(self, **fields: Any) -> None:
        """Annotate this node in the trace."""
        self._engine.record(self._node, Note(fields=fields))

    def record(self, event: Event) -> None:
        """Attach an event (a model call, a tool call, a note) to this node."""
        self._engine.record(self._node, event)

    def replayed(self, model: str, request: dict[str, Any]) -> RecordedCall | None:
        """When this tree replays a recording: the call the recording made here with this
        request (every attempt, for the agent to record again as it was). None when the
        tree is not a replay, or the replay may make the call anew (``live=True``).

        Raises:
            NotRecorded: the replay may make no new call and the recording has none.
        """
        return self._engine.replayed(self._node, model, request)

    def session(self, key: Hashable, factory: Callable[[], T]) -> T:
        """The object ``factory()`` made for ``key`` when a node of this tree first asked.

        Where an agent keeps what it learns while one tree runs (say, that its server
        rejects JSON-schema output): its configuration stays immutable, and two trees
        sharing the agent never see each other's state.
        """
        return cast(T, self._engine.session(key, factory))


class Child:
    """One child kept across turns: each follow-up sees the whole exchange so far."""

    __slots__ = ("_ctx", "_history", "_last")

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._history: list[Exchange] = []
        self._last: int | None = None

    @property
    def history(self) -> tuple[Exchange, ...]:
        return tuple(self._history)

    async def ask(self, question: Question | str, *, budget: int | None = None) -> Answer:
        q = as_question(question)
        ctx = self._ctx
        index, answer = await ctx._engine.ask(ctx._node, q, budget, self.history, self._last)
        self._last = index
        self._history.append(Exchange(question=q, answer=answer))
        return answer
