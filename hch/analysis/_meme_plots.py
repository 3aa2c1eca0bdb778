"""Plots of a study's memes, for a paper: capture, transmission, share, error reach.

One line per combination of the parameters other than ``x``, with 95% Wilson bands.
matplotlib is imported when a plot is drawn, through its object API (no pyplot).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path as FilePath
from typing import Any

from hch.analysis._meme_study import MemeCell, Rate
from hch.figures import FigureWriter, Point, axes, band, check_x, is_number, series

__all__ = ["plot_memes"]

Theory = Callable[[Mapping[str, Any]], float | None]
"""The closed form's value at a grid point (None where it does not apply)."""


def _named(cell: MemeCell) -> str:
    return ", ".join(f"{k}={v}" for k, v in cell.params.items())


def _point(rate: Rate) -> Point | None:
    return None if rate.value is None else (rate.value, *rate.interval)


def _band(ax: Any, xs: list[Any], rates: list[Rate], label: str | None) -> Any:
    return band(ax, xs, [_point(r) for r in rates], alpha=0.18, label=label)


def plot_memes(
    cells: Iterable[MemeCell],
    directory: str | FilePath,
    *,
    x: str = "depth",
    theory: Theory | None = None,
    title: str | None = None,
) -> list[FilePath]:
    """Write the meme plots of a study into ``DIRECTORY/plots/`` (PNG and SVG).

    * ``root_capture``: share of trees whose root carries a meme, against ``x``; with
      ``theory``, the closed form as a dashed line of the same colour;
    * ``transmission``: per-hop transmission against the depth of the deciding parent;
    * ``share``: memetic share of answers by depth (a line rising toward depth 0 is
      selection);

    the last two for the cell with the largest ``x`` on each line (for every cell when
    ``x`` is not a number).
    * ``errors`` (when errors were followed): share of errors born below the root that
      reach it.

    Returns the files written.
    """
    from matplotlib.ticker import MaxNLocator

    cells = list(cells)
    if not cells:
        return []
    check_x(cells, x)
    lines = series(cells, x)
    writer = FigureWriter(directory, dpi=150)

    def figure(ylabel: str, xlabel: str, what: str) -> tuple[Any, Any]:
        fig, ax = axes()
        if xlabel != x or all(isinstance(c.params[x], int) for c in cells):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title}: {what}" if title else what)
        ax.grid(alpha=0.3)
        ax.set_ylim(-0.02, 1.02)
        return fig, ax

    fig, ax = figure("root capture (95% CI)", x, f"root capture vs {x}")
    for label, group in lines.items():
        xs = [c.params[x] for c in group]
        line = _band(ax, xs, [c.counts.root_capture for c in group], label or None)
        if theory is not None and line is not None:
            _theory(ax, [(c.params[x], theory(c.params)) for c in group], line.get_color())
    if theory is not None:
        ax.plot([], [], linestyle="--", color="grey", label="closed form")
    _legend(ax)
    writer.save(fig, "root_capture")

    # Depth profiles: per cell at the largest x of each line (all cells if x is a name).
    numeric = all(is_number(c.params[x]) for c in cells)
    profiles = [group[-1] for group in lines.values()] if numeric else cells

    fig, ax = figure(
        "per-hop transmission (95% CI)", "depth of the deciding parent", "transmission"
    )
    for cell in profiles:
        depths = sorted(cell.counts.hops)
        _band(ax, depths, [cell.counts.transmission(d) for d in depths], _named(cell))
    _legend(ax)
    writer.save(fig, "transmission")

    fig, ax = figure("answers carrying a meme (95% CI)", "depth (0 = root)", "memetic share")
    for cell in profiles:
        depths = sorted(cell.counts.nodes)
        _band(ax, depths, [cell.counts.share(d) for d in depths], _named(cell))
    ax.invert_xaxis()
    _legend(ax)
    writer.save(fig, "share")

    if any(c.counts.errors for c in cells):
        fig, ax = figure(
            "errors born below the root that reach it (95% CI)", x, f"error reach vs {x}"
        )
        for label, group in lines.items():
            xs = [c.params[x] for c in group]
            _band(ax, xs, [c.counts.error_reach for c in group], label or None)
        _legend(ax)
        writer.save(fig, "errors")
    return writer.written


def _theory(ax: Any, points: list[tuple[Any, float | None]], color: Any) -> None:
    known = [(px, py) for px, py in points if py is not None]
    if known:
        xs, ys = zip(*known, strict=True)
        ax.plot(xs, ys, linestyle="--", color=color, alpha=0.8)


def _legend(ax: Any) -> None:
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")
