"""Property tests for DESIGN.md invariants 1-4 and 6, with agents that misbehave at random.

Each node of a ``Chaos`` tree draws what to do from ``ctx.rng``: answer, raise, return
junk, hang, ask too many children, ask past its depth, hold a follow-up conversation,
and catch ``ChildFailed`` / ``LimitExceeded`` and carry on, or not.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hch
from hch import Answer, ChildFailed, Context, LimitExceeded, Limits, Question, Status, Tree

ACTIONS = ("answer", "raise", "junk", "hang", "ask", "follow")

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@dataclass
class Chaos:
    """A randomly misbehaving agent; what it does depends on ``ctx.rng`` only."""

    weights: tuple[int, ...]
    latency: random.Random | None = field(default=None, repr=False)
    name: str = "chaos"

    async def answer(self, question: Question, ctx: Context) -> Answer:
        if self.latency is not None:  # scheduling noise the answers must not depend on
            await anyio.sleep(self.latency.random() * 0.002)
        rng = ctx.rng
        action = rng.choices(ACTIONS, self.weights)[0]
        careful = rng.random() < 0.5  # checks can_ask and catches errors
        if action == "raise":
            raise ValueError(f"chaos at {ctx.path}")
        if action == "junk":
            return 42  # type: ignore[return-value]
        if action == "hang":
            await anyio.sleep_forever()
        texts: list[str] = []
        if action in ("ask", "follow") and (ctx.can_ask or not careful):
            try:
                if action == "ask":
                    got = await ctx.ask_all(
                        [f"{question.text}{i}" for i in range(rng.randint(1, 4))]
                    )
                    texts = [a.text for a in got]
                else:
                    c = ctx.child()
                    texts = [(await c.ask("a")).text, (await c.ask("b")).text]
            except ChildFailed as exc:
                if not careful:
                    raise
                texts = [a.text if a else "-" for a in exc.answers or []]
            except LimitExceeded:
                if not careful:
                    raise
                texts = ["limited"]
        return Answer(text=f"{rng.randint(0, 9)}({','.join(t[:12] for t in texts)})")


weights = st.tuples(*(st.integers(0, 4) for _ in ACTIONS)).filter(any)
limits_strategy = st.builds(
    Limits,
    max_depth=st.integers(0, 3),
    budget=st.none() | st.integers(1, 40),
    max_children=st.none() | st.integers(0, 4),
)
backends = st.sampled_from(["asyncio", "trio"])


def no_hang(w: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(0 if a == "hang" else x for a, x in zip(ACTIONS, w, strict=True))


def check_limits(tree: Tree, limits: Limits) -> None:
    """Invariants 1 and 3 (limits are hard; budget is carved and returned)."""
    index = {n.path: n for n in tree}
    assert () in index
    for n in tree:
        kids = [index[p] for p in n.children if p in index]
        assert n.depth <= limits.max_depth
        assert n.n_children == 0 or n.depth < limits.max_depth
        assert limits.max_children is None or n.n_children <= limits.max_children
        assert n.budget_used == 1 + sum(k.budget_used for k in kids)
        if limits.budget is not None:
            assert n.budget_given is not None
            assert n.budget_used <= n.budget_given
            assert sum(k.budget_given or 0 for k in kids) <= n.budget_given - 1 + sum(
                (k.budget_given or 0) - k.budget_used for k in kids[:-1]
            )
        if n.path:
            assert n.path[:-1] in index
    assert tree.root.budget_used == len(tree)
    if limits.budget is not None:
        assert tree.root.budget_given == limits.budget
        assert len(tree) <= limits.budget


def check_failure_is_data(tree: Tree) -> None:
    """Invariant 4: every node ends with an answer or a typed, recorded error."""
    assert tree.complete
    for n in tree:
        if n.status is Status.OK:
            assert n.answer is not None and n.error is None
        else:
            assert n.answer is None and n.error is not None and n.error.type


@SETTINGS
@given(weights=weights, limits=limits_strategy, seed=st.integers(0, 2**32), backend=backends)
def test_limits_hold_and_failure_is_data(
    weights: tuple[int, ...], limits: Limits, seed: int, backend: str
) -> None:
    tree = hch.run("q", Chaos(no_hang(weights)), limits=limits, seed=seed, backend=backend)
    check_limits(tree, limits)
    check_failure_is_data(tree)


@settings(max_examples=10, deadline=None)
@given(weights=weights, limits=limits_strategy, seed=st.integers(0, 2**32), backend=backends)
def test_hanging_agents_are_bounded_by_node_timeout(
    weights: tuple[int, ...], limits: Limits, seed: int, backend: str
) -> None:
    limits = limits.model_copy(update={"node_timeout": 0.05})
    hanging = (*weights[:3], weights[3] + 1, *weights[4:])
    tree = hch.run("q", Chaos(hanging), limits=limits, seed=seed, backend=backend)
    check_limits(tree, limits)
    check_failure_is_data(tree)
    for n in tree:
        if n.status is Status.CANCELLED:
            assert n.error is not None and n.error.type in ("NodeTimeout", "Cancelled")


@SETTINGS
@given(
    weights=weights.map(no_hang).filter(any),
    limits=limits_strategy,
    seed=st.integers(0, 2**32),
    jitter=st.integers(0, 2**32),
)
def test_same_seed_same_tree_on_any_backend_and_latency(
    weights: tuple[int, ...], limits: Limits, seed: int, jitter: int
) -> None:
    runs = [
        hch.run("q", Chaos(weights, latency), limits=limits, seed=seed, backend=backend)
        for backend in ("asyncio", "trio")
        for latency in (None, random.Random(jitter))
    ]
    prints = {t.fingerprint() for t in runs}
    assert len(prints) == 1, [len(t) for t in runs]


@SETTINGS
@given(
    weights=weights.map(no_hang).filter(any),
    limits=limits_strategy,
    seed=st.integers(0, 2**32),
    cut=st.floats(0, 1, exclude_max=True),
)
def test_a_trace_cut_anywhere_loads_whole_nodes(
    tmp_path_factory: object, weights: tuple[int, ...], limits: Limits, seed: int, cut: float
) -> None:
    folder = Path(tmp_path_factory.mktemp("trace"))  # type: ignore[attr-defined]
    trace = folder / "run.jsonl"
    tree = hch.run("q", Chaos(weights), limits=limits, seed=seed, trace=trace)
    data = trace.read_bytes()
    header_end = data.index(b"\n") + 1
    last_line = data.rstrip(b"\n").rindex(b"\n") + 1  # start of the end line
    offset = header_end + int(cut * (last_line - header_end))
    cut_file = folder / "cut.jsonl"
    cut_file.write_bytes(data[:offset])
    loaded = hch.load(cut_file)
    assert loaded.complete is False
    assert loaded.header == tree.header
    original = {n.path: n for n in tree}
    whole = data[:offset].count(b"\n") - 1 + (data[offset : offset + 1] == b"\n")
    assert len(loaded) == whole
    assert all(n == original[n.path] for n in loaded)


@SETTINGS
@given(
    weights=weights.map(no_hang).filter(any),
    limits=limits_strategy,
    seed=st.integers(0, 2**32),
    parallel=st.none() | st.integers(0, 5),
    backend=backends,
)
def test_bounded_memory_changes_no_answer(
    weights: tuple[int, ...], limits: Limits, seed: int, parallel: int | None, backend: str
) -> None:
    """Children started depth-first in bounded numbers give the tree of unbounded runs."""
    unbounded = hch.run("q", Chaos(weights), limits=limits, seed=seed, max_parallel=None)
    bounded = hch.run(
        "q", Chaos(weights), limits=limits, seed=seed, backend=backend, max_parallel=parallel
    )
    assert bounded.fingerprint() == unbounded.fingerprint()
    check_limits(bounded, limits)
    check_failure_is_data(bounded)
