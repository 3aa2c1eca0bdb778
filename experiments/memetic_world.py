"""The world the meme studies share: arithmetic with truth at every node, one meme, and
a command line that runs a study and prints its accuracy and meme tables with plots.

Every node is a noisy calculator (``agents.simulated``) splitting a sum of 64 one-digit
numbers in half down to the study's depth: a full binary tree. Misbehaviours wrap it
(``agents.memetic``). Each tree's meme and error statistics go into its result row
(``Trial(measure=MEASURE)``), so the tables cover every tree, not a sample of traces.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from agents.memetic import LEDGER
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Lab, Meme
from hch.analysis.memes import Theory, show_study, tree_metrics
from hch.commands.report import show
from hch.study import BarProgress, Experiment, Quiet, Results, run_study
from hch.study.plots import numeric_parameters

__all__ = ["MEASURE", "TASK", "calculator", "lab", "main", "meme", "run_from_command_line"]

TASK = ArithmeticTask(leaves=64)
"""Depth 0..5 splits it fully: a node at depth 5 adds two numbers."""

MEASURE = partial(tree_metrics, task=TASK)
"""Memes and errors of a tree, for its result row."""


def calculator(p_error: float = 0.002) -> NoisyCalculator:
    """The agent under every misbehaviour; it misreads a child's answer twice as often as
    it slips on one operation of its own."""
    return NoisyCalculator(p_error=p_error, capacity=32, p_handoff=2 * p_error)


def meme(persuasiveness: float) -> Meme:
    """The studies' meme at a given persuasiveness."""
    return LEDGER.model_copy(update={"persuasiveness": persuasiveness})


def lab(the_meme: Meme, seed: int, error_rate: float = 0.0, cost: int = 0) -> Lab:
    """A lab that checks answers against the task and knows the meme is false."""
    return Lab(TASK, memes=[the_meme], error_rate=error_rate, cost=cost, seed=seed)


def run_from_command_line(
    experiment: Experiment, argv: Sequence[str] | None = None, *, workers: int = 2
) -> tuple[Results, Path]:
    """Run ``experiment`` as its command line says (``--out``, ``--trials``,
    ``--workers``, ``--seed``, ``--quiet``; resumable): its rows and directory."""
    p = argparse.ArgumentParser(prog=f"python -m experiments.{experiment.name}")
    p.add_argument("--out", default=f"runs/{experiment.name}", help="study directory")
    p.add_argument("--trials", type=int, help=f"trees per grid point ({experiment.trials})")
    p.add_argument("--workers", type=int, default=workers, help=f"processes ({workers})")
    p.add_argument("--seed", type=int, help="study seed")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    out = Path(args.out)
    rows = run_study(
        experiment,
        out,
        trials=args.trials,
        seed=args.seed,
        workers=args.workers,
        progress=Quiet() if args.quiet or not sys.stdout.isatty() else BarProgress(),
    )
    return rows, out


def main(
    experiment: Experiment,
    argv: Sequence[str] | None = None,
    *,
    theory: Theory | None = None,
    workers: int = 2,
    x: str = "depth",
    summary: Callable[[Results], str] | None = None,
) -> int:
    """Run ``experiment`` into ``--out`` (resumable), print its tables, write its plots.

    ``x`` is the plots' x axis; accuracy is plotted against it when it is numeric.
    ``summary`` adds its own text at the end.
    """
    rows, out = run_from_command_line(experiment, argv, workers=workers)
    show(rows, out, x=x, plots=x in numeric_parameters(rows))
    show_study(rows, out, x=x, theory=theory, title=experiment.name)
    if summary is not None:
        print(summary(rows))
    print(f"results: {out / 'results.jsonl'} ({len(rows)} rows); traces: {out / 'traces'}")
    return 0
