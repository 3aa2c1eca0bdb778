"""The simulator against the closed forms of root capture (hch.analysis.memes)."""

from __future__ import annotations

import math

import pytest

import hch
from agents.memetic import AvoidTests, Carry, Conceal, Inject, misbehave
from hch import Agent, Answer, Context, Lab, Limits, Meme, Question
from hch.analysis.memes import grounded_root_capture, root_capture
from hch.stats import binomial_interval

TRIALS = 600
Z = 3.29  # a 99.9% interval: the seeds are fixed, so this guards against a changed law


def fan(fanout: int) -> Agent:
    """Asks ``fanout`` copies of itself while it may; its own answer is irrelevant."""

    async def node(question: Question, ctx: Context) -> Answer:
        if ctx.can_ask:
            await ctx.ask_all([question.text] * fanout)
        return Answer(text="ok")

    return hch.agent(node, name="fan")


def capture_rate(policy: object, depth: int, meme: Meme, lab_error: float | None = None) -> float:
    captured = 0
    for seed in range(TRIALS):
        tools = (
            {} if lab_error is None else {"lab": Lab(memes=[meme], error_rate=lab_error, seed=seed)}
        )
        tree = hch.run("q", policy, limits=Limits(max_depth=depth), seed=seed, tools=tools)
        assert tree.root.answer is not None
        captured += meme.in_answer(tree.root.answer)
    return captured / TRIALS


def within(observed: float, expected: float) -> None:
    low, high = binomial_interval(expected, TRIALS, z=Z)
    assert low <= observed <= high, f"{observed} outside [{low:.3f}, {high:.3f}] of {expected:.3f}"


def test_one_birth_on_a_chain_reaches_the_root_with_c_to_the_d() -> None:
    meme = Meme(tag="m", canary="the red door", persuasiveness=0.875)
    carry = Carry(memes=(meme,), scepticism=0.2)  # c = 0.875 * 0.8 = 0.7
    leaf = misbehave(fan(1), Inject(meme=meme, at=frozenset({(0, 0, 0)}), mode="append"))
    policy = hch.by_depth({3: leaf}, default=misbehave(fan(1), carry))
    within(capture_rate(policy, 3, meme), 0.7**3)


def test_births_at_the_leaves_and_any_child_persuading() -> None:
    meme = Meme(tag="m", canary="the red door", persuasiveness=0.5)
    leaf = misbehave(fan(2), Inject(meme=meme, p=0.3, mode="append"))
    policy = hch.by_depth({3: leaf}, default=misbehave(fan(2), Carry(memes=(meme,))))
    within(capture_rate(policy, 3, meme), root_capture(3, 0.5, [0, 0, 0, 0.3], 2))


def test_births_everywhere_with_meme_only_answers_asked_again() -> None:
    meme = Meme(tag="m", canary="the red door", persuasiveness=0.6)
    agent = misbehave(fan(3), Inject(meme=meme, p=0.1), Carry(memes=(meme,), mode="replace"))
    within(capture_rate(agent, 2, meme), root_capture(2, 0.6, 0.1, 3, redo=True))


def test_a_noisy_lab_with_avoiders_and_concealers() -> None:
    meme = Meme(tag="m", canary="the red door", persuasiveness=0.9)
    carrier = misbehave(fan(2), Carry(memes=(meme,), test=True), AvoidTests(p=0.2), Conceal(p=0.4))
    leaf = misbehave(fan(2), Inject(meme=meme, p=0.5, mode="append"))
    policy = hch.by_depth({3: leaf}, default=carrier)
    expected = grounded_root_capture(
        3, 0.9, [0, 0, 0, 0.5], 2, lab_error=0.3, avoid=0.2, conceal=0.4
    )
    within(capture_rate(policy, 3, meme, lab_error=0.3), expected)


def test_the_closed_forms_agree_with_their_special_cases() -> None:
    assert root_capture(4, 0.6, [0, 0, 0, 0, 1], fanout=1) == pytest.approx(0.6**4)
    # Births at the leaves: 1 - G^D(1 - m), G the pgf of Binomial(b, c).
    b, c, m, depth = 3, 0.4, 0.2, 5
    s = 1 - m
    for _ in range(depth):
        s = (1 - c + c * s) ** b
    assert root_capture(depth, c, [0] * depth + [m], b) == pytest.approx(1 - s)
    # Selection needs b * c > 1: below it capture dies out with depth, above it does not.
    assert root_capture(300, 0.45, [0] * 300 + [1], 2) < 1e-6
    assert root_capture(300, 0.55, [0] * 300 + [1], 2) > 0.1
    assert grounded_root_capture(3, 0.9, 0.5, 2) == pytest.approx(0.5)  # only root births
    assert grounded_root_capture(3, 0.9, 0.1, 2, lab_error=1.0) == root_capture(3, 0.9, 0.1, 2)
    assert math.isclose(root_capture(0, 0.3, 0.25), 0.25)
    for bad in ({"carry": 1.5}, {"birth": [0.1]}, {"birth": -0.1}, {"fanout": 0}):
        with pytest.raises(ValueError):
            root_capture(**{"depth": 2, "carry": 0.5, "birth": 0.1, **bad})  # type: ignore[arg-type]
