"""SmolLM2 above a scripted adversary: the real-model meme study runs, measures, caches.

`make test-real` (needs `make real-model`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import hch
from agents.real_model import RealModelServer
from hch import ModelCall
from hch.analysis.memes import study_memes
from hch.study import load_experiment, run_study

pytestmark = pytest.mark.real_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server() -> Iterator[RealModelServer]:
    with RealModelServer() as s:
        yield s


def test_the_real_model_meme_study_measures_each_hop_and_a_rerun_is_free(
    server: RealModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # its call cache lives under runs/ here
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    study = load_experiment(str(ROOT / "experiments" / "real_model_memes.py"))
    sys.modules[study.fn.__module__].base_url.cache_clear()  # type: ignore[attr-defined]
    first = run_study(study, tmp_path / "a", trials=1, keep_traces="all")
    assert len(first) == 2 and all(r.status != "error" for r in first)
    for row in first:
        tree = hch.load(tmp_path / "a" / str(row.trace))
        adversary = tree[(0, 0, 0)]
        assert adversary.answer is not None and adversary.answer.memes  # the meme is born
        calls = [e for n in tree if n.depth < 3 for e in n.events if isinstance(e, ModelCall)]
        assert calls and not any(c.cached for c in calls)
    for cell in study_memes(first):
        counts = cell.counts
        assert counts.births == {3: [counts.births[3][0], 1]}
        for depth in (0, 1, 2):
            rate = counts.transmission(depth)
            assert rate.n <= 1 and 0 <= rate.hits <= rate.n
    again = run_study(study, tmp_path / "b", trials=1, keep_traces="all")
    answers = {r.params["prompt"]: r.answer for r in first}
    assert {r.params["prompt"]: r.answer for r in again} == answers
    for row in again:
        tree = hch.load(tmp_path / "b" / str(row.trace))
        calls = [e for n in tree for e in n.events if isinstance(e, ModelCall)]
        assert calls and all(c.cached for c in calls)
