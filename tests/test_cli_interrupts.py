"""Ctrl-C (SIGINT to a real ``hch`` process) and a reader that goes away (``| head``):
one line, exit 130 (or 141, silently, for the pipe), every finished node or row kept."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import hch
from hch.study import load
from tests.cli_harness import HCH, ROOT, assert_fails, write
from tests.cli_harness import hch as run_hch

HELD = """
    import os
    from pathlib import Path

    import anyio

    from hch import Answer, Limits, agent
    from hch.study import Trial, experiment


    async def hold() -> None:
        while Path(os.environ["HCH_TEST_HOLD"]).exists():
            await anyio.sleep(0.02)


    @agent
    async def tree(question, ctx):
        \"\"\"Two children per node; a second child at the bottom waits while HOLD exists.\"\"\"
        if ctx.can_ask:
            await ctx.ask_all([question.text + ".0", question.text + ".1"])
        elif question.text.endswith(".1"):
            await hold()
        return Answer(text="1")


    @agent
    async def leaf(question, ctx):
        if int(question.text) >= 2:  # trials 0 and 1 finish, the rest wait
            await hold()
        return Answer(text="1")


    @experiment(grid={"k": [0, 1]}, trials=6)
    def held(k: int, trial: int) -> Trial:
        return Trial(question=str(trial), truth="1", agent=leaf, limits=Limits(max_depth=0))
"""


def start(args: list[str], cwd: Path, hold: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "HCH_TEST_HOLD": str(hold), "PYTHONPATH": str(cwd)}
    return subprocess.Popen(
        [HCH, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(ready: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the process never got there"
        time.sleep(0.05)


def lines(file: Path) -> int:
    return file.read_text().count("\n") if file.exists() else 0


def interrupt(proc: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_ctrl_c_of_a_run_keeps_the_finished_nodes(tmp_path: Path) -> None:
    write(tmp_path, "held.py", HELD)
    hold = tmp_path / "hold"
    hold.touch()
    trace = tmp_path / "t.jsonl"
    args = ["run", "-q", "root", "--agent", "held:tree", "--trace", "t.jsonl"]
    proc = start(args, tmp_path, hold)
    wait_for(lambda: lines(trace) >= 1 + 4, proc)  # the header, then the 4 leaves that finish
    done = interrupt(proc)
    words = ["hch run: interrupted", "t.jsonl keeps its 15 nodes (11 cancelled, 4 ok)"]
    assert_fails(done, *words, status=130, lines=1)
    tree = hch.load(trace)
    assert not tree.complete and len(tree) == 15
    ok = [node for node in tree if node.status == "ok"]
    assert len(ok) == 4 and all(node.answer and node.answer.text == "1" for node in ok)


def test_ctrl_c_of_a_study_keeps_its_rows_and_the_same_command_finishes_it(
    tmp_path: Path,
) -> None:
    write(tmp_path, "held.py", HELD)
    hold = tmp_path / "hold"
    hold.touch()
    results = tmp_path / "out" / "results.jsonl"
    args = ["study", "held.py", "--out", "out", "--no-plots"]
    proc = start(args, tmp_path, hold)
    wait_for(lambda: lines(results) >= 4, proc)  # 2 grid points x trials 0 and 1
    done = interrupt(proc)
    assert_fails(
        done, "hch study: interrupted: 4 rows kept in out/results.jsonl", status=130, lines=1
    )
    kept = results.read_text()
    hold.unlink()
    again = start(args, tmp_path, hold)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert results.read_text().startswith(kept)  # the rows kept were not touched
    rows = load(tmp_path / "out")
    assert len(rows) == 12 == len({r.key for r in rows})


def test_a_closed_pipe_ends_the_output_quietly(tmp_path: Path) -> None:
    """``hch report DIR | head -1``: exit 141 as Unix tools do, and nothing on stderr."""
    out = tmp_path / "s"
    done = run_hch("study", "tests.study_experiments:flips", "--out", str(out), "--quiet", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    # Unbuffered, hch writes its first line at once and the rest after head has gone.
    piped = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {HCH} report {out} | head -1"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert piped.returncode == 141
    assert piped.stdout.startswith("k") and piped.stdout.count("\n") == 1
    assert piped.stderr == ""


@pytest.mark.parametrize("command", ["show", "export"])
def test_a_closed_pipe_while_writing_a_lot_is_quiet_too(tmp_path: Path, command: str) -> None:
    trace = tmp_path / "big.jsonl"
    done = run_hch("run", "-t", "leaves=2048", "--max-depth", "11", "--trace", str(trace))
    assert done.returncode == 0, done.stderr
    args = [command, str(trace), *(["--format", "graphml"] * (command == "export"))]
    proc = subprocess.Popen([HCH, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()
    proc.stdout.close()  # more than a pipe holds is still to come
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == ""
    proc.stderr.close()
