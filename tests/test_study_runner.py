"""The study runner: one event loop (asyncio and trio) or a process pool; failures are rows."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from hch import load as load_trace
from hch.errors import ConfigError
from hch.study import (
    BarProgress,
    Job,
    LocalLoop,
    ResultRow,
    Results,
    RowBatch,
    Work,
    chunked,
    drain,
    load,
    run_study,
)
from tests.study_experiments import InFlight, flips, fragile, waiting


def outcomes(rows: Results) -> dict[str, tuple[object, ...]]:
    """What must not depend on how a study was run: per row key, its result."""
    return {r.key: (r.seed, r.correct, r.answer, r.status, r.nodes, r.error) for r in rows}


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_event_loop_runner_writes_each_row_once(tmp_path: Path, backend: str) -> None:
    rows = run_study(flips, tmp_path, trials=20, backend=backend, concurrency=7)
    assert len(rows) == 40 == len({r.key for r in rows})
    assert {r.trial for r in rows} == set(range(20))
    assert all(r.status == "ok" and r.correct is not None and r.study == "flips" for r in rows)
    assert 0 < sum(bool(r.correct) for r in rows) < 40  # the coin lands both ways
    assert outcomes(load(tmp_path)) == outcomes(rows)


def test_backends_and_process_pool_agree(tmp_path: Path) -> None:
    by_asyncio = run_study(flips, tmp_path / "a", trials=15)
    by_trio = run_study(flips, tmp_path / "t", trials=15, backend="trio", concurrency=1)
    by_pool = run_study(flips, tmp_path / "p", trials=15, workers=2)
    assert outcomes(by_asyncio) == outcomes(by_trio) == outcomes(by_pool)
    assert len(by_pool) == 30


class ThreadChunks:
    """A fourth executor, as a user would write one: chunks of jobs on threads."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.pool = ThreadPoolExecutor(2)
        self.chunks_run = 0

    def submit(self, chunk: list[Job]) -> Future[RowBatch]:
        def run() -> RowBatch:
            rows: list[ResultRow] = []
            LocalLoop().run(replace(self.work, jobs=chunk), lambda batch: rows.extend(batch.read()))
            self.chunks_run += 1
            return RowBatch.of(rows)

        return self.pool.submit(run)

    def wait(
        self, pending: list[Future[RowBatch]]
    ) -> tuple[list[RowBatch], list[Future[RowBatch]]]:
        finished, rest = wait(pending, return_when=FIRST_COMPLETED)
        return [f.result() for f in finished], list(rest)


class Threads:
    def __init__(self) -> None:
        self.runners: list[ThreadChunks] = []

    def run(self, work: Work, on_rows: Callable[[RowBatch], None]) -> None:
        runner = ThreadChunks(work)
        self.runners.append(runner)
        with runner.pool:
            drain(runner, chunked(work.jobs, 2), 3, on_rows)


def test_a_new_executor_is_one_small_class(tmp_path: Path) -> None:
    threads = Threads()
    by_threads = run_study(flips, tmp_path / "x", trials=15, executor=threads)
    assert outcomes(by_threads) == outcomes(run_study(flips, tmp_path / "a", trials=15))
    assert len(by_threads) == 30
    (runner,) = threads.runners
    assert runner.chunks_run == len(list(chunked(list(range(30)), 2)))  # type: ignore[arg-type]


def test_pool_imports_an_experiment_file(tmp_path: Path) -> None:
    file = tmp_path / "study_file.py"
    file.write_text(
        "from hch.study import Trial, experiment\n"
        "from tests.study_experiments import coin\n"
        "@experiment(grid={'k': [0, 1]}, trials=8)\n"
        "def from_file(k: int) -> Trial:\n"
        "    return Trial(question='q', truth=str(k), agent=coin)\n"
    )
    in_pool = run_study(str(file), tmp_path / "p", workers=2)
    here = run_study(str(file), tmp_path / "h")
    assert len(in_pool) == 16 and outcomes(in_pool) == outcomes(here)


