"""Root questions from the ``reasoning-gym`` package's procedural datasets, with its verifiers.

Install with ``pip install 'hch[reasoning-gym]'``. Any registered dataset works
(``basic_arithmetic``, ``chain_sum``, ``family_relationships``, ``gsm_symbolic``, ...);
extra ``config`` goes to its generator. A sample of seed ``s`` is item 0 of the dataset
seeded with ``s``, so samples are reproducible and independent of each other. Answers are
scored by the dataset's own ``score_answer`` (``score``, in [0, 1]); ``check`` counts only
a full score as right. Only root answers can be checked (there is no ``check_node``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from types import ModuleType
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from hch import Answer, Question, Sample

__all__ = ["ReasoningGymTask", "reasoning_gym"]

INSTALL_HINT = "the reasoning-gym tasks need reasoning-gym: pip install 'hch[reasoning-gym]'"


def reasoning_gym() -> ModuleType:
    """The ``reasoning_gym`` module, imported on first use; an install hint if missing."""
    try:
        import reasoning_gym as rg
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return rg


class ReasoningGymTask(BaseModel):
    """One reasoning-gym dataset as a task.

    Attributes:
        dataset: A registered reasoning-gym dataset name.
        config: Options for its generator (e.g. ``{"min_terms": 3}``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = "reasoning-gym"

    dataset: str = "basic_arithmetic"
    config: dict[str, Any] = {}

    @model_validator(mode="after")
    def _known(self) -> ReasoningGymTask:
        known = reasoning_gym().factory.DATASETS
        if self.dataset not in known:
            raise ValueError(f"unknown reasoning-gym dataset {self.dataset!r}")
        self._entry(0)  # a bad config fails here, not in the middle of a study
        return self

    def sample(self, seed: int) -> Sample:
        entry = self._entry(seed)
        question = Question(text=entry["question"], data={"dataset": self.dataset, "seed": seed})
        return Sample(question=question, truth=entry["answer"], task=f"{self.name}:{self.dataset}")

    def score(self, sample: Sample, answer: Answer) -> float:
        """The dataset's own score of the answer text, in [0, 1]."""
        seed = sample.question.data["seed"]
        scored = _dataset(self.dataset, _key(self.config), seed).score_answer(
            answer=answer.text.strip(), entry=self._entry(seed)
        )
        return float(scored)

    def check(self, sample: Sample, answer: Answer) -> bool:
        return self.score(sample, answer) >= 1.0

    def _entry(self, seed: int) -> dict[str, Any]:
        return dict(_dataset(self.dataset, _key(self.config), seed)[0])


def _key(config: dict[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)


@lru_cache(maxsize=256)
def _dataset(name: str, config: str, seed: int) -> Any:
    """The dataset seeded with ``seed``; cached so that sampling and scoring share it."""
    try:
        return reasoning_gym().create_dataset(name, seed=seed, size=1, **json.loads(config))
    except TypeError as exc:
        raise ValueError(f"reasoning-gym dataset {name!r}: {exc}") from None
