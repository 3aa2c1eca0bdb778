"""What makes studies cheap must not change what they compute: keys, seeds, chunks, rows."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hch.hashing import canonical_json
from hch.seeding import derive_seed
from hch.study import Job, ResultRow, StudySpec, chunked, load, run_study
from hch.study.executor import CHUNK_MAX
from hch.study.results import RESULTS_FILE, read_rows, row_key
from hch.study.store import StudyDir
from tests.study_experiments import flips

scalars = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.text(max_size=6),
)
grids = st.dictionaries(
    st.text(min_size=1, max_size=5), st.lists(scalars, min_size=1, max_size=3), max_size=3
)


@settings(max_examples=60, deadline=None)
@given(grid=grids, trials=st.integers(1, 4), seed=st.integers(-(2**63), 2**63))
def test_jobs_keys_and_seeds_are_those_of_the_plain_formulas(
    grid: dict[str, list[Any]], trials: int, seed: int
) -> None:
    spec = StudySpec(experiment="e", ref="e:e", grid=grid, trials=trials, seed=seed)
    for job in spec.jobs():
        # the formulas every existing study directory was written with
        assert job.key == canonical_json([job.params, job.trial])
        assert job.seed == derive_seed(seed, job.params, job.trial)
        assert job.key == row_key(job.params, job.trial)
        assert job == Job(job.params, job.trial, job.seed)  # the cached cell is not identity


def test_a_row_key_is_the_same_text_as_before() -> None:
    spec = StudySpec(experiment="e", ref="e:e", grid={"k": [0], "depth": [1]}, trials=4, seed=3)
    assert [j.key for j in spec.jobs()][-1] == '[{"depth":1,"k":0},3]'
    row = ResultRow(
        study="e", params={"k": 0, "depth": 1}, trial=3, seed=0, correct=None, status="ok"
    )
    assert row.key == '[{"depth":1,"k":0},3]'


def test_a_directory_written_by_an_earlier_version_resumes(tmp_path: Path) -> None:
    """Rows on disk as an earlier hch wrote them: resume runs only the rest."""
    full = run_study(flips, tmp_path / "full")
    old = tmp_path / "old"
    old.mkdir()
    (old / "study.json").write_text((tmp_path / "full" / "study.json").read_text())
    kept = [r for r in full if r.trial < 3]
    lines = [json.dumps(r.model_dump(mode="json"), separators=(", ", ": ")) for r in kept]
    (old / RESULTS_FILE).write_text("\n".join(lines) + "\n")
    resumed = run_study(flips, old)
    assert len(resumed) == len(full) == len({r.key for r in resumed})
    assert {r.key: r.seed for r in resumed} == {r.key: r.seed for r in full}
    assert (old / RESULTS_FILE).read_text().startswith("\n".join(lines) + "\n")


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 5000), workers=st.integers(1, 8), concurrency=st.integers(1, 300))
def test_chunks_cover_every_job_once_and_fill_a_worker(
    n: int, workers: int, concurrency: int
) -> None:
    jobs = [Job({}, i, i) for i in range(n)]
    chunks = list(chunked(jobs, workers, concurrency))
    assert [j.trial for c in chunks for j in c] == list(range(n))
    share = -(-n // workers)
    for chunk in chunks[:-1]:
        assert len(chunk) >= min(concurrency, share)  # a worker keeps its trees in flight
        assert len(chunk) <= max(CHUNK_MAX, min(concurrency, share))


def test_rows_cross_processes_as_json_lines_unchanged() -> None:
    rows = [
        ResultRow(
            study="s",
            params={"k": k, "name": "é\n"},
            trial=t,
            seed=t,
            correct=t % 2 == 0,
            status="ok",
            truth=[1, {"a": None}],
            extra_field=1.5,
        )
        for k in range(2)
        for t in range(3)
    ]
    assert read_rows("\n".join(r.model_dump_json() for r in rows)) == rows
    assert read_rows("") == []


def test_rows_reach_the_file_while_the_study_runs(tmp_path: Path) -> None:
    spec = StudySpec(experiment="e", ref="e:e", grid={"k": [0]}, trials=3, seed=0)
    store = StudyDir(tmp_path, spec, flush_every=0.05)
    try:
        for trial in range(3):
            store.append(
                ResultRow(
                    study="e", params={"k": 0}, trial=trial, seed=0, correct=True, status="ok"
                )
            )
        deadline = time.monotonic() + 10
        while len(load(tmp_path)) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [r.trial for r in load(tmp_path)] == [0, 1, 2]  # written, not yet closed
    finally:
        store.close()
    with StudyDir(tmp_path, spec) as again:
        assert [r.trial for r in again.rows] == [0, 1, 2]
