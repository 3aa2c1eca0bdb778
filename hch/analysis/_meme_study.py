"""Memes over many trees: counts that add up, and one summary per grid cell of a study.

``MemeCounts`` is what one tree leaves in its result row (``tree_metrics``, given to a
``Trial`` as ``measure``), so a study reports on every tree, not only on those whose
trace it keeps; rows without it are read from their trace when there is one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ConfigDict

from hch.analysis._meme_trace import TreeMemes, trace_memes
from hch.analysis.study import kept_tree, measure_cells
from hch.model import Tree
from hch.stats import wilson_interval
from hch.study.report import Cell
from hch.study.results import ResultRow

__all__ = ["MemeCell", "MemeCounts", "Rate", "study_memes", "tree_metrics"]

METRICS_KEY = "memes"
"""Key of ``ResultRow.metrics`` that holds a tree's ``MemeCounts``."""


class Rate(BaseModel):
    """A proportion with its 95% Wilson interval."""

    model_config = ConfigDict(frozen=True)

    hits: int
    n: int

    @property
    def value(self) -> float | None:
        return self.hits / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float]:
        """95% Wilson interval; it always holds the observed proportion."""
        low, high = wilson_interval(self.hits, self.n)
        if self.n:  # the interval's float arithmetic can land a hair inside 0 or 1
            low, high = min(low, self.hits / self.n), max(high, self.hits / self.n)
        return low, high

    def text(self, digits: int = 2) -> str:
        """``0.42 [0.35, 0.49] (42/100)``, or ``-`` when there is nothing to count."""
        if not self.n:
            return "-"
        value, (low, high) = self.hits / self.n, self.interval
        d = digits
        return f"{value:.{d}f} [{low:.{d}f}, {high:.{d}f}] ({self.hits}/{self.n})"


def _add(a: Mapping[Any, list[int]], b: Mapping[Any, list[int]]) -> dict[Any, list[int]]:
    out = {k: list(v) for k, v in a.items()}
    for k, v in b.items():
        old = out.get(k, [0] * len(v))
        out[k] = [x + y for x, y in zip(old, v, strict=True)]
    return dict(sorted(out.items()))


