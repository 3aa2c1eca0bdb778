"""run_tree(): the recursive, bounded scheduler on anyio (asyncio or trio, unchanged)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path as FilePath
from typing import Any

import anyio

from hch.agent import (
    Agent,
    AgentFunction,
    Context,
    Policy,
    agent_name,
    as_policy,
    describe,
    to_answer,
)
from hch.errors import LimitExceeded
from hch.limits import Limits
from hch.loop import run_sync
from hch.model import (
    Answer,
    Event,
    Exchange,
    Node,
    NodeError,
    Path,
    Question,
    Status,
    Tree,
    TreeHeader,
    format_path,
)
from hch.trace import TraceWriter
from hch.version import __version__

__all__ = ["TreeRun", "run", "run_tree"]

Tool = Callable[..., Any]


class TreeRun:
    """The state of one tree while it runs. Contexts call back into it to spawn children."""

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
    ) -> None:
        self.limits = limits
        self.seed = seed
        self.policy = policy
        self.tools = dict(tools)
        self.interventions = dict(interventions)
        self.sink = sink
        self.record = record
        self.nodes: list[Node] = []
        self.origin = time.perf_counter()
        self.cancelled = anyio.get_cancelled_exc_class()
        self.on_asyncio = self.cancelled is asyncio.CancelledError
        self.deadline = None if limits.tree_timeout is None else self.origin + limits.tree_timeout

    def run_children(
        self, parent: Context, specs: Sequence[tuple[Path, Question, int | None]]
    ) -> Awaitable[list[Node]]:
        """Run new children of ``parent`` concurrently; nodes come back in the order given.

        On asyncio this is a bare ``gather`` (returned, not awaited here, to save a
        coroutine per node): an anyio task group costs several times the rest of a
        node, and its extra guarantees are not needed because ``run_node`` raises only
        when cancelled, and a cancelled gather cancels every child and waits for them
        (so each records its node) before it re-raises.
        """
        if self.on_asyncio:
            return asyncio.gather(*[self.run_node(p, q, s, parent=parent) for p, q, s in specs])
        return self._run_children(parent, specs)

    async def _run_children(
        self, parent: Context, specs: Sequence[tuple[Path, Question, int | None]]
    ) -> list[Node]:
        if len(specs) == 1:
            path, q, share = specs[0]
            return [await self.run_node(path, q, share, parent=parent)]
        results: list[Node | None] = [None] * len(specs)

        async def one(i: int, path: Path, q: Question, share: int | None) -> None:
            results[i] = await self.run_node(path, q, share, parent=parent)

        async with anyio.create_task_group() as tg:
            for i, (path, q, share) in enumerate(specs):
                tg.start_soon(one, i, path, q, share)
        return results  # type: ignore[return-value]

    async def run_node(
        self,
        path: Path,
        question: Question,
        given: int | None,
        history: tuple[Exchange, ...] = (),
        follows: int | None = None,
        parent: Context | None = None,
    ) -> Node:
        """Run one node to its end, record it and settle its budget with ``parent``.

        Never raises but for cancellation.
        """
        start = time.perf_counter() - self.origin
        ctx = Context(self, path, question, given, history)
        name = "?"
        answer: Answer | None = None
        status = Status.OK
        error: NodeError | None = None
        try:
            agent = self.policy(len(path), path)
            name = agent_name(agent)
            answer = self.interventions.get(path) if self.interventions else None
            if answer is not None:
                ctx.note(intervention=True)
            else:
                timeout = self.limits.node_timeout
                if timeout is None:
                    result: object = await agent.answer(question, ctx)
                else:
                    with anyio.fail_after(timeout) as ctx._clock:
                        result = await agent.answer(question, ctx)
                answer = result if type(result) is Answer else to_answer(result, _Who(name, path))
        except self.cancelled:
            self._finish(
                ctx, name, None, Status.CANCELLED, self._cancel_reason(), follows, start, parent
            )
            raise
        except TimeoutError as exc:
            status, error = Status.CANCELLED, _timeout_error(exc, path, self.limits)
        except LimitExceeded as exc:
            status, error = Status.LIMITED, NodeError.from_exception(exc)
        except Exception as exc:
            status, error = Status.FAILED, NodeError.from_exception(exc)
        answer = answer if status is Status.OK else None
        return self._finish(ctx, name, answer, status, error, follows, start, parent)

    def _cancel_reason(self) -> NodeError:
        if self.deadline is not None and time.perf_counter() >= self.deadline - 0.01:
            return NodeError(
                type="TreeTimeout",
                message=f"the tree took longer than tree_timeout={self.limits.tree_timeout}s",
            )
        return NodeError(type="Cancelled", message="cancelled before it answered")

    def _finish(
        self,
        ctx: Context,
        name: str,
        answer: Answer | None,
        status: Status,
        error: NodeError | None,
        follows: int | None,
        start: float,
        parent: Context | None,
    ) -> Node:
        # Shares reserved for children that never started (cancelled first) used nothing.
        events: list[Event] = ctx._events or []
        node = Node._trusted(
            {
                "path": ctx.path,
                "agent": name,
                "question": ctx.question,
                "answer": answer,
                "status": status,
                "error": error,
                "follows": follows,
                "n_children": ctx._asked,
                "budget_given": ctx._given,
                "budget_used": 1 + ctx._used,
                "start": round(start, 6),
                "end": round(time.perf_counter() - self.origin, 6),
                "events": events,
            }
        )
        if self.record or not ctx.path:
            self.nodes.append(node)
        if self.sink is not None:
            self.sink.write_node(node)
        if parent is not None:
            parent._settle(ctx._given, node)
        return node


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
        interventions: ``{path: Answer}`` answers forced at those nodes (counterfactuals).
        task, truth, meta: Stored in the header for later scoring.
        record: Keep every node in the returned Tree (False keeps only the root).
    """
    limits = limits or Limits()
    q = question if isinstance(question, Question) else Question(text=question)
    policy = as_policy(agent)
    header = TreeHeader(
        run_id=uuid.uuid4().hex,
        seed=seed,
        limits=limits,
        agent=describe(policy),
        question=q,
        task=task,
        truth=truth,
        package_version=__version__,
        meta=dict(meta or {}),
    )
    sink = TraceWriter(trace, header) if trace is not None else None
    run = TreeRun(
        limits=limits,
        seed=seed,
        policy=policy,
        tools=tools or {},
        interventions=interventions or {},
        sink=sink,
        record=record,
    )
    complete = False
    try:
        timeout = limits.tree_timeout
        with anyio.move_on_after(timeout) if timeout is not None else nullcontext():
            await run.run_node((), q, limits.budget)
        complete = True
    finally:
        duration = round(time.perf_counter() - run.origin, 6)
        if sink is not None:
            sink.close(duration if complete else None)
    return Tree(header=header, nodes=run.nodes, complete=complete, duration=duration)


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
