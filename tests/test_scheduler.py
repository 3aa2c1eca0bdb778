"""The scheduler: hard limits, typed errors, failure recorded as data, interventions."""

from __future__ import annotations

import anyio
import pytest

import hch
from hch import (
    Answer,
    ChildFailed,
    Context,
    DepthLimitExceeded,
    FanoutLimitExceeded,
    LimitExceeded,
    Limits,
    Question,
    Status,
    Tree,
)

pytestmark = pytest.mark.anyio


async def recurse(question: Question, ctx: Context) -> str:
    """Asks two children while it can; answers with the size of its subtree."""
    if not ctx.can_ask:
        return "1"
    answers = await ctx.ask_all(["x", "x"])
    return str(1 + sum(int(a.text) for a in answers))


async def test_max_depth_zero_means_the_root_answers_alone() -> None:
    caught: list[LimitExceeded] = []

    async def node(question: Question, ctx: Context) -> str:
        try:
            await ctx.ask("x")
        except DepthLimitExceeded as exc:
            caught.append(exc)
        return "alone"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=0))
    assert len(tree) == 1
    assert tree.root.status is Status.OK
    assert "depth 0 = max_depth 0" in str(caught[0])


async def test_limits_shape_a_recursive_tree() -> None:
    tree = await hch.run_tree("q", recurse, limits=Limits(max_depth=3))
    assert len(tree) == 15
    assert tree.depth == 3
    assert tree.root.answer == Answer(text="15")
    assert tree.root.budget_used == 15


async def test_budget_bounds_the_tree() -> None:
    tree = await hch.run_tree("q", recurse, limits=Limits(max_depth=10, budget=20))
    assert len(tree) <= 20
    assert tree.root.budget_used == len(tree)
    assert all(n.status is Status.OK for n in tree)


async def test_unhandled_limit_errors_mark_the_node_limited() -> None:
    async def greedy(question: Question, ctx: Context) -> str:
        await ctx.ask_all(["x"] * 3)
        return "never"

    tree = await hch.run_tree("q", greedy, limits=Limits(max_depth=1, max_children=2))
    assert tree.root.status is Status.LIMITED
    assert tree.root.answer is None
    assert tree.root.error is not None
    assert tree.root.error.type == "FanoutLimitExceeded"
    assert "max_children is 2" in tree.root.error.message
    assert len(tree) == 1


async def test_fanout_counts_follow_ups() -> None:
    caught: list[type[Exception]] = []

    async def node(question: Question, ctx: Context) -> str:
        if ctx.depth:
            return "a"
        c = ctx.child()
        await c.ask("1")
        await c.ask("2")
        try:
            await c.ask("3")
        except FanoutLimitExceeded as exc:
            caught.append(type(exc))
        return "ok"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=1, max_children=2))
    assert caught == [FanoutLimitExceeded]
    assert tree.root.n_children == 2


async def test_a_child_that_raises_is_a_typed_error_in_the_parent() -> None:
    caught: list[ChildFailed] = []

    async def node(question: Question, ctx: Context) -> str:
        if question.text == "bad":
            raise ValueError("broken child")
        if ctx.depth:
            return question.text
        try:
            await ctx.ask_all(["good", "bad", "good"])
        except ChildFailed as exc:
            caught.append(exc)
        return "carried on"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=1))
    (exc,) = caught
    assert exc.path == (1,)
    assert exc.status is Status.FAILED
    assert exc.error is not None and exc.error.type == "ValueError"
    assert exc.answers == [Answer(text="good"), None, Answer(text="good")]
    assert "root.1" in str(exc) and "broken child" in str(exc)
    assert tree.root.answer == Answer(text="carried on")
    assert tree[(1,)].status is Status.FAILED
    assert tree[(1,)].error == exc.error


async def test_an_agent_returning_junk_fails_its_node() -> None:
    async def junk(question: Question, ctx: Context) -> int:
        return 42

    tree = await hch.run_tree("q", junk)  # type: ignore[arg-type]
    assert tree.root.status is Status.FAILED
    assert tree.root.error is not None
    assert tree.root.error.type == "AgentError"
    assert "returned int 42" in tree.root.error.message
    assert "at root" in tree.root.error.message


async def test_node_timeout_cancels_a_hanging_node() -> None:
    async def hang(question: Question, ctx: Context) -> str:
        await anyio.sleep_forever()
        return "never"

    tree = await hch.run_tree("q", hang, limits=Limits(node_timeout=0.1))
    assert tree.root.status is Status.CANCELLED
    assert tree.root.answer is None
    assert tree.root.error is not None
    assert tree.root.error.type == "NodeTimeout"
    assert "root took longer than node_timeout=0.1s" in tree.root.error.message
    assert tree.complete


async def test_tree_timeout_stops_the_tree_and_records_it() -> None:
    async def node(question: Question, ctx: Context) -> str:
        if ctx.depth:
            await anyio.sleep_forever()
        await ctx.ask_all(["a", "b"])
        return "never"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=1, tree_timeout=0.2))
    assert len(tree) == 3
    for n in tree:
        assert n.status is Status.CANCELLED
        assert n.error is not None and n.error.type == "TreeTimeout"


