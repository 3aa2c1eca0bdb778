"""The ready meme studies run, keep meme metrics in every row, and write their plots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import hch
from hch.analysis.memes import METRICS_KEY, study_memes
from hch.study import Trial, experiment, load_experiment, run_study

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"


SELECTION = ["depth", "persuasiveness", "meme_rate"]


@pytest.mark.parametrize(
    ("name", "params", "grid"),
    [
        ("memetic_selection", {"depth": [0, 3], "meme_rate": [0.02]}, SELECTION),
        ("grounding", {"depth": [3]}, ["depth", "lab"]),
        ("concealment", {"depth": [3]}, ["depth", "behaviour"]),
    ],
)
def test_ready_meme_study_runs_and_measures_every_tree(
    tmp_path: Path, name: str, params: dict[str, list[object]], grid: list[str]
) -> None:
    study = load_experiment(str(EXPERIMENTS / f"{name}.py"))
    assert study.name == name and study.trials >= 200 and list(study.grid) == grid
    rows = run_study(study, tmp_path, params=params, trials=3)
    assert rows and all(r.status == "ok" and METRICS_KEY in r.metrics for r in rows)
    cells = study_memes(rows)
    assert all(c.unmeasured == 0 and c.counts.trees == 3 for c in cells)
    if name != "memetic_selection":
        assert any(c.counts.lab[1] for c in cells)  # the lab was used where granted


def test_a_study_prints_its_tables_and_writes_its_plots(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "experiments.memetic_selection", "--out", str(tmp_path),
         "--trials", "1", "--workers", "1", "--quiet"],
        capture_output=True, text=True, cwd=ROOT, check=True, timeout=300,
    ).stdout  # fmt: skip
    for title in ("accuracy", "root capture", "per-hop transmission", "memetic share"):
        assert title in out
    plots = {p.name for p in (tmp_path / "plots").iterdir()}
    assert {"accuracy.png", "root_capture.png", "root_capture.svg", "share.png"} <= plots
    assert len(hch.study.load(tmp_path)) == 36


def _count_nodes(tree: hch.Tree) -> dict[str, int]:
    return {"nodes": len(tree)}


def _broken(tree: hch.Tree) -> dict[str, int]:
    raise RuntimeError("measure broke")


@experiment(grid={"n": [1, 2]}, trials=2)
def measured(n: int) -> Trial:
    return Trial(question="q", truth="a", agent=hch.agent(lambda q, ctx: "a"), measure=_count_nodes)


@experiment(grid={"n": [1]}, trials=1)
def broken(n: int) -> Trial:
    return Trial(question="q", truth="a", agent=hch.agent(lambda q, ctx: "a"), measure=_broken)


def test_a_trials_measure_lands_in_its_row(tmp_path: Path) -> None:
    rows = run_study(measured, tmp_path / "m")
    assert [r.metrics for r in rows] == [{"nodes": 1}] * 4
    assert hch.study.load(tmp_path / "m")[0].metrics == {"nodes": 1}
    (row,) = run_study(broken, tmp_path / "b")
    assert row.status == "error" and row.error == "RuntimeError: measure broke"
