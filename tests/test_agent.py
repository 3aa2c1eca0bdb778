"""The node contract: what a Context lets a node see and do."""

from __future__ import annotations

import random
from typing import Any

import anyio
import pytest

import hch
from hch import (
    AgentError,
    Answer,
    BudgetExhausted,
    Context,
    Limits,
    Note,
    Question,
    Status,
    ToolCall,
    ToolNotGranted,
    Tree,
)
from hch.agent import FunctionAgent, as_policy

pytestmark = pytest.mark.anyio


async def echo(question: Question, ctx: Context) -> Answer:
    return Answer(text=f"{question.text}@{ctx.path}")


async def test_ask_returns_the_childs_answer_and_records_it() -> None:
    async def parent(question: Question, ctx: Context) -> Answer:
        if ctx.depth == 0:
            return Answer(text="got " + (await ctx.ask("sub")).text)
        return await echo(question, ctx)

    tree = await hch.run_tree("top", parent, limits=Limits(max_depth=1))
    assert tree.root.answer == Answer(text="got sub@(0,)")
    assert tree.root.n_children == 1
    assert tree[(0,)].question == Question(text="sub")
    assert len(tree) == 2


async def test_ask_all_runs_children_concurrently_and_keeps_order() -> None:
    started = 0
    everyone = anyio.Event()

    async def node(question: Question, ctx: Context) -> str:
        nonlocal started
        if ctx.depth == 0:
            answers = await ctx.ask_all(["a", "b", "c"])
            return ",".join(a.text for a in answers)
        started += 1
        if started == 3:
            everyone.set()
        # Each child waits for all three to have started: only concurrent children get past.
        with anyio.fail_after(5):
            await everyone.wait()
        await anyio.sleep(0.01 * ("abc".index(question.text) * -1 + 3))
        return question.text.upper()

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=1))
    assert tree.root.status is Status.OK
    assert tree.root.answer is not None
    assert tree.root.answer.text == "A,B,C"
    assert [tree[(i,)].question.text for i in range(3)] == ["a", "b", "c"]


async def test_ask_all_of_nothing_asks_nobody() -> None:
    async def node(question: Question, ctx: Context) -> str:
        assert await ctx.ask_all([]) == []
        return "done"

    tree = await hch.run_tree("q", node)
    assert len(tree) == 1
    assert tree.root.n_children == 0


async def test_child_handle_keeps_the_conversation() -> None:
    seen: dict[tuple[int, ...], list[tuple[str, str]]] = {}

    async def node(question: Question, ctx: Context) -> str:
        if ctx.depth == 0:
            c = ctx.child()
            await ctx.ask("unrelated")
            first = await c.ask("one")
            second = await c.ask("two")
            assert [e.question.text for e in c.history] == ["one", "two"]
            return first.text + second.text
        seen[ctx.path] = [(e.question.text, e.answer.text) for e in ctx.history]
        return f"<{question.text}:{len(ctx.history)}>"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=1))
    assert tree.root.answer == Answer(text="<one:0><two:1>")
    assert seen == {(0,): [], (1,): [], (2,): [("one", "<one:0>")]}
    assert [tree[(i,)].follows for i in range(3)] == [None, None, 1]
    assert tree.root.n_children == 3


async def test_can_ask_reflects_depth_fanout_and_budget() -> None:
    flags: dict[str, list[bool]] = {}

    async def node(question: Question, ctx: Context) -> str:
        record = flags.setdefault(question.text, [])
        record.append(ctx.can_ask)
        if question.text == "fanout":
            await ctx.ask("x")
            record.append(ctx.can_ask)
        return "ok"

    await hch.run_tree("depth", node, limits=Limits(max_depth=0))
    await hch.run_tree("fanout", node, limits=Limits(max_depth=1, max_children=1))
    await hch.run_tree("budget", node, limits=Limits(max_depth=1, budget=1))
    await hch.run_tree("free", node, limits=Limits(max_depth=1, budget=2))
    assert flags == {
        "depth": [False],
        "fanout": [True, False],
        "x": [False],
        "budget": [False],
        "free": [True],
    }


async def test_budget_is_carved_and_unused_budget_returns() -> None:
    left: list[int | None] = []

    async def node(question: Question, ctx: Context) -> str:
        if ctx.depth == 0:
            left.append(ctx.budget)
            await ctx.ask_all(["a", "b", "c"])
            left.append(ctx.budget)
            await ctx.ask("d", budget=2)
            left.append(ctx.budget)
        elif question.text == "a":
            left.append(ctx.budget)
            await ctx.ask("a1")
        return "ok"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=2, budget=11))
    # root: 10 to hand out; three children of 10 // 3 = 3 each; "a" used 2, b and c 1.
    assert left == [10, 2, 6, 5]
    assert [tree[(i,)].budget_given for i in range(4)] == [3, 3, 3, 2]
    assert [tree[(i,)].budget_used for i in range(4)] == [2, 1, 1, 1]
    assert tree[(0, 0)].budget_given == 2
    assert tree.root.budget_used == 6
    assert tree.root.budget_given == 11


