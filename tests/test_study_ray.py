"""Studies on Ray: a real local Ray instance runs the same chunks as the process pool."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hch.study import load, run_study
from tests.study_experiments import flips, fragile

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
import ray  # after the setting above; ray is in the dev install


def outcomes(rows: object) -> dict[str, tuple[object, ...]]:
    return {r.key: (r.seed, r.correct, r.answer, r.status, r.error) for r in rows}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_gives_the_rows_one_process_gives(local_ray: None, tmp_path: Path) -> None:
    on_ray = run_study(flips, tmp_path / "ray", trials=15, workers=2, ray="local")
    here = run_study(flips, tmp_path / "here", trials=15)
    assert len(on_ray) == 30 == len({r.key for r in on_ray})
    assert outcomes(on_ray) == outcomes(here)
    assert ray.is_initialized()  # a Ray the caller started is left running


def test_ray_resumes_and_turns_failures_into_rows(local_ray: None, tmp_path: Path) -> None:
    first = run_study(flips, tmp_path, trials=4, workers=2, ray="local")
    assert len(first) == 8
    more = run_study(flips, tmp_path, trials=10, workers=2, ray="local")
    assert len(more) == 20 == len({r.key for r in load(tmp_path)})
    assert outcomes(more) == outcomes(run_study(flips, tmp_path / "here", trials=10))
    rows = run_study(fragile, tmp_path / "fragile", workers=2, ray="local")
    assert {r.params["mode"]: r.status for r in rows} == {
        "ok": "ok",
        "agent": "failed",
        "spec": "error",
        "notagent": "error",
        "raise": "error",
        "returns": "error",
    }


def test_hch_study_on_ray_from_the_shell(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "hch", "study", "tests.study_experiments:flips", "--ray",
         "--workers", "2", "--out", str(out), "--quiet", "--no-plots"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(load(out)) == 12
    assert "results:" in done.stdout


def test_without_ray_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['ray'] = None\n"
        "from hch.study import run_study\n"
        "from tests.study_experiments import flips\n"
        f"run_study(flips, {str(tmp_path)!r}, ray='local')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode != 0
    assert "pip install 'hch[ray]'" in done.stderr
