"""Replay speed: exact replays and single-leaf counterfactuals from a trace alone.

Printed:

* a 131,071-node simulated tree (the realistic halving agent of ``engine.py``): the
  original run's nodes/s; an exact replay that runs every node again from the trace
  (``rerun=True``) in nodes/s; one leaf intervention (only its ancestors run again)
  against a full re-run of the same counterfactual (``hch.run(..., interventions=)``);
* a ~2,000-node LLM tree recorded against ``hch serve-model`` (in-process), then the
  server stopped: an exact replay running every node again with the recorded calls, in
  nodes/s, against the original run's nodes/s (which waited on the server), and a leaf
  counterfactual's time.

Run: ``.venv/bin/python benchmarks/replay.py [--nodes 100000] [--llm-leaves 1000]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

from engine import Halver

import hch
from agents.llm import LLMAgent
from agents.server import ModelServer, SimulatedModel
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Answer, Limits, Tree

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def deepest_leaf(tree: Tree) -> tuple[int, ...]:
    return max((n.path for n in tree if not n.n_children), key=len)


def simulated(nodes: int) -> None:
    n_root = 1 << (nodes.bit_length() - 1)  # a tree of 2 * n_root - 1 nodes
    limits = Limits(max_depth=64)
    rec, t_run = timed(lambda: hch.run(str(n_root), Halver(), limits=limits))
    n = len(rec)
    print(f"simulated tree: {n:,} nodes (the engine benchmark's halving agent)")
    print(f"  original run            {n / t_run:>10,.0f} nodes/s  {t_run:6.2f} s")
    again, t_exact = timed(lambda: hch.replay(rec, rerun=True, agent=Halver()))
    assert again.tree.fingerprint() == rec.fingerprint()
    print(
        f"  exact replay (rerun)    {n / t_exact:>10,.0f} nodes/s  {t_exact:6.2f} s  "
        f"({t_run / t_exact:.2f}x the original's speed; aim >= 1)"
    )
    leaf = deepest_leaf(rec)
    forced = {leaf: Answer(text="0")}
    cf, t_cf = timed(lambda: hch.replay(rec, forced, agent=Halver()))
    full, t_full = timed(
        lambda: hch.run(str(n_root), Halver(), limits=limits, interventions=forced)
    )
    assert cf.tree.fingerprint() == full.fingerprint()
    print(
        f"  one-leaf counterfactual {t_cf:9.3f} s  ({cf.rerun} nodes ran again, "
        f"{cf.reused:,} reused; goal well under 1 s)"
    )
    print(f"  the same by a full re-run {t_full:7.3f} s  ({t_full / t_cf:.0f}x slower)")


def llm(leaves: int) -> None:
    sample = ArithmeticTask(leaves=leaves, ops="+").sample(2)
    limits = Limits(max_depth=20)
    with ModelServer(SimulatedModel()) as server:
        agent = LLMAgent(model="sim", base_url=server.base_url, api_key="x", concurrency=32)
        rec, t_run = timed(lambda: hch.run(sample.question, agent, limits=limits, seed=2))
        requests = server.requests
    n = len(rec)
    print(f"LLM tree: {n:,} nodes, {requests:,} model calls; server stopped for the replays")
    print(f"  original run            {n / t_run:>10,.0f} nodes/s  {t_run:6.2f} s")
    again, t_exact = timed(lambda: hch.replay(rec, rerun=True))
    assert again.tree.fingerprint() == rec.fingerprint() and again.model_calls == 0
    print(
        f"  exact replay (rerun)    {n / t_exact:>10,.0f} nodes/s  {t_exact:6.2f} s  "
        f"({t_run / t_exact:.2f}x the original's speed)"
    )
    leaf = deepest_leaf(rec)
    _, t_cf = timed(lambda: hch.replay(rec, {leaf: rec[leaf].answer}))  # type: ignore[dict-item]
    print(f"  leaf counterfactual (same answer, offline) {t_cf:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000, help="simulated: about this many")
    parser.add_argument("--llm-leaves", type=int, default=1_000, help="LLM: numbers summed")
    args = parser.parse_args()
    simulated(args.nodes)
    llm(args.llm_leaves)


if __name__ == "__main__":
    main()
