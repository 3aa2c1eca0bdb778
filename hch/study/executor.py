"""How a study's trees get run: one interface over a local loop, a process pool and Ray.

The runner hands an executor a ``Work`` (which jobs, where they write, how) and a
callback; the executor runs the trees wherever it runs them and calls ``on_rows`` with
each batch of finished rows in the runner's own process, which alone appends them to
the results file. Rows travel as a ``RowBatch``: validated and serialized where the
trees ran, appended by the runner as they are.
Executors that farm out chunks of jobs (processes, a cluster) share ``drain``; a new
one (Dask, Slurm) is a ``ChunkRunner`` with ``submit`` and ``wait`` in a small module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Protocol, TypeVar

from hch.study.experiments import Experiment
from hch.study.plan import Job
from hch.study.rows import RowBatch
from hch.study.traces import TracePolicy

__all__ = ["CHUNK_MAX", "ChunkRunner", "Executor", "OnRows", "Work", "chunked", "drain"]

OnRows = Callable[[RowBatch], None]
H = TypeVar("H")


@dataclass(frozen=True)
class Work:
    """What every executor is given: the jobs of one study run and how to run them.

    Attributes:
        experiment: The experiment (in this process); other processes import it from
            its ``ref``.
        jobs: The trees still to run.
        out: The study directory (traces are written under it).
        traces: Which traces to keep.
        concurrency: Trees in flight at once on one event loop: each worker of a pool
            or cluster runs this many (chunks hold at least as many trees).
        backend: The anyio backend, asyncio or trio.
    """

    experiment: Experiment
    jobs: Sequence[Job]
    out: Path
    traces: TracePolicy
    concurrency: int
    backend: str


class Executor(Protocol):
    """Runs a study's jobs; ``on_rows`` sees every row, in batches, in the caller's process."""

    def run(self, work: Work, on_rows: OnRows) -> None: ...


class ChunkRunner(Protocol[H]):
    """Runs chunks of jobs somewhere else: ``submit`` one, ``wait`` for any to finish."""

    def submit(self, chunk: list[Job]) -> H: ...

    def wait(self, pending: list[H]) -> tuple[list[RowBatch], list[H]]:
        """The rows of chunks that finished (at least one), and those still pending."""
        ...


CHUNK_MAX = 1024
"""Most trees in one chunk: a chunk's rows come back when all its trees are done."""


def chunked(jobs: Sequence[Job], workers: int, concurrency: int = 1) -> Iterator[list[Job]]:
    """Chunks of ``jobs`` for ``workers`` processes that each run ``concurrency`` trees at once.

    A chunk runs on its own event loop, so it holds at least ``concurrency`` trees where
    there are enough jobs (each worker keeps as many trees in flight as one process
    would); otherwise chunks are about an eighth of each worker's share, for balance,
    and at most ``CHUNK_MAX``, so that rows come back steadily and start-up is amortised.
    """
    share = -(-len(jobs) // workers)
    size = max(1, min(concurrency, share), min(CHUNK_MAX, share // 8))
    return iter([list(jobs[i : i + size]) for i in range(0, len(jobs), size)])


def drain(
    runner: ChunkRunner[H], chunks: Iterator[list[Job]], in_flight: int, on_rows: OnRows
) -> None:
    """Keep ``in_flight`` chunks submitted until every chunk's rows reached ``on_rows``."""
    pending = [runner.submit(chunk) for chunk in islice(chunks, in_flight)]
    while pending:
        finished, pending = runner.wait(pending)
        for rows in finished:
            on_rows(rows)
            pending.extend(runner.submit(chunk) for chunk in islice(chunks, 1))