async def test_a_child_timeout_reaches_the_parent_which_may_handle_it() -> None:
    async def node(question: Question, ctx: Context) -> str:
        if question.text == "hang":
            await anyio.sleep_forever()
        if ctx.depth:
            await anyio.sleep(0.15)  # the children together outlast the parent's timeout
            return "slow"
        await ctx.ask("fast")
        try:
            await ctx.ask_all(["fast", "hang"])
        except ChildFailed as exc:
            assert exc.answers is not None
            return f"handled {exc.path}, kept {exc.answers[0]}"
        return "never"

    for budget in (None, 10):
        limits = Limits(max_depth=1, node_timeout=0.2, budget=budget)
        tree = await hch.run_tree("q", node, limits=limits)
        statuses = [n.status for n in tree]
        assert statuses == [Status.OK, Status.OK, Status.OK, Status.CANCELLED]
        assert tree.root.answer is not None
        assert tree.root.answer.text.startswith("handled (2,), kept text='slow'")
        assert tree[(2,)].error is not None and tree[(2,)].error.type == "NodeTimeout"
        children = sum(c.budget_used for c in tree.children(tree.root))
        assert tree.root.budget_used == 1 + children == len(tree)


async def test_a_parent_timeout_still_bounds_its_own_work_and_cancels_nothing_else() -> None:
    async def node(question: Question, ctx: Context) -> str:
        if ctx.depth:
            return "fast"
        await ctx.ask("fast")
        await anyio.sleep_forever()
        return "never"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=1, node_timeout=0.1))
    assert [n.status for n in tree] == [Status.CANCELLED, Status.OK]
    assert tree.root.error is not None and tree.root.error.type == "NodeTimeout"
    assert tree.root.budget_used == 2


async def test_interventions_force_answers_that_ancestors_see() -> None:
    tree = await hch.run_tree(
        "q",
        recurse,
        limits=Limits(max_depth=2),
        interventions={(0,): Answer(text="100")},
    )
    forced = tree[(0,)]
    assert forced.answer == Answer(text="100")
    assert forced.notes == [{"intervention": True}]
    assert forced.n_children == 0
    assert (0, 0) not in tree
    assert tree.root.answer == Answer(text="104")  # 1 + 100 + subtree of (1,) = 3


async def test_record_false_keeps_only_the_root() -> None:
    tree = await hch.run_tree("q", recurse, limits=Limits(max_depth=3), record=False)
    assert [n.path for n in tree] == [()]
    assert tree.root.answer == Answer(text="15")
    assert tree.root.budget_used == 15


async def test_header_records_the_run() -> None:
    limits = Limits(max_depth=1, budget=5)
    tree = await hch.run_tree(
        "q", recurse, limits=limits, seed=3, task="t", truth=7, meta={"k": "v"}
    )
    h = tree.header
    assert (h.seed, h.limits, h.task, h.truth, h.meta) == (3, limits, "t", 7, {"k": "v"})
    assert h.question == Question(text="q")
    assert h.package_version == hch.__version__
    assert tree.complete is True
    assert tree.duration is not None and tree.duration >= 0
    assert all(0 <= n.start <= n.end for n in tree)


class Plain:
    """An agent class without a __repr__ of its own."""

    async def answer(self, question: Question, ctx: Context) -> Answer:
        return Answer(text="ok")


def leaf_policy(depth: int, path: tuple[int, ...]) -> Plain:
    return Plain()


@pytest.mark.parametrize(
    "agent, described",
    [
        (Plain(), "tests.test_scheduler.Plain"),
        (leaf_policy, "tests.test_scheduler.leaf_policy"),
        (hch.by_depth({0: Plain()}), "by_depth({0: tests.test_scheduler.Plain}, default=None)"),
    ],
)
async def test_identical_runs_have_identical_headers(agent: object, described: str) -> None:
    first = await hch.run_tree("q", agent, seed=4)  # type: ignore[arg-type]
    second = await hch.run_tree("q", agent, seed=4)  # type: ignore[arg-type]
    assert first.header.agent == described
    assert first.fingerprint() == second.fingerprint()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_run_is_the_sync_entry_point(backend: str) -> None:
    tree: Tree = hch.run("q", recurse, backend=backend, limits=Limits(max_depth=2), seed=1)
    assert tree.root.answer == Answer(text="7")


async def test_run_works_where_a_loop_already_runs_as_in_a_notebook() -> None:
    tree = hch.run("q", recurse, limits=Limits(max_depth=2), seed=3)
    again = await hch.run_tree("q", recurse, limits=Limits(max_depth=2), seed=3)
    assert tree.fingerprint() == again.fingerprint()


async def chain(question: Question, ctx: Context) -> str:
    """Hands its question down while it can: a chain as deep as max_depth."""
    if ctx.can_ask:
        if ctx.depth % 2:
            return (await ctx.ask("x")).text
        return (await ctx.ask_all(["x"]))[0].text
    return f"leaf at {ctx.depth}"


async def test_a_chain_far_deeper_than_the_python_stack_runs() -> None:
    tree = await hch.run_tree("q", chain, limits=Limits(max_depth=1500))
    assert tree.root.status is Status.OK
    assert tree.root.answer == Answer(text="leaf at 1500")
    assert len(tree) == 1501


async def test_a_failure_that_climbs_a_deep_chain_keeps_messages_short() -> None:
    async def broken_leaf(question: Question, ctx: Context) -> str:
        if ctx.can_ask:
            return (await ctx.ask("x")).text
        raise ValueError("the leaf broke")

    tree = await hch.run_tree("q", broken_leaf, limits=Limits(max_depth=400))
    assert all(n.status is Status.FAILED for n in tree)
    assert tree[(0,) * 400].error == hch.NodeError(type="ValueError", message="the leaf broke")
    for n in tree:  # its child's path, and at most 300 characters of the child's message
        assert n.error is not None and len(n.error.message) < len(hch.format_path(n.path)) + 350
