"""The ready IDA study (``experiments/ida_epochs.py``) and the README's IDA section."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.ida_epochs import main
from hch.ida import read_epochs

ROOT = Path(__file__).resolve().parents[1]


def test_the_study_prints_saves_and_plots_its_epochs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ida"
    args = ["--epochs", "2", "--trials", "60", "--fidelity", "0.8", "--meme-rate", "0.05"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    records = read_epochs(out)
    assert [r.epoch for r in records] == [1, 2]
    for r in records:  # the table holds each epoch's figures with their intervals
        assert f"{r.accuracy.text()}  {r.capture.text()}" in printed
    assert (out / "epochs.txt").read_text() in printed
    for name in ("ida_accuracy", "ida_capture"):
        for suffix in ("png", "svg"):
            assert (out / "plots" / f"{name}.{suffix}").stat().st_size > 1000

    # Run again with one more epoch: the first two are kept as they were.
    assert main([*args, "--epochs", "3", "--out", str(out)]) == 0
    assert read_epochs(out)[:2] == records and len(read_epochs(out)) == 3


def test_without_memes_the_table_gives_the_fixed_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--epochs", "1", "--trials", "10", "--out", str(tmp_path)]) == 0
    assert "closed-form fixed point without memes: error 0.0837" in capsys.readouterr().out


def test_bad_options_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--fidelity", "1.5"])
    assert stop.value.code == 2
    assert "fidelity and meme-rate must be in [0, 1]" in capsys.readouterr().err


def test_a_folder_of_another_run_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "ida"
    first = ["--epochs", "1", "--trials", "5", "--out", str(out)]
    run = [sys.executable, "-m", "experiments.ida_epochs"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    assert subprocess.run([*run, *first], env=env, capture_output=True).returncode == 0
    kept = (out / "epochs.jsonl").read_text()
    done = subprocess.run(
        [*run, *first, "--fidelity", "0.5"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("ida_epochs: error: ") and str(out) in line
    assert (out / "epochs.jsonl").read_text() == kept
