"""The ready studies in experiments/ load, run and score on every task."""

from __future__ import annotations

from pathlib import Path

import pytest

from hch.study import load_experiment, run_study

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"


@pytest.mark.parametrize(
    "name", ["depth_vs_quality", "depth_vs_quality_lists", "depth_vs_quality_lookup"]
)
def test_ready_study_runs(tmp_path: Path, name: str) -> None:
    experiment = load_experiment(str(EXPERIMENTS / f"{name}.py"))
    assert experiment.name == name and experiment.trials >= 200
    assert experiment.grid["depth"] == list(range(7)) and len(experiment.grid["p_error"]) == 3
    rows = run_study(experiment, tmp_path, params={"depth": [0, 2]}, trials=3)
    assert len(rows) == 2 * 3 * 3
    assert all(r.status == "ok" and r.correct is not None for r in rows)
    assert {r.nodes for r in rows if r.params["depth"] == 2} == {7}  # two halvings
    assert {r.nodes for r in rows if r.params["depth"] == 0} == {1}
