"""Errors over a study's kept traces, per grid point: where they are born, how they travel.

Only traces whose task can check every node count; the rest are tallied by reason in
``StudyErrors.skipped``, so nothing is silently left out. ``analyse_cells`` walks a
study's kept traces for any analysis of this kind (``hch.analysis.study_blame`` too);
``measure_cells`` gathers one measure per row (its metrics, or its trace read again) by
grid point, for the meme and pointer studies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path as FilePath
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from hch.analysis.errors import Checks, DepthErrors, Fate, TreeErrors, Verdict, tree_errors
from hch.errors import HCHError, TraceError
from hch.model import Tree
from hch.study import Cell, ResultRow, summarize
from hch.trace import load

__all__ = [
    "CellErrors",
    "StudyErrors",
    "TaskFor",
    "Travel",
    "analyse_cells",
    "cell_key",
    "kept_tree",
    "measure_cells",
    "study_errors",
    "study_name",
]

T = TypeVar("T")

TaskFor = Callable[[str | None], Any]
"""Gives the task object for a trace header's task name (None when there is none)."""


class Travel(BaseModel):
    """How many errors born at one depth travelled so many levels, and their fate."""

    model_config = ConfigDict(frozen=True)

    origin_depth: int
    levels: int
    fate: Fate
    count: int


class CellErrors(BaseModel):
    """The errors of the analysed trees of one grid point.

    Attributes:
        params: The grid point.
        trees: Trees analysed.
        wrong_roots: Trees whose root was wrong.
        depths: Node counts by depth, summed over the trees.
        root_origins: Depth -> errors born there that reached a wrong root.
        travel: Every error's origin depth, levels travelled and fate, counted.
    """

    model_config = ConfigDict(frozen=True)

    params: dict[str, Any]
    trees: int
    wrong_roots: int
    depths: list[DepthErrors]
    root_origins: dict[int, int]
    travel: list[Travel]

    @property
    def errors(self) -> int:
        """Errors born (originating nodes) in all the trees."""
        return sum(t.count for t in self.travel)

    def fates(self) -> dict[Fate, int]:
        """Errors by what became of them."""
        out = dict.fromkeys(Fate, 0)
        for t in self.travel:
            out[t.fate] += t.count
        return out

    def travelled(self, levels: int) -> int:
        """Errors that travelled at least ``levels`` levels."""
        return sum(t.count for t in self.travel if t.levels >= levels)


class StudyErrors(BaseModel):
    """Errors of a study, one ``CellErrors`` per grid point with analysed traces.

    Attributes:
        study: The study's name.
        cells: In the order of the study's report.
        skipped: Why traces were left out (no task, task checks only roots, ...) -> count.
    """

    model_config = ConfigDict(frozen=True)

    study: str
    cells: list[CellErrors]
    skipped: dict[str, int]

    @property
    def trees(self) -> int:
        return sum(c.trees for c in self.cells)


def study_errors(
    rows: Iterable[ResultRow], directory: str | FilePath, task_for: TaskFor
) -> StudyErrors:
    """Analyse the kept trace of every row of a study in ``directory``.

    Args:
        rows: The study's result rows (``hch.study.load(directory)``).
        directory: Where the rows' trace paths are relative to.
        task_for: The task for a header's task name, or None when unknown.
    """
    rows = list(rows)
    cells, skipped = analyse_cells(rows, directory, task_for, _errors)
    return StudyErrors(
        study=study_name(rows, directory),
        cells=[_cell(params, found) for params, found in cells],
        skipped=skipped,
    )


def _errors(tree: Tree, task: Any, params: dict[str, Any]) -> TreeErrors | str:
    found = tree_errors(tree, task)
    return found if found.checks is Checks.NODES else "task checks only the root"


def study_name(rows: Sequence[ResultRow], directory: str | FilePath) -> str:
    """The study's name: its rows', or its directory's when it has none."""
    return rows[0].study if rows else FilePath(directory).name


