"""Pointers over many trees: counts that add up, and one summary per grid cell."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ConfigDict

from hch.analysis._pointer_trace import Route, TreePointers, revealed_tree, trace_pointers
from hch.analysis.memes import METRICS_KEY as MEME_KEY
from hch.analysis.memes import MemeCounts, Rate, trace_memes
from hch.analysis.study import kept_tree, measure_cells
from hch.model import Tree
from hch.study.report import Cell
from hch.study.results import ResultRow

__all__ = [
    "POINTERS_KEY",
    "Mean",
    "PointerCell",
    "PointerCounts",
    "pointer_metrics",
    "study_pointers",
]

POINTERS_KEY = "pointers"
"""Key of ``ResultRow.metrics`` that holds a tree's ``PointerCounts``."""


class Mean(BaseModel):
    """A mean over trees with its 95% normal interval (additive: sums kept)."""

    model_config = ConfigDict(frozen=True)

    n: int = 0
    total: float = 0.0
    squares: float = 0.0

    @classmethod
    def one(cls, value: float | None) -> Mean:
        """One tree's value (None: the tree has none)."""
        return cls() if value is None else cls(n=1, total=value, squares=value * value)

    def __add__(self, other: Mean) -> Mean:
        return Mean(
            n=self.n + other.n,
            total=self.total + other.total,
            squares=self.squares + other.squares,
        )

    @property
    def value(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """95% interval of the mean (normal approximation); None under two trees."""
        if self.n < 2:
            return None
        mean = self.total / self.n
        var = max(0.0, (self.squares - self.n * mean * mean) / (self.n - 1))
        half = 1.959964 * math.sqrt(var / self.n)
        return mean - half, mean + half

    def text(self, digits: int = 2) -> str:
        """``0.42 [0.39, 0.45]``, or ``-`` with no tree."""
        if self.value is None:
            return "-"
        d, ci = digits, self.interval
        return f"{self.value:.{d}f}" + ("" if ci is None else f" [{ci[0]:.{d}f}, {ci[1]:.{d}f}]")


def _add(a: Mapping[str, list[int]], b: Mapping[str, list[int]]) -> dict[str, list[int]]:
    out = {k: list(v) for k, v in a.items()}
    for k, v in b.items():
        old = out.get(k, [0, 0])
        out[k] = [old[0] + v[0], old[1] + v[1]]
    return dict(sorted(out.items()))


class PointerCounts(BaseModel):
    """Additive pointer statistics of one or more trees (JSON-able, for result rows).

    Pairs are ``[hits, n]``.

    Attributes:
        trees: Trees counted.
        with_pointers: Trees that held content behind pointers.
        units: ``[unread, reaching]``: pieces of content that reached the root, and
            those of them that travelled unread.
        chars: The same in characters.
        unread_share: Per tree with content at the root, the unread share of pieces.
        unread_char_share: The same in characters.
        unlocks: Unlocks per tree.
        busiest: Per tree, the most unlocks one node made (what one node had to read).
        unlock_share: Per tree, the share of its budget used that went to unlocks.
        unlock_cost: Budget all unlocks used.
        budget_used: Budget all trees used.
        answered: Nodes that answered.
        hops: ``read``/``unread`` -> ``[carried, tried]`` meme hops.
        births: ``read``/``unread`` route -> ``[reached the root, births]``, of births
            below the root.
        captured: Trees whose root carries a meme.
        captured_unread: Of those, trees where a meme born below the root reached it on
            an unread route.
    """

    trees: int = 0
    with_pointers: int = 0
    units: list[int] = [0, 0]
    chars: list[int] = [0, 0]
    unread_share: Mean = Mean()
    unread_char_share: Mean = Mean()
    unlocks: Mean = Mean()
    busiest: Mean = Mean()
    unlock_share: Mean = Mean()
    unlock_cost: int = 0
    budget_used: int = 0
    answered: int = 0
    hops: dict[str, list[int]] = {}
    births: dict[str, list[int]] = {}
    captured: int = 0
    captured_unread: int = 0

    @classmethod
    def of(cls, tp: TreePointers) -> PointerCounts:
        """The counts of one tree."""
        root, unread = tp.at_root, tp.unread
        units = [len(unread), len(root)]
        chars = [sum(t.chars for t in unread), sum(t.chars for t in root)]
        hops: dict[str, list[int]] = {}
        for _, _, carried, route in tp.hops:
            pair = hops.setdefault(route, [0, 0])
            pair[0] += carried
            pair[1] += 1
        births: dict[str, list[int]] = {}
        for ride in tp.rides:
            if not ride.node:  # born at the root: it went nowhere
                continue
            pair = births.setdefault(ride.route, [0, 0])
            pair[0] += ride.captured
            pair[1] += 1
        return cls(
            trees=1,
            with_pointers=int(bool(tp.trails)),
            units=units,
            chars=chars,
            unread_share=Mean.one(units[0] / units[1] if units[1] else None),
            unread_char_share=Mean.one(chars[0] / chars[1] if chars[1] else None),
            unlocks=Mean.one(tp.n_unlocks),
            busiest=Mean.one(max(tp.unlocks.values(), default=0)),
            unlock_share=Mean.one(tp.unlock_cost / tp.budget_used if tp.budget_used else None),
            unlock_cost=tp.unlock_cost,
            budget_used=tp.budget_used,
            answered=tp.answered,
            hops=dict(sorted(hops.items())),
            births=dict(sorted(births.items())),
            captured=int(bool(tp.root_memes)),
            captured_unread=int(
                any(r.captured and r.route == "unread" and r.node for r in tp.rides)
            ),
        )

    def __add__(self, other: PointerCounts) -> PointerCounts:
        return PointerCounts(
            trees=self.trees + other.trees,
            with_pointers=self.with_pointers + other.with_pointers,
            units=[self.units[0] + other.units[0], self.units[1] + other.units[1]],
            chars=[self.chars[0] + other.chars[0], self.chars[1] + other.chars[1]],
            unread_share=self.unread_share + other.unread_share,
            unread_char_share=self.unread_char_share + other.unread_char_share,
            unlocks=self.unlocks + other.unlocks,
            busiest=self.busiest + other.busiest,
            unlock_share=self.unlock_share + other.unlock_share,
            unlock_cost=self.unlock_cost + other.unlock_cost,
            budget_used=self.budget_used + other.budget_used,
            answered=self.answered + other.answered,
            hops=_add(self.hops, other.hops),
            births=_add(self.births, other.births),
            captured=self.captured + other.captured,
            captured_unread=self.captured_unread + other.captured_unread,
        )

    # -- what a researcher reads off them ------------------------------------------
    @property
    def root_capture(self) -> Rate:
        """Trees whose root answer carries a meme (inside content too)."""
        return Rate(hits=self.captured, n=self.trees)

    @property
    def unread_capture(self) -> Rate:
        """Trees whose root a meme born below it reached on an unread route."""
        return Rate(hits=self.captured_unread, n=self.trees)

    def transmission(self, route: Route) -> Rate:
        """Meme hops carried on, of those whose parent read (or did not read) the meme."""
        carried, tried = self.hops.get(route, [0, 0])
        return Rate(hits=carried, n=tried)

    def birth_capture(self, route: Route) -> Rate:
        """Births below the root that reached it, of those whose route was read (or
        unread)."""
        captured, n = self.births.get(route, [0, 0])
        return Rate(hits=captured, n=n)

    @property
    def unlocks_per_node(self) -> float | None:
        """Unlocks per node that answered, over all the trees."""
        return self.unlocks.total / self.answered if self.answered else None

    @property
    def units_per_tree(self) -> float | None:
        """Mean pieces of content reaching the root per tree."""
        return self.units[1] / self.trees if self.trees else None


def pointer_metrics(tree: Tree, task: Any = None) -> dict[str, Any]:
    """What a tree's row keeps about its pointers and memes: ``Trial(measure=...)``.

    Two entries: ``pointers`` (``PointerCounts``) and ``memes`` (``MemeCounts`` of the
    revealed tree, so ``hch.analysis.memes.study_memes`` sees memes inside content).
    With ``task`` (bind it with ``functools.partial``) errors are followed too.
    """
    tm = trace_memes(revealed_tree(tree), task=task)
    counts = PointerCounts.of(trace_pointers(tree, tree_memes=tm))
    memes = MemeCounts.of(tm)
    return {
        POINTERS_KEY: counts.model_dump(mode="json"),
        MEME_KEY: memes.model_dump(mode="json"),
    }


class PointerCell(BaseModel):
    """The pointers of one grid point of a study, beside its accuracy.

    Attributes:
        params: The grid point.
        counts: Its trees' pointer counts added up.
        memes: Its trees' meme counts (of revealed trees) added up.
        report: Its accuracy cell.
        unmeasured: Rows with neither pointer metrics nor a trace (not counted).
    """

    model_config = ConfigDict(frozen=True)

    params: dict[str, Any]
    counts: PointerCounts
    memes: MemeCounts
    report: Cell
    unmeasured: int

    @property
    def accuracy(self) -> Rate:
        return Rate(hits=self.report.right, n=self.report.n)


def _counts(
    row: ResultRow, directory: FilePath | None, task: Any
) -> tuple[PointerCounts, MemeCounts] | None:
    found = row.metrics.get(POINTERS_KEY)
    if found is not None:
        memes = row.metrics.get(MEME_KEY)
        return (
            PointerCounts.model_validate(found),
            MemeCounts() if memes is None else MemeCounts.model_validate(memes),
        )
    tree = kept_tree(row, directory)
    if tree is None:
        return None
    tm = trace_memes(revealed_tree(tree), task=task) if () in tree else None
    return (
        PointerCounts.of(trace_pointers(tree, tree_memes=tm)),
        MemeCounts() if tm is None else MemeCounts.of(tm),
    )


def study_pointers(
    rows: Iterable[ResultRow], directory: str | FilePath | None = None, *, task: Any = None
) -> list[PointerCell]:
    """One ``PointerCell`` per grid point, in the order of the study's report.

    Args:
        rows: A study's rows (``hch.study.load(DIR)``).
        directory: The study directory, to read traces of rows without pointer metrics.
        task: Follows errors in traces read that way.
    """
    where = None if directory is None else FilePath(directory)
    return [
        PointerCell(
            params=report.params,
            counts=sum((c for c, _ in found), PointerCounts()),
            memes=sum((m for _, m in found), MemeCounts()),
            report=report,
            unmeasured=unmeasured,
        )
        for report, found, unmeasured in measure_cells(rows, lambda r: _counts(r, where, task))
    ]
