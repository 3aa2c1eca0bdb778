"""``measure_cells``: one measure per row, gathered by grid point in the report's order;
``kept_trace``: where a row's kept trace is."""

from __future__ import annotations

from pathlib import Path

from hch.analysis.study import kept_trace, measure_cells
from hch.study.report import summarize
from hch.study.results import ResultRow


def _row(params: dict[str, object], trial: int, metric: int | None) -> ResultRow:
    metrics = {} if metric is None else {"m": metric}
    return ResultRow(
        study="s",
        params=params,
        trial=trial,
        seed=trial,
        correct=True,
        status="ok",
        metrics=metrics,
    )


def test_rows_are_measured_per_grid_point_and_rows_without_a_measure_counted() -> None:
    rows = [
        _row({"depth": 3, "w": 2}, 0, 5),
        _row({"w": 2, "depth": 1}, 0, None),  # keys in another order: the same point
        _row({"depth": 1, "w": 2}, 1, 7),
        _row({"depth": 3, "w": 2}, 1, 6),
        _row({"depth": 1, "w": 2}, 2, 8),
    ]
    cells = measure_cells(rows, lambda r: r.metrics.get("m"))
    assert [report for report, _, _ in cells] == summarize(rows)  # the report's order
    assert [(r.params["depth"], found, missing) for r, found, missing in cells] == [
        (1, [7, 8], 1),
        (3, [5, 6], 0),
    ]
    assert measure_cells([], lambda r: 1) == []


def test_a_rows_kept_trace_is_found_only_where_its_file_is(tmp_path: Path) -> None:
    row = _row({"depth": 1}, 0, None).model_copy(update={"trace": "traces/a.jsonl"})
    assert kept_trace(row, tmp_path) is None  # not written (or deleted)
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "a.jsonl").write_text("{}\n")
    assert kept_trace(row, tmp_path) == tmp_path / "traces" / "a.jsonl"
    assert kept_trace(row, None) is None  # no study directory known
    assert kept_trace(_row({"depth": 1}, 1, None), tmp_path) is None  # kept no trace