def analyse_cells(
    rows: Sequence[ResultRow],
    directory: str | FilePath,
    task_for: TaskFor,
    analyse: Callable[[Tree, Any, dict[str, Any]], T | str],
) -> tuple[list[tuple[dict[str, Any], list[T]]], dict[str, int]]:
    """``analyse(tree, task, params)`` on every kept trace of a study that has a root
    and a known task, by grid point in the report's order; and the traces left out, by
    reason (``analyse`` gives a reason instead of a result to leave one out).

    Args:
        rows: The study's result rows (``hch.study.load(directory)``).
        directory: Where the rows' trace paths are relative to.
        task_for: The task for a header's task name, or None when unknown.
        analyse: One tree's analysis.
    """
    base = FilePath(directory)
    per_cell: dict[str, list[T]] = {}
    skipped: Counter[str] = Counter()
    for row in rows:
        if row.trace is None:
            continue
        why, loaded = _loaded(base / row.trace, task_for)
        found = analyse(*loaded, row.params) if loaded is not None else why
        if isinstance(found, str):
            skipped[found] += 1
        else:
            per_cell.setdefault(cell_key(row.params), []).append(found)
    cells = [
        (cell.params, per_cell[cell_key(cell.params)])
        for cell in summarize(rows)  # the report's order of grid points
        if per_cell.get(cell_key(cell.params))
    ]
    return cells, dict(sorted(skipped.items()))


def measure_cells(
    rows: Iterable[ResultRow], measure: Callable[[ResultRow], T | None]
) -> list[tuple[Cell, list[T], int]]:
    """``measure(row)`` on every row, by grid point in the report's order: each point's
    report cell, the measures of its rows, and how many rows had none (``measure`` gave
    None: no metrics and no trace to read them from)."""
    rows = list(rows)
    groups: dict[str, list[ResultRow]] = {}
    for row in rows:
        groups.setdefault(cell_key(row.params), []).append(row)
    cells = []
    for report in summarize(rows):
        group = groups[cell_key(report.params)]
        found = [m for row in group if (m := measure(row)) is not None]
        cells.append((report, found, len(group) - len(found)))
    return cells


def kept_tree(row: ResultRow, directory: FilePath | None) -> Tree | None:
    """The row's kept trace, read from the study ``directory``; None when the row kept
    none, its file is gone or unreadable (one unmeasured row, not the end of a report),
    or no directory is known."""
    if row.trace is None or directory is None or not (directory / row.trace).is_file():
        return None
    try:
        return load(directory / row.trace)
    except TraceError:
        return None


def cell_key(params: dict[str, Any]) -> str:
    """A grid point as a key: equal for equal parameters, in any order."""
    return repr(sorted(params.items()))


def _loaded(file: FilePath, task_for: TaskFor) -> tuple[str, tuple[Tree, Any] | None]:
    """A trace and its task, or why it cannot be analysed."""
    try:
        tree = load(file)
    except HCHError:
        return "unreadable trace", None
    if () not in tree:
        return "cut off before the root answered", None
    try:
        task = task_for(tree.header.task)
    except HCHError:
        task = None
    if task is None:
        return "no known task", None
    return "", (tree, task)


def _cell(params: dict[str, Any], trees: list[TreeErrors]) -> CellErrors:
    deepest = max(len(t.depths) for t in trees)
    depths = [DepthErrors(depth=d) for d in range(deepest)]
    root_origins: Counter[int] = Counter()
    travel: Counter[tuple[int, int, Fate]] = Counter()
    for t in trees:
        for d in t.depths:
            depths[d.depth] = depths[d.depth] + d
        root_origins.update(len(trail.origin) for trail in t.root_trails)
        travel.update((len(trail.origin), trail.levels, trail.fate) for trail in t.trails)
    return CellErrors(
        params=params,
        trees=len(trees),
        wrong_roots=sum(1 for t in trees if t.root is Verdict.WRONG),
        depths=depths,
        root_origins=dict(sorted(root_origins.items())),
        travel=[
            Travel(origin_depth=o, levels=lv, fate=f, count=n)
            for (o, lv, f), n in sorted(travel.items())
        ],
    )
