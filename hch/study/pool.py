"""Studies in a local process pool: chunks of jobs run in fresh worker processes.

A worker imports the experiment afresh from its ``ref`` (``module:attr`` or
``file.py:attr``), once per process, and runs each chunk concurrently on its own anyio
event loop; its rows come back to the parent as one ``RowBatch`` of JSON lines, which
the parent alone appends to the results file.

Ctrl-C reaches the parent only (workers ignore SIGINT, also when a terminal sends it to
the whole process group): the parent cancels the chunks still queued, tells the workers
to stop, takes the rows of every tree they finished, and then raises KeyboardInterrupt.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from functools import partial
from pathlib import Path
from typing import Any

import anyio

from hch.gc_policy import relaxed_gc
from hch.study.execute import run_jobs
from hch.study.executor import OnRows, Work, chunked, drain
from hch.study.experiments import Experiment, load_experiment
from hch.study.plan import Job
from hch.study.results import ResultRow
from hch.study.rows import RowBatch
from hch.study.traces import TracePolicy

__all__ = ["STOP_WAIT", "ProcessPool", "run_chunk"]

STOP_WAIT = 10.0
"""Seconds the parent waits, once stopped, for workers to hand back their finished rows
(a tree that never yields to its event loop cannot be cancelled before it ends)."""

_CHECK_STOP = 0.05
"""Seconds between a worker's looks at the pool's stop flag while it runs a chunk."""

_loaded: dict[str, Experiment] = {}
"""Experiments this worker process has imported, by ref."""

_stop: Any = None
"""In a worker of a ``ProcessPool``: the pool's stop flag (a multiprocessing Event)."""


def run_chunk(
    ref: str, jobs: list[Job], out: Path, traces: TracePolicy, concurrency: int, backend: str
) -> RowBatch:
    """In a worker: run ``jobs`` of the experiment at ``ref``; their rows, in finish order.

    Once the pool's stop flag is set, the trees still running are cancelled and the rows
    of those that finished are returned (a chunk that starts then runs nothing).
    """
    if ref not in _loaded:
        _loaded[ref] = load_experiment(ref)
    rows: list[ResultRow] = []
    run = partial(run_jobs, _loaded[ref], iter(jobs), out, traces, concurrency, rows.append)
    with relaxed_gc():
        anyio.run(_until_stopped, run, backend=backend)
    return RowBatch.of(rows, keep=False)


async def _until_stopped(run: Any) -> None:
    """``await run()``, cancelled when the pool's stop flag is set."""
    stop = _stop
    if stop is None:  # not in a pool of ours (Ray): nothing says stop
        await run()
        return
    if stop.is_set():
        return

    async def watch() -> None:
        while not stop.is_set():
            await anyio.sleep(_CHECK_STOP)
        tg.cancel_scope.cancel()

    async with anyio.create_task_group() as tg:
        tg.start_soon(watch)
        await run()
        tg.cancel_scope.cancel()


class ProcessPool:
    """Runs the study in ``workers`` fresh processes, ``2 * workers`` chunks in flight.

    Workers are forked from a clean server process that has imported hch already (the
    ``forkserver`` start method, where the platform has it; else they are spawned), and
    import the caller's ``__main__`` module again: a script that runs a study with workers
    must do so under ``if __name__ == "__main__"``.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def run(self, work: Work, on_rows: OnRows) -> None:
        context = _start_method()
        stop = context.Event()
        pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_start_worker, initargs=(stop,)
        )
        chunks = _Submitter(pool, work)
        todo = chunked(work.jobs, self.workers, work.concurrency)
        try:
            drain(chunks, todo, 2 * self.workers, on_rows)
        except BaseException as exc:  # Ctrl-C, or rows that could not be written
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            if isinstance(exc, KeyboardInterrupt):
                for rows in chunks.finish(STOP_WAIT):
                    on_rows(rows)
            raise
        pool.shutdown()


class _Submitter:
    """Chunks as futures of a process pool; it knows those not yet waited for."""

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
        self.pending: set[Future[RowBatch]] = set()

    def submit(self, chunk: list[Job]) -> Future[RowBatch]:
        future = self.pool.submit(self.run, chunk)
        self.pending.add(future)
        return future

    def wait(
        self, pending: list[Future[RowBatch]]
    ) -> tuple[list[RowBatch], list[Future[RowBatch]]]:
        finished, rest = wait(pending, return_when=FIRST_COMPLETED)
        self.pending.difference_update(finished)
        return [f.result() for f in finished], list(rest)

    def finish(self, timeout: float) -> list[RowBatch]:
        """The rows of the chunks that were running when the pool was stopped (those
        queued are cancelled), as they come back within ``timeout`` seconds."""
        done, _ = wait(self.pending, timeout=timeout)
        self.pending.clear()
        return [f.result() for f in done if not f.cancelled() and f.exception() is None]


def _start_method() -> multiprocessing.context.BaseContext:
    """Fork workers from a server that preloads hch (never from this process, whose
    threads and event loops a fork would copy mid-flight); spawn where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # no effect once the server runs
    return context


def _start_worker(stop: Any) -> None:
    """In a new worker: keep the pool's stop flag, leave Ctrl-C to the parent (which
    stops the workers itself and keeps their rows), and exit with the parent."""
    global _stop
    _stop = stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()


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
