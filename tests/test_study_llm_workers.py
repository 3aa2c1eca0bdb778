"""Workers never reduce the trees in flight: counted as calls at the real local server."""

from __future__ import annotations

from pathlib import Path

from agents.server import Faults, ModelServer, SimulatedModel
from hch.study import run_study
from tests.study_experiments import llm_leaves


def most_calls_at_once(out: Path, workers: int) -> int:
    """The most calls the server had in flight during a study of 24 one-call trees
    (6 trees and 6 calls at once per process)."""
    with ModelServer(SimulatedModel(), Faults(latency=0.1)) as server:
        params = {"url": server.base_url, "concurrency": 6}
        rows = run_study(
            llm_leaves, out, params=params, workers=workers, concurrency=6, keep_traces="none"
        )
        assert len(rows) == 24 and all(r.correct for r in rows)
    return server.max_in_flight


def test_two_workers_keep_at_least_the_calls_one_process_keeps(tmp_path: Path) -> None:
    alone = most_calls_at_once(tmp_path / "one", workers=1)
    pooled = most_calls_at_once(tmp_path / "two", workers=2)
    assert alone == 6
    assert pooled >= alone
