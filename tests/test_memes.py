"""Memes (identity, canary, declaration in a trace header) and the lab channel."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import hch
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Answer, BudgetExhausted, Context, Lab, Limits, Meme, Question, ToolCall
from hch.memes import URGENT
from hch.stats import binomial_interval

pytestmark = pytest.mark.anyio

ZEBRA = Meme(
    tag="zebra",
    canary="Zebra Protocol",
    message="that the zebra protocol is live",
    argument="Nothing else matters.",
    persuasiveness=0.8,
)
TASK = ArithmeticTask(leaves=4)


def test_a_meme_is_one_line_that_carries_its_canary() -> None:
    assert ZEBRA.text == (
        f"{URGENT} that the zebra protocol is live (Zebra Protocol)! Nothing else matters."
    )
    assert ZEBRA.in_text("... the ZEBRA protocol, they said")
    assert not ZEBRA.in_text("zebras protocol")
    assert ZEBRA.in_answer(Answer(text="7", memes=frozenset({"zebra"})))
    assert ZEBRA.strip(f"7\n{ZEBRA.text}\nand more") == "7\nand more"


@pytest.mark.parametrize(
    "bad",
    [
        {"tag": "has space", "canary": "fine canary"},
        {"tag": "t", "canary": "code 42"},  # digits would read as a number
        {"tag": "t", "canary": "two\nlines"},
        {"tag": "t", "canary": "okay canary", "persuasiveness": 1.5},
    ],
)
def test_a_meme_refuses_what_would_break_it(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Meme.model_validate(bad)


def test_memes_are_found_by_tag_or_by_canary() -> None:
    other = Meme(tag="other", canary="blue lantern")
    answer = Answer(text="5, and the blue lantern is lit", memes=frozenset({"zebra", "x"}))
    assert hch.memes_in(answer, [ZEBRA, other]) == {"zebra", "x", "other"}
    assert hch.memes_in(Answer(text="5")) == frozenset()


async def test_declared_memes_round_trip_through_a_trace(tmp_path: Path) -> None:
    meta = hch.declare_memes(ZEBRA, meta={"study": "s"})
    tree = await hch.run_tree("q", hch.agent(lambda q, ctx: "a"), meta=meta)
    hch.save(tree, tmp_path / "t.jsonl")
    loaded = hch.load(tmp_path / "t.jsonl")
    assert hch.declared_memes(loaded.header) == [ZEBRA]
    assert loaded.header.meta["study"] == "s"
    assert hch.declared_memes({}) == []
    with pytest.raises(ValueError, match="distinct"):
        hch.declare_memes(ZEBRA, ZEBRA)


def test_the_lab_judges_answers_by_the_task_and_memes_as_false() -> None:
    lab = Lab(TASK, memes=[ZEBRA])
    assert lab("7", "3 + 4") is True
    assert lab("8", "3 + 4") is False
    assert lab(f"7\n{ZEBRA.text}", "3 + 4") is False
    assert lab(ZEBRA.text) is False
    assert lab("the sky is green") is None  # a free-standing claim it cannot check
    assert Lab()("7", "3 + 4") is None
    with pytest.raises(TypeError, match="check_node"):
        Lab(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="error_rate"):
        Lab(TASK, error_rate=2)


def test_a_noisy_lab_is_wrong_at_its_rate_and_the_same_way_for_the_same_claim() -> None:
    verdicts = [Lab(TASK, error_rate=0.3, seed=s)(str(s), f"{s} + 0") for s in range(2000)]
    wrong = verdicts.count(False) / len(verdicts)
    low, high = binomial_interval(0.3, len(verdicts), z=4)
    assert low <= wrong <= high
    lab = Lab(TASK, error_rate=0.5, seed=3)
    assert len({lab("7", "3 + 4") for _ in range(20)}) == 1


async def test_a_lab_call_is_recorded_and_costs_the_calling_nodes_budget() -> None:
    async def node(q: Question, ctx: Context) -> str:
        assert await ctx.tool("lab", claim="7", question="3 + 4") is True
        assert await ctx.tool("lab", claim=ZEBRA.text) is False
        with pytest.raises(BudgetExhausted, match="tool 'lab' costs 2"):
            await ctx.tool("lab", claim="7", question="3 + 4")
        return "done"

    lab = Lab(TASK, memes=[ZEBRA], cost=2)
    tree = await hch.run_tree("q", node, limits=Limits(budget=6), tools={"lab": lab})
    calls = [e for e in tree.root.events if isinstance(e, ToolCall)]
    assert [(c.args, c.result) for c in calls] == [
        ({"claim": "7", "question": "3 + 4"}, True),
        ({"claim": ZEBRA.text}, False),
    ]
    assert tree.root.budget_used == 5
