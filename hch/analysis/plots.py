"""Error plots of a study, into its plots folder (PNG and SVG), one panel per value of a
parameter and one line per grid point within it.

* ``errors_origins``: where wrong roots' errors were born (share by node depth), and how
  many errors are born per checked node at each depth;
* ``errors_propagation``: of the nodes with a wrong child, the share wrong too, by depth;
* ``errors_travel``: the share of errors that travelled at least k levels up.

Rates carry 95% Wilson bands. matplotlib is imported only to draw, through its object
API (no pyplot, no global backend switch).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Any

from hch.analysis.errors import DepthErrors
from hch.analysis.study import CellErrors, StudyErrors
from hch.figures import FigureWriter, band
from hch.stats import wilson_interval

__all__ = ["ERROR_PLOTS", "plot_errors"]

ERROR_PLOTS = ("errors_origins", "errors_propagation", "errors_travel")
"""The plots ``plot_errors`` draws, each as ``NAME.png`` and ``NAME.svg``."""

Panel = tuple[str, list[tuple[str, CellErrors]]]
Rate = Callable[[DepthErrors], tuple[int, int]]


def _panels(cells: list[CellErrors]) -> list[Panel]:
    """Cells split into panels by the varying parameter with fewest values (if two vary)."""
    names = list(dict.fromkeys(name for c in cells for name in c.params))
    values = {n: list(dict.fromkeys(repr(c.params.get(n)) for c in cells)) for n in names}
    varying = [n for n in names if len(values[n]) > 1]
    by = min(varying, key=lambda n: len(values[n])) if len(varying) > 1 else None
    panels: dict[str, list[tuple[str, CellErrors]]] = {}
    for cell in cells:
        title = f"{by}={cell.params.get(by)}" if by else ""
        label = ", ".join(f"{n}={cell.params.get(n)}" for n in varying if n != by)
        panels.setdefault(title, []).append((label, cell))
    return list(panels.items())


def plot_errors(errors: StudyErrors, directory: str | FilePath) -> list[FilePath]:
    """Draw the study's error plots into ``DIRECTORY/plots/``; returns the files written."""
    if not errors.cells:
        return []
    panels = _panels(errors.cells)
    writer = FigureWriter(directory, dpi=120)
    drawings: list[
        tuple[str, list[tuple[str, Callable[[Any, list[tuple[str, CellErrors]]], None]]]]
    ]
    drawings = [
        (
            "errors_origins",
            [
                ("share of wrong roots' error origins", _draw_root_origins),
                (
                    "errors born per checked node",
                    _rate_drawer(lambda d: (d.originating, d.checked), share=False),
                ),
            ],
        ),
        (
            "errors_propagation",
            [
                (
                    "share of nodes with a wrong child\nthat are wrong too",
                    _rate_drawer(lambda d: (d.propagating, d.exposed)),
                )
            ],
        ),
        ("errors_travel", [("share of errors that travelled\nat least k levels", _draw_travel)]),
    ]
    for name, rows in drawings:
        writer.save(_figure(errors.study, name, panels, rows), name)
    return writer.written


def _figure(
    study: str,
    name: str,
    panels: list[Panel],
    rows: list[tuple[str, Callable[[Any, list[tuple[str, CellErrors]]], None]]],
) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    width = max(5.0, 4.2 * len(panels))
    fig = Figure(figsize=(width, 3.6 * len(rows) + 0.6), layout="constrained")
    axes = fig.subplots(len(rows), len(panels), squeeze=False, sharey="row")
    for r, (ylabel, draw) in enumerate(rows):
        for c, (title, lines) in enumerate(panels):
            ax = axes[r][c]
            draw(ax, lines)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
            if title:
                ax.set_title(title, fontsize="medium")
            if c == 0:
                ax.set_ylabel(ylabel)
            if ax.get_legend_handles_labels()[0]:  # a panel may have drawn nothing
                ax.legend(fontsize="x-small")
    fig.suptitle(f"{study}: {name.replace('_', ' ')}")
    return fig


def _colours(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(i / max(n - 1, 1) * 0.9) for i in range(n)]


def _draw_root_origins(ax: Any, lines: list[tuple[str, CellErrors]]) -> None:
    for (label, cell), colour in zip(lines, _colours(len(lines)), strict=True):
        total = sum(cell.root_origins.values())
        if not total:
            continue
        xs = list(range(len(cell.depths)))
        ax.plot(
            xs,
            [cell.root_origins.get(d, 0) / total for d in xs],
            marker="o",
            color=colour,
            label=label or None,
        )
    ax.set_xlabel("node depth")
    ax.set_ylim(-0.02, 1.02)


def _rate_drawer(
    rate: Rate, share: bool = True
) -> Callable[[Any, list[tuple[str, CellErrors]]], None]:
    """Draws ``k / n`` by node depth with Wilson bands; a share's axis spans 0..1."""

    def draw(ax: Any, lines: list[tuple[str, CellErrors]]) -> None:
        for (label, cell), colour in zip(lines, _colours(len(lines)), strict=True):
            counts = [rate(d) for d in cell.depths]
            points = [(k / n, *wilson_interval(k, n)) if n else None for k, n in counts]
            xs = [d.depth for d in cell.depths]
            band(ax, xs, points, alpha=0.15, color=colour, label=label or None)
        ax.set_xlabel("node depth")
        if share:
            ax.set_ylim(-0.02, 1.02)

    return draw


def _draw_travel(ax: Any, lines: list[tuple[str, CellErrors]]) -> None:
    for (label, cell), colour in zip(lines, _colours(len(lines)), strict=True):
        n = cell.errors
        if not n:
            continue
        longest = max(t.levels for t in cell.travel)
        xs = list(range(longest + 1))
        ax.plot(
            xs, [cell.travelled(k) / n for k in xs], marker="o", color=colour, label=label or None
        )
    ax.set_xlabel("levels travelled (k)")
    ax.set_ylim(-0.02, 1.02)
