"""A study's plan: experiment x grid x trials x seed, and the trees (jobs) it consists of."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hch.seeding import derive_seed
from hch.study.grid import Grid, points
from hch.study.results import row_key

__all__ = ["Job", "StudySpec", "tree_seed"]


def tree_seed(study_seed: int, params: dict[str, Any], trial: int) -> int:
    """The seed of one tree: a function of its own grid point and trial only.

    Adding grid points or trials never changes the seed of a tree already planned.
    """
    return derive_seed(study_seed, params, trial)


class Job(BaseModel):
    """One tree to run."""

    model_config = ConfigDict(frozen=True)

    params: dict[str, Any]
    trial: int
    seed: int

    @property
    def key(self) -> str:
        return row_key(self.params, self.trial)


class StudySpec(BaseModel):
    """What ``DIR/study.json`` records about a study.

    Attributes:
        experiment: The experiment's name; a directory holds one experiment.
        ref: Where it was loaded from (``module:attr`` or ``file.py:attr``).
        grid: Every value of every parameter run into the directory so far.
        trials: Trees per grid point.
        seed: The study seed every tree seed derives from.
    """

    experiment: str
    ref: str
    grid: Grid
    trials: int = Field(ge=1)
    seed: int

    def jobs(self) -> Iterator[Job]:
        """Every tree, trial by trial, so that a partial run covers every grid point."""
        cells = points(self.grid)
        for trial in range(self.trials):
            for params in cells:
                yield Job(params=params, trial=trial, seed=tree_seed(self.seed, params, trial))

    @property
    def size(self) -> int:
        cells = 1
        for values in self.grid.values():
            cells *= len(values)
        return cells * self.trials
