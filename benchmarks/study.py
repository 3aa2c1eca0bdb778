"""Study throughput with 1 worker and with 2: the flagship study, and one-node trees.

1 worker runs every tree on one event loop in this process; 2 workers is the local
process pool (``--workers 2``), whose start-up is included in its time. Each run goes
into a fresh directory with traces off, so only running and recording rows is timed.
One-node trees (the root answers at once) show what a study costs per tree besides the
tree itself: planning, executors, rows and their file. "CPU here" is this process's CPU
time per tree: with workers, what the parent spends (planning, sending jobs, writing
rows), which caps the rate when it nears a worker's own cost per tree. Settings are
interleaved and the best of ``--repeat`` runs counts, since the machine may be shared.

Run: ``.venv/bin/python benchmarks/study.py [--trials 200] [--trees 40000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from hch import Answer, Context, Question, agent
from hch.study import Experiment, Trial, experiment, load_experiment, run_study

FLAGSHIP = str(Path(__file__).resolve().parent.parent / "experiments" / "depth_vs_quality.py")


@agent
def echo(question: Question, ctx: Context) -> Answer:
    """Answers at once: the tree is one node."""
    return Answer(text=question.text)


@experiment(grid={"n": [0]}, trials=1000, name="one_node")
def one_node(n: int, trial: int) -> Trial:
    return Trial(agent=echo, question=str(trial), truth=str(trial))


def trees_per_second(experiment: Experiment, workers: int, trials: int) -> tuple[float, float]:
    """Rate of one run of ``experiment`` with ``workers`` processes, and the CPU time this
    process spent per tree (with workers: planning, sending jobs, writing rows)."""
    with tempfile.TemporaryDirectory() as out:
        cpu = time.process_time()
        start = time.perf_counter()
        rows = run_study(experiment, out, trials=trials, workers=workers, keep_traces="none")
        wall = time.perf_counter() - start
        return len(rows) / wall, (time.process_time() - cpu) / len(rows)


def compare(name: str, experiment: Experiment, trials: int, repeat: int) -> float:
    """Print the best rates with 1 and 2 workers; return their ratio."""
    best = {1: 0.0, 2: 0.0}
    parent = {1: float("inf"), 2: float("inf")}
    for _ in range(repeat):
        for workers in best:
            rate, cpu = trees_per_second(experiment, workers, trials)
            best[workers] = max(best[workers], rate)
            parent[workers] = min(parent[workers], cpu)
    print(f"{name}")
    print(f"  1 worker:  {best[1]:8.0f} trees/s   CPU here {parent[1] * 1e6:6.1f} us/tree")
    print(f"  2 workers: {best[2]:8.0f} trees/s   CPU here {parent[2] * 1e6:6.1f} us/tree")
    print(f"  ratio:     {best[2] / best[1]:8.2f}x")
    return best[2] / best[1]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--trials", type=int, default=200, help="flagship trials per grid point")
    args.add_argument("--trees", type=int, default=40000, help="one-node trees per run")
    args.add_argument("--repeat", type=int, default=3, help="runs per setting; the best counts")
    opts = args.parse_args()
    print(f"cpus: {os.cpu_count()}; best of {opts.repeat}, settings interleaved")
    cells = 7 * 3
    flagship = compare(
        f"flagship study: {cells} grid points x {opts.trials} trials = {cells * opts.trials} trees",
        load_experiment(FLAGSHIP),
        opts.trials,
        opts.repeat,
    )
    small = compare(f"one-node trees: {opts.trees} per run", one_node, opts.trees, opts.repeat)
    # The flagship's trees are CPU-bound and independent: its ratio is the parallelism the
    # machine gave these runs (2.0 on two idle cores); the one-node ratio over it is what
    # is left once a study's own costs per tree are paid.
    print(f"one-node ratio / flagship ratio: {small / flagship:.2f}")


if __name__ == "__main__":
    main()
