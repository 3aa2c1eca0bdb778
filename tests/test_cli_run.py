"""`hch run` from a real subprocess, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import hch
from experiments.tasks.arithmetic import ArithmeticTask


def hch_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hch", *args], capture_output=True, text=True, timeout=60
    )


def test_run_prints_answer_shape_and_writes_a_loadable_trace(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    done = hch_cli(
        "run", "-t", "leaves=16", "-a", "p_error=0.05", "--max-depth", "3", "--budget", "200",
        "--seed", "7", "--trace", str(trace), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    tree = hch.load(trace)
    assert tree.complete
    sample = ArithmeticTask(leaves=16).sample(seed=7)
    assert facts["truth"] == sample.truth == tree.header.truth
    assert facts["answer"] == tree.root.answer.text  # type: ignore[union-attr]
    assert facts["nodes"] == len(tree) and facts["depth"] == tree.depth == 3
    assert facts["correct"] == (tree.root.answer.data == sample.truth)  # type: ignore[union-attr]


def test_text_output_and_a_plain_question() -> None:
    done = hch_cli("run", "--question", "(1 + 2) * (3 - 4)", "--max-depth", "1")
    assert done.returncode == 0, done.stderr
    assert "answer: -3" in done.stdout
    assert "nodes: 3" in done.stdout


def test_help_documents_every_option() -> None:
    done = hch_cli("run", "--help")
    for option in [
        "--question", "--task", "--task-option", "--agent", "--agent-option", "--max-depth",
        "--budget", "--max-children", "--node-timeout", "--tree-timeout", "--seed", "--trace",
        "--backend", "--json",
    ]:  # fmt: skip
        assert option in done.stdout


def test_bad_options_fail_with_a_named_problem() -> None:
    done = hch_cli("run", "-a", "p_eror=0.1")
    assert done.returncode == 2
    assert "agent option p_eror" in done.stderr
    done = hch_cli("run", "--max-depth", "-1")
    assert done.returncode == 2
    assert "limits option max_depth" in done.stderr
    done = hch_cli("run", "--agent", "no-such-agent")
    assert done.returncode == 2
    assert "no-such-agent" in done.stderr
