"""One job of a study -> one result row. Nothing a tree or its experiment does escapes.

A tree whose trace cannot be written (a full disk, a file where a folder should be) is a
row with status "error" that keeps what the tree gave (answer, nodes, tokens, ...) and
says why its trace is missing; the study goes on with the other trees. A traces folder
that cannot be used at all stops the study before any tree runs.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import anyio

from hch.errors import ConfigError
from hch.model import ModelCall, Spec, Tree
from hch.pointers import reveal
from hch.scheduler import run_tree
from hch.study.experiments import Experiment, Trial
from hch.study.plan import Job
from hch.study.results import ResultRow
from hch.study.store import read_spec
from hch.study.traces import TracePolicy, prepare_traces, trace_name
from hch.trace import save

__all__ = ["last_frames", "run_job", "run_jobs"]


async def run_job(
    experiment: Experiment,
    job: Job,
    out: Path,
    traces: TracePolicy,
    ref: str | None,
    limits: Mapping[str, float] | None = None,
) -> ResultRow:
    """Run one tree; any exception (experiment, agent, scoring) becomes an "error" row.

    ``ref`` is where other processes import the experiment (None: they cannot), found
    once per run: looking it up costs as much as a small tree. ``limits``
    (``node_timeout``, ``tree_timeout``) replace the trial's own.
    """
    base = {"study": experiment.name, "params": job.params, "trial": job.trial, "seed": job.seed}
    try:
        trial = experiment.trial(job.params, job.trial, job.seed)
        tree = await run_tree(
            trial.root,
            trial.agent,
            limits=trial.limits.model_copy(update=limits) if limits else trial.limits,
            seed=job.seed,
            tools=trial.tools,
            task=getattr(trial.task, "name", None),
            truth=trial.expected,
            meta={**trial.meta, "params": job.params, "trial": job.trial},
            spec=_spec(ref, job),
        )
        row = _row(base, trial, tree)
    except Exception as exc:
        return ResultRow(
            **base, correct=None, status="error", error=_describe(exc), frames=last_frames(exc)
        )
    if traces.keeps(job.trial, failed=row.correct is not True):
        name = trace_name(job.params, job.trial)
        try:
            save(tree, out / name)
        except OSError as exc:
            return _unsaved(row, out, name, exc)
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
    """Run ``jobs`` with at most ``concurrency`` trees in flight on one event loop.

    The study's ``study.json`` in ``out``, where there is one, gives the limits that
    replace the experiment's (``hch study --node-timeout``): every process that runs
    trees of the study reads the same record.

    Raises:
        ConfigError: before any tree runs, when the traces folder cannot be made.
    """
    prepare_traces(out, traces)
    spec = read_spec(out)
    limits = spec.limits if spec is not None else {}
    ref = _ref(experiment)

    async def lane() -> None:
        for job in jobs:  # lanes share the iterator: each job is taken exactly once
            on_row(await run_job(experiment, job, out, traces, ref, limits))

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


def _ref(experiment: Experiment) -> str | None:
    """Where another process imports ``experiment``; None where it cannot."""
    try:
        return experiment.ref
    except ConfigError:
        return None


def _spec(ref: str | None, job: Job) -> Spec | None:
    """How a replay rebuilds this tree's agent: the experiment's trial, where another
    process can import the experiment (``ref``); else (None) from the agent itself."""
    if ref is None:
        return None
    params = {"params": job.params, "trial": job.trial, "seed": job.seed}
    return Spec.model_construct(kind="experiment", target=ref, params=params)  # valid as made


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


FRAMES = 4
"""Innermost frames an error row keeps of its traceback."""


def last_frames(exc: BaseException, keep: int = FRAMES) -> list[str]:
    """The innermost ``keep`` frames of ``exc``'s traceback, innermost last, each
    ``file:line in function``: enough to find a bug in experiment code from its row."""
    stack = traceback.extract_tb(exc.__traceback__)
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in stack[-keep:]]


def _unsaved(row: ResultRow, out: Path, name: str, exc: OSError) -> ResultRow:
    """The row of a tree whose trace could not be written: what the tree gave stays,
    status "error" says the record is incomplete. The error names the file or folder
    that failed (relative to the study), so rows with the same cause read the same."""
    problem = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, FileExistsError | NotADirectoryError):
        problem = "a file is where its folder should be"
    where = Path(exc.filename) if exc.filename is not None else out / name
    if where.is_relative_to(out):
        where = where.relative_to(out)
    error = f"trace not written: {where}: {problem}"
    if row.error:
        error = f"{error}; the tree: {row.error}"
    return row.model_copy(update={"status": "error", "error": error})
