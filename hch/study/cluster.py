"""Studies on Ray (the ``ray`` extra): the same chunks as the process pool, as Ray tasks.

``address`` "local" starts a Ray instance on this machine for the study; anything else
("auto", "ray://head:10001") joins a running cluster. On a cluster, every node needs the
experiment at the same ``ref`` (an importable module, or the file at the same path) and,
for traces, the study directory on a filesystem they share: rows always come back here.
"""

from __future__ import annotations

import os
from typing import Any

from hch.errors import ConfigError
from hch.study.executor import OnRows, Work, chunked, drain
from hch.study.plan import Job
from hch.study.pool import run_chunk
from hch.study.rows import RowBatch

__all__ = ["RayCluster"]


def _ray() -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports to the outside
    try:
        import ray
    except ImportError:
        raise ConfigError("studies on Ray need the ray extra: pip install 'hch[ray]'") from None
    return ray


class RayCluster:
    """Runs the study as Ray tasks, ``2 * workers`` chunks in flight.

    ``workers`` also bounds the CPUs of a local instance started for the study.
    """

    def __init__(self, address: str, workers: int) -> None:
        self.address = address
        self.workers = workers

    def run(self, work: Work, on_rows: OnRows) -> None:
        ray = _ray()
        started = not ray.is_initialized()
        if started:
            local = self.address == "local"
            ray.init(
                address=None if local else self.address,
                num_cpus=self.workers if local else None,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        try:
            drain(
                _Tasks(ray, work),
                chunked(work.jobs, self.workers, work.concurrency),
                2 * self.workers,
                on_rows,
            )
        finally:
            if started:
                ray.shutdown()


class _Tasks:
    """Chunks as Ray tasks."""

    def __init__(self, ray: Any, work: Work) -> None:
        self.ray = ray
        self.task = ray.remote(run_chunk)
        self.args = (work.out, work.traces, work.concurrency, work.backend)
        self.ref = work.experiment.ref

    def submit(self, chunk: list[Job]) -> Any:
        return self.task.remote(self.ref, chunk, *self.args)

    def wait(self, pending: list[Any]) -> tuple[list[RowBatch], list[Any]]:
        finished, rest = self.ray.wait(pending, num_returns=1)
        return [self.ray.get(finished[0])], list(rest)
