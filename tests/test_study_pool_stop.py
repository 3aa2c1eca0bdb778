"""Ctrl-C of ``hch study --workers N`` whose trees are slow: the queued chunks are
cancelled, the workers stop, every tree already finished keeps its row, and the command
ends with exit 130 and one line; the same command then runs only the missing trees."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from hch.study import load
from tests.cli_harness import assert_fails, write
from tests.pty_terminal import Terminal
from tests.test_cli_interrupts import lines, start, wait_for

HELD = """
    import os
    from pathlib import Path

    import anyio

    from hch import Answer, Limits, agent
    from hch.study import Trial, experiment


    @agent
    async def leaf(question, ctx):
        \"\"\"Trials 0 and 1 answer at once; the others wait while HOLD exists.\"\"\"
        if int(question.text) >= 2:
            while Path(os.environ["HCH_TEST_HOLD"]).exists():
                await anyio.sleep(0.02)
        return Answer(text="1")


    def finished(tree):
        \"\"\"Called as a tree's row is made: one line per finished tree.\"\"\"
        with open(os.environ["HCH_TEST_HOLD"] + ".done", "a") as log:
            log.write(tree.root.question.text + "\\n")
        return {}


    @experiment(grid={"k": [0, 1]}, trials=40)
    def held(k: int, trial: int) -> Trial:
        return Trial(
            question=str(trial), truth="1", agent=leaf, limits=Limits(max_depth=0),
            measure=finished,
        )
"""

# 80 trees in chunks of 5 (2 workers, 2 trees in flight each): the first chunk holds
# the 4 trees that finish, the 15 others only trees that wait.
ARGS = ["study", "held.py", "--out", "out", "--no-plots", "--workers", "2", "--concurrency", "2"]


def finish_it(tmp_path: Path, hold: Path, kept: str) -> None:
    """The same command without HOLD runs the missing trees; the kept rows stay as they are."""
    hold.unlink()
    again = start([*ARGS, "--quiet"], tmp_path, hold)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    results = tmp_path / "out" / "results.jsonl"
    assert results.read_text().startswith(kept)
    rows = load(tmp_path / "out")
    assert len(rows) == 80 == len({r.key for r in rows})


def test_sigint_stops_the_workers_and_keeps_the_finished_rows(tmp_path: Path) -> None:
    write(tmp_path, "held.py", HELD)
    hold = tmp_path / "hold"
    hold.touch()
    done = Path(f"{hold}.done")
    proc = start([*ARGS, "--quiet"], tmp_path, hold)
    wait_for(lambda: lines(done) >= 4, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)  # queued chunks would wait for ever
    assert_fails(
        subprocess.CompletedProcess(proc.args, proc.returncode, out, err),
        "hch study: interrupted: 4 rows kept in out/results.jsonl",
        status=130,
        lines=1,
    )
    results = tmp_path / "out" / "results.jsonl"
    rows = load(tmp_path / "out")
    assert sorted((r.params["k"], r.trial) for r in rows) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert all(r.correct and r.status == "ok" for r in rows)
    finish_it(tmp_path, hold, results.read_text())


def test_ctrl_c_on_a_terminal_reaches_every_worker_and_still_ends_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A terminal sends SIGINT to the whole process group, workers included."""
    write(tmp_path, "held.py", HELD)
    hold = tmp_path / "hold"
    hold.touch()
    done = Path(f"{hold}.done")
    monkeypatch.setenv("HCH_TEST_HOLD", str(hold))
    terminal = Terminal(*ARGS, cwd=tmp_path)
    try:
        terminal.expect("held")  # the progress bar is up
        wait_for(lambda: lines(done) >= 4, terminal.proc)  # type: ignore[arg-type]
        terminal.type("\x03")
        screen = terminal.expect("rows kept")  # read as it comes: a full terminal blocks
        assert terminal.wait(timeout=60) == 130
        assert "hch study: interrupted: 4 rows kept in out/results.jsonl" in screen, screen
        assert "Traceback" not in screen and "KeyboardInterrupt" not in screen, screen
    finally:
        terminal.close()
    assert len(load(tmp_path / "out")) == 4
    finish_it(tmp_path, hold, (tmp_path / "out" / "results.jsonl").read_text())
