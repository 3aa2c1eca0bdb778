"""run_tree(): the recursive, bounded scheduler on anyio (asyncio or trio, unchanged)."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import math
import random
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path as FilePath
from typing import Any, NoReturn, TypeVar

import anyio
import anyio.lowlevel

from hch.agent import (
    Agent,
    AgentFunction,
    Policy,
    agent_name,
    as_policy,
    describe,
    spec_of,
    to_answer,
)
from hch.compact import compact
from hch.context import Context
from hch.errors import (
    BudgetExhausted,
    ChildFailed,
    DepthLimitExceeded,
    FanoutLimitExceeded,
    LimitExceeded,
    NotRecorded,
    PointerError,
    ToolNotGranted,
)
from hch.gc_policy import relaxed_gc
from hch.hashing import canonical_json
from hch.limits import Limits
from hch.loop import run_sync
from hch.model import (
    Answer,
    Content,
    Event,
    Exchange,
    Hold,
    Intervention,
    Node,
    NodeError,
    Note,
    Path,
    PointerId,
    Question,
    Spec,
    Status,
    ToolCall,
    Tree,
    TreeHeader,
    Unlock,
    format_path,
)
from hch.pointers import held_pointer, task_pointer
from hch.recording import RecordedCall, ReplayPlan
from hch.seeding import derive_seed
from hch.trace import TraceWriter
from hch.version import __version__

__all__ = ["NodeRun", "TreeRun", "execute", "run", "run_tree"]

T = TypeVar("T")
_MISSING = object()

START_BATCH = 256
"""Children started between two checkpoints when a node asks very many at once."""

DEFAULT_PARALLEL = 1000
"""``max_parallel`` unless a run says otherwise: ample for trees waiting on models, and
beyond it children run depth-first, which keeps a tree of any size in bounded memory and
runs big trees about twice as fast as starting every child at once (2^17 nodes: 69k
against 33k nodes/s, ``benchmarks/engine.py``)."""

INLINE_LEVELS = 32
"""Nodes that may run one inside another in one task before a child gets a fresh task."""

Tool = Callable[..., Any]


class NodeRun:
    """The engine's record of one running node: its budget, children, clock and events.

    Only the scheduler reads or writes it; the node's agent sees it through its Context.
    """

    __slots__ = (
        "asked",
        "clock",
        "clock_left",
        "events",
        "given",
        "hand",
        "held",
        "history",
        "inline",
        "path",
        "question",
        "reserved",
        "rng",
        "used",
        "waiting",
    )

    def __init__(
        self,
        path: Path,
        question: Question,
        given: int | None,
        history: tuple[Exchange, ...],
        inline: int,
    ) -> None:
        self.path = path
        self.inline = inline  # ancestors run in this node's task (bounds the stack)
        self.question = question
        self.history = history
        self.given = given
        self.reserved = 0  # shares handed to children still running
        self.used = 0  # what finished children (and priced tools) used
        self.asked = 0
        self.events: list[Event] | None = None
        self.rng: random.Random | None = None
        self.clock: anyio.CancelScope | None = None  # node_timeout's scope, if any
        self.clock_left = 0.0
        self.waiting = 0  # children being awaited; the clock stops while > 0
        self.hand: dict[PointerId, bool] | None = None  # pointers held -> unlocked; lazy
        self.held = 0  # content this node put in the tree's keeping


class TreeRun:
    """The state of one tree while it runs: it runs nodes and keeps their books.

    Implements ``hch.context.Engine``: every Context of the tree forwards to it.
    """

    def __init__(
        self,
        *,
        limits: Limits,
        seed: int,
        policy: Policy,
        tools: Mapping[str, Tool],
        interventions: Mapping[Path, Answer],
        sink: TraceWriter | None,
        record: bool,
        max_parallel: int | None = None,
        plan: ReplayPlan | None = None,
    ) -> None:
        self.limits = limits
        self.plan = plan  # a replay: what to reuse from the recording, what to run again
        self.reused = 0  # recorded nodes taken over unchanged
        self.live_calls = 0  # model calls a replay made anew
        self.reused_paths: set[Path] = set()
        self.missing: NotRecorded | None = None  # a call a replay needed and could not make
        self.slots = max_parallel  # sibling subtrees that may still start in tasks of their own
        self.seed = seed
        self.policy = policy
        self.tools = tools
        self.interventions = dict(interventions)
        self.sink = sink
        self.record_all = record
        self.nodes: list[Node] = []
        self.content: dict[PointerId, Content] = {}  # what the tree holds behind pointers
        self.sessions: dict[Hashable, Any] = {}
        self.origin = time.perf_counter()
        self.cancelled = anyio.get_cancelled_exc_class()
        self.on_asyncio = self.cancelled is asyncio.CancelledError
        self.deadline = None if limits.tree_timeout is None else self.origin + limits.tree_timeout

    # -- what a Context asks of the engine ---------------------------------------------
    def budget(self, node: NodeRun) -> int | None:
        if node.given is None:
            return None
        return node.given - 1 - node.reserved - node.used

    def children_left(self, node: NodeRun) -> int | None:
        limits = self.limits
        if len(node.path) >= limits.max_depth or (self.plan and node.path in self.plan.cut):
            return 0
        left = self.budget(node)
        if limits.max_children is not None:
            fanout = limits.max_children - node.asked
            left = fanout if left is None or fanout < left else left
        return None if left is None else max(0, left)

    def rng(self, node: NodeRun) -> random.Random:
        if node.rng is None:
            node.rng = random.Random(derive_seed(self.seed, node.path))
        return node.rng

    def session(self, key: Hashable, factory: Callable[[], Any]) -> Any:
        found = self.sessions.get(key, _MISSING)
        if found is _MISSING:
            found = self.sessions[key] = factory()
        return found

    def replayed(self, node: NodeRun, model: str, request: dict[str, Any]) -> RecordedCall | None:
        plan = self.plan
        if plan is None:
            return None
        found = plan.calls.take(node.path, model, request)
        if found is not None:
            return found
        if not plan.live:
            self.missing = NotRecorded(
                f"node {format_path(node.path)}: the recording has no call to {model} with "
                f"this request, and the replay may make none (replay with live=True to make "
                f"it): {canonical_json(request)[:300]}"
            )
            raise self.missing
        self.live_calls += 1
        return None

    def record(self, node: NodeRun, event: Event) -> None:
        if node.events is None:
            node.events = []
        node.events.append(event)

    # -- pointers ----------------------------------------------------------------------
    def pointers(self, node: NodeRun) -> dict[PointerId, bool]:
        """The pointers ``node`` holds, each mapped to whether it saw the content."""
        hand = node.hand
        if hand is None:
            hand = node.hand = dict.fromkeys(node.question.pointers, False)
            for turn in node.history:
                for pointer in (*turn.question.pointers, *turn.answer.pointers):
                    hand.setdefault(pointer, False)
        return hand

    def unlock(self, node: NodeRun, pointer: PointerId) -> Content:
        hand = self.pointers(node)
        seen = hand.get(pointer)
        if seen is None:
            raise PointerError(
                f"node {format_path(node.path)} cannot unlock {pointer}: it does not hold it"
            )
        content = self._content(pointer)
        if not seen:
            cost = self.limits.unlock_cost
            left = self.budget(node)
            if left is not None and cost > left:
                raise BudgetExhausted(
                    f"node {format_path(node.path)} has {left} budget left; unlocking "
                    f"{pointer} costs {cost}"
                )
            node.used += cost
            hand[pointer] = True
            for inner in content.pointers:
                hand.setdefault(inner, False)
            self.record(node, Unlock(pointer=pointer, cost=cost))
        return content

    def hold(self, node: NodeRun, content: Content) -> PointerId:
        self._holds(node, content.pointers, "holds content with")
        node.held += 1
        pointer = held_pointer(node.path, node.held)
        self.content[pointer] = content
        self.pointers(node)[pointer] = True  # its maker has seen it
        self.record(node, Hold(pointer=pointer, content=content))
        return pointer

    def _content(self, pointer: PointerId) -> Content:
        found = self.content.get(pointer)
        if found is None:
            raise PointerError(f"pointer {pointer} names no content this tree holds")
        return found

    def _holds(self, node: NodeRun, pointers: Sequence[PointerId], doing: str) -> None:
        """PointerError unless ``node`` holds every one of ``pointers``."""
        if not pointers:
            return
        hand = self.pointers(node)
        for pointer in pointers:
            if pointer not in hand:
                raise PointerError(
                    f"node {format_path(node.path)} {doing} pointer {pointer}, "
                    f"which it does not hold"
                )

    def _passes(self, node: NodeRun, question: Question) -> None:
        """PointerError unless ``node`` may send ``question`` to a child."""
        if question.parts:
            raise PointerError(
                f"node {format_path(node.path)} asks a question with parts: only the root "
                f"question has parts; hold content with ctx.hold and pass its pointer"
            )
        self._holds(node, question.pointers, "asks with")

    def _receives(self, node: NodeRun, answer: Answer) -> None:
        """``node`` now holds the pointers of a child's answer."""
        hand = self.pointers(node)
        for pointer in answer.pointers:
            hand.setdefault(pointer, False)

    # -- children ----------------------------------------------------------------------
    async def ask_all(
        self, node: NodeRun, questions: list[Question], budget: int | None
    ) -> list[Answer]:
        if not questions:
            return []
        for question in questions:
            if question.pointers or question.parts:
                self._passes(node, question)
        try:
            shares = self._reserve(node, len(questions), budget)
        except LimitExceeded as exc:
            await self._refuse(exc)
        first = node.asked
        node.asked += len(questions)
        path = node.path
        children = self._run_children(
            node,
            [
                ((*path, first + i), q, s)
                for i, (q, s) in enumerate(zip(questions, shares, strict=True))
            ],
        )
        done = await (children if node.clock is None else self._waiting_for(node, children))
        answers = [n.answer if n.status is Status.OK else None for n in done]
        for answer in answers:
            if answer is not None and answer.pointers:
                self._receives(node, answer)
        for child in done:
            if child.status is not Status.OK:
                raise ChildFailed(child.path, child.status, child.error, answers)
        return answers  # type: ignore[return-value]

    async def ask(
        self,
        node: NodeRun,
        question: Question,
        budget: int | None,
        history: tuple[Exchange, ...],
        follows: int | None,
    ) -> tuple[int, Answer]:
        if question.pointers or question.parts:
            self._passes(node, question)
        try:
            (share,) = self._reserve(node, 1, budget)
        except LimitExceeded as exc:
            await self._refuse(exc)
        index = node.asked
        node.asked += 1
        child = self._run_child(node, (*node.path, index), question, share, history, follows)
        done = await (child if node.clock is None else self._waiting_for(node, child))
        if done.status is not Status.OK or done.answer is None:
            raise ChildFailed(done.path, done.status, done.error)
        if done.answer.pointers:
            self._receives(node, done.answer)
        return index, done.answer

    async def tool(self, node: NodeRun, name: str, args: dict[str, Any]) -> Any:
        fn = self.tools.get(name)
        where = format_path(node.path)
        if fn is None:
            raise ToolNotGranted(
                f"node {where} called tool {name!r}; granted: {sorted(self.tools) or 'none'}"
            )
        cost = getattr(fn, "cost", 0)
        if cost:
            left = self.budget(node)
            if left is not None and cost > left:
                raise BudgetExhausted(
                    f"node {where} has {left} budget left; tool {name!r} costs {cost}"
                )
            node.used += cost
        try:
            result = fn(**args)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            self.record(node, ToolCall(name=name, args=args, error=NodeError.from_exception(exc)))
            raise
        self.record(node, ToolCall(name=name, args=args, result=result))
        return result

    # -- budget --------------------------------------------------------------------------
    @staticmethod
    async def _refuse(exc: LimitExceeded) -> NoReturn:
        """Raise a refusal to ask, at a point where cancellation is delivered: an agent
        that keeps asking past a limit and catching the error, with no other await,
        still ends when its tree or node times out."""
        await anyio.lowlevel.checkpoint()
        raise exc

    def _reserve(self, node: NodeRun, n: int, budget: int | None) -> list[int | None]:
        """Shares for ``n`` new children of ``node``, or a LimitExceeded naming the limit."""
        limits = self.limits
        depth = len(node.path)
        where = _Where(node.path)  # formatted only if an error message needs it
        if depth >= limits.max_depth:
            raise DepthLimitExceeded(
                f"node {where} is at depth {depth} = max_depth {limits.max_depth}; it cannot ask"
            )
        if self.plan is not None and node.path in self.plan.cut:
            raise DepthLimitExceeded(f"node {where} is cut by an intervention; it cannot ask")
        if limits.max_children is not None and node.asked + n > limits.max_children:
            raise FanoutLimitExceeded(
                f"node {where} asked {node.asked} and wants {n} more children; "
                f"max_children is {limits.max_children}"
            )
        left = self.budget(node)
        if left is None:
            if budget is not None and budget < 1:
                raise BudgetExhausted(f"node {where}: a child needs a budget of at least 1")
            if budget is not None:
                node.reserved += budget * n
            return [budget] * n
        share = left // n if budget is None else budget
        if share < 1 or share * n > left:
            raise BudgetExhausted(
                f"node {where} has {left} budget left; {n} children of budget "
                f"{max(share, 1)} do not fit"
            )
        node.reserved += share * n
        return [share] * n

    @staticmethod
    def _settle(parent: NodeRun, share: int | None, child: Node) -> None:
        """Take back a finished child's share and charge what it used.

        Called as the child's node is recorded, on every path (cancellation too), so a
        node's ``budget_used`` is 1 plus its children's.
        """
        if share is not None:
            parent.reserved -= share
        parent.used += child.budget_used

    # -- the clock -------------------------------------------------------------------------
    async def _waiting_for(self, node: NodeRun, children: Awaitable[T]) -> T:
        """Await children with ``node``'s own clock stopped.

        ``node_timeout`` bounds a node's own work, so each child's timeout fires before
        its parent's and reaches the parent as a ``ChildFailed`` it can handle.
        """
        clock = node.clock
        assert clock is not None
        if not node.waiting:
            node.clock_left = clock.deadline - anyio.current_time()
            clock.deadline = math.inf
        node.waiting += 1
        try:
            return await children
        finally:
            node.waiting -= 1
            if not node.waiting:
                clock.deadline = anyio.current_time() + node.clock_left

    # -- running nodes ---------------------------------------------------------------------
    def _run_child(
        self,
        parent: NodeRun,
        path: Path,
        question: Question,
        given: int | None,
        history: tuple[Exchange, ...] = (),
        follows: int | None = None,
    ) -> Awaitable[Node]:
        """One child, run in ``parent``'s own task (no task to create) unless
        ``INLINE_LEVELS`` ancestors already do: then in a fresh task, to bound the stack."""
        inline = parent.inline + 1
        if inline < INLINE_LEVELS:
            return self.run_node(path, question, given, history, follows, parent, inline)
        fresh = self.run_node(path, question, given, history, follows, parent, 0)
        if self.on_asyncio:
            return asyncio.ensure_future(fresh)
        return self._in_new_task(fresh)

    @staticmethod
    async def _in_new_task(child: Awaitable[Node]) -> Node:
        done: list[Node] = []

        async def run() -> None:
            done.append(await child)

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
        return done[0]

    def _run_children(
        self, parent: NodeRun, specs: Sequence[tuple[Path, Question, int | None]]
    ) -> Awaitable[list[Node]]:
        """Run new children of ``parent`` concurrently; nodes come back in the order given.

        On asyncio the first child runs in the parent's own task and the others under a
        bare ``gather``: an anyio task group costs several times the rest of a node, and
        its guarantees are not needed because ``run_node`` raises only when cancelled,
        and a cancelled gather cancels every child and waits for them (so each records
        its node) before it re-raises. Very many children start in batches instead.
        """
        if self.slots is not None:
            return self._bounded(parent, specs)
        if self.on_asyncio and len(specs) <= START_BATCH:
            return self._first_inline(parent, specs)
        return self._run_children_in_group(parent, specs)

    async def _bounded(
        self, parent: NodeRun, specs: Sequence[tuple[Path, Question, int | None]]
    ) -> list[Node]:
        """Children in depth-first order, with at most ``max_parallel`` sibling subtrees
        running in tasks of their own across the tree.

        The parent runs its children one after another in its own task, and hands one to
        a task of its own only while a slot is free; it never waits for a slot, so
        nothing can deadlock (a node waiting for its children holds nothing they need).
        What is pending at once is then about ``(max_parallel + 1) * depth`` nodes, not
        the whole tree. Results are by path, so the order changes no answer.
        """
        results: list[Node | None] = [None] * len(specs)
        queue = deque(range(len(specs)))

        async def in_own_task(i: int) -> None:
            path, question, share = specs[i]
            try:
                results[i] = await self.run_node(path, question, share, (), None, parent)
            finally:
                self.slots += 1  # type: ignore[operator]

        async def in_turn(start: Callable[[int], object]) -> None:
            while queue:
                while len(queue) > 1 and self.slots:
                    self.slots -= 1
                    start(queue.pop())
                i = queue.popleft()
                path, question, share = specs[i]
                results[i] = await self._run_child(parent, path, question, share)

        if not self.on_asyncio:
            async with anyio.create_task_group() as tg:
                await in_turn(lambda i: tg.start_soon(in_own_task, i))
            return results  # type: ignore[return-value]
        # On asyncio, bare tasks: a task group per node would cost more than the node.
        tasks: list[asyncio.Future[None]] = []
        try:
            await in_turn(lambda i: tasks.append(asyncio.ensure_future(in_own_task(i))))
        except BaseException:  # cancelled: the others record their nodes before we go
            for task in tasks:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*tasks)
            raise
        if tasks:
            await asyncio.gather(*tasks)
        return results  # type: ignore[return-value]

    async def _first_inline(
        self, parent: NodeRun, specs: Sequence[tuple[Path, Question, int | None]]
    ) -> list[Node]:
        (path, question, share), rest = specs[0], specs[1:]
        if not rest:
            return [await self._run_child(parent, path, question, share)]
        others = asyncio.gather(*[self.run_node(p, q, s, (), None, parent) for p, q, s in rest])
        try:
            head = await self._run_child(parent, path, question, share)
        except BaseException:  # cancelled: the others record their nodes before we go
            others.cancel()
            with contextlib.suppress(BaseException):
                await others
            raise
        return [head, *await others]

    async def _run_children_in_group(
        self, parent: NodeRun, specs: Sequence[tuple[Path, Question, int | None]]
    ) -> list[Node]:
        if len(specs) == 1:
            path, q, share = specs[0]
            return [await self._run_child(parent, path, q, share)]
        results: list[Node | None] = [None] * len(specs)

        async def one(i: int, path: Path, q: Question, share: int | None) -> None:
            results[i] = await self.run_node(path, q, share, (), None, parent)

        async with anyio.create_task_group() as tg:
            for i, (path, q, share) in enumerate(specs):
                tg.start_soon(one, i, path, q, share)
                if i % START_BATCH == START_BATCH - 1:
                    await anyio.lowlevel.checkpoint()  # a timeout can stop a huge fan-out
        return results  # type: ignore[return-value]

    async def run_node(
        self,
        path: Path,
        question: Question,
        given: int | None,
        history: tuple[Exchange, ...] = (),
        follows: int | None = None,
        parent: NodeRun | None = None,
        inline: int = 0,
    ) -> Node:
        """Run one node to its end, record it and settle its budget with ``parent``.

        Never raises but for cancellation.
        """
        if self.plan is not None and not self.plan.must_run(path):
            reused = self._reuse(path, question, given, follows, parent)
            if reused is not None:
                return reused
        start = time.perf_counter() - self.origin
        node = NodeRun(path, question, given, history, inline)
        name = "?"
        answer: Answer | None = None
        status = Status.OK
        error: NodeError | None = None
        try:
            agent = self.policy(len(path), path)
            name = agent_name(agent)
            answer = self.interventions.get(path) if self.interventions else None
            if answer is not None:
                self.record(node, Note(fields={"intervention": True}))
                for pointer in answer.pointers:
                    self._content(pointer)
            else:
                seen = question.model_copy(update={"parts": ()}) if question.parts else question
                ctx = Context(self, node, path, seen, history)
                timeout = self.limits.node_timeout
                if timeout is None:
                    result: object = await agent.answer(seen, ctx)
                else:
                    with anyio.fail_after(timeout) as node.clock:
                        result = await agent.answer(seen, ctx)
                    if anyio.current_time() > node.clock.deadline:
                        raise TimeoutError  # overran without yielding (blocking work)
                answer = result if type(result) is Answer else to_answer(result, _Who(name, path))
                if answer.pointers:
                    self._holds(node, answer.pointers, "answers with")
        except (self.cancelled, KeyboardInterrupt):  # trio raises Ctrl-C inside the node
            self._finish(
                node, name, None, Status.CANCELLED, self._cancel_reason(), follows, start, parent
            )
            raise
        except TimeoutError as exc:
            status, error = Status.CANCELLED, _timeout_error(exc, path, self.limits)
        except LimitExceeded as exc:
            status, error = Status.LIMITED, NodeError.from_exception(exc)
        except Exception as exc:
            status, error = Status.FAILED, NodeError.from_exception(exc)
        answer = answer if status is Status.OK else None
        return self._finish(node, name, answer, status, error, follows, start, parent)

    def _reuse(
        self,
        path: Path,
        question: Question,
        given: int | None,
        follows: int | None,
        parent: NodeRun | None,
    ) -> Node | None:
        """The recorded node at ``path`` with its whole subtree, taken over unchanged, if
        it was asked exactly what it is asked now (question, budget, earlier turns)."""
        assert self.plan is not None
        old = self.plan.recording.get(path)
        if (
            old is None
            or old.question != question
            or old.budget_given != given
            or old.follows != follows
            or (follows is not None and (*path[:-1], follows) not in self.reused_paths)
        ):
            return None
        subtree = self.plan.recording.subtree(path)
        for done in subtree:
            for event in done.events:
                if isinstance(event, Hold):
                    self.content[event.pointer] = event.content
        if self.record_all:
            self.nodes.extend(subtree)
        elif not path:
            self.nodes.append(old)
        if self.sink is not None:
            for done in subtree:
                self.sink.write_node(done)
        self.reused += len(subtree)
        self.reused_paths.add(path)
        if parent is not None:
            self._settle(parent, given, old)
        return old

    def _cancel_reason(self) -> NodeError:
        if self.deadline is not None and time.perf_counter() >= self.deadline - 0.01:
            return NodeError(
                type="TreeTimeout",
                message=f"the tree took longer than tree_timeout={self.limits.tree_timeout}s",
            )
        return NodeError(type="Cancelled", message="cancelled before it answered")

    def _finish(
        self,
        node: NodeRun,
        name: str,
        answer: Answer | None,
        status: Status,
        error: NodeError | None,
        follows: int | None,
        start: float,
        parent: NodeRun | None,
    ) -> Node:
        # Shares reserved for children that never started (cancelled first) used nothing.
        done = Node.unchecked(
            path=node.path,
            agent=name,
            question=compact(node.question),
            answer=None if answer is None else compact(answer),
            status=status,
            error=error,
            follows=follows,
            n_children=node.asked,
            budget_given=node.given,
            budget_used=1 + node.used,
            start=round(start, 6),
            end=round(time.perf_counter() - self.origin, 6),
            events=() if node.events is None else tuple(node.events),
        )
        if self.record_all or not node.path:
            self.nodes.append(done)
        if self.sink is not None:
            self.sink.write_node(done)
        if parent is not None:
            self._settle(parent, node.given, done)
        return done


