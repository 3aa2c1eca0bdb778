"""Trees run in bounded memory: beyond a bound, children start depth-first."""

from __future__ import annotations

import anyio
import pytest

import hch
from hch import Answer, Context, Limits, Question
from hch.scheduler import DEFAULT_PARALLEL

pytestmark = pytest.mark.anyio


class Counting:
    """Sums n by halving it, counting how many nodes are between start and answer."""

    name = "counting"

    def __init__(self) -> None:
        self.running = 0
        self.most = 0

    async def answer(self, question: Question, ctx: Context) -> Answer:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            n = int(question.text)
            await anyio.sleep(0)  # a real agent waits on something
            if n <= 1:
                return Answer(text="1")
            got = await ctx.ask_all([str(n // 2), str(n - n // 2)])
            return Answer(text=str(sum(int(a.text) for a in got)))
        finally:
            self.running -= 1


@pytest.mark.parametrize("parallel", [0, 1, 4, 16])
async def test_pending_nodes_are_bounded_by_max_parallel_and_depth(parallel: int) -> None:
    agent = Counting()
    tree = await hch.run_tree(
        "4096", agent, limits=Limits(max_depth=20), record=False, max_parallel=parallel
    )
    assert tree.root.answer == Answer(text="4096")
    assert tree.root.budget_used == 8191
    assert agent.most <= (parallel + 1) * (12 + 1)  # depth 12 below the root


async def test_unbounded_starts_every_sibling_at_once() -> None:
    agent = Counting()
    await hch.run_tree("4096", agent, limits=Limits(max_depth=20), max_parallel=None)
    assert agent.most > (16 + 1) * 13  # what the bound above prevents


@pytest.mark.parametrize("record", [False, True])
async def test_trees_are_bounded_by_default(record: bool) -> None:
    agent = Counting()
    tree = await hch.run_tree("65536", agent, limits=Limits(max_depth=20), record=record)
    assert agent.most <= (DEFAULT_PARALLEL + 1) * 18
    assert tree.root.answer == Answer(text="65536")
    assert len(tree) == (131071 if record else 1)


async def test_a_negative_bound_is_refused() -> None:
    with pytest.raises(ValueError, match="max_parallel must be >= 0"):
        await hch.run_tree("1", Counting(), max_parallel=-1)
