"""One job of a study -> one result row. Nothing a tree or its experiment does escapes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import anyio

from hch.errors import ConfigError
from hch.model import ModelCall, Spec, Tree
from hch.pointers import reveal
from hch.scheduler import run_tree
from hch.study.experiments import Experiment, Trial
from hch.study.plan import Job
from hch.study.results import ResultRow
from hch.study.traces import TracePolicy, trace_name
from hch.trace import save

__all__ = ["run_job", "run_jobs"]


async def run_job(experiment: Experiment, job: Job, out: Path, traces: TracePolicy) -> ResultRow:
    """Run one tree; any exception (experiment, agent, scoring) becomes an "error" row."""
    base = {"study": experiment.name, "params": job.params, "trial": job.trial, "seed": job.seed}
    try:
        trial = experiment.trial(job.params, job.trial, job.seed)
        tree = await run_tree(
            trial.root,
            trial.agent,
            limits=trial.limits,
            seed=job.seed,
            tools=trial.tools,
            task=getattr(trial.task, "name", None),
            truth=trial.expected,
            meta={**trial.meta, "params": job.params, "trial": job.trial},
            spec=_spec(experiment, job),
        )
        row = _row(base, trial, tree)
    except Exception as exc:
        return ResultRow(**base, correct=None, status="error", error=_describe(exc))
    if traces.keeps(job.trial, failed=row.correct is not True):
        name = trace_name(job.params, job.trial)
        save(tree, out / name)
        row = row.model_copy(update={"trace": name})
    return row


async def run_jobs(
    experiment: Experiment,
    jobs: Iterator[Job],
    out: Path,
    traces: TracePolicy,
    concurrency: int,
    on_row: Callable[[ResultRow], None],
) -> None:
    """Run ``jobs`` with at most ``concurrency`` trees in flight on one event loop."""

    async def lane() -> None:
        for job in jobs:  # lanes share the iterator: each job is taken exactly once
            on_row(await run_job(experiment, job, out, traces))

    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(lane)


def _row(base: dict[str, object], trial: Trial, tree: Tree) -> ResultRow:
    root = tree.root
    answer = root.answer
    if answer is not None and answer.pointers:  # the asker reads it all, as checks do
        answer = reveal(answer, tree.content)
    correct = trial.score(answer) if answer is not None else None
    calls = [e for n in tree for e in n.events if isinstance(e, ModelCall)]
    return ResultRow.model_validate(
        {
            **base,
            "correct": correct,
            "score": trial.grade(answer) if answer is not None else None,
            "status": str(root.status),
            "answer": answer.text if answer else None,
            "truth": trial.expected,
            "nodes": len(tree),
            "depth": tree.depth,
            "budget_used": root.budget_used,
            "tokens": sum(
                c.usage.prompt_tokens + c.usage.completion_tokens for c in calls if c.usage
            ),
            "cost": sum(c.cost or 0.0 for c in calls),
            "duration": tree.duration or 0.0,
            "error": f"{root.error.type}: {root.error.message}" if root.error else None,
            "metrics": dict(trial.measure(tree)) if trial.measure is not None else {},
        }
    )


def _spec(experiment: Experiment, job: Job) -> Spec | None:
    """How a replay rebuilds this tree's agent: the experiment's trial, where another
    process can import the experiment; else (None) from the agent itself."""
    try:
        ref = experiment.ref
    except ConfigError:
        return None
    params = {"params": job.params, "trial": job.trial, "seed": job.seed}
    return Spec(kind="experiment", target=ref, params=params)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