class _Where:
    """A node path that formats itself as ``root.1.2`` only when printed."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path = path

    def __str__(self) -> str:
        return format_path(self.path)


class _Who:
    """Names an agent at a node (``agent fan at root.0``), formatted only if printed."""

    __slots__ = ("name", "path")

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path

    def __str__(self) -> str:
        return f"agent {self.name} at {format_path(self.path)}"


def _timeout_error(exc: TimeoutError, path: Path, limits: Limits) -> NodeError:
    if limits.node_timeout is not None:
        return NodeError(
            type="NodeTimeout",
            message=f"node {format_path(path)} took longer than "
            f"node_timeout={limits.node_timeout}s",
        )
    return NodeError.from_exception(exc)


async def run_tree(
    question: Question | str,
    agent: Agent | Policy | AgentFunction,
    *,
    limits: Limits | None = None,
    seed: int = 0,
    trace: str | FilePath | None = None,
    tools: Mapping[str, Tool] | None = None,
    interventions: Mapping[Path, Answer] | None = None,
    task: str | None = None,
    truth: Any = None,
    meta: Mapping[str, Any] | None = None,
    record: bool = True,
    max_parallel: int | None = DEFAULT_PARALLEL,
    spec: Spec | None = None,
) -> Tree:
    """Run one tree and return it, streaming every finished node to ``trace`` if given.

    Args:
        question: The root question.
        agent: One agent for every node, an async function, or a policy
            ``(depth, path) -> Agent``.
        limits: Hard bounds; ``Limits()`` if omitted.
        seed: Seeds every node's ``ctx.rng`` together with its path.
        trace: JSONL file to stream the tree to (crash-safe: a cut-off file still loads).
        tools: Channels nodes may call with ``ctx.tool(name, ...)``.
        interventions: ``{path: Answer}`` answers forced at those nodes (counterfactuals;
            ``hch.replay`` asks them of a recorded tree without running it again).
        task, truth, meta: Stored in the header for later scoring.
        record: Keep every node in the returned Tree (False keeps only the root).
        max_parallel: Bound memory by running children depth-first, with at most this
            many sibling subtrees in tasks of their own at once across the tree (None:
            every child starts at once). With ``record=False`` a tree then runs in
            bounded memory whatever its size. Answers never depend on it.
        spec: How to rebuild the agent, for the header (default: ``spec_of(agent)``);
            studies give their experiment's trial instead.
    """
    limits = limits or Limits()
    policy = as_policy(agent)
    forced = dict(interventions or {})
    header = TreeHeader(
        run_id=uuid.uuid4().hex,
        seed=seed,
        limits=limits,
        agent=describe(policy),
        spec=spec or spec_of(policy),
        interventions=[Intervention(path=p, answer=a) for p, a in sorted(forced.items())],
        question=question if isinstance(question, Question) else Question(text=question),
        task=task,
        truth=truth,
        package_version=__version__,
        meta=dict(meta or {}),
    )
    tree, _ = await execute(
        header,
        policy,
        tools=tools or {},
        answers=forced,
        trace=trace,
        record=record,
        max_parallel=max_parallel,
    )
    return tree


async def execute(
    header: TreeHeader,
    policy: Policy,
    *,
    tools: Mapping[str, Tool],
    answers: Mapping[Path, Answer],
    trace: str | FilePath | None,
    record: bool,
    max_parallel: int | None,
    plan: ReplayPlan | None = None,
) -> tuple[Tree, TreeRun]:
    """Run the tree ``header`` describes; the tree and its run's books (``run_tree`` and
    ``hch.replay`` both come here)."""
    if max_parallel is not None and max_parallel < 0:
        raise ValueError(f"max_parallel must be >= 0 or None, not {max_parallel}")
    limits = header.limits
    sink = TraceWriter(trace, header) if trace is not None else None
    run = TreeRun(
        limits=limits,
        seed=header.seed,
        policy=policy,
        tools=tools,
        interventions=answers,
        sink=sink,
        record=record,
        max_parallel=max_parallel,
        plan=plan,
    )
    for k, part in enumerate(header.question.parts, 1):
        run.content[task_pointer(k)] = part
    complete = False
    try:
        timeout = limits.tree_timeout
        with relaxed_gc(), anyio.move_on_after(timeout) if timeout is not None else nullcontext():
            await run.run_node((), header.question, limits.budget)
        complete = True
    finally:
        duration = round(time.perf_counter() - run.origin, 6)
        if sink is not None:
            sink.close(duration if complete else None)
    return Tree(header=header, nodes=run.nodes, complete=complete, duration=duration), run


def run(
    question: Question | str,
    agent: Agent | Policy | AgentFunction,
    *,
    backend: str = "asyncio",
    **options: Any,
) -> Tree:
    """Synchronous ``run_tree`` on a fresh event loop (``backend``: asyncio or trio).

    Works where a loop already runs (a notebook), though there ``await run_tree(...)``
    is the direct way.
    """
    trees: list[Tree] = []

    async def main() -> None:
        # The tree is not the main task's result: Python 3.11's asyncio.Runner formats
        # that task (result included) when it restores the SIGINT handler.
        trees.append(await run_tree(question, agent, **options))

    run_sync(main, backend=backend)
    return trees[0]
