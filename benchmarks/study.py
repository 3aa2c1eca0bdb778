"""Study throughput: trees/s of the flagship study with 1 worker and with 2, and the ratio.

1 worker runs every tree on one event loop in this process; 2 workers is the local
process pool (``--workers 2``), whose start-up is included in its time. Each run goes
into a fresh directory with traces off, so only running and recording rows is timed.

Run: ``.venv/bin/python benchmarks/study.py [--trials 200] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from hch.study import load_experiment, run_study

FLAGSHIP = str(Path(__file__).resolve().parent.parent / "experiments" / "depth_vs_quality.py")


def trees_per_second(workers: int, trials: int) -> float:
    """Rate of one run of the flagship study with ``workers`` processes."""
    experiment = load_experiment(FLAGSHIP)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        rows = run_study(experiment, out, trials=trials, workers=workers, keep_traces="none")
        return len(rows) / (time.perf_counter() - start)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--trials", type=int, default=200, help="trials per grid point")
    args.add_argument("--repeat", type=int, default=3, help="runs per setting; the best counts")
    opts = args.parse_args()
    cells = 7 * 3
    print(
        f"flagship study: {cells} grid points x {opts.trials} trials = {cells * opts.trials} trees"
    )
    print(f"cpus: {os.cpu_count()}; best of {opts.repeat}, settings interleaved")
    best = {1: 0.0, 2: 0.0}
    for _ in range(opts.repeat):
        for workers in best:
            best[workers] = max(best[workers], trees_per_second(workers, opts.trials))
    print(f"1 worker:  {best[1]:8.0f} trees/s")
    print(f"2 workers: {best[2]:8.0f} trees/s")
    print(f"ratio:     {best[2] / best[1]:8.2f}x")


if __name__ == "__main__":
    main()
