"""Reading a study's rows back: hch.study.load and Results.to_pandas."""

from __future__ import annotations

from pathlib import Path

import pytest

import hch
from hch import Answer, Question, Sample
from hch.errors import TraceError
from hch.study import ResultRow, Trial, experiment, load, run_study
from hch.study.results import RESULTS_FILE


def row(depth: int, trial: int, correct: bool | None) -> ResultRow:
    return ResultRow(
        study="s",
        params={"depth": depth, "p_error": 0.01},
        trial=trial,
        seed=trial,
        correct=correct,
        status="ok" if correct is not None else "failed",
        nodes=2**depth,
    )


def write(directory: Path, rows: list[ResultRow], tail: str = "") -> None:
    lines = "".join(r.model_dump_json() + "\n" for r in rows)
    (directory / RESULTS_FILE).write_text(lines + tail)


def test_rows_come_back_and_flatten_into_a_dataframe(tmp_path: Path) -> None:
    rows = [row(d, t, (d + t) % 2 == 0) for d in range(3) for t in range(4)]
    rows.append(row(3, 0, None))
    write(tmp_path, rows)
    results = load(tmp_path)
    assert list(results) == rows
    frame = results.to_pandas()
    assert len(frame) == len(rows)
    assert {"params.depth", "params.p_error", "trial", "correct", "nodes"} <= set(frame.columns)
    scored = frame[frame["correct"].notna()]
    assert scored.groupby("params.depth")["correct"].mean().to_dict() == {0: 0.5, 1: 0.5, 2: 0.5}
    assert frame["correct"].isna().sum() == 1
    assert frame["nodes"].tolist() == [r.nodes for r in rows]


def test_a_half_written_last_row_is_dropped_but_a_bad_middle_row_is_an_error(
    tmp_path: Path,
) -> None:
    rows = [row(0, t, True) for t in range(3)]
    write(tmp_path, rows, tail='{"study": "s", "params": {"dep')
    assert list(load(tmp_path)) == rows
    write(tmp_path, rows[:1], tail='{"oops": 1}\n' + rows[1].model_dump_json() + "\n")
    with pytest.raises(TraceError, match=r"results.jsonl, line 2: invalid result row"):
        load(tmp_path)


def test_a_directory_without_results_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no study results"):
        load(tmp_path)


class HalfCredit:
    """A task whose grade gives partial credit: 1.0 exact, 0.5 off by one, else 0."""

    name = "half-credit"

    def sample(self, seed: int) -> Sample:
        return Sample(question=Question(text=str(seed)), truth=seed, task=self.name)

    def check(self, sample: Sample, answer: Answer) -> bool:
        return self.score(sample, answer) == 1.0

    def score(self, sample: Sample, answer: Answer) -> float:
        miss = abs(int(answer.text) - int(sample.truth))
        return 1.0 if miss == 0 else 0.5 if miss == 1 else 0.0


def test_rows_carry_the_tasks_own_grade(tmp_path: Path) -> None:
    task = HalfCredit()

    @experiment(grid={"shift": [0, 1, 5]}, trials=2)
    def graded(shift: int, seed: int) -> Trial:
        sample = task.sample(seed % 100)
        answer = hch.agent(lambda q, ctx: str(int(q.text) + shift))
        return Trial(task=task, sample=sample, agent=answer)

    rows = run_study(graded, tmp_path)
    by_shift = {(r.params["shift"], r.score, r.correct) for r in rows}
    assert by_shift == {(0, 1.0, True), (1, 0.5, False), (5, 0.0, False)}
