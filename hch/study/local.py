"""The default executor: every tree of the study on one anyio event loop in this process.

Suits agents that wait on models (thousands of trees in flight at once); ``concurrency``
bounds the trees in flight.
"""

from __future__ import annotations

from hch.loop import run_sync
from hch.study.execute import run_jobs
from hch.study.executor import OnRow, Work

__all__ = ["LocalLoop"]


class LocalLoop:
    """Runs the study here, on one event loop."""

    def run(self, work: Work, on_row: OnRow) -> None:
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