async def test_explicit_child_budgets_in_an_unbounded_tree() -> None:
    async def node(question: Question, ctx: Context) -> str:
        if ctx.depth == 0:
            await ctx.ask("x", budget=3)
            await ctx.ask_all(["y", "z"], budget=2)
            assert ctx.budget is None
        elif question.text == "x":
            assert ctx.budget == 2
            await ctx.ask("x1")
        return "ok"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=2))
    assert [n.budget_given for n in tree] == [None, 3, 2, 2, 2]
    assert [n.budget_used for n in tree] == [5, 2, 1, 1, 1]


async def test_asking_more_budget_than_is_left_raises() -> None:
    errors: list[str] = []

    async def node(question: Question, ctx: Context) -> str:
        for ask in (
            lambda: ctx.ask("x", budget=5),
            lambda: ctx.ask_all(["x"] * 4),
            lambda: ctx.ask("x", budget=0),
        ):
            try:
                await ask()
            except BudgetExhausted as exc:
                errors.append(str(exc))
        return "ok"

    tree = await hch.run_tree("q", node, limits=Limits(max_depth=1, budget=4))
    assert len(errors) == 3
    assert all(e.startswith("node root has 3 budget left") for e in errors)
    assert tree.root.n_children == 0


async def test_rng_is_seeded_from_seed_and_path() -> None:
    draws: dict[tuple[int, ...], float] = {}

    async def node(question: Question, ctx: Context) -> str:
        draws[ctx.path] = ctx.rng.random()
        assert ctx.rng is ctx.rng
        if ctx.depth == 0:
            await ctx.ask_all(["a", "b"])
        return "ok"

    async def draws_for(seed: int) -> dict[tuple[int, ...], float]:
        draws.clear()
        await hch.run_tree("q", node, seed=seed, limits=Limits(max_depth=1))
        return dict(draws)

    first = await draws_for(7)
    assert await draws_for(7) == first
    assert first == {p: random.Random(hch.derive_seed(7, p)).random() for p in first}
    assert len(set(first.values())) == 3
    assert (await draws_for(8)).keys() == first.keys()
    assert await draws_for(8) != first


async def test_tool_calls_are_recorded() -> None:
    async def lookup(key: str) -> str:
        return key.upper()

    def divide(a: int, b: int) -> float:
        return a / b

    async def node(question: Question, ctx: Context) -> str:
        assert await ctx.tool("lookup", key="k") == "K"
        assert await ctx.tool("divide", a=1, b=2) == 0.5
        with pytest.raises(ZeroDivisionError):
            await ctx.tool("divide", a=1, b=0)
        with pytest.raises(ToolNotGranted, match=r"'oracle'.*\['divide', 'lookup'\]"):
            await ctx.tool("oracle")
        return "ok"

    tree = await hch.run_tree("q", node, tools={"lookup": lookup, "divide": divide})
    calls = tree.root.events
    assert all(isinstance(c, ToolCall) for c in calls)
    assert [(c.name, c.args, c.result) for c in calls] == [  # type: ignore[union-attr]
        ("lookup", {"key": "k"}, "K"),
        ("divide", {"a": 1, "b": 2}, 0.5),
        ("divide", {"a": 1, "b": 0}, None),
    ]
    error = calls[2].error  # type: ignore[union-attr]
    assert error is not None and error.type == "ZeroDivisionError"


async def test_tool_not_granted_fails_the_node_when_unhandled() -> None:
    async def node(question: Question, ctx: Context) -> str:
        return str(await ctx.tool("oracle"))

    tree = await hch.run_tree("q", node)
    assert tree.root.status is Status.FAILED
    assert tree.root.error is not None
    assert tree.root.error.type == "ToolNotGranted"
    assert "none" in tree.root.error.message


async def test_notes_annotate_the_node() -> None:
    async def node(question: Question, ctx: Context) -> str:
        ctx.note(step=1, why="because")
        ctx.note(step=2)
        return "ok"

    tree = await hch.run_tree("q", node)
    assert tree.root.events == (
        Note(fields={"step": 1, "why": "because"}),
        Note(fields={"step": 2}),
    )
    assert tree.root.notes == [{"step": 1, "why": "because"}, {"step": 2}]


async def test_sync_functions_and_named_agents() -> None:
    @hch.agent(name="shouter")
    def shout(question: Question, ctx: Context) -> str:
        return question.text.upper()

    assert isinstance(shout, FunctionAgent)
    tree = await hch.run_tree("hey", shout)
    assert tree.root.agent == "shouter"
    assert tree.root.answer == Answer(text="HEY")
    assert tree.header.agent == "FunctionAgent(shouter)"


