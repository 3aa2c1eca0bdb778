"""Results and resume: every (params, trial) exactly once, even after SIGKILL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hch.errors import StudyMismatch, TraceError
from hch.study import load, run_study
from hch.study.store import STUDY_FILE
from tests.study_experiments import flips, fragile

SLOW_STUDY = """
import anyio
from hch import Answer, agent
from hch.study import Trial, experiment

@agent
async def slow_coin(question, ctx):
    await anyio.sleep(0.02)
    return Answer(text=str(ctx.rng.randint(0, 1)))

@experiment(grid={"k": [0, 1]}, trials=200, seed=11)
def slow(k: int) -> Trial:
    return Trial(question="flip", truth=str(k), agent=slow_coin)
"""


def outcomes(directory: Path) -> dict[str, tuple[object, ...]]:
    return {r.key: (r.seed, r.correct, r.answer, r.status) for r in load(directory)}


def keys_once(directory: Path) -> list[str]:
    keys = [r.key for r in load(directory)]
    assert len(keys) == len(set(keys)), "a row was written twice"
    return keys


def test_rerun_skips_finished_rows(tmp_path: Path) -> None:
    run_study(flips, tmp_path)
    before = (tmp_path / "results.jsonl").read_bytes()
    rows = run_study(flips, tmp_path)
    assert (tmp_path / "results.jsonl").read_bytes() == before
    assert len(rows) == 12


def test_growing_grid_and_trials_runs_only_new_rows(tmp_path: Path) -> None:
    run_study(flips, tmp_path, trials=4)
    first = outcomes(tmp_path)
    run_study(flips, tmp_path, trials=6, params={"k": [0, 1, 2]})
    grown = outcomes(tmp_path)
    assert len(grown) == 18 and len(keys_once(tmp_path)) == 18
    assert {k: grown[k] for k in first} == first
    fresh = tmp_path.parent / "fresh"
    run_study(flips, fresh, trials=6, params={"k": [0, 1, 2]})
    assert outcomes(fresh) == grown
    study = json.loads((tmp_path / STUDY_FILE).read_text())
    assert study["grid"] == {"k": [0, 1, 2], "depth": [0]} and study["trials"] == 6
    # running a smaller slice again keeps what the directory holds on record
    run_study(flips, tmp_path, trials=2, params={"k": [1]})
    assert json.loads((tmp_path / STUDY_FILE).read_text())["grid"]["k"] == [0, 1, 2]


def test_another_study_in_the_same_directory_is_refused(tmp_path: Path) -> None:
    run_study(flips, tmp_path, trials=1)
    with pytest.raises(StudyMismatch, match="seed 3; this run has seed 4"):
        run_study(flips, tmp_path, trials=1, seed=4)
    with pytest.raises(
        StudyMismatch, match="experiment 'flips'; this run has experiment 'fragile'"
    ):
        run_study(fragile, tmp_path, params={"mode": "ok"}, seed=3)
    assert len(load(tmp_path)) == 2


def test_a_half_written_last_row_is_cut_off_and_run_again(tmp_path: Path) -> None:
    run_study(flips, tmp_path)
    results = tmp_path / "results.jsonl"
    lines = results.read_text().splitlines(keepends=True)
    results.write_text("".join(lines[:-1]) + lines[-1][:25])  # killed mid-write
    assert len(load(tmp_path)) == 11  # the reader drops the partial line
    run_study(flips, tmp_path)
    assert len(keys_once(tmp_path)) == 12
    assert results.read_text().endswith("\n")
    assert all(json.loads(line) for line in results.read_text().splitlines())


def test_a_corrupt_row_in_the_middle_is_an_error(tmp_path: Path) -> None:
    run_study(flips, tmp_path, trials=1)
    results = tmp_path / "results.jsonl"
    results.write_text('{"broken": true}\n' + results.read_text())
    with pytest.raises(TraceError, match=r"results\.jsonl, line 1: invalid result row"):
        load(tmp_path)


def kill_once_written(command: list[str], out: Path, rows: int) -> int:
    """Start the study ``command``, SIGKILL it once ``out`` holds ``rows`` rows; its pid."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if results.exists() and results.read_bytes().count(b"\n") >= rows:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the study finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_mid_study_then_resume_gives_every_row_once(tmp_path: Path, workers: int) -> None:
    """Rows are written in batches, and with workers come back by chunks: a kill loses the
    rows of the last batch and of the chunks still running, which resuming runs again."""
    file = tmp_path / "slow.py"
    file.write_text(SLOW_STUDY)
    killed = tmp_path / "killed"
    command = [sys.executable, "-m", "hch", "study", str(file), "--out", str(killed)]
    command += ["--quiet", "--concurrency", "4", "--keep-traces", "all", "--workers", str(workers)]
    kill_once_written(command, killed, rows=40)
    partial = len(keys_once(killed))
    assert 40 <= partial < 400

    finish = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "accuracy" in finish.stdout
    assert len(keys_once(killed)) == 400

    whole = tmp_path / "whole"
    run_study(str(file), whole, concurrency=400, keep_traces="none")
    assert outcomes(killed) == outcomes(whole)


PID_STUDY = """
import os
import anyio
from hch import Answer, agent
from hch.study import Trial, experiment

@agent
async def pid(question, ctx):
    await anyio.sleep(0.05)
    return Answer(text=str(os.getpid()))

@experiment(trials=2000)
def pids() -> Trial:
    return Trial(question="which process?", agent=pid)
"""


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_workers_of_a_killed_study_exit(tmp_path: Path) -> None:
    file = tmp_path / "pids.py"
    file.write_text(PID_STUDY)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "hch", "study", str(file), "--out", str(out), "--quiet"]
    command += ["--workers", "2", "--concurrency", "2", "--keep-traces", "none"]
    pid = kill_once_written(command, out, rows=8)
    workers = {int(str(r.answer)) for r in load(out)}
    assert workers and pid not in workers
    deadline = time.monotonic() + 20
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in workers)
