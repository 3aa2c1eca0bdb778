"""Rows on their way to ``results.jsonl``: serialized once, where their trees ran.

A worker process validates its rows as it makes them and sends them as JSON lines,
with the few counts a progress bar shows; the study's process appends the lines to
its file as they are and reads them back into rows only if someone asks for the rows.
Rebuilding every row in that one process made it the bottleneck of a study with
workers: it cost more per tree than a small tree itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from hch.study.results import ResultRow, read_rows

__all__ = ["RowBatch", "StudyRows"]


@dataclass(frozen=True, slots=True)
class RowBatch:
    """Finished rows: their JSON lines and what a progress bar counts of them.

    Attributes:
        lines: The rows as JSON lines, each ending in a newline: what the results
            file gets, byte for byte.
        count: How many rows.
        scored: Rows whose correctness is known.
        correct: Rows that are right.
        errors: Rows whose tree did not end ``ok``.
        rows: The rows themselves where they were made in this process; None where
            they came as text (read from ``lines`` when wanted).
    """

    lines: str
    count: int
    scored: int = 0
    correct: int = 0
    errors: int = 0
    rows: list[ResultRow] | None = None

    @classmethod
    def of(cls, rows: Sequence[ResultRow], *, keep: bool = True) -> RowBatch:
        """The batch of ``rows``; ``keep=False`` leaves the objects out (for a batch
        another process receives: it gets the lines)."""
        lines = "".join(row.model_dump_json() + "\n" for row in rows)
        scored = [row.correct for row in rows if row.correct is not None]
        return cls(
            lines=lines,
            count=len(rows),
            scored=len(scored),
            correct=sum(scored),
            errors=sum(row.status != "ok" for row in rows),
            rows=list(rows) if keep else None,
        )

    def read(self) -> list[ResultRow]:
        """The rows, read from ``lines`` unless the batch holds them."""
        return self.rows if self.rows is not None else read_rows(self.lines)

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent as its text and counts: the receiver reads rows from the lines if it
        # wants them, for less than unpickling them would cost.
        return RowBatch, (self.lines, self.count, self.scored, self.correct, self.errors)


class StudyRows(Sequence[ResultRow]):
    """Rows in the order they were added, from rows and from batches; a batch that came
    as text is read into rows when the first row is asked for, never before."""

    def __init__(self, rows: Sequence[ResultRow] = ()) -> None:
        self._rows = list(rows)
        self._unread: list[RowBatch] = []
        self._count = len(self._rows)

    def add(self, batch: RowBatch) -> None:
        """Append the rows of ``batch``."""
        if self._unread or batch.rows is None:
            self._unread.append(batch)
        else:
            self._rows.extend(batch.rows)
        self._count += batch.count

    def _read(self) -> list[ResultRow]:
        if self._unread:
            for batch in self._unread:
                self._rows.extend(batch.read())
            self._unread.clear()
        return self._rows

    @overload
    def __getitem__(self, i: int) -> ResultRow: ...

    @overload
    def __getitem__(self, i: slice) -> list[ResultRow]: ...

    def __getitem__(self, i: int | slice) -> ResultRow | list[ResultRow]:
        return self._read()[i]

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ResultRow]:
        return iter(self._read())
