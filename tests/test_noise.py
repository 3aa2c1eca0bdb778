"""The shared error law and the simulated agents built on it: exact laws and trends."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from agents.noise import Fallible, Slips
from agents.noisy_lists import NoisyLists
from agents.noisy_lookup import NoisyLookup
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from experiments.tasks.lists import ListTask
from experiments.tasks.lookup import LookupTask
from hch import Limits, Tree, run, run_tree
from hch.stats import binomial_interval

AGENTS_AND_TASKS = [
    (NoisyCalculator, ArithmeticTask(leaves=16)),
    (NoisyLookup, LookupTask(hops=8)),
    (NoisyLists, ListTask(length=16)),
    (NoisyLists, ListTask(length=16, op="sort")),
]


class _Ctx:
    """Just enough of a Context for Slips: an rng and a place for notes."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.notes: list[dict[str, object]] = []

    def note(self, **fields: object) -> None:
        self.notes.append(fields)


def _slips(seed: int = 0, max_slip: int = 3) -> tuple[Slips, _Ctx]:
    ctx = _Ctx(seed)
    return Slips(ctx, max_slip), ctx  # type: ignore[arg-type]


def test_solo_rate_grows_with_size_beyond_capacity() -> None:
    law = Fallible(p_error=0.1, capacity=4)
    for units in range(1, 40):
        assert law.solo_rate(units) == pytest.approx(min(1.0, 0.1 + 0.1 * (units - 1) / 4))
    assert law.solo_rate(0) == 0.0
    assert law.solo_rate(1000) == 1.0


def test_handoff_rate_defaults_to_p_error() -> None:
    assert Fallible(p_error=0.2).handoff_rate == 0.2
    assert Fallible(p_error=0.2, p_handoff=0.5).handoff_rate == 0.5


def test_slips_happen_at_their_rate_and_are_noted() -> None:
    slips, ctx = _slips()
    hits = sum(slips.happens(0.3, "x") for _ in range(4000))
    low, high = binomial_interval(0.3, 4000, z=4)
    assert low <= hits / 4000 <= high
    assert slips.kinds == ["x"] * hits
    slips.note()
    assert ctx.notes == [{"slips": ["x"] * hits}]


def test_no_slip_no_note_and_certain_slip_always() -> None:
    slips, ctx = _slips()
    assert all(slips.number(v, 0.0, "x") == v for v in range(100))
    slips.note()
    assert ctx.notes == []
    assert all(slips.number(v, 1.0, "x") != v for v in range(100))


def test_numeric_slip_is_a_small_nonzero_shift_both_ways() -> None:
    slips, _ = _slips(max_slip=3)
    shifts = Counter(slips.shift(100) - 100 for _ in range(2000))
    assert set(shifts) == {-3, -2, -1, 1, 2, 3}


def test_other_names_someone_else() -> None:
    slips, _ = _slips()
    options = ["a", "b", "c", "d"]
    picked = {slips.other("a", options, 1.0, "x") for _ in range(200)}
    assert picked == {"b", "c", "d"}
    assert slips.other("a", options, 0.0, "x") == "a"


@pytest.mark.anyio
@pytest.mark.parametrize(("make", "task"), AGENTS_AND_TASKS)
@pytest.mark.parametrize("depth", [0, 1, 2, 5])
async def test_flawless_agents_are_always_right(make: type, task: object, depth: int) -> None:
    agent = make(p_error=0.0, p_handoff=0.0)
    for seed in range(10):
        sample = task.sample(seed)  # type: ignore[attr-defined]
        tree = await run_tree(sample.question, agent, limits=Limits(max_depth=depth), seed=seed)
        assert tree.depth <= depth and (len(tree) > 1) == (depth > 0)
        assert tree.root.answer is not None
        assert task.check(sample, tree.root.answer)  # type: ignore[attr-defined]
        assert all(task.check_node(n.question, n.answer) for n in tree)  # type: ignore[attr-defined]
        assert not any(n.notes for n in tree)


