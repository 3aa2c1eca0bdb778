"""A study's plan: experiment x grid x trials x seed, and the trees (jobs) it consists of."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from hch.hashing import canonical_json
from hch.seeding import derive_seed, seed_from_json
from hch.study.grid import Grid, points
from hch.study.results import row_key

__all__ = ["Job", "StudySpec", "tree_seed"]


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
