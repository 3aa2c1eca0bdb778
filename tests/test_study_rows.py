"""Rows in batches: serialized once where trees ran, appended as they are, read on demand."""

from __future__ import annotations

import pickle

from hch.study import ResultRow, RowBatch
from hch.study.rows import StudyRows


def row(trial: int, correct: bool | None, status: str = "ok") -> ResultRow:
    return ResultRow(
        study="s", params={"k": 1}, trial=trial, seed=trial, correct=correct, status=status
    )


ROWS = [row(0, True), row(1, False), row(2, None, "failed"), row(3, True, "error")]


def test_a_batch_holds_the_lines_the_results_file_gets_and_the_counts_progress_shows() -> None:
    batch = RowBatch.of(ROWS)
    assert batch.lines == "".join(r.model_dump_json() + "\n" for r in ROWS)
    assert (batch.count, batch.scored, batch.correct, batch.errors) == (4, 3, 2, 2)
    assert batch.read() == ROWS


def test_a_batch_sent_to_another_process_is_its_text_and_reads_back_the_same_rows() -> None:
    sent = pickle.loads(pickle.dumps(RowBatch.of(ROWS)))
    assert sent.rows is None and sent.lines == RowBatch.of(ROWS).lines
    assert (sent.count, sent.scored, sent.correct, sent.errors) == (4, 3, 2, 2)
    assert sent.read() == ROWS


def test_study_rows_keep_the_order_rows_were_added_in_and_count_without_reading() -> None:
    rows = StudyRows(ROWS[:1])
    rows.add(RowBatch.of(ROWS[1:2], keep=False))
    rows.add(RowBatch.of(ROWS[2:]))
    assert len(rows) == 4
    assert list(rows) == ROWS and rows[1] == ROWS[1] and rows[-1] == ROWS[-1]
    assert rows[1:3] == ROWS[1:3]
