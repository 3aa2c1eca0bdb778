"""Reading a study's rows back: hch.study.load and Results.to_pandas."""

from __future__ import annotations

from pathlib import Path

import pytest

from hch.errors import TraceError
from hch.study import ResultRow, load
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
