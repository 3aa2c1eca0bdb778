"""Studies that survive their own failures, through the real console script: traces that
cannot be written, another experiment in the same folder, broken experiment code, limits
set for a whole study, and the report of all of it."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hch.errors import StudyMismatch
from hch.study import ResultRow, load, load_experiment, run_study
from hch.study.report import error_rows, text
from tests.cli_harness import HCH, ROOT, assert_fails, write
from tests.cli_harness import hch as run_hch

FLIPS = "tests.study_experiments:flips"
"""2 grid points (k=0, k=1; depth=0) x 6 trials of one-node trees."""

QUIET = ["--quiet", "--no-plots"]


def _study(out: Path, *args: str, cwd: Path = ROOT, experiment: str = FLIPS) -> object:
    return run_hch("study", experiment, "--out", str(out), *QUIET, *args, cwd=cwd)


# -- traces that cannot be written -------------------------------------------------------


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_traces_folder_that_is_a_file_stops_the_study_before_it_runs(
    tmp_path: Path, workers: str
) -> None:
    out = tmp_path / "tf"
    out.mkdir()
    (out / "traces").write_text("kept\n")
    done = run_hch("study", FLIPS, "--out", str(out), *QUIET, "--workers", workers, cwd=ROOT)
    assert_fails(done, f"the traces folder {out / 'traces'} is a file", "--keep-traces none")
    assert not (out / "results.jsonl").read_text()  # no tree ran
    assert (out / "traces").read_text() == "kept\n"
    # Without traces the same folder runs.
    done = run_hch("study", FLIPS, "--out", str(out), *QUIET, "--keep-traces", "none", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert len(load(out)) == 12


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_tree_whose_trace_cannot_be_written_is_a_row_with_that_error(
    tmp_path: Path, workers: str
) -> None:
    out = tmp_path / "s"
    (out / "traces" / "depth=0,k=1").mkdir(parents=True)
    (out / "traces" / "depth=0,k=0").write_text("a file where a folder should be\n")
    (out / "traces" / "depth=0,k=1" / "2.jsonl").symlink_to("/dev/full")  # a full disk
    done = _study(out, "--keep-traces", "all", "--workers", workers)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    rows = {(r.params["k"], r.trial): r for r in load(out)}
    assert len(rows) == 12  # every tree has its row; none took another down
    blocked = [r for (k, _), r in rows.items() if k == 0]
    assert all(r.status == "error" and r.trace is None for r in blocked)
    assert all("a file is where its folder should be" in (r.error or "") for r in blocked)
    assert all(r.answer is not None and r.nodes == 1 for r in blocked)  # what the tree gave
    full = rows[(1, 2)]
    assert full.status == "error" and "No space left on device" in (full.error or "")
    assert full.correct is not None  # its answer was still checked
    kept = [r for (k, t), r in rows.items() if k == 1 and t != 2]
    assert all(r.status == "ok" and r.trace for r in kept)
    assert all((out / str(r.trace)).is_file() for r in kept)
    assert "errors: 7 rows could not run or kept no trace" in done.stdout
    assert "No space left on device" in done.stdout


def test_a_traces_folder_without_permission_is_named(tmp_path: Path) -> None:
    out = tmp_path / "s"
    (out / "traces").mkdir(parents=True)
    (out / "traces").chmod(0o500)
    try:
        done = _study(out)
        if done.returncode == 0:  # root may write anywhere: nothing to refuse then
            assert len(load(out)) == 12
            return
        assert_fails(done, f"cannot write in the traces folder {out / 'traces'}")
    finally:
        (out / "traces").chmod(0o700)


# -- one experiment per study folder -----------------------------------------------------

COUNTING = """
    from hch import Answer, Limits, Question
    from hch.study import Trial, experiment
    from hch.tasks import Sample


    class {task}:
        name = "{name}"

        def sample(self, seed):
            n = {base} + seed % 3
            return Sample(question=Question(text=" ".join(["w"] * n)), truth=n, task=self.name)

        def check(self, sample, answer):
            return answer.text == str(sample.truth)


    async def counter(question, ctx):
        return Answer(text=str(len(question.text.split())))


    TASK = {task}()


    @experiment(grid={{"depth": [0]}}, trials=3)
    def wc(depth: int, seed: int) -> Trial:
        {body}
