"""Run a study into a directory: plan it, skip what is finished, run the rest, report.

By default every tree runs concurrently on one anyio event loop (bounded by
``concurrency``), which suits agents that wait on models. ``workers > 1`` runs chunks of
trees in a local process pool, which suits CPU-bound simulated agents. Either way this
process is the only writer of ``DIR/results.jsonl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hch.errors import ConfigError
from hch.gc_policy import relaxed_gc
from hch.study.executor import Executor, Work
from hch.study.experiments import Experiment, define, load_experiment
from hch.study.grid import as_values
from hch.study.local import LocalLoop
from hch.study.plan import StudySpec
from hch.study.progress import Quiet, StudyProgress
from hch.study.results import Results
from hch.study.rows import RowBatch
from hch.study.store import StudyDir
from hch.study.traces import KeepTraces, TracePolicy

__all__ = ["executor_for", "plan_study", "run_study"]


def plan_study(
    experiment: Experiment,
    *,
    params: Mapping[str, Any] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    limits: Mapping[str, float] | None = None,
) -> StudySpec:
    """The study ``experiment`` x grid (defaults overridden by ``params``) x trials x seed,
    its trees under ``limits`` (``node_timeout``, ``tree_timeout``) where given."""
    grid = experiment.resolve({k: as_values(v) for k, v in (params or {}).items()})
    try:
        ref = experiment.ref
    except ConfigError:
        ref = f"{experiment.fn.__module__}:{experiment.fn.__qualname__}"
    seed = experiment.seed if seed is None else seed
    return StudySpec(
        experiment=experiment.name,
        ref=ref,
        grid=grid,
        trials=experiment.trials if trials is None else trials,
        seed=seed,
        definition=define(experiment, grid, seed),
        limits=dict(limits or {}),
    )


def executor_for(workers: int, ray: str | None) -> Executor:
    """Ray when given an address, a process pool for ``workers > 1``, else this process."""
    if ray is not None:
        from hch.study.cluster import RayCluster

        return RayCluster(ray, workers)
    if workers > 1:
        from hch.study.pool import ProcessPool

        return ProcessPool(workers)
    return LocalLoop()


def run_study(
    experiment: Experiment | str,
    out: str | Path,
    *,
    params: Mapping[str, Any] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    concurrency: int = 64,
    keep_traces: KeepTraces | str = KeepTraces.SAMPLE,
    trace_every: int = 20,
    progress: StudyProgress | None = None,
    backend: str = "asyncio",
    ray: str | None = None,
    executor: Executor | None = None,
    limits: Mapping[str, float] | None = None,
) -> Results:
    """Run every tree of the study not yet in ``out`` and return all of ``out``'s rows.

    Args:
        experiment: An Experiment, or where to find one (``file.py[:name]``, ``module:name``).
        out: The study directory; re-running into it resumes.
        params: Grid overrides, parameter -> value or list of values.
        trials: Trees per grid point (default: the experiment's).
        seed: The study seed (default: the experiment's).
        workers: 1 runs in this process; more runs a local process pool of that size
            (call it under ``if __name__ == "__main__"`` then: workers re-import it).
        concurrency: Trees in flight at once on one event loop: in this process, or in
            each worker (whose chunks of trees hold at least as many).
        keep_traces: all, sample (every ``trace_every``-th trial), failures or none.
        progress: Told of each row (default: nothing shown).
        backend: The anyio backend, asyncio or trio.
        ray: Run on Ray (the ``ray`` extra): "local" starts an instance here with
            ``workers`` CPUs; an address ("auto", "ray://head:10001") joins a cluster.
        executor: Run the trees with this ``Executor`` instead (a Dask or Slurm one,
            say); ``workers`` and ``ray`` are then not used.
        limits: Limits that replace the experiment's in every tree (``node_timeout``,
            ``tree_timeout``); recorded in ``study.json``, so a resume keeps them.

    Raises:
        ConfigError: a bad parameter, or ``out`` holds another study (StudyMismatch).
    """
    if isinstance(experiment, str):
        experiment = load_experiment(experiment)
    if workers < 1 or concurrency < 1:
        raise ConfigError(f"workers and concurrency must be >= 1 (got {workers}, {concurrency})")
    spec = plan_study(experiment, params=params, trials=trials, seed=seed, limits=limits)
    traces = TracePolicy(keep=KeepTraces(keep_traces), every=trace_every)
    shown = progress or Quiet()
    with relaxed_gc(), StudyDir(out, spec) as store:
        finished = store.finished
        todo = [job for job in spec.jobs() if not finished or job.key not in finished]
        shown.start(experiment.name, spec.size, spec.size - len(todo))

        def write(rows: RowBatch) -> None:
            store.add(rows)
            shown.advance(rows)

        try:
            if todo:
                work = Work(
                    experiment=experiment,
                    jobs=todo,
                    out=store.path,
                    traces=traces,
                    concurrency=concurrency,
                    backend=backend,
                )
                (executor or executor_for(workers, ray)).run(work, write)
        finally:
            shown.stop()
    return Results(store.rows)