@pytest.mark.parametrize("workers", [1, 2])
def test_each_kind_of_failure_is_a_row(tmp_path: Path, workers: int) -> None:
    rows = run_study(fragile, tmp_path, workers=workers)
    assert len(rows) == 12
    by_mode = {r.params["mode"]: r for r in rows if r.trial == 0}
    assert by_mode["ok"].status == "ok" and by_mode["ok"].error is None
    assert by_mode["agent"].status == "failed"
    assert by_mode["agent"].error == "AgentError: this agent always crashes"
    assert by_mode["agent"].correct is None and by_mode["agent"].nodes == 1
    assert by_mode["spec"].status == "error"
    assert "ValidationError" in str(by_mode["spec"].error)
    assert "max_depth" in str(by_mode["spec"].error)
    assert by_mode["notagent"].status == "error"
    assert "42 is neither an agent" in str(by_mode["notagent"].error)
    assert by_mode["raise"].status == "error"
    assert by_mode["raise"].error == "RuntimeError: the experiment function itself failed"
    assert (
        by_mode["returns"].error == "TypeError: experiment fragile returned str; expected a Trial"
    )
    assert all(r.correct is None for r in rows if r.params["mode"] != "ok")


def test_trees_wait_concurrently_up_to_the_limit(tmp_path: Path) -> None:
    InFlight.most = 0
    rows = run_study(waiting, tmp_path / "loop", concurrency=50, keep_traces="none")
    assert len(rows) == 300 and all(r.status == "ok" for r in rows)
    assert InFlight.most == 50 == max(int(str(r.answer)) for r in rows)
    pooled = run_study(waiting, tmp_path / "pool", concurrency=5, workers=2, keep_traces="none")
    assert len(pooled) == 300 and max(int(str(r.answer)) for r in pooled) == 5


@pytest.mark.parametrize(
    ("keep", "kept"),
    [
        ("all", lambda r: True),
        ("sample", lambda r: r.trial % 4 == 0),
        ("failures", lambda r: r.correct is not True),
        ("none", lambda r: False),
    ],
)
def test_trace_keeping(tmp_path: Path, keep: str, kept: object) -> None:
    rows = run_study(flips, tmp_path, trials=12, keep_traces=keep, trace_every=4)
    assert callable(kept)
    for row in rows:
        if kept(row):
            assert row.trace is not None
            tree = load_trace(tmp_path / row.trace)
            assert tree.complete and tree.header.seed == row.seed
            assert tree.header.meta["params"] == row.params
            assert tree.root.answer is not None and tree.root.answer.text == row.answer
        else:
            assert row.trace is None
    traces = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jsonl"))
    assert traces == sorted(["results.jsonl", *(r.trace for r in rows if r.trace)])


class Recorder:
    def __init__(self) -> None:
        self.started: tuple[str, int, int] | None = None
        self.rows: list[ResultRow] = []
        self.stopped = False

    def start(self, name: str, total: int, done: int) -> None:
        self.started = (name, total, done)

    def advance(self, rows: RowBatch) -> None:
        self.rows.extend(rows.read())

    def stop(self) -> None:
        self.stopped = True


def test_progress_hears_of_every_row(tmp_path: Path) -> None:
    first = Recorder()
    run_study(flips, tmp_path, trials=3, progress=first)
    assert first.started == ("flips", 6, 0) and len(first.rows) == 6 and first.stopped
    again = Recorder()
    run_study(flips, tmp_path, trials=5, progress=again)
    assert again.started == ("flips", 10, 6) and len(again.rows) == 4


def test_bar_shows_count_rate_and_accuracy(tmp_path: Path) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=150)
    rows = run_study(flips, tmp_path, trials=10, progress=BarProgress(console))
    text = screen.getvalue()
    accuracy = sum(bool(r.correct) for r in rows) / len(rows)
    assert "20/20" in text and "trees/s" in text and f"acc {accuracy:.3f}" in text


def test_bad_runner_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="workers and concurrency"):
        run_study(flips, tmp_path, workers=0)
    with pytest.raises(ConfigError, match="no parameter 'nope'"):
        run_study(flips, tmp_path, params={"nope": 1})


@pytest.mark.anyio
async def test_a_study_runs_where_a_loop_already_runs(tmp_path: Path) -> None:
    rows = run_study(flips, tmp_path, trials=3)
    assert len(rows) == 6 and outcomes(rows) == outcomes(load(tmp_path))
