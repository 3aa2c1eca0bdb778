"""The node contract: the Agent protocol and the Context that is a node's whole world."""

from __future__ import annotations

import inspect
import math
import random
import types
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

import anyio

from hch.errors import (
    AgentError,
    BudgetExhausted,
    ChildFailed,
    DepthLimitExceeded,
    FanoutLimitExceeded,
    ToolNotGranted,
)
from hch.model import (
    Answer,
    Event,
    Exchange,
    Node,
    NodeError,
    Note,
    Path,
    Question,
    Status,
    ToolCall,
    format_path,
)
from hch.seeding import derive_seed

if TYPE_CHECKING:
    from hch.scheduler import TreeRun

T = TypeVar("T")

__all__ = [
    "Agent",
    "Child",
    "Context",
    "FunctionAgent",
    "Policy",
    "agent",
    "agent_name",
    "as_policy",
    "by_depth",
    "describe",
    "to_answer",
]


@runtime_checkable
class Agent(Protocol):
    """Anything that answers a question at a node. Implement this."""

    async def answer(self, question: Question, ctx: Context) -> Answer: ...


class Policy(Protocol):
    """Chooses the agent for a node from its depth and path (teams, IDA, adversaries)."""

    def __call__(self, depth: int, path: Path) -> Agent: ...


AgentFunction = Callable[[Question, "Context"], Awaitable[Answer | str] | Answer | str]


def to_answer(value: object, who: object) -> Answer:
    """Take an Answer as it is and a str as ``Answer(text=...)``; refuse anything else.

    ``who`` names the agent in the error message (anything that prints as a name).
    """
    if isinstance(value, Answer):
        return value
    if isinstance(value, str):
        return Answer(text=value)
    raise AgentError(
        f"{who} returned {type(value).__name__} {value!r:.80}; expected an Answer or str"
    )


class FunctionAgent:
    """An agent made from a plain function ``fn(question, ctx)``, sync or async."""

    def __init__(self, fn: AgentFunction, name: str | None = None) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "function")

    async def answer(self, question: Question, ctx: Context) -> Answer:
        result = self.fn(question, ctx)
        if inspect.isawaitable(result):
            result = await result
        if type(result) is Answer:
            return result
        return to_answer(result, f"agent {self.name} at {format_path(ctx.path)}")

    def __repr__(self) -> str:
        return f"FunctionAgent({self.name})"


def agent(fn: AgentFunction | None = None, *, name: str | None = None) -> Any:
    """Make an agent from a function; usable as ``@agent`` or ``@agent(name=...)``."""
    if fn is None:
        return lambda f: FunctionAgent(f, name)
    return FunctionAgent(fn, name)


def agent_name(a: object) -> str:
    """The name a node records for its agent: ``a.name`` or the class name."""
    name = getattr(a, "name", None)
    return name if isinstance(name, str) else type(a).__name__


def describe(obj: object) -> str:
    """How a tree's header names its agent or policy: stable across runs and processes.

    ``repr()`` unless that is the default one, whose memory address would make two
    identical runs differ; then the qualified name of the function or class.
    """
    if isinstance(obj, types.FunctionType | types.MethodType | type):
        return f"{obj.__module__}.{obj.__qualname__}"
    if type(obj).__repr__ is object.__repr__:
        return f"{type(obj).__module__}.{type(obj).__qualname__}"
    return repr(obj)


