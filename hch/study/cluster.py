"""Studies on Ray (the ``ray`` extra): the same chunks as the process pool, as Ray tasks.

``address`` "local" starts a Ray instance on this machine for the study; anything else
("auto", "ray://head:10001") joins a running cluster. On a cluster, every node needs the
experiment at the same ``ref`` (an importable module, or the file at the same path) and,
for traces, the study directory on a filesystem they share: rows always come back here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from hch.errors import ConfigError
from hch.study.plan import Job
from hch.study.pool import chunked, run_chunk
from hch.study.results import ResultRow
from hch.study.traces import TracePolicy

__all__ = ["run_on_ray"]


def _ray() -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports to the outside
    try:
        import ray
    except ImportError:
        raise ConfigError("studies on Ray need the ray extra: pip install 'hch[ray]'") from None
    return ray


def run_on_ray(
    ref: str,
    jobs: Sequence[Job],
    out: Path,
    traces: TracePolicy,
    *,
    address: str,
    workers: int,
    concurrency: int,
    backend: str,
    on_row: Callable[[ResultRow], None],
) -> None:
    """Run ``jobs`` as Ray tasks, ``2 * workers`` chunks in flight; ``on_row`` sees each row
    here. ``workers`` bounds the CPUs a local instance gets and the chunks in flight."""
    ray = _ray()
    started = not ray.is_initialized()
    if started:
        local = address == "local"
        ray.init(
            address=None if local else address,
            num_cpus=workers if local else None,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    try:
        task = ray.remote(run_chunk)
        chunks = chunked(jobs, workers)

        def submit(chunk: list[Job]) -> Any:
            return task.remote(ref, chunk, out, traces, concurrency, backend)

        pending = [submit(chunk) for chunk in islice(chunks, 2 * workers)]
        while pending:
            finished, pending = ray.wait(pending, num_returns=1)
            for row in ray.get(finished[0]):
                on_row(row)
            pending.extend(submit(chunk) for chunk in islice(chunks, 1))
    finally:
        if started:
            ray.shutdown()
