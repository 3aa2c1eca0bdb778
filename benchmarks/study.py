"""Study throughput: trees/s of the flagship study with 1 worker and with 2, and the ratio.

1 worker runs every tree on one event loop in this process; 2 workers is the local
process pool (``--workers 2``), whose start-up is included in its time. Each run goes
into a fresh directory with traces off, so only running and recording rows is timed.

Run: ``.venv/bin/python benchmarks/study.py [--trials 100] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from hch.study import load_experiment, run_study

FLAGSHIP = str(Path(__file__).resolve().parent.parent / "experiments" / "depth_vs_quality.py")


def trees_per_second(workers: int, trials: int, repeat: int) -> float:
    """Best rate of ``repeat`` runs of the flagship study with ``workers`` processes."""
    experiment = load_experiment(FLAGSHIP)
    best = 0.0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            rows = run_study(experiment, out, trials=trials, workers=workers, keep_traces="none")
            best = max(best, len(rows) / (time.perf_counter() - start))
    return best


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--trials", type=int, default=100, help="trials per grid point")
    args.add_argument("--repeat", type=int, default=2, help="runs per setting; the best counts")
    opts = args.parse_args()
    cells = 7 * 3
    print(
        f"flagship study: {cells} grid points x {opts.trials} trials = {cells * opts.trials} trees"
    )
    print(f"cpus: {os.cpu_count()}")
    one = trees_per_second(1, opts.trials, opts.repeat)
    print(f"1 worker:  {one:8.0f} trees/s")
    two = trees_per_second(2, opts.trials, opts.repeat)
    print(f"2 workers: {two:8.0f} trees/s")
    print(f"ratio:     {two / one:8.2f}x")


if __name__ == "__main__":
    main()
