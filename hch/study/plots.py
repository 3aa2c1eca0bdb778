"""Study plots: accuracy (with 95% interval bands) and nodes used against one parameter.

One line per combination of the other parameters. matplotlib is imported only when a
plot is drawn, through its object API (no pyplot, no global backend switch).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hch.errors import ConfigError
from hch.figures import PLOTS_DIR, FigureWriter, axes, band, is_number, series
from hch.study.report import Cell, parameters, summarize
from hch.study.results import ResultRow

__all__ = ["PLOTS_DIR", "numeric_parameters", "pick_x", "plot"]


def numeric_parameters(rows: Iterable[ResultRow]) -> list[str]:
    """Parameters whose every value is a number, in the order they first appear."""
    rows = list(rows)
    return [
        name
        for name in parameters(rows)
        if all(name in r.params and is_number(r.params[name]) for r in rows)
    ]


def pick_x(rows: Iterable[ResultRow], x: str | None = None) -> str | None:
    """``x`` if it is a numeric parameter; by default "depth", else the first numeric one.

    None when there is no numeric parameter to plot against.
    """
    rows = list(rows)
    numeric = numeric_parameters(rows)
    if x is None:
        return "depth" if "depth" in numeric else next(iter(numeric), None)
    if x not in numeric:
        known = ", ".join(numeric) or "none"
        raise ConfigError(f"cannot plot against {x!r}: numeric parameters are {known}")
    return x


def plot(rows: Iterable[ResultRow], directory: str | Path, x: str | None = None) -> list[Path]:
    """Draw accuracy and nodes used against ``x`` into ``DIRECTORY/plots/`` (PNG and SVG):
    ``accuracy`` and ``nodes``.

    Returns the files written; none when there is no numeric parameter to plot against.
    """
    rows = list(rows)
    chosen = pick_x(rows, x)
    if chosen is None:
        return []
    lines = series(summarize(rows), chosen)
    writer = FigureWriter(directory, dpi=120)
    for name, draw, ylabel in (
        ("accuracy", _draw_accuracy, "accuracy (95% CI)"),
        ("nodes", _draw_nodes, "mean nodes per tree"),
    ):
        fig, ax = axes()
        for label, cells in lines.items():
            draw(ax, cells, chosen, label or None)
        ax.set_xlabel(chosen)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{rows[0].study}: {name} vs {chosen}")
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            ax.legend(fontsize="small")
        writer.save(fig, name)
    return writer.written


def _draw_accuracy(ax: Any, cells: list[Cell], x: str, label: str | None) -> None:
    points = [(c.right / c.n, c.low, c.high) if c.n else None for c in cells]
    if band(ax, [c.params[x] for c in cells], points, alpha=0.2, label=label) is None:
        ax.plot([], [], marker="o", label=label)  # keeps its colour as on the nodes plot
    ax.set_ylim(-0.02, 1.02)


def _draw_nodes(ax: Any, cells: list[Cell], x: str, label: str | None) -> None:
    ax.plot([c.params[x] for c in cells], [c.nodes for c in cells], marker="o", label=label)