class MemeCounts(BaseModel):
    """Additive meme statistics of one or more trees (JSON-able, for result rows).

    Pairs are ``[hits, n]``; keys are depths unless said otherwise.

    Attributes:
        trees: Trees counted.
        captured: Trees whose root answer carries a meme.
        with_births: Trees with at least one birth.
        births: ``[captured, births]`` by birth depth: births whose route reached the root.
        heights: How many births went up each number of hops.
        hops: ``[carried, tried]`` by the depth of the parent that decided.
        by_persuasiveness: ``[carried, tried]`` by the meme's declared persuasiveness.
        nodes: ``[carrying, answered]`` nodes by depth: the share of memetic content.
        lab: ``[false, calls]``: lab calls, and those that called a claim false.
        notes: Misbehaviours the nodes noted, by kind.
        errors: ``[reached the root, births]`` of errors by birth depth (with a task).
        error_heights: How many error births went up each number of hops.
    """

    trees: int = 0
    captured: int = 0
    with_births: int = 0
    births: dict[int, list[int]] = {}
    heights: dict[int, int] = {}
    hops: dict[int, list[int]] = {}
    by_persuasiveness: dict[float, list[int]] = {}
    nodes: dict[int, list[int]] = {}
    lab: list[int] = [0, 0]
    notes: dict[str, int] = {}
    errors: dict[int, list[int]] = {}
    error_heights: dict[int, int] = {}

    @classmethod
    def of(cls, tm: TreeMemes) -> MemeCounts:
        """The counts of one tree."""
        births: dict[int, list[int]] = {}
        heights: dict[int, int] = {}
        for b in tm.births:
            births.setdefault(b.depth, [0, 0])
            births[b.depth][0] += b.captured
            births[b.depth][1] += 1
            heights[b.height] = heights.get(b.height, 0) + 1
        hops: dict[int, list[int]] = {}
        persuasive: dict[float, list[int]] = {}
        weights = {m.tag: m.persuasiveness for m in tm.memes}
        for hop in tm.hops:
            hops.setdefault(hop.depth, [0, 0])
            hops[hop.depth][0] += hop.carried
            hops[hop.depth][1] += 1
            if hop.tag in weights:
                pair = persuasive.setdefault(weights[hop.tag], [0, 0])
                pair[0] += hop.carried
                pair[1] += 1
        nodes = {d: [0, n] for d, n in tm.answered.items()}
        for path, tags in tm.carried.items():
            nodes[len(path)][0] += bool(tags)
        errors: dict[int, list[int]] = {}
        error_heights: dict[int, int] = {}
        for e in tm.errors or []:
            errors.setdefault(e.depth, [0, 0])
            errors[e.depth][0] += e.captured
            errors[e.depth][1] += 1
            error_heights[e.height] = error_heights.get(e.height, 0) + 1
        return cls(
            trees=1,
            captured=int(bool(tm.root)),
            with_births=int(bool(tm.births)),
            births=dict(sorted(births.items())),
            heights=dict(sorted(heights.items())),
            hops=dict(sorted(hops.items())),
            by_persuasiveness=dict(sorted(persuasive.items())),
            nodes=nodes,
            lab=[tm.lab_false, tm.lab_calls],
            notes=dict(tm.notes),
            errors=dict(sorted(errors.items())),
            error_heights=dict(sorted(error_heights.items())),
        )

    def __add__(self, other: MemeCounts) -> MemeCounts:
        def tally(a: Mapping[Any, int], b: Mapping[Any, int]) -> dict[Any, int]:
            return dict(sorted({k: a.get(k, 0) + b.get(k, 0) for k in {*a, *b}}.items()))

        return MemeCounts(
            trees=self.trees + other.trees,
            captured=self.captured + other.captured,
            with_births=self.with_births + other.with_births,
            births=_add(self.births, other.births),
            heights=tally(self.heights, other.heights),
            hops=_add(self.hops, other.hops),
            by_persuasiveness=_add(self.by_persuasiveness, other.by_persuasiveness),
            nodes=_add(self.nodes, other.nodes),
            lab=[self.lab[0] + other.lab[0], self.lab[1] + other.lab[1]],
            notes=tally(self.notes, other.notes),
            errors=_add(self.errors, other.errors),
            error_heights=tally(self.error_heights, other.error_heights),
        )

    # -- what a researcher reads off them ------------------------------------------
    @property
    def root_capture(self) -> Rate:
        """Trees whose root answer carries a meme."""
        return Rate(hits=self.captured, n=self.trees)

    @property
    def birth_capture(self) -> Rate:
        """Births below the root whose route reached it."""
        below = [v for d, v in self.births.items() if d > 0]
        return Rate(hits=sum(v[0] for v in below), n=sum(v[1] for v in below))

    @property
    def n_births(self) -> int:
        return sum(v[1] for v in self.births.values())

    def transmission(self, depth: int | None = None) -> Rate:
        """Hops carried on, into parents at ``depth`` (all depths when None)."""
        pairs = self.hops.values() if depth is None else [self.hops.get(depth, [0, 0])]
        return Rate(hits=sum(p[0] for p in pairs), n=sum(p[1] for p in pairs))

    def share(self, depth: int) -> Rate:
        """Answered nodes at ``depth`` that carry a meme."""
        carrying, answered = self.nodes.get(depth, [0, 0])
        return Rate(hits=carrying, n=answered)

    def selection(self, depth: int) -> float | None:
        """How much the share of memetic content grows going up into ``depth`` from
        ``depth + 1``: share(depth) / share(depth + 1); > 1 means memes are selected."""
        up, down = self.share(depth).value, self.share(depth + 1).value
        if up is None or not down:
            return None
        return up / down

    def selection_per_level(self) -> float | None:
        """Geometric mean of ``selection`` over the levels where it is defined."""
        ratios = [r for d in self.nodes if (r := self.selection(d)) is not None and r > 0]
        if not ratios:
            return None
        return math.exp(sum(math.log(r) for r in ratios) / len(ratios))

    @property
    def mean_height(self) -> float | None:
        n = sum(self.heights.values())
        return sum(h * k for h, k in self.heights.items()) / n if n else None

    @property
    def error_reach(self) -> Rate:
        """Errors born below the root that went all the way up to it."""
        below = [v for d, v in self.errors.items() if d > 0]
        return Rate(hits=sum(v[0] for v in below), n=sum(v[1] for v in below))

    @property
    def mean_error_height(self) -> float | None:
        n = sum(self.error_heights.values())
        return sum(h * k for h, k in self.error_heights.items()) / n if n else None


def tree_metrics(tree: Tree, task: Any = None) -> dict[str, Any]:
    """What a tree's row keeps about its memes: ``Trial(..., measure=tree_metrics)``.

    With ``task`` (bind it: ``functools.partial(tree_metrics, task=TASK)``), errors are
    followed too.
    """
    counts = MemeCounts.of(trace_memes(tree, task=task))
    return {METRICS_KEY: counts.model_dump(mode="json")}


class MemeCell(BaseModel):
    """The memes of one grid point of a study, beside its accuracy.

    Attributes:
        params: The grid point.
        counts: Its trees' counts added up.
        report: Its accuracy cell (``hch.study.Cell``: accuracy, interval, nodes used).
        unmeasured: Rows with neither meme metrics nor a trace (not in ``counts``).
    """

    model_config = ConfigDict(frozen=True)

    params: dict[str, Any]
    counts: MemeCounts
    report: Cell
    unmeasured: int


def _counts(row: ResultRow, directory: FilePath | None, task: Any) -> MemeCounts | None:
    found = row.metrics.get(METRICS_KEY)
    if found is not None:
        return MemeCounts.model_validate(found)
    tree = kept_tree(row, directory)
    return None if tree is None else MemeCounts.of(trace_memes(tree, task=task))


def study_memes(
    rows: Iterable[ResultRow], directory: str | FilePath | None = None, *, task: Any = None
) -> list[MemeCell]:
    """One ``MemeCell`` per grid point, in the order of the study's report.

    Args:
        rows: A study's rows (``hch.study.load(DIR)``).
        directory: The study directory, to read traces of rows without meme metrics.
        task: Follows errors in traces read that way (rows' metrics already have them).
    """
    where = None if directory is None else FilePath(directory)
    return [
        MemeCell(
            params=report.params,
            counts=sum(found, MemeCounts()),
            report=report,
            unmeasured=unmeasured,
        )
        for report, found, unmeasured in measure_cells(rows, lambda r: _counts(r, where, task))
    ]
