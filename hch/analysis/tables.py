"""Error tables: one tree's counts by depth, and a study's by grid point and node depth.

Each table is a ``Grid`` (title, headers, lines of text) that renders as a rich Table
for a terminal or as aligned plain text for logs and pipes. Every cell is made safe
(``hch.analysis.text.safe``) and handed to rich as plain Text, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict
from rich.table import Table
from rich.text import Text

from hch.analysis.claims import ClaimRates
from hch.analysis.errors import DepthErrors, Fate
from hch.analysis.study import CellErrors, StudyErrors
from hch.analysis.study_blame import CellBlame, StudyBlame
from hch.analysis.text import safe

__all__ = ["Grid", "blame_grids", "depth_grid", "describe_skipped", "study_grids"]

Cell = TypeVar("Cell", CellErrors, CellBlame)


class Grid(BaseModel):
    """A table as text: what it shows, its column headers, and its lines.

    Every string is made safe again when rendered, wherever it came from.

    Attributes:
        keys: How many leading columns name the row (left-aligned); the rest are figures.
    """

    model_config = ConfigDict(frozen=True)

    title: str
    headers: list[str]
    lines: list[list[str]]
    keys: int = 1

    def table(self) -> Table:
        """The grid as a rich Table."""
        t = Table(title=Text(safe(self.title, None)))
        for i, header in enumerate(self.headers):
            t.add_column(Text(safe(header, None)), justify="left" if i < self.keys else "right")
        for line in self.lines:
            t.add_row(*(Text(safe(cell, None)) for cell in line))
        return t

    def text(self) -> str:
        """The grid as aligned plain text, its title on the first line."""
        rows = [[safe(cell, None) for cell in line] for line in [self.headers, *self.lines]]
        widths = [max(len(x) for x in column) for column in zip(*rows, strict=True)]
        body = [
            "  ".join(
                cell.ljust(width) if i < self.keys else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
            for line in rows
        ]
        return "\n".join([safe(self.title, None), *body])


def _rate(value: float | None, n: int | None = None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if n is None else f"{value:.2f} ({n})"


def depth_grid(depths: Sequence[DepthErrors]) -> Grid:
    """One tree's (or one cell's) verdicts and roles at each depth."""
    headers = ["depth", "nodes", "right", "wrong", "unknown", "accuracy"]
    headers += ["born", "propagating", "correcting"]
    lines = [
        [
            str(d.depth),
            str(d.nodes),
            str(d.right),
            str(d.wrong),
            str(d.unknown),
            _rate(d.accuracy),
            str(d.originating),
            str(d.propagating),
            str(d.correcting),
        ]
        for d in depths
    ]
    return Grid(title="nodes by depth", headers=headers, lines=lines)


def study_grids(errors: StudyErrors) -> list[Grid]:
    """The study's error tables: origins of root errors, births, propagation, travel."""
    cells = errors.cells
    deepest = max((len(c.depths) for c in cells), default=0)
    at = [f"d={d}" for d in range(deepest)]

    def grid(title: str, extra: list[str], row: Callable[[CellErrors], list[str]]) -> Grid:
        return _per_cell(cells, title, extra, row)

    def origins(c: CellErrors) -> list[str]:
        total = sum(c.root_origins.values())
        return [str(c.trees), str(c.wrong_roots), str(total), *_shares(c.root_origins, deepest)]

    def born(c: CellErrors) -> list[str]:
        return [_by_depth(c, d, lambda x: (x.origin_rate, x.checked)) for d in range(deepest)]

    def propagated(c: CellErrors) -> list[str]:
        return [_by_depth(c, d, lambda x: (x.propagation_rate, x.exposed)) for d in range(deepest)]

    def travel(c: CellErrors) -> list[str]:
        n = c.errors
        fates = c.fates()
        mean = sum(t.levels * t.count for t in c.travel) / n if n else None
        deepest_trip = max((t.levels for t in c.travel), default=0)
        shares = [_rate(fates[f] / n if n else None) for f in Fate]
        return [str(n), *shares, _rate(mean), str(deepest_trip)]

    return [
        grid(
            "where wrong roots' errors were born: share of their origins at node depth d",
            ["trees", "wrong roots", "origins", *at],
            origins,
        ),
        grid("errors born per checked node at node depth d (checked nodes)", at, born),
        grid(
            "propagation at node depth d: of the nodes with a wrong child, the share "
            "wrong too (the rest corrected it; nodes with a wrong child)",
            at,
            propagated,
        ),
        grid(
            "how far errors travel up before they stop",
            ["errors", *(f.value for f in Fate), "mean levels", "max levels"],
            travel,
        ),
    ]


