"""A person at the root of a tree, typing into a real ``hch run`` through a pseudo-terminal.

The process gets the pty as its controlling terminal, so Ctrl-C is a real SIGINT sent by
the terminal driver, as when a researcher presses it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from agents.human import TerminalHuman
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask, render
from hch import Limits, ModelCall, Status, by_depth, load, run
from hch.cache import Cache
from tests.pty_terminal import Terminal


@pytest.fixture
def terminal(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened: list[Terminal] = []

    def open_(*args: str) -> Terminal:
        opened.append(Terminal(*args, cwd=tmp_path))
        return opened[-1]

    yield open_
    for t in opened:
        t.close()


TASK = ArithmeticTask(leaves=4)
SEED = 3
RUN = ("run", "--agent-at", "0=human", "-a", "p_error=0", "-t", "leaves=4", "--seed", str(SEED))


def test_a_researcher_plays_the_root_of_a_simulated_tree(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample = TASK.sample(SEED)
    left, right = (render(part) for part in sample.question.data[1:])
    trace = tmp_path / "root.jsonl"
    t = terminal(*RUN, "--max-depth", "1", "--budget", "3", "--trace", str(trace))
    screen = t.expect("root> ")
    assert f"Question: {sample.question.text}" in screen
    assert "node root · depth 0 · budget left 2 · may ask 2 more" in screen

    t.type("answer")
    t.expect("line 1 (empty line ends): ")
    t.type("")
    t.expect("refused: an answer cannot be empty")
    t.type("ask")
    for q in ("a", "b", "c", ""):
        t.expect("(empty line ends): ")
        t.type(q)
    t.expect("refused: this node may ask 2 more questions, not 3 (budget left 2)")

    t.type("ask")
    for q in (left, right, ""):
        t.expect("(empty line ends): ")
        t.type(q)
    screen = t.expect("may ask 0 more")
    assert f"[0] Q: {left}" in screen and f"[1] Q: {right}" in screen
    t.expect("root> ")
    t.type(f"answer {sample.truth}")
    assert t.wait() == 0
    assert "correct: True" in t.screen

    tree = load(trace)
    assert tree.complete and tree.root.agent == "you" and tree.root.answer.text == str(sample.truth)  # type: ignore[union-attr]
    calls = [e for e in tree.root.events if isinstance(e, ModelCall)]
    assert [c.response["action"] for c in calls] == ["ask", "answer"]  # type: ignore[index]

    # The trace re-runs from its recorded actions, with nobody at the terminal.
    nobody = TerminalHuman(
        cache=Cache.from_trace(trace), input=io.StringIO(""), output=io.StringIO()
    )
    again = run(
        sample.question,
        by_depth({0: nobody}, default=NoisyCalculator(p_error=0)),
        limits=Limits(max_depth=1, budget=3),
        seed=SEED,
    )
    assert [(n.path, n.answer) for n in again] == [(n.path, n.answer) for n in tree]


def test_ctrl_c_leaves_the_node_cancelled_and_the_trace_loadable(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    trace = tmp_path / "cut.jsonl"
    t = terminal(*RUN, "--max-depth", "1", "--trace", str(trace))
    t.expect("root> ")
    t.type(f"ask {render(TASK.sample(SEED).question.data[1])}")
    t.expect("[0] Q: ")
    t.expect("root> ")
    os.write(t.master, b"\x03")
    assert t.wait() == 130
    assert "hch run: interrupted: " in t.screen and "it loads" in t.screen
    assert "Traceback" not in t.screen
    tree = load(trace)
    assert not tree.complete
    assert tree.root.status is Status.CANCELLED and tree[(0,)].status is Status.OK


def test_untrusted_text_is_shown_escaped(terminal) -> None:  # type: ignore[no-untyped-def]
    hostile = "\x1b[2J\x1b]0;owned\x07\u202eWhat is 1 + 1?"
    t = terminal("run", "--agent", "human", "--max-depth", "0", "-q", hostile)
    screen = t.expect("root> ")
    assert "Question: \\x1b[2J\\x1b]0;owned\\x07\\u202eWhat is 1 + 1?" in screen
    assert "\x1b" not in screen and "\x07" not in screen and "\u202e" not in screen
    t.type("answer 2")
    assert t.wait() == 0
