"""Studies across processes: local workers, or a Ray cluster. Workers run chunks of jobs;
rows come back to this process, which alone appends them to the results file.

A worker imports the experiment afresh from its ``ref`` (``module:attr`` or
``file.py:attr``), once per process, and runs each chunk concurrently on its own anyio
event loop.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from functools import partial
from itertools import islice
from pathlib import Path

import anyio

from hch.study.execute import run_jobs
from hch.study.experiments import Experiment, load_experiment
from hch.study.plan import Job
from hch.study.results import ResultRow
from hch.study.traces import TracePolicy

__all__ = ["chunked", "run_chunk", "run_in_pool"]

_loaded: dict[str, Experiment] = {}
"""Experiments this worker process has imported, by ref."""


def run_chunk(
    ref: str, jobs: list[Job], out: Path, traces: TracePolicy, concurrency: int, backend: str
) -> list[ResultRow]:
    """In a worker: run ``jobs`` of the experiment at ``ref``; their rows, in finish order."""
    if ref not in _loaded:
        _loaded[ref] = load_experiment(ref)
    rows: list[ResultRow] = []
    anyio.run(
        run_jobs, _loaded[ref], iter(jobs), out, traces, concurrency, rows.append, backend=backend
    )
    return rows


def chunked(jobs: Sequence[Job], workers: int) -> Iterator[list[Job]]:
    """Chunks small enough to balance ``workers`` (about 8 each), large enough to amortise."""
    size = max(1, min(32, len(jobs) // (workers * 8)))
    return iter([list(jobs[i : i + size]) for i in range(0, len(jobs), size)])


def run_in_pool(
    ref: str,
    jobs: Sequence[Job],
    out: Path,
    traces: TracePolicy,
    *,
    workers: int,
    concurrency: int,
    backend: str,
    on_row: Callable[[ResultRow], None],
) -> None:
    """Run ``jobs`` in ``workers`` fresh processes; ``on_row`` sees each row in this one.

    Workers start by spawning, which imports the caller's ``__main__`` module again: a
    script that runs a study with workers must do so under ``if __name__ == "__main__"``.
    """
    chunks = chunked(jobs, workers)
    run = partial(run_chunk, ref, out=out, traces=traces, concurrency=concurrency, backend=backend)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: set[Future[list[ResultRow]]] = {
            pool.submit(run, chunk) for chunk in islice(chunks, 2 * workers)
        }
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                for row in future.result():
                    on_row(row)
                pending.update(pool.submit(run, chunk) for chunk in islice(chunks, 1))