"""

BODY = "return Trial(task=TASK, sample=TASK.sample(seed), agent=counter, limits=Limits())"


def _counting(folder: Path, *, task: str = "Words", base: int = 8, body: str = BODY) -> Path:
    source = COUNTING.format(task=task, name=task.lower(), base=base, body=body)
    return write(folder, "wc_study.py", source)


def test_a_study_folder_refuses_another_experiment_of_the_same_name(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "wc"
    first = _counting(tmp_path / "a")
    assert _study(out, experiment=str(first), cwd=tmp_path).returncode == 0
    recorded = (out / "study.json").read_bytes()
    rows = (out / "results.jsonl").read_bytes()
    other = _counting(tmp_path / "b", base=64)  # same code and classes, other questions
    done = _study(out, "--trials", "7", experiment=str(other), cwd=tmp_path)
    assert_fails(done, f"{out} holds another experiment named 'wc'", "its question differs")
    assert (out / "study.json").read_bytes() == recorded  # the reference is not overwritten
    assert (out / "results.jsonl").read_bytes() == rows


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"task": "Letters"}, "its task (Words, now Letters) differs"),
        ({"body": "x = 1\n        " + BODY}, "its code differs"),
    ],
)
def test_what_differs_is_named(tmp_path: Path, change: dict[str, Any], said: str) -> None:
    out = tmp_path / "wc"
    run_study(load_experiment(str(_counting(tmp_path / "a"))), out)
    recorded = (out / "study.json").read_bytes()
    other = load_experiment(str(_counting(tmp_path / "b", **change)))
    with pytest.raises(StudyMismatch, match=re.escape(said)):
        run_study(other, out, trials=5)
    assert (out / "study.json").read_bytes() == recorded
    assert len(load(out)) == 3


def test_the_same_experiment_resumes_whatever_its_layout_and_grid(tmp_path: Path) -> None:
    out = tmp_path / "wc"
    first = _counting(tmp_path / "a")
    assert _study(out, experiment=str(first), cwd=tmp_path).returncode == 0
    # Comments, a docstring and a wider default grid: the same experiment.
    source = first.read_text().replace(
        "    def wc(depth: int, seed: int) -> Trial:\n",
        '    def wc(depth: int, seed: int) -> Trial:\n    """Counts words."""\n    # a comment\n',
    )
    moved = write(tmp_path / "b", "wc_study.py", source.replace("[0]}, trials", "[0, 1]}, trials"))
    done = _study(out, "--trials", "5", experiment=str(moved), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(load(out)) == 10 and all(r.correct for r in load(out))


def test_a_study_folder_of_an_older_version_resumes_and_gains_a_definition(
    tmp_path: Path,
) -> None:
    out = tmp_path / "old"
    assert _study(out, "--trials", "2").returncode == 0
    spec = json.loads((out / "study.json").read_text())
    del spec["definition"], spec["limits"]  # as an older hch wrote it
    (out / "study.json").write_text(json.dumps(spec))
    done = _study(out, "--trials", "3")
    assert done.returncode == 0, done.stderr
    assert len(load(out)) == 6
    assert json.loads((out / "study.json").read_text())["definition"]["code"]


# -- a bug in experiment code --------------------------------------------------------------

BROKEN = """
    from hch import Answer, Limits
    from hch.study import Trial, experiment


    async def echo(question, ctx):
        return Answer(text=question.text)


    def helper(k):
        if k == 1:
            raise ValueError(f"deliberate failure at k={k}")
        return Trial(question="1", truth="1", agent=echo, limits=Limits(max_depth=0))


    @experiment(grid={"k": [0, 1]}, trials=2)
    def buggy(k: int) -> Trial:
        return helper(k)
