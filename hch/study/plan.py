"""A study's plan: experiment x grid x trials x seed, and the trees (jobs) it consists of."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, PositiveFloat, field_validator

from hch.hashing import canonical_json
from hch.seeding import derive_seed, seed_from_json
from hch.study.grid import Grid, points
from hch.study.results import row_key

__all__ = ["OVERRIDABLE", "Definition", "Job", "StudySpec", "tree_seed"]

OVERRIDABLE = ("node_timeout", "tree_timeout")
"""The limits a study may set for every tree, over its experiment's."""


def tree_seed(study_seed: int, params: dict[str, Any], trial: int) -> int:
    """The seed of one tree: a function of its own grid point and trial only.

    Adding grid points or trials never changes the seed of a tree already planned.
    """
    return derive_seed(study_seed, params, trial)


@dataclass(frozen=True, slots=True)
class Job:
    """One tree to run: its grid point, trial and seed (a plain record: studies plan and
    ship millions of them to workers).

    Attributes:
        params: The grid point; jobs of one grid point share it, so never mutate it.
        trial: Index of the tree within its grid point.
        seed: The tree's seed, ``tree_seed(study seed, params, trial)``.
        cell: ``canonical_json(params)`` when the planner cached it (keys cost less).
    """

    params: dict[str, Any]
    trial: int
    seed: int
    cell: str | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        return row_key(self.params, self.trial, cell=self.cell)

    def __reduce__(self) -> tuple[type[Job], tuple[Any, ...]]:
        # Pickled as its fields: jobs of a chunk share their params and cell objects,
        # which pickle then sends once (the default for slotted classes is slower).
        return Job, (self.params, self.trial, self.seed, self.cell)


class Definition(BaseModel):
    """What an experiment is, beyond its name: a study directory refuses another one.

    The code is the experiment function's own (decorators, docstring, comments and
    layout left out, so a grid may grow); the task, agent and root question are those
    of one trial, made at the grid point ``at``, and are compared only at the same point.
    A part that could not be found (no source, a trial that raises) is None and is not
    compared.

    Attributes:
        at: The grid point the trial was made at (trial 0 of the study seed).
        code: A digest of the function's code.
        task: The class of the trial's task ("none" for a question with its truth).
        agent: The class of the trial's agent, or the name of its function.
        question: A digest of the trial's root question and truth.
    """

    at: dict[str, Any]
    code: str | None = None
    task: str | None = None
    agent: str | None = None
    question: str | None = None

    def differences(self, other: Definition) -> list[str]:
        """What differs from ``other``, one phrase per part: ``its task (A, now B)``."""
        said = []
        parts = (("code", False), ("task", True), ("agent", True), ("question", False))
        for part, readable in parts:
            was, now = getattr(self, part), getattr(other, part)
            if part != "code" and self.at != other.at:
                continue
            if was is not None and now is not None and was != now:
                said.append(f"its {part} ({was}, now {now})" if readable else f"its {part}")
        return said


class StudySpec(BaseModel):
    """What ``DIR/study.json`` records about a study.

    Attributes:
        experiment: The experiment's name; a directory holds one experiment.
        ref: Where it was loaded from (``module:attr`` or ``file.py:attr``).
        grid: Every value of every parameter run into the directory so far.
        trials: Trees per grid point.
        seed: The study seed every tree seed derives from.
        definition: What the experiment is (absent in directories of older versions).
        limits: Limits every tree runs under instead of its experiment's
            (``node_timeout``, ``tree_timeout``): part of the study, kept on resume.
    """

    experiment: str
    ref: str
    grid: Grid
    trials: int = Field(ge=1)
    seed: int
    definition: Definition | None = None
    limits: dict[str, PositiveFloat] = {}

    @field_validator("limits")
    @classmethod
    def _timeouts_only(cls, limits: dict[str, float]) -> dict[str, float]:
        other = sorted(set(limits) - set(OVERRIDABLE))
        if other:
            raise ValueError(f"only {' and '.join(OVERRIDABLE)} can be set, not {other}")
        return limits

    def jobs(self) -> Iterator[Job]:
        """Every tree, trial by trial, so that a partial run covers every grid point.

        Each grid point is encoded once: a tree's seed and key are built from its JSON
        (the same values as ``tree_seed`` and ``row_key``, for a fraction of the cost).
        """
        seed = canonical_json(self.seed)
        cells = [(params, canonical_json(params)) for params in points(self.grid)]
        for trial in range(self.trials):
            for params, cell in cells:
                yield Job(params, trial, seed_from_json(f"[{seed},{cell},{trial}]"), cell)

    @property
    def size(self) -> int:
        cells = 1
        for values in self.grid.values():
            cells *= len(values)
        return cells * self.trials