def blame_grids(blame: StudyBlame) -> list[Grid]:
    """The study's blame tables: where exact culprits sit, how many corrections wrong
    roots needed, and (when nodes claimed any) claimed against counterfactual blame."""
    cells = blame.cells
    deepest = max((d for c in cells for d in c.culprit_depths), default=-1) + 1
    largest = max((n for c in cells for n in c.sizes), default=0)

    def grid(title: str, extra: list[str], row: Callable[[CellBlame], list[str]]) -> Grid:
        return _per_cell(cells, title, extra, row)

    def culprits(c: CellBlame) -> list[str]:
        shares = _shares(c.culprit_depths, deepest)
        return [str(c.wrong_roots), str(c.blamed), str(c.exact), str(c.own), *shares]

    def sizes(c: CellBlame) -> list[str]:
        counts = [str(c.sizes.get(n, 0)) for n in range(1, largest + 1)]
        fixed = [n * k for n, k in c.sizes.items() if n]
        mean = sum(fixed) / sum(k for n, k in c.sizes.items() if n) if fixed else None
        return [str(c.exact), *counts, str(c.sizes.get(0, 0)), _rate(mean)]

    grids = [
        grid(
            "exact culprits of wrong roots: share at node depth d (own: roots that erred "
            "even with every child right)",
            ["wrong roots", "blamed", "exact", "own", *(f"d={d}" for d in range(deepest))],
            culprits,
        ),
        grid(
            "corrections a wrong root needed: exact blames by size of the smallest fixing set",
            ["exact", *(str(n) for n in range(1, largest + 1)), "none", "mean"],
            sizes,
        ),
    ]
    if any(c.claims.claims for c in cells):
        grids.append(
            grid(
                "claimed against counterfactual blame (share of judged claims, 95% interval)",
                ["claims", "agree", "hit", "shift", "unjudged"],
                lambda c: _claims(c.claims),
            )
        )
    return grids


def _per_cell(
    cells: Sequence[Cell], title: str, extra: list[str], row: Callable[[Cell], list[str]]
) -> Grid:
    """A table with a line per grid point: its parameters, then ``row``'s figures."""
    names: list[str] = list(dict.fromkeys(name for c in cells for name in c.params))
    lines = [[safe(c.params.get(n, ""), 40) for n in names] + row(c) for c in cells]
    return Grid(title=title, headers=[*names, *extra], lines=lines, keys=len(names))


def _shares(counts: dict[int, int], deepest: int) -> list[str]:
    """Each depth's share of ``counts`` (depth -> count), from 0 to ``deepest`` - 1."""
    total = sum(counts.values())
    return [_rate(counts.get(d, 0) / total if total else None) for d in range(deepest)]


def _claims(rates: ClaimRates) -> list[str]:
    def share(count: int) -> str:
        value, (low, high) = rates.rate(count)
        return "-" if value is None else f"{value:.2f} [{low:.2f}, {high:.2f}]"

    return [
        str(rates.claims),
        share(rates.agree),
        share(rates.hit),
        share(rates.shift),
        str(rates.unjudged),
    ]


def _by_depth(
    cell: CellErrors, depth: int, figure: Callable[[DepthErrors], tuple[float | None, int]]
) -> str:
    if depth >= len(cell.depths):
        return "-"
    value, n = figure(cell.depths[depth])
    return _rate(value, n)


def describe_skipped(skipped: dict[str, int]) -> str | None:
    """One line naming the traces left out and why; None when none was."""
    if not skipped:
        return None
    reasons = ", ".join(f"{why}: {n}" for why, n in skipped.items())
    return f"left out {sum(skipped.values())} traces ({safe(reasons, 300)})"
