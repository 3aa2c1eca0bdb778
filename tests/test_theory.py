"""The simulator against closed-form results, through the study pipeline.

* Weakest link: a tree of N nodes, each wrong independently with probability p, whose
  root is right only if every node is right, has root accuracy (1 - p)^N.
* Noisy majority (Hajek and Weller 1991): a ternary tree where each node outputs the
  majority of its children's bits, flipped with probability p. The root error follows
  e' = p + (1 - 2p)(3e^2 - 2e^3) from e = p at the leaves, and stays bounded away from
  1/2 at any depth only when p < 1/6.

Each observed accuracy must fall in the 99.9% binomial interval of the exact value. More
closed forms (chains, 5-input majority, broadcasts) are in ``test_theory_errors.py``.
"""

from __future__ import annotations

from pathlib import Path

from agents.binary import NoisyMajority
from experiments.tasks.bits import BitTask
from hch import Answer, Context, Limits, Question
from hch.analysis import majority_error
from hch.stats import binomial_interval
from hch.study import Results, Trial, experiment, run_study

Z = 3.29  # two-sided 99.9%
BITS = BitTask()


class WeakestLink:
    """Wrong if its own coin says so or any of its ``fanout`` children is wrong."""

    name = "weakest-link"

    def __init__(self, p: float, fanout: int) -> None:
        self.p = p
        self.fanout = fanout

    async def answer(self, question: Question, ctx: Context) -> Answer:
        wrong = ctx.rng.random() < self.p
        if ctx.can_ask:
            children = await ctx.ask_all([question] * self.fanout)
            wrong = wrong or any(a.text == "wrong" for a in children)
        return Answer(text="wrong" if wrong else "right")


@experiment(grid={"p": [0.01, 0.04], "depth": [0, 1, 3], "fanout": [2]}, trials=1500)
def weakest_link(p: float, depth: int, fanout: int) -> Trial:
    return Trial(
        question="is every node right?",
        truth="right",
        agent=WeakestLink(p, fanout),
        limits=Limits(max_depth=depth),
    )


@experiment(grid={"p": [0.08, 0.3], "depth": [0, 1, 2]}, trials=800)
def noisy_majority(p: float, depth: int, seed: int) -> Trial:
    return Trial(
        task=BITS,
        sample=BITS.sample(seed),
        agent=NoisyMajority(epsilon=p),
        limits=Limits(max_depth=depth),
    )


def accuracy(rows: Results, **params: object) -> tuple[float, int]:
    cell = [r for r in rows if all(r.params[k] == v for k, v in params.items())]
    return sum(bool(r.correct) for r in cell) / len(cell), len(cell)


def test_weakest_link_accuracy_is_one_minus_p_to_the_n(tmp_path: Path) -> None:
    rows = run_study(weakest_link, tmp_path, keep_traces="none", concurrency=200)
    for p in (0.01, 0.04):
        for depth in (0, 1, 3):
            nodes = 2 ** (depth + 1) - 1
            cell = [r for r in rows if r.params == {"p": p, "depth": depth, "fanout": 2}]
            assert all(r.nodes == nodes and r.status == "ok" for r in cell)
            observed, n = accuracy(rows, p=p, depth=depth)
            low, high = binomial_interval((1 - p) ** nodes, n, z=Z)
            assert low <= observed <= high, (p, depth, observed, (1 - p) ** nodes)
    # a ternary tree of the same depth has more nodes, so fails more often
    ternary = run_study(
        weakest_link,
        tmp_path / "ternary",
        params={"p": 0.04, "depth": 3, "fanout": 3},
        trials=600,
        keep_traces="none",
    )
    observed, n = accuracy(ternary)
    low, high = binomial_interval(0.96**40, n, z=Z)
    assert low <= observed <= high and all(r.nodes == 40 for r in ternary)


def test_noisy_majority_keeps_information_only_below_one_sixth(tmp_path: Path) -> None:
    rows = run_study(noisy_majority, tmp_path, keep_traces="none", concurrency=200)
    for p in (0.08, 0.3):
        for depth in (0, 1, 2):
            observed, n = accuracy(rows, p=p, depth=depth)
            low, high = binomial_interval(1 - majority_error(p, depth), n, z=Z)
            assert low <= observed <= high, (p, depth, observed, 1 - majority_error(p, depth))
    # qualitatively: below 1/6 deeper trees stay reliable; above it they drift to a coin
    assert accuracy(rows, p=0.08, depth=2)[0] > 0.85
    assert accuracy(rows, p=0.3, depth=2)[0] < accuracy(rows, p=0.3, depth=0)[0] - 0.1
    assert majority_error(0.08, 30) < 0.15 and majority_error(0.3, 30) > 0.49