class _Fixed:
    """The policy of a tree that uses one agent everywhere."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent

    def __call__(self, depth: int, path: Path) -> Agent:
        return self.agent

    def __repr__(self) -> str:
        return describe(self.agent)


class _ByDepth:
    def __init__(self, agents: Mapping[int, Agent], default: Agent | None) -> None:
        self.agents = dict(agents)
        self.default = default

    def __call__(self, depth: int, path: Path) -> Agent:
        chosen = self.agents.get(depth, self.default)
        if chosen is None:
            raise AgentError(f"by_depth policy has no agent for depth {depth} and no default")
        return chosen

    def __repr__(self) -> str:
        agents = ", ".join(f"{d}: {describe(a)}" for d, a in self.agents.items())
        default = describe(self.default) if self.default is not None else None
        return f"by_depth({{{agents}}}, default={default})"


def by_depth(agents: Mapping[int, Agent], default: Agent | None = None) -> Policy:
    """A policy that picks an agent per depth (e.g. a stronger agent at the root)."""
    return _ByDepth(agents, default)


def as_policy(agent_or_policy: Agent | Policy | AgentFunction) -> Policy:
    """Accept an agent, an async function (taken as an agent) or a policy callable."""
    if isinstance(agent_or_policy, Agent):
        return _Fixed(agent_or_policy)
    if inspect.iscoroutinefunction(agent_or_policy):
        return _Fixed(FunctionAgent(agent_or_policy))  # type: ignore[arg-type]
    if callable(agent_or_policy):
        return agent_or_policy  # type: ignore[return-value]
    raise AgentError(
        f"{agent_or_policy!r} is neither an agent (no async answer(question, ctx) method) "
        "nor a policy (a callable (depth, path) -> agent)"
    )


def _as_question(q: Question | str) -> Question:
    return q if isinstance(q, Question) else Question(text=q)


class Context:
    """Everything a node may see and do. Passed explicitly to ``Agent.answer``.

    Attributes:
        question: The question this node is answering.
        path: This node's id; ``depth == len(path)``.
        history: Earlier turns when this node answers a follow-up (strong HCH).
    """

    __slots__ = (
        "_asked",
        "_clock",
        "_clock_left",
        "_events",
        "_given",
        "_reserved",
        "_rng",
        "_run",
        "_used",
        "_waiting",
        "history",
        "path",
        "question",
    )

    def __init__(
        self,
        run: TreeRun,
        path: Path,
        question: Question,
        given: int | None,
        history: tuple[Exchange, ...] = (),
    ) -> None:
        self._run = run
        self.path = path
        self.question = question
        self.history = history
        self._given = given
        self._reserved = 0
        self._used = 0
        self._asked = 0
        self._events: list[Event] | None = None
        self._rng: random.Random | None = None
        self._clock: anyio.CancelScope | None = None  # node_timeout's scope, if any
        self._clock_left = 0.0
        self._waiting = 0

    # -- what the node can see -------------------------------------------------------
    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def seed(self) -> int:
        """The run's seed."""
        return self._run.seed

    @property
    def rng(self) -> random.Random:
        """A random generator seeded from (run seed, path): reproducible, never timed."""
        if self._rng is None:
            self._rng = random.Random(derive_seed(self._run.seed, self.path))
        return self._rng

    @property
    def budget(self) -> int | None:
        """Nodes this node may still hand to children (None = unbounded)."""
        if self._given is None:
            return None
        return self._given - 1 - self._reserved - self._used

    @property
    def can_ask(self) -> bool:
        """Whether one more ``ask`` would pass every limit."""
        left = self.children_left
        return left is None or left > 0

    @property
    def children_left(self) -> int | None:
        """How many more children every limit still allows at once (None = no bound)."""
        limits = self._run.limits
        if len(self.path) >= limits.max_depth:
            return 0
        left = self.budget
        if limits.max_children is not None:
            fanout = limits.max_children - self._asked
            left = fanout if left is None or fanout < left else left
        return None if left is None else max(0, left)

    # -- asking children --------------------------------------------------------------
    async def ask(self, question: Question | str, *, budget: int | None = None) -> Answer:
        """Ask a new child; raises ``ChildFailed`` if it does not answer."""
        return await self._ask_one(_as_question(question), budget, (), None)

    async def ask_all(
        self, questions: Iterable[Question | str], *, budget: int | None = None
    ) -> list[Answer]:
        """Ask several new children concurrently; answers come back in order.

        Without ``budget`` each child gets an equal share of what is left. If any child
        fails, ``ChildFailed`` names the first in order and carries every answer.
        """
        qs = [_as_question(q) for q in questions]
        if not qs:
            return []
        shares = self._reserve(len(qs), budget)
        first = self._asked
        self._asked += len(qs)
        children = self._run.run_children(
            self,
            [
                ((*self.path, first + i), q, s)
                for i, (q, s) in enumerate(zip(qs, shares, strict=True))
            ],
        )
        nodes = await (children if self._clock is None else self._waiting_for(children))
        answers = [n.answer if n.status is Status.OK else None for n in nodes]
        for node in nodes:
            if node.status is not Status.OK:
                raise ChildFailed(node.path, node.status, node.error, answers)
        return answers  # type: ignore[return-value]

    def child(self) -> Child:
        """A handle on one child that keeps the conversation for follow-up questions."""
        return Child(self)

    async def _ask_one(
        self,
        question: Question,
        budget: int | None,
        history: tuple[Exchange, ...],
        follows: int | None,
    ) -> Answer:
        (share,) = self._reserve(1, budget)
        index = self._asked
        self._asked += 1
        child = self._run.run_node(
            (*self.path, index), question, share, history, follows, parent=self
        )
        node = await (child if self._clock is None else self._waiting_for(child))
        if node.status is not Status.OK or node.answer is None:
            raise ChildFailed(node.path, node.status, node.error)
        return node.answer

    async def _waiting_for(self, children: Awaitable[T]) -> T:
        """Await children with this node's own clock stopped.

        ``node_timeout`` bounds a node's own work, so each child's timeout fires before
        its parent's and reaches the parent as a ``ChildFailed`` it can handle.
        """
        clock = self._clock
        assert clock is not None
        if not self._waiting:
            self._clock_left = clock.deadline - anyio.current_time()
            clock.deadline = math.inf
        self._waiting += 1
        try:
            return await children
        finally:
            self._waiting -= 1
            if not self._waiting:
                clock.deadline = anyio.current_time() + self._clock_left

    def _reserve(self, n: int, budget: int | None) -> list[int | None]:
        limits = self._run.limits
        where = _Where(self.path)  # formatted only if an error message needs it
        if self.depth >= limits.max_depth:
            raise DepthLimitExceeded(
                f"node {where} is at depth {self.depth} = max_depth {limits.max_depth}; "
                "it cannot ask"
            )
        if limits.max_children is not None and self._asked + n > limits.max_children:
            raise FanoutLimitExceeded(
                f"node {where} asked {self._asked} and wants {n} more children; "
                f"max_children is {limits.max_children}"
            )
        left = self.budget
        if left is None:
            if budget is not None and budget < 1:
                raise BudgetExhausted(f"node {where}: a child needs a budget of at least 1")
            if budget is not None:
                self._reserved += budget * n
            return [budget] * n
        share = left // n if budget is None else budget
        if share < 1 or share * n > left:
            raise BudgetExhausted(
                f"node {where} has {left} budget left; {n} children of budget "
                f"{max(share, 1)} do not fit"
            )
        self._reserved += share * n
        return [share] * n

    def _settle(self, share: int | None, node: Node) -> None:
        """Take back a finished child's share and charge what it used.

        The scheduler calls this as the child's node is recorded, on every path
        (cancellation too), so a node's ``budget_used`` is 1 plus its children's.
        """
        if share is not None:
            self._reserved -= share
        self._used += node.budget_used

    # -- tools and notes -------------------------------------------------------------
    async def tool(self, name: str, /, **args: Any) -> Any:
        """Call a tool the run granted; the call and its result are recorded.

        A tool with a ``cost`` attribute (an int) uses that much of this node's budget
        per call, as a child would; ``BudgetExhausted`` if too little is left.
        """
        fn = self._run.tools.get(name)
        if fn is None:
            raise ToolNotGranted(
                f"node {format_path(self.path)} called tool {name!r}; "
                f"granted: {sorted(self._run.tools) or 'none'}"
            )
        cost = getattr(fn, "cost", 0)
        if cost:
            left = self.budget
            if left is not None and cost > left:
                raise BudgetExhausted(
                    f"node {format_path(self.path)} has {left} budget left; "
                    f"tool {name!r} costs {cost}"
                )
            self._used += cost
        try:
            result = fn(**args)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            self.record(ToolCall(name=name, args=args, error=NodeError.from_exception(exc)))
            raise
        self.record(ToolCall(name=name, args=args, result=result))
        return result

    def note(self, **fields: Any) -> None:
        """Annotate this node in the trace."""
        self.record(Note(fields=fields))

    def record(self, event: Event) -> None:
        """Attach an event (a model call, a tool call, a note) to this node."""
        if self._events is None:
            self._events = []
        self._events.append(event)


class _Where:
    """A node path that formats itself as ``root.1.2`` only when printed."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path = path

    def __str__(self) -> str:
        return format_path(self.path)


class Child:
    """One child kept across turns: each follow-up sees the whole exchange so far."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._history: list[Exchange] = []
        self._last: int | None = None

    @property
    def history(self) -> tuple[Exchange, ...]:
        return tuple(self._history)

    async def ask(self, question: Question | str, *, budget: int | None = None) -> Answer:
        q = _as_question(question)
        index = self._ctx._asked
        answer = await self._ctx._ask_one(q, budget, self.history, self._last)
        self._last = index
        self._history.append(Exchange(question=q, answer=answer))
        return answer
