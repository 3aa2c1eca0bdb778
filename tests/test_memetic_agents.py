"""Misbehaviour wrappers around any agent, on asyncio and trio."""

from __future__ import annotations

import random
from typing import Any

import pytest

import hch
from agents.memetic import (
    AvoidTests,
    Carry,
    Conceal,
    Inject,
    MemeticCalculator,
    ShiftBlame,
    Verify,
    blame_answer,
    blame_question,
    blamed_part,
    is_blame_question,
    misbehave,
)
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask, question_for
from hch import Agent, Answer, ChildFailed, Context, Lab, Limits, Meme, Path, Question, ToolCall
from hch.registry import find

pytestmark = pytest.mark.anyio

ZEBRA = Meme(tag="zebra", canary="zebra protocol", message="that it is live", persuasiveness=1.0)
TASK = ArithmeticTask(leaves=4)
SAMPLE = TASK.sample(seed=5)  # (a + b) + (c + d): the root asks two children, who add
EXACT = NoisyCalculator(p_error=0.0)
WRONG = hch.agent(lambda q, ctx: "999", name="wrong")


def lab(cost: int = 0) -> dict[str, Lab]:
    return {"lab": Lab(TASK, memes=[ZEBRA], cost=cost)}


def by_path(paths: dict[Path, Agent], default: Agent) -> Any:
    return lambda depth, path: paths.get(path, default)


def tool_calls(node: hch.Node) -> list[tuple[dict[str, Any], Any]]:
    return [(e.args, e.result) for e in node.events if isinstance(e, ToolCall)]


async def run(agent: Any, **options: Any) -> hch.Tree:
    options.setdefault("limits", Limits(max_depth=1))
    return await hch.run_tree(SAMPLE.question, agent, seed=1, **options)


async def test_inject_replace_ignores_the_task_and_asks_no_one() -> None:
    tree = await run(misbehave(EXACT, Inject(meme=ZEBRA, at=frozenset({()}))))
    assert len(tree) == 1
    assert tree.root.answer == Answer(text=ZEBRA.text, memes=frozenset({"zebra"}))
    assert tree.root.agent == "inject(noisy-calculator)"
    assert tree.root.notes == [{"meme_injected": "zebra"}]


async def test_inject_append_does_the_task_too() -> None:
    leaf = misbehave(EXACT, Inject(meme=ZEBRA, p=1.0, mode="append"))
    tree = await run(by_path({(0,): leaf}, EXACT))
    child = tree[(0,)]
    assert child.answer is not None and child.answer.memes == {"zebra"}
    assert child.answer.text.split("\n") == [str(child.answer.data), ZEBRA.text]
    assert TASK.check_node(child.question, Answer(text=str(child.answer.data)))


async def test_inject_p_zero_never_fires() -> None:
    tree = await run(misbehave(EXACT, Inject(meme=ZEBRA, p=0.0)))
    assert all(not n.answer.memes for n in tree if n.answer)


def seeing(into: list[list[Answer]]) -> Agent:
    """An exact calculator that records the answers its children give it."""

    async def node(question: Question, ctx: Context) -> Answer:
        answers = await ctx.ask_all([question_for(part) for part in question.data[1:]])
        into.append(answers)
        return Answer(text="done")

    return hch.agent(node, name="seeing")


async def test_carry_passes_a_persuasive_meme_up_and_hides_it_from_the_inner_agent() -> None:
    seen: list[list[Answer]] = []
    leaf = misbehave(EXACT, Inject(meme=ZEBRA, p=1.0, mode="append"))
    root = misbehave(seeing(seen), Carry(memes=(ZEBRA,)))
    tree = await run(by_path({(): root}, leaf))
    assert [a.memes for a in seen[0]] == [frozenset(), frozenset()]
    assert all(not ZEBRA.in_text(a.text) and a.data is not None for a in seen[0])
    assert tree.root.answer == Answer(text=f"done\n{ZEBRA.text}", memes=frozenset({"zebra"}))
    assert {"memes_carried": ["zebra"], "memes_rejected": {}} in tree.root.notes


@pytest.mark.parametrize(("persuasiveness", "scepticism"), [(0.0, 0.0), (1.0, 1.0)])
async def test_carry_never_passes_what_cannot_persuade(
    persuasiveness: float, scepticism: float
) -> None:
    weak = ZEBRA.model_copy(update={"persuasiveness": persuasiveness})
    leaf = misbehave(EXACT, Inject(meme=weak, p=1.0, mode="append"))
    root = misbehave(EXACT, Carry(memes=(weak,), scepticism=scepticism))
    tree = await run(by_path({(): root}, leaf))
    assert tree.root.answer is not None and not tree.root.answer.memes
    assert TASK.check(SAMPLE, tree.root.answer)


