"""Studies in a local process pool: chunks of jobs run in fresh worker processes.

A worker imports the experiment afresh from its ``ref`` (``module:attr`` or
``file.py:attr``), once per process, and runs each chunk concurrently on its own anyio
event loop; rows come back to the parent, which alone appends them to the results file.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from functools import partial
from pathlib import Path

import anyio

from hch.gc_policy import relaxed_gc
from hch.study.execute import run_jobs
from hch.study.executor import OnRow, Work, chunked, drain
from hch.study.experiments import Experiment, load_experiment
from hch.study.plan import Job
from hch.study.results import ResultRow
from hch.study.traces import TracePolicy

__all__ = ["ProcessPool", "run_chunk"]

_loaded: dict[str, Experiment] = {}
"""Experiments this worker process has imported, by ref."""


def run_chunk(
    ref: str, jobs: list[Job], out: Path, traces: TracePolicy, concurrency: int, backend: str
) -> list[ResultRow]:
    """In a worker: run ``jobs`` of the experiment at ``ref``; their rows, in finish order."""
    if ref not in _loaded:
        _loaded[ref] = load_experiment(ref)
    rows: list[ResultRow] = []
    with relaxed_gc():
        anyio.run(
            run_jobs,
            _loaded[ref],
            iter(jobs),
            out,
            traces,
            concurrency,
            rows.append,
            backend=backend,
        )
    return rows


class ProcessPool:
    """Runs the study in ``workers`` fresh processes, ``2 * workers`` chunks in flight.

    Workers start by spawning, which imports the caller's ``__main__`` module again: a
    script that runs a study with workers must do so under ``if __name__ == "__main__"``.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def run(self, work: Work, on_row: OnRow) -> None:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            drain(
                _Submitter(pool, work), chunked(work.jobs, self.workers), 2 * self.workers, on_row
            )


class _Submitter:
    """Chunks as futures of a process pool."""

    def __init__(self, pool: ProcessPoolExecutor, work: Work) -> None:
        self.pool = pool
        self.run = partial(
            run_chunk,
            work.experiment.ref,
            out=work.out,
            traces=work.traces,
            concurrency=work.concurrency,
            backend=work.backend,
        )

    def submit(self, chunk: list[Job]) -> Future[list[ResultRow]]:
        return self.pool.submit(self.run, chunk)

    def wait(
        self, pending: list[Future[list[ResultRow]]]
    ) -> tuple[list[list[ResultRow]], list[Future[list[ResultRow]]]]:
        finished, rest = wait(pending, return_when=FIRST_COMPLETED)
        return [f.result() for f in finished], list(rest)
