"""The default executor: every tree of the study on one anyio event loop in this process.

Suits agents that wait on models (thousands of trees in flight at once); ``concurrency``
bounds the trees in flight.
"""

from __future__ import annotations

from hch.loop import run_sync
from hch.study.execute import run_jobs
from hch.study.executor import OnRows, Work
from hch.study.results import ResultRow
from hch.study.rows import RowBatch

__all__ = ["LocalLoop"]


class LocalLoop:
    """Runs the study here, on one event loop."""

    def run(self, work: Work, on_rows: OnRows) -> None:
        def on_row(row: ResultRow) -> None:
            on_rows(RowBatch.of([row]))

        run_sync(
            run_jobs,
            work.experiment,
            iter(work.jobs),
            work.out,
            work.traces,
            work.concurrency,
            on_row,
            backend=work.backend,
        )
