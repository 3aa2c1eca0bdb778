"""Properties of memes in any tree of misbehaving agents (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import hch
from agents.memetic import AvoidTests, Carry, Conceal, Inject, ShiftBlame, Verify, misbehave
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Lab, Limits, Meme
from hch.analysis.memes import MemeCounts, Rate, trace_memes

TASK = ArithmeticTask(leaves=16, shape="random")
PROBABILITY = st.floats(0, 1)

memes = st.builds(
    Meme,
    tag=st.sampled_from(["a", "b"]),
    canary=st.sampled_from(["red door", "blue lantern"]),
    persuasiveness=PROBABILITY,
)


@st.composite
def worlds(draw: st.DrawFn, grounded: bool = False) -> dict[str, Any]:
    """A tree of calculators under random misbehaviours (a perfect free lab if grounded)."""
    found = draw(st.lists(memes, min_size=1, max_size=2, unique_by=lambda m: m.tag))
    found = [m for i, m in enumerate(found) if m.canary not in {n.canary for n in found[:i]}]
    injects = [
        Inject(meme=m, p=draw(PROBABILITY), mode=draw(st.sampled_from(["replace", "append"])))
        for m in found[:1]
    ]
    behaviours: list[Any] = [
        Carry(
            memes=tuple(found),
            scepticism=draw(PROBABILITY),
            mode=draw(st.sampled_from(["replace", "append"])),
            test=grounded or draw(st.booleans()),
        ),
    ]
    if not grounded:
        behaviours += [
            b
            for b in (Verify(blame=True), Conceal(p=draw(PROBABILITY)), AvoidTests(p=0.5))
            if draw(st.booleans())
        ]
        behaviours.append(ShiftBlame(p=draw(PROBABILITY)))
    calculator = NoisyCalculator(p_error=draw(st.sampled_from([0.0, 0.05, 0.3])))
    seed = draw(st.integers(0, 2**16))
    depth = draw(st.integers(1, 4))
    inner = misbehave(calculator, *behaviours)
    leafward = misbehave(calculator, *behaviours, *injects)
    # Grounded worlds keep the root honest: no meme is born there.
    policy = (lambda d, path: inner if d == 0 else leafward) if grounded else leafward
    lab = Lab(TASK, memes=found, error_rate=0.0 if grounded else draw(PROBABILITY), seed=seed)
    tree = hch.run(
        TASK.sample(seed).question,
        policy,
        limits=Limits(max_depth=depth),
        seed=seed,
        tools={"lab": lab},
        meta=hch.declare_memes(*found),
    )
    return {"tree": tree, "memes": found}


@settings(max_examples=40, deadline=None)
@given(worlds())
def test_a_meme_is_only_where_it_was_injected_or_carried_up_from(world: dict[str, Any]) -> None:
    tree = world["tree"]
    tm = trace_memes(tree)
    injected = {(n.path, f["meme_injected"]) for n in tree for f in n.notes if "meme_injected" in f}
    on_a_route = {(path, b.tag) for b in tm.births for path in b.route}
    for path, tags in tm.carried.items():
        for tag in tags:
            # on the route up from a birth, and every birth is an injector
            assert (path, tag) in on_a_route
    assert all((b.node, b.tag) in injected for b in tm.births)


def _rates(counts: MemeCounts) -> list[Rate]:
    depths = set(counts.nodes) | set(counts.hops)
    return [
        counts.root_capture,
        counts.birth_capture,
        counts.error_reach,
        counts.transmission(),
        *(counts.transmission(d) for d in depths),
        *(counts.share(d) for d in depths),
    ]


@settings(max_examples=40, deadline=None)
@given(worlds())
def test_every_rate_lies_in_zero_one_with_its_interval(world: dict[str, Any]) -> None:
    counts = MemeCounts.of(trace_memes(world["tree"], task=TASK))
    for rate in _rates(counts) + _rates(counts + counts):
        assert 0 <= rate.hits <= rate.n
        low, high = rate.interval
        assert 0 <= low <= high <= 1
        if rate.value is not None:
            assert 0 <= rate.value <= 1 and low <= rate.value <= high
    for depth in counts.nodes:
        ratio = counts.selection(depth)
        assert ratio is None or ratio >= 0


@settings(max_examples=40, deadline=None)
@given(worlds(grounded=True))
def test_a_perfect_free_lab_and_sceptics_keep_every_meme_from_the_root(
    world: dict[str, Any],
) -> None:
    root = world["tree"].root
    # A root may fail when a meme-only answer asked again is a meme again: no answer, no meme.
    assert root.answer is None or hch.memes_in(root.answer, world["memes"]) == frozenset()
