"""Local process pool for CPU-bound agents: workers run chunks of jobs, the parent writes.

Each worker imports the experiment afresh from its ``ref`` (``module:attr`` or
``file.py:attr``) and runs each chunk concurrently on its own anyio event loop; rows go
back to the parent, which alone appends them to the results file.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
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

__all__ = ["run_in_pool"]

_experiment: Experiment | None = None
"""The experiment this worker process runs, loaded once by ``_load``."""


def _load(ref: str) -> None:
    global _experiment
    _experiment = load_experiment(ref)


def _run_chunk(
    jobs: list[Job], out: Path, traces: TracePolicy, concurrency: int, backend: str
) -> list[ResultRow]:
    assert _experiment is not None, "worker was not initialised with an experiment"
    rows: list[ResultRow] = []
    anyio.run(
        run_jobs, _experiment, iter(jobs), out, traces, concurrency, rows.append, backend=backend
    )
    return rows


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
    size = max(1, min(32, len(jobs) // (workers * 8)))
    chunks = iter([list(jobs[i : i + size]) for i in range(0, len(jobs), size)])
    run = partial(_run_chunk, out=out, traces=traces, concurrency=concurrency, backend=backend)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_load, initargs=(ref,)
    ) as pool:
        pending: set[Future[list[ResultRow]]] = {
            pool.submit(run, chunk) for chunk in islice(chunks, 2 * workers)
        }
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                for row in future.result():
                    on_row(row)
                pending.update(pool.submit(run, chunk) for chunk in islice(chunks, 1))
