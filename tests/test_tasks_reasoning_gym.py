"""The reasoning-gym adapter, against the real package (a dev dependency)."""

from __future__ import annotations

import re
import sys

import pytest
from pydantic import ValidationError

from experiments.tasks.reasoning_gym import ReasoningGymTask
from hch import Answer

DATASETS = ["basic_arithmetic", "chain_sum", "family_relationships", "gsm_symbolic"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_samples_are_the_packages_own_and_seeded(dataset: str) -> None:
    import reasoning_gym

    task = ReasoningGymTask(dataset=dataset)
    for seed in range(5):
        sample = task.sample(seed)
        entry = reasoning_gym.create_dataset(dataset, seed=seed, size=1)[0]
        assert sample.question.text == entry["question"]
        assert sample.truth == entry["answer"]
        assert task.sample(seed) == sample
    assert len({task.sample(s).question.text for s in range(10)}) > 5


@pytest.mark.parametrize("dataset", DATASETS)
def test_check_uses_the_packages_scorer(dataset: str) -> None:
    task = ReasoningGymTask(dataset=dataset)
    for seed in range(5):
        sample = task.sample(seed)
        assert task.check(sample, Answer(text=sample.truth))
        assert task.score(sample, Answer(text=f" {sample.truth}\n")) == 1.0
        assert not task.check(sample, Answer(text="certainly not the answer"))
        assert task.score(sample, Answer(text="")) == 0.0


def test_config_reaches_the_generator() -> None:
    task = ReasoningGymTask(dataset="chain_sum", config={"min_terms": 6, "max_terms": 6})
    for seed in range(5):
        assert len(re.findall(r"\d+", task.sample(seed).question.text)) == 6


def test_unknown_dataset_or_option_fails_at_construction() -> None:
    with pytest.raises(ValidationError, match="unknown reasoning-gym dataset"):
        ReasoningGymTask(dataset="no_such_dataset")
    with pytest.raises(ValidationError, match="bogus"):
        ReasoningGymTask(dataset="chain_sum", config={"bogus": 1})


def test_missing_package_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "reasoning_gym", None)
    with pytest.raises(ImportError, match=r"pip install 'hch\[reasoning-gym\]'"):
        ReasoningGymTask()