@pytest.mark.parametrize(("make", "task"), AGENTS_AND_TASKS)
def test_same_seed_same_tree_on_both_backends(make: type, task: object) -> None:
    agent = make(p_error=0.2)
    for seed in range(5):
        sample = task.sample(seed)  # type: ignore[attr-defined]
        trees = [
            run(sample.question, agent, limits=Limits(max_depth=2), seed=seed, backend=backend)
            for backend in ("asyncio", "trio", "asyncio")
        ]
        assert len({t.fingerprint() for t in trees}) == 1


def _accuracy(agent: object, task: object, depth: int, trials: int) -> float:
    right = 0
    for seed in range(trials):
        sample = task.sample(seed)  # type: ignore[attr-defined]
        tree = run(sample.question, agent, limits=Limits(max_depth=depth), seed=seed, record=False)
        right += bool(tree.root.answer and task.check(sample, tree.root.answer))  # type: ignore[attr-defined]
    return right / trials


@pytest.mark.parametrize(("make", "task"), AGENTS_AND_TASKS[1:])
def test_more_error_less_accuracy(make: type, task: object) -> None:
    accuracy = [_accuracy(make(p_error=p), task, depth=2, trials=80) for p in (0.01, 0.08, 0.3)]
    assert accuracy[0] > accuracy[1] > accuracy[2]


@pytest.mark.parametrize(("make", "task"), AGENTS_AND_TASKS[1:])
def test_depth_helps_when_solo_capacity_is_the_limit(make: type, task: object) -> None:
    agent = make(p_error=0.02, capacity=1.0)
    assert (
        _accuracy(agent, task, depth=3, trials=400)
        > _accuracy(agent, task, depth=0, trials=400) + 0.2
    )


@pytest.mark.parametrize(("make", "task"), AGENTS_AND_TASKS[1:])
def test_depth_hurts_when_handoffs_are_the_risk(make: type, task: object) -> None:
    agent = make(p_error=0.01, capacity=1e9, p_handoff=0.2)
    assert (
        _accuracy(agent, task, depth=3, trials=400)
        < _accuracy(agent, task, depth=0, trials=80) - 0.2
    )


def _slip_counts(trees: list[Tree]) -> Counter[str]:
    return Counter(
        kind for tree in trees for node in tree for n in node.notes for kind in n["slips"]
    )


def test_lookup_solo_slips_follow_the_law() -> None:
    """Alone on k hops: each hop slips with solo_rate(k), so k * rate slips per tree."""
    agent, task, trials = NoisyLookup(p_error=0.05, capacity=2.0), LookupTask(hops=6), 400
    trees = [
        run(task.sample(s).question, agent, limits=Limits(max_depth=0), seed=s)
        for s in range(trials)
    ]
    rate = min(1.0, 0.05 * (1 + 5 / 2))
    low, high = binomial_interval(rate, 6 * trials, z=4)
    assert low <= _slip_counts(trees)["hop"] / (6 * trials) <= high


@pytest.mark.parametrize(
    ("agent", "task", "depth", "nodes", "chances"),
    [
        # 8 items, depth 2: the root and its two children split (6 answers read, 3 combines),
        # and the 4 leaves add their 2 items alone (4 operations at p_error).
        (NoisyLists, ListTask(length=8), 2, 7, {"handoff": 6, "combine": 3, "operation": 4}),
        # 8 hops, depth 3: 7 nodes split (14 answers read, 7 follow-ups written), 8 leaves
        # follow one relation each (8 hops at p_error).
        (NoisyLookup, LookupTask(hops=8), 3, 15, {"handoff": 14, "combine": 7, "hop": 8}),
    ],
)
def test_delegation_slips_follow_the_law(
    agent: type, task: object, depth: int, nodes: int, chances: dict[str, int]
) -> None:
    p_error, p_handoff, trials = 0.04, 0.1, 300
    noisy = agent(p_error=p_error, p_handoff=p_handoff)
    trees = [
        run(task.sample(s).question, noisy, limits=Limits(max_depth=depth), seed=s)  # type: ignore[attr-defined]
        for s in range(trials)
    ]
    assert all(len(t) == nodes for t in trees)
    counts = _slip_counts(trees)
    assert set(counts) == set(chances)
    for kind, n in chances.items():
        p = p_handoff if kind == "handoff" else p_error
        low, high = binomial_interval(p, n * trials, z=4)
        assert low <= counts[kind] / (n * trials) <= high, kind
