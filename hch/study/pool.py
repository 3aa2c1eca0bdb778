"""Studies in a local process pool: chunks of jobs run in fresh worker processes.

A worker imports the experiment afresh from its ``ref`` (``module:attr`` or
``file.py:attr``), once per process, and runs each chunk concurrently on its own anyio
event loop; rows come back to the parent, which alone appends them to the results file.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from functools import partial
from pathlib import Path

import anyio

from hch.gc_policy import relaxed_gc
from hch.study.execute import run_jobs
from hch.study.executor import OnRow, Work, chunked, drain
from hch.study.experiments import Experiment, load_experiment
from hch.study.plan import Job
from hch.study.results import ResultRow, read_rows
from hch.study.traces import TracePolicy

__all__ = ["ProcessPool", "run_chunk"]

_loaded: dict[str, Experiment] = {}
"""Experiments this worker process has imported, by ref."""


def run_chunk(
    ref: str, jobs: list[Job], out: Path, traces: TracePolicy, concurrency: int, backend: str
) -> str:
    """In a worker: run ``jobs`` of the experiment at ``ref``; their rows, in finish order,
    as JSON lines (``read_rows`` turns them back into rows)."""
    if ref not in _loaded:
        _loaded[ref] = load_experiment(ref)
    lines: list[str] = []

    def keep(row: ResultRow) -> None:
        lines.append(row.model_dump_json())

    with relaxed_gc():
        anyio.run(
            run_jobs, _loaded[ref], iter(jobs), out, traces, concurrency, keep, backend=backend
        )
    return "\n".join(lines)


class ProcessPool:
    """Runs the study in ``workers`` fresh processes, ``2 * workers`` chunks in flight.

    Workers are forked from a clean server process that has imported hch already (the
    ``forkserver`` start method, where the platform has it; else they are spawned), and
    import the caller's ``__main__`` module again: a script that runs a study with workers
    must do so under ``if __name__ == "__main__"``.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def run(self, work: Work, on_row: OnRow) -> None:
        with ProcessPoolExecutor(
            self.workers, mp_context=_start_method(), initializer=_exit_with_parent
        ) as pool:
            drain(
                _Submitter(pool, work),
                chunked(work.jobs, self.workers, work.concurrency),
                2 * self.workers,
                on_row,
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

    def submit(self, chunk: list[Job]) -> Future[str]:
        return self.pool.submit(self.run, chunk)

    def wait(self, pending: list[Future[str]]) -> tuple[list[list[ResultRow]], list[Future[str]]]:
        finished, rest = wait(pending, return_when=FIRST_COMPLETED)
        return [read_rows(f.result()) for f in finished], list(rest)


def _start_method() -> multiprocessing.context.BaseContext:
    """Fork workers from a server that preloads hch (never from this process, whose
    threads and event loops a fork would copy mid-flight); spawn where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # no effect once the server runs
    return context


def _exit_with_parent() -> None:
    """In a worker: exit when the study's process dies. Killed, it cannot shut its pool
    down, and a worker would otherwise wait for chunks forever."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=wait, name="hch-study-parent", daemon=True).start()
