"""``measure_cells``: one measure per row, gathered by grid point in the report's order;
``kept_tree``: a row's kept trace, when it can be read."""

from __future__ import annotations

from pathlib import Path

from hch.analysis.study import kept_tree, measure_cells
from hch.study.report import summarize
from hch.study.results import ResultRow
from tests.pointer_trees import reversal


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


def test_a_rows_kept_tree_is_read_only_where_a_readable_trace_is(tmp_path: Path) -> None:
    row = _row({"depth": 1}, 0, None).model_copy(update={"trace": "traces/a.jsonl"})
    assert kept_tree(row, tmp_path) is None  # not written (or deleted)
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "a.jsonl").write_text('{"not": "a trace"}\n')
    assert kept_tree(row, tmp_path) is None  # unreadable: one unmeasured row
    tree = reversal(trace=tmp_path / "traces" / "a.jsonl")
    kept = kept_tree(row, tmp_path)
    assert kept is not None and kept.root.answer == tree.root.answer
    assert kept_tree(row, None) is None  # no study directory known
    assert kept_tree(_row({"depth": 1}, 1, None), tmp_path) is None  # kept no trace
