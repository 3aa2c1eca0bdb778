"""The Task protocol: sample a question with its truth, check an answer."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from hch.model import Answer, Question

__all__ = ["GradedTask", "NodeChecker", "NodeTruth", "Sample", "Task"]


class Sample(BaseModel):
    """One root question of a task with its ground truth."""

    model_config = ConfigDict(frozen=True)

    question: Question
    truth: Any
    task: str


@runtime_checkable
class Task(Protocol):
    """A source of questions with checkable answers. Implement this.

    A task may also name, in a ``suggested_agent`` class attribute, the registered agent
    that reads its questions (``"noisy-lookup"``): ``hch run --task NAME`` runs that
    agent unless ``--agent`` names another.
    """

    name: str

    def sample(self, seed: int) -> Sample: ...

    def check(self, sample: Sample, answer: Answer) -> bool: ...


@runtime_checkable
class NodeChecker(Protocol):
    """A task that can also judge the answer to any subquestion (simulated worlds can)."""

    def check_node(self, question: Question, answer: Answer) -> bool | None: ...


@runtime_checkable
class NodeTruth(Protocol):
    """A task that can also give the true answer to any subquestion (None where unknown).

    Analyses show it beside a wrong answer; checking goes through ``check_node``.
    """

    def node_truth(self, question: Question) -> Any: ...


@runtime_checkable
class GradedTask(Protocol):
    """A task that also grades an answer in [0, 1] (partial credit), beside ``check``."""

    def score(self, sample: Sample, answer: Answer) -> float: ...