"""


def test_error_rows_keep_where_the_experiment_broke(tmp_path: Path) -> None:
    source = write(tmp_path, "buggy.py", BROKEN)
    out = tmp_path / "b"
    done = run_hch("study", "buggy.py", "--out", str(out), *QUIET, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    broken = [r for r in load(out) if r.status == "error"]
    assert len(broken) == 2
    for row in broken:
        assert row.error == "ValueError: deliberate failure at k=1"
        assert row.frames[-1] == f"{source}:11 in helper"
        assert row.frames[-2] == f"{source}:17 in buggy"
    shown = f"      at {source}:11 in helper"
    assert "2 x ValueError: deliberate failure at k=1 (first: k=1, trial 0)" in done.stdout
    assert shown in done.stdout
    for command in ("report", "analyze"):
        again = run_hch(command, str(out), "--no-plots", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert shown in again.stdout, command


def test_error_rows_are_summarised_once_per_error() -> None:
    def row(trial: int, error: str | None, status: str = "error") -> ResultRow:
        frames = [f"x.py:{trial} in f"] if error else []
        return ResultRow(
            study="s", params={"a": 1}, trial=trial, seed=0, correct=None, status=status,
            error=error, frames=frames,
        )  # fmt: skip

    assert error_rows([row(0, None, "ok")]) is None
    said = error_rows([row(0, "E: one"), row(1, "E: one"), row(2, "E: two\x1b[31m")], most=1)
    assert said is not None
    lines = said.splitlines()
    assert lines[0] == "errors: 3 rows could not run or kept no trace"
    assert lines[1] == "  2 x E: one (first: a=1, trial 0)"
    assert lines[2] == "      at x.py:0 in f"
    assert lines[3] == "  ... and 1 other errors (see results.jsonl)"
    assert "\x1b" not in said


# -- the report's columns ------------------------------------------------------------------


def test_tokens_cost_and_seconds_are_columns_where_rows_carry_them() -> None:
    def rows(**extra: float) -> list[ResultRow]:
        return [
            ResultRow(study="s", params={"d": d}, trial=t, seed=0, correct=True, status="ok",
                      nodes=1, **extra)  # type: ignore[arg-type]
            for d in (0, 1) for t in range(2)
        ]  # fmt: skip

    plain = text(rows()).splitlines()[0].split()
    assert not {"tokens", "cost", "seconds"} & set(plain)
    lines = [line.split() for line in text(rows(tokens=30, cost=0.5, duration=0.25)).splitlines()]
    assert lines[0][-3:] == ["tokens", "cost", "seconds"]
    assert lines[1][-3:] == ["30", "1.0000", "0.25"]  # mean tokens, total cost, mean seconds


def test_report_x_is_checked_before_anything_is_printed(tmp_path: Path) -> None:
    out = tmp_path / "s"
    assert _study(out).returncode == 0
    done = run_hch("report", str(out), "--x", "nope")
    assert_fails(done, "cannot plot against 'nope'", "numeric parameters are k, depth")
    assert done.stdout == ""
    done = run_hch("report", str(out), "--x", "k", "--no-plots")
    assert_fails(done, "--x", "--no-plots")
    assert done.stdout == ""


# -- limits for a whole study ----------------------------------------------------------------

SLOW = """
    import anyio

    from hch import Answer, Limits
    from hch.study import Trial, experiment


    async def slow(question, ctx):
        await anyio.sleep(float(question.text))
        return Answer(text="done")


    @experiment(grid={"wait": [0.0, 30.0]}, trials=2)
    def waits(wait: float) -> Trial:
        return Trial(question=str(wait), truth="done", agent=slow, limits=Limits(max_depth=0))
"""


def test_a_study_timeout_replaces_the_experiments_and_is_kept_on_resume(tmp_path: Path) -> None:
    write(tmp_path, "slow.py", SLOW)
    out = tmp_path / "s"
    args = ["study", "slow.py", "--out", str(out), *QUIET, "--node-timeout", "0.2"]
    done = run_hch(*args, "--workers", "2", cwd=tmp_path)  # workers read it too
    assert done.returncode == 0, done.stderr
    rows = {(r.params["wait"], r.trial): r for r in load(out)}
    assert {rows[(0.0, t)].status for t in range(2)} == {"ok"}
    assert {rows[(30.0, t)].status for t in range(2)} == {"cancelled"}
    assert json.loads((out / "study.json").read_text())["limits"] == {"node_timeout": 0.2}
    # A resume without the option keeps the recorded limit; another one is refused.
    done = run_hch("study", "slow.py", "--out", str(out), *QUIET, "--trials", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {r.status for r in load(out) if r.params["wait"] == 30.0} == {"cancelled"}
    done = run_hch(*args[:-1], "0.5", cwd=tmp_path)
    assert_fails(done, "holds a study run with limits node_timeout=0.2", "node_timeout=0.5")
    assert len(load(out)) == 6
    assert_fails(run_hch(*args[:-1], "0", cwd=tmp_path), "argument --node-timeout", "more than 0")


def test_a_tree_timeout_for_the_study(tmp_path: Path) -> None:
    slow = load_experiment(str(write(tmp_path, "slow.py", SLOW)))
    rows = run_study(slow, tmp_path / "s", limits={"tree_timeout": 0.2}, trials=1)
    assert {r.params["wait"]: r.status for r in rows} == {0.0: "ok", 30.0: "cancelled"}
    with pytest.raises(ValidationError, match="only node_timeout and tree_timeout"):
        run_study(slow, tmp_path / "t", limits={"max_depth": 3})


def test_a_results_file_that_cannot_grow_stops_the_study_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    out = tmp_path / "s"
    study = f"{HCH} study {FLIPS} --out {out} --quiet --no-plots --keep-traces none"
    # At most 2 KiB per file: the results file fills up after a few rows (File too large).
    done = subprocess.run(
        ["bash", "-c", f"ulimit -f 2; exec {study}"], cwd=ROOT, capture_output=True, text=True
    )
    assert_fails(done, f"cannot write {out / 'results.jsonl'}", "run the same command again")
    kept = load(out)
    assert 0 < len(kept) < 12
    done = run_hch(*shlex.split(study)[1:], cwd=ROOT)
    assert done.returncode == 0, done.stderr
    rows = load(out)
    assert len(rows) == len({r.key for r in rows}) == 12  # each tree once, none lost
    assert [r.model_dump() for r in rows[: len(kept)]] == [r.model_dump() for r in kept]
