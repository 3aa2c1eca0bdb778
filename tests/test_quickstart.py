"""The quick-start snippet, run exactly as a user types it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import hch
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Limits

SNIPPET = textwrap.dedent(
    """
    import hch
    from hch import Question, Answer, Context, Limits
    from agents.simulated import NoisyCalculator
    from experiments.tasks.arithmetic import ArithmeticTask

    task = ArithmeticTask(leaves=16)                       # random expression trees, exact truth
    sample = task.sample(seed=7)                           # question + truth
    tree = hch.run(sample.question, NoisyCalculator(p_error=0.05),
                   limits=Limits(max_depth=3, budget=200), seed=7, trace="run.jsonl")
    print(tree.root.answer.text, task.check(sample, tree.root.answer))
    same = hch.load("run.jsonl")                           # equal to `tree`
    g = hch.to_graph(tree)                                 # networkx.DiGraph, one vertex per node
    assert same == tree
    assert g.number_of_nodes() == len(tree) == 15
    """
)


def test_the_quickstart_runs_as_written(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    answer, correct = done.stdout.split()
    # The same tree again in this process: seeds make it identical across processes.
    task = ArithmeticTask(leaves=16)
    sample = task.sample(seed=7)
    tree = hch.run(
        sample.question,
        NoisyCalculator(p_error=0.05),
        limits=Limits(max_depth=3, budget=200),
        seed=7,
    )
    assert tree.root.answer is not None
    assert answer == tree.root.answer.text
    assert correct == str(task.check(sample, tree.root.answer))
    assert hch.load(tmp_path / "run.jsonl").fingerprint() == tree.fingerprint()
