"""Hard limits hold for every agent, also those that never yield to the event loop.

``ask`` and ``ask_all`` are points where cancellation is delivered, even when they refuse
at once; a node that overran its ``node_timeout`` without yielding (blocking work) is
recorded as timed out; a node asking very many children at once starts them in batches a
timeout can stop. Each property runs on asyncio and trio.
"""

from __future__ import annotations

import contextlib
import time

from hypothesis import given, settings
from hypothesis import strategies as st

import hch
from hch import ChildFailed, Context, LimitExceeded, Limits, Question, Status, Tree

SETTINGS = settings(max_examples=12, deadline=None)
backends = st.sampled_from(["asyncio", "trio"])


async def ask_past_the_limit_forever(question: Question, ctx: Context) -> str:
    """Asks although it may not, catches the refusal, and asks again: never awaits else."""
    while True:
        with contextlib.suppress(LimitExceeded):
            await ctx.ask("x")


async def reask_whenever_a_child_fails(question: Question, ctx: Context) -> str:
    while True:
        try:
            return (await ctx.ask("x")).text
        except (ChildFailed, LimitExceeded):
            continue


def timed_out(tree: Tree, kind: str) -> bool:
    error = tree.root.error
    return tree.root.status is Status.CANCELLED and error is not None and error.type == kind


@SETTINGS
@given(backend=backends, depth=st.integers(0, 2), agent=st.sampled_from([0, 1]))
def test_agents_that_loop_on_ask_end_at_the_tree_timeout(
    backend: str, depth: int, agent: int
) -> None:
    chosen = (ask_past_the_limit_forever, reask_whenever_a_child_fails)[agent]
    limits = Limits(max_depth=depth, tree_timeout=0.2)
    tree = hch.run("q", chosen, limits=limits, backend=backend)
    assert timed_out(tree, "TreeTimeout")
    assert all(n.depth <= depth for n in tree)


@SETTINGS
@given(backend=backends, children=st.integers(300, 20_000))
def test_asking_very_many_children_at_once_is_bounded_by_the_tree_timeout(
    backend: str, children: int
) -> None:
    async def fan(question: Question, ctx: Context) -> str:
        if ctx.depth:
            await hch_sleep()
            return "1"
        await ctx.ask_all(["x"] * children)
        return "done"

    tree = hch.run("q", fan, limits=Limits(max_depth=1, tree_timeout=0.2), backend=backend)
    assert timed_out(tree, "TreeTimeout")
    assert tree.root.n_children == children  # all asked; those started were cancelled
    assert all(n.status is Status.CANCELLED for n in tree)


async def hch_sleep() -> None:
    import anyio

    await anyio.sleep(10)


def test_a_million_children_at_once_end_at_the_tree_timeout() -> None:
    for backend in ("asyncio", "trio"):
        tree = hch.run(
            "q",
            _million,
            limits=Limits(max_depth=1, tree_timeout=0.3),
            backend=backend,
        )
        assert timed_out(tree, "TreeTimeout")
        assert len(tree) < 1_000_001


async def _million(question: Question, ctx: Context) -> str:
    if ctx.depth:
        await hch_sleep()
    await ctx.ask_all(["x"] * 1_000_000)
    return "never"


@SETTINGS
@given(backend=backends, blocked=st.floats(0.15, 0.3), ask_first=st.booleans())
def test_blocking_work_past_node_timeout_is_recorded_as_timed_out(
    backend: str, blocked: float, ask_first: bool
) -> None:
    async def blocking(question: Question, ctx: Context) -> str:
        if ctx.depth:
            return "child"
        if ask_first:
            await ctx.ask("x")  # time waiting for children does not count
        time.sleep(blocked)  # never yields: cannot be interrupted, only judged after
        return "late"

    limits = Limits(max_depth=1, node_timeout=0.1)
    tree = hch.run("q", blocking, limits=limits, backend=backend)
    assert timed_out(tree, "NodeTimeout")
    assert tree.root.answer is None
    assert all(n.status is Status.OK for n in tree if n.path)