async def test_by_depth_policy_picks_agents_per_depth() -> None:
    class Leaf:
        async def answer(self, question: Question, ctx: Context) -> Answer:
            return Answer(text="leaf")

    async def boss(question: Question, ctx: Context) -> str:
        return "boss:" + (await ctx.ask("x")).text

    policy = hch.by_depth({0: hch.agent(boss)}, default=Leaf())
    tree = await hch.run_tree("q", policy, limits=Limits(max_depth=1))
    assert [n.agent for n in tree] == ["boss", "Leaf"]
    assert tree.root.answer == Answer(text="boss:leaf")


async def test_policy_without_an_agent_for_a_depth_fails_that_node() -> None:
    async def boss(question: Question, ctx: Context) -> str:
        return (await ctx.ask("x")).text

    tree = await hch.run_tree("q", hch.by_depth({0: hch.agent(boss)}), limits=Limits(max_depth=1))
    child = tree[(0,)]
    assert child.status is Status.FAILED
    assert child.agent == "?"
    assert child.error is not None and "depth 1" in child.error.message
    assert tree.root.status is Status.FAILED
    assert tree.root.error is not None and tree.root.error.type == "ChildFailed"


def test_as_policy_refuses_what_is_neither_agent_nor_policy() -> None:
    with pytest.raises(AgentError, match="neither an agent"):
        as_policy(42)  # type: ignore[arg-type]


async def test_questions_may_carry_data() -> None:
    got: list[Any] = []

    async def node(question: Question, ctx: Context) -> str:
        got.append(question.data)
        if ctx.depth == 0:
            await ctx.ask(Question(text="sub", data={"n": 2}))
        return "ok"

    tree: Tree = await hch.run_tree(Question(text="q", data=[1]), node, limits=Limits(max_depth=1))
    assert got == [[1], {"n": 2}]
    assert tree[(0,)].question.data == {"n": 2}


@pytest.mark.anyio
async def test_children_left_is_the_tightest_limit() -> None:
    seen: list[tuple[int | None, bool]] = []

    async def probe(question: Question, ctx: Context) -> str:
        if ctx.depth == 0:
            seen.append((ctx.children_left, ctx.can_ask))
            await ctx.ask("x")
            seen.append((ctx.children_left, ctx.can_ask))
        return "ok"

    await hch.run_tree("q", probe, limits=Limits(max_depth=1))
    await hch.run_tree("q", probe, limits=Limits(max_depth=1, budget=4, max_children=5))
    await hch.run_tree("q", probe, limits=Limits(max_depth=1, budget=9, max_children=2))
    await hch.run_tree("q", probe, limits=Limits(max_depth=0))
    assert seen == [
        (None, True), (None, True),  # unbounded
        (3, True), (2, True),  # budget is tighter: 4 - root - one child
        (2, True), (1, True),  # fan-out is tighter
        (0, False),  # a root at max_depth cannot ask
    ]  # fmt: skip


class _Priced:
    """A tool that costs budget, as a lab that checks claims against the truth might."""

    cost = 2

    def __call__(self, claim: str) -> bool:
        return claim == "true"


async def test_a_tool_with_a_cost_uses_the_nodes_budget() -> None:
    seen: list[int | None] = []

    async def node(q: Question, ctx: Context) -> str:
        seen.append(ctx.budget)
        assert await ctx.tool("lab", claim="true") is True
        seen.append(ctx.budget)
        await ctx.tool("lab", claim="x")
        seen.append(ctx.budget)
        with pytest.raises(BudgetExhausted, match="tool 'lab' costs 2"):
            await ctx.tool("lab", claim="true")
        return "done"

    tree = await hch.run_tree("q", node, limits=Limits(budget=6), tools={"lab": _Priced()})
    assert seen == [5, 3, 1]
    assert tree.root.budget_used == 5
    assert [e.args for e in tree.root.events if isinstance(e, ToolCall)] == [
        {"claim": "true"},
        {"claim": "x"},
    ]


async def test_session_state_lives_for_one_tree_only() -> None:
    made: list[list[str]] = []

    def fresh() -> list[str]:
        made.append([])
        return made[-1]

    async def node(q: Question, ctx: Context) -> str:
        seen = ctx.session("seen", fresh)
        seen.append(q.text)
        if ctx.can_ask:
            await ctx.ask_all(["a", "b"])
        return str(len(seen))

    first = await hch.run_tree("q", node, limits=Limits(max_depth=1))
    second = await hch.run_tree("r", node, limits=Limits(max_depth=1))
    assert [sorted(m) for m in made] == [["a", "b", "q"], ["a", "b", "r"]]
    assert first.root.answer == second.root.answer == Answer(text="3")
