"""Blame speed: exact counterfactual blame of wrong roots of ~1,000-node simulated trees.

For each world (arithmetic sums, list sums, list sorts, multi-hop lookup) it runs trees
of about 1,000 nodes (lookup: 511, its longest chain) until it has ``--trees`` wrong
roots, blames each (``hch.analysis.blame``), and prints per tree: nodes, erring nodes
below the root, size of the smallest fixing set, how many such sets, whether the search
was exact, the replays it made against the replays a set-by-set search of the same
sizes would make (one per set of erring nodes, none below another), and the seconds.
The goal: every blame under 5 s.

Run: ``.venv/bin/python benchmarks/blame.py [--trees 5]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import hch
from agents.noisy_lists import NoisyLists
from agents.noisy_lookup import NoisyLookup
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from experiments.tasks.lists import ListTask
from experiments.tasks.lookup import LookupTask
from hch import Limits, Path, Tree
from hch.analysis import Blame, blame

WORLDS: dict[str, tuple[Any, Callable[[], Any]]] = {
    "arithmetic": (ArithmeticTask(leaves=1024), lambda: NoisyCalculator(p_error=0.01)),
    "list sums": (ListTask(length=1024), lambda: NoisyLists(p_error=0.01)),
    "list sorts": (ListTask(length=1024, op="sort"), lambda: NoisyLists(p_error=0.01)),
    "lookup": (LookupTask(hops=256, people=24), lambda: NoisyLookup(p_error=0.01)),
}


def wrong_roots(task: Any, agent: Any, count: int) -> Iterator[Tree]:
    seed = 0
    found = 0
    while found < count:
        sample = task.sample(seed)
        tree = hch.run(
            sample.question,
            agent,
            limits=Limits(max_depth=20),
            seed=seed,
            task=task.name,
            truth=sample.truth,
        )
        seed += 1
        if task.check(sample, tree.root.answer):
            continue
        found += 1
        yield tree


def set_by_set(found: Blame) -> int:
    """Replays a search trying each set of erring nodes (none below another) would make,
    for every size up to the smallest fixing set's (or the sizes searched)."""
    counts = _antichains(found.candidates, found.target)
    largest = found.size or found.searched
    return sum(counts[1 : largest + 1])


def _antichains(candidates: list[Path], target: Path) -> list[int]:
    """How many sets of ``candidates`` of each size have none below another."""
    chosen = set(candidates)
    below: dict[Path, list[Path]] = {}
    for path in sorted(chosen | {p[:k] for p in chosen for k in range(len(target), len(p))}):
        if path != target:
            below.setdefault(path[:-1], []).append(path)

    def count(path: Path) -> list[int]:
        total = [1]
        for child in below.get(path, []):
            total = _times(total, count(child))
        if path in chosen:
            total = [*total, 0] if len(total) < 2 else total
            total[1] += 1
        return total

    return count(target)


def _times(a: list[int], b: list[int]) -> list[int]:
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=int, default=5, help="wrong roots blamed per world")
    args = parser.parse_args()
    print(f"{'world':<11} {'nodes':>5} {'erring':>6} {'size':>4} {'sets':>5} {'exact':>5} "
          f"{'replays':>7} {'set by set':>10} {'seconds':>7}")  # fmt: skip
    for world, (task, make) in WORLDS.items():
        times = []
        for tree in wrong_roots(task, make(), args.trees):
            start = time.perf_counter()
            found = blame(tree, task)
            seconds = time.perf_counter() - start
            times.append(seconds)
            size = "-" if found.size is None else str(found.size)
            print(
                f"{world:<11} {len(tree):>5} {len(found.candidates):>6} {size:>4} "
                f"{len(found.minimal_sets):>5} {'yes' if found.exact else 'no':>5} "
                f"{found.replays:>7} {set_by_set(found):>10,} {seconds:>7.2f}"
            )
        print(
            f"{world:<11} median {statistics.median(times):.2f} s, slowest {max(times):.2f} s "
            f"(goal: under 5 s)"
        )


if __name__ == "__main__":
    main()