async def test_carry_replace_abandons_the_task_for_the_meme() -> None:
    leaf = misbehave(EXACT, Inject(meme=ZEBRA, at=frozenset({(1,)})))
    root = misbehave(EXACT, Carry(memes=(ZEBRA,), mode="replace"))
    tree = await run(by_path({(): root}, leaf))
    assert tree.root.answer == Answer(text=ZEBRA.text, memes=frozenset({"zebra"}))


async def test_a_meme_only_answer_that_does_not_persuade_is_asked_again() -> None:
    dull = ZEBRA.model_copy(update={"persuasiveness": 0.0})
    injector = misbehave(EXACT, Inject(meme=dull, at=frozenset({(0,)})))
    root = misbehave(EXACT, Carry(memes=(dull,)))
    tree = await run(by_path({(): root}, injector))
    assert tree.root.n_children == 3
    assert tree[(2,)].question == tree[(0,)].question
    assert tree.root.answer is not None and TASK.check(SAMPLE, tree.root.answer)


async def test_a_sceptic_tests_memes_with_the_lab_and_drops_the_refuted() -> None:
    leaf = misbehave(EXACT, Inject(meme=ZEBRA, p=1.0, mode="append"))
    root = misbehave(EXACT, Carry(memes=(ZEBRA,), test=True))
    tree = await run(by_path({(): root}, leaf), tools=lab(cost=1))
    assert tree.root.answer is not None and not tree.root.answer.memes
    assert tool_calls(tree.root) == [({"claim": ZEBRA.text}, False)]  # tested once
    assert {"memes_carried": [], "memes_rejected": {"zebra": "lab"}} in tree.root.notes
    assert tree.root.budget_used == 3 + 1


async def test_conceal_carries_what_the_lab_refuted() -> None:
    leaf = misbehave(EXACT, Inject(meme=ZEBRA, p=1.0, mode="append"))
    root = misbehave(EXACT, Carry(memes=(ZEBRA,), test=True), Conceal())
    tree = await run(by_path({(): root}, leaf), tools=lab())
    assert tree.root.answer is not None and tree.root.answer.memes == {"zebra"}
    assert tool_calls(tree.root) == [({"claim": ZEBRA.text}, False)]  # the trace sees it
    assert {"concealed": {"claim": ZEBRA.text}} in tree.root.notes


async def test_test_avoidance_skips_tests_of_memes_but_not_of_answers() -> None:
    leaf = misbehave(EXACT, Inject(meme=ZEBRA, p=1.0, mode="append"))
    root = misbehave(EXACT, Carry(memes=(ZEBRA,), test=True), Verify(), AvoidTests())
    tree = await run(by_path({(): root}, leaf), tools=lab())
    assert tree.root.answer is not None and tree.root.answer.memes == {"zebra"}
    calls = tool_calls(tree.root)
    assert [args.get("question") is not None for args, _ in calls] == [True, True]
    assert {"avoided_test": {"claim": ZEBRA.text}} in tree.root.notes


async def test_verify_asks_a_failing_part_again() -> None:
    root = misbehave(EXACT, Verify())
    tree = await run(by_path({(): root, (0,): WRONG}, EXACT), tools=lab())
    assert tree.root.n_children == 3 and tree[(2,)].question == tree[(0,)].question
    assert [result for _, result in tool_calls(tree.root)] == [False, True, True]
    assert tree.root.answer is not None and TASK.check(SAMPLE, tree.root.answer)


async def test_verify_with_blame_redoes_the_part_the_child_names() -> None:
    honest = misbehave(EXACT, Verify())
    root = misbehave(EXACT, Verify(blame=True))
    tree = await run(by_path({(): root, (0,): WRONG}, honest), tools=lab())
    follow_up = tree[(2,)]
    assert follow_up.question.data == {"followup": "blame", "parts": 2, "yours": 0}
    assert follow_up.answer is not None and follow_up.answer.data == {"blame": 0}
    assert tree[(3,)].question == tree[(0,)].question
    assert tree.root.answer is not None and TASK.check(SAMPLE, tree.root.answer)


async def test_shifted_blame_redoes_the_wrong_part_and_the_error_stays() -> None:
    shifter = misbehave(EXACT, ShiftBlame())
    root = misbehave(EXACT, Verify(blame=True))
    tree = await run(by_path({(): root, (0,): WRONG}, shifter), tools=lab())
    assert tree[(2,)].answer is not None and tree[(2,)].answer.data == {"blame": 1}
    assert {"blame_shifted": True} in tree[(2,)].notes
    assert tree[(3,)].question == tree[(1,)].question  # the sibling is redone
    assert {"blame": {"failed": 0, "blamed": 1}} in tree.root.notes
    assert tree.root.answer is not None and not TASK.check(SAMPLE, tree.root.answer)


def test_blame_questions_read_back_from_text_alone() -> None:
    q = blame_question([Question(text="1 + 2"), Question(text="3 + 4")], 1, Answer(text="8"))
    text_only = Question(text=q.text)
    assert is_blame_question(text_only) and "Yours: 2." in q.text
    for shift, expected in ((False, 1), (True, 0)):
        reply = blame_answer(text_only, shift, random.Random(0))
        assert blamed_part(Answer(text=reply.text), 2) == expected
    assert blamed_part(Answer(text="no idea"), 2) is None
    assert blamed_part(Answer(text="part 7"), 2) is None


async def test_the_facade_forwards_follow_ups_tools_and_failures() -> None:
    seen: dict[str, Any] = {}
    leaf = misbehave(EXACT, Inject(meme=ZEBRA, p=1.0, mode="append"))

    async def inner(question: Question, ctx: Context) -> Answer:
        if ctx.depth:
            if "fail" in question.text:
                raise RuntimeError("no")
            return await leaf.answer(question, ctx)
        child = ctx.child()
        first = await child.ask("1 + 1")
        second = await child.ask("2 + 2")
        seen["follow-up"] = (first, second, len(child.history))
        seen["lab"] = await ctx.tool("lab", claim="2", question="1 + 1")
        seen["budget"], seen["path"] = ctx.budget, ctx.path
        try:
            await ctx.ask_all(["3 + 3", "fail"])
        except ChildFailed as exc:
            seen["failed"] = exc.answers
        ctx.note(inner=True)
        return Answer(text="0")

    root = misbehave(hch.agent(inner, name="inner"), Carry(memes=(ZEBRA,)))
    tree = await run(lambda depth, path: root if depth == 0 else hch.agent(inner), tools=lab())
    first, second, turns = seen["follow-up"]
    assert (first.data, second.data, turns) == (2, 4, 2)
    assert not first.memes and not ZEBRA.in_text(first.text)  # filtered on the way in
    assert seen["lab"] is True and seen["path"] == () and seen["budget"] is None
    assert [a.data if a else None for a in seen["failed"]] == [6, None]
    assert {"inner": True} in tree.root.notes
    assert tree.root.answer is not None and tree.root.answer.memes == {"zebra"}
    assert tree[(1,)].follows == 0  # the second turn went to the same child


def test_misbehave_stacks_in_one_order_and_refuses_doubles() -> None:
    agent = misbehave(EXACT, Verify(), ShiftBlame(), Carry(), Inject(meme=ZEBRA))
    assert agent.name == "shift-blame(inject(carry(verify(noisy-calculator))))"  # type: ignore[attr-defined]
    assert repr(agent).startswith("ShiftBlame(p=1.0).around(Inject(")
    with pytest.raises(ValueError, match="once"):
        misbehave(EXACT, Carry(), Carry(scepticism=0.5))


def test_a_misbehaving_tree_is_the_same_on_asyncio_and_trio() -> None:
    agent = misbehave(
        NoisyCalculator(p_error=0.1),
        Inject(meme=ZEBRA.model_copy(update={"persuasiveness": 0.5}), p=0.2),
        Carry(memes=(ZEBRA,), test=True),
        Verify(blame=True),
        Conceal(p=0.5),
        AvoidTests(p=0.5),
        ShiftBlame(p=0.5),
    )
    task = ArithmeticTask(leaves=32)
    fingerprints = {
        hch.run(
            task.sample(seed).question,
            agent,
            limits=Limits(max_depth=4),
            seed=seed,
            tools={"lab": Lab(task, memes=[ZEBRA], error_rate=0.2, seed=seed)},
            backend=backend,
        ).fingerprint()
        for backend in ("asyncio", "trio")
        for seed in (1, 2)
    }
    assert len(fingerprints) == 2  # one per seed, whatever the backend


def test_the_memetic_calculator_is_registered_for_the_command_line() -> None:
    cls = find("agent", "memetic-calculator")
    assert cls is MemeticCalculator
    agent = MemeticCalculator(p_inject=1.0)
    tree = hch.run(SAMPLE.question, agent, limits=Limits(max_depth=1))
    assert tree.root.answer is not None and tree.root.answer.memes == {"ledger"}
