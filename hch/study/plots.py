"""Study plots: accuracy (with 95% interval bands) and nodes used against one parameter.

One line per combination of the other parameters. matplotlib is imported only when a
plot is drawn, through its object API (no pyplot, no global backend switch).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hch.errors import ConfigError
from hch.study.report import Cell, parameters, summarize
from hch.study.results import ResultRow

__all__ = ["PLOTS_DIR", "numeric_parameters", "pick_x", "plot"]

PLOTS_DIR = "plots"
"""Plots go to ``DIR/plots/``: ``accuracy.png``, ``accuracy.svg``, ``nodes.png``, ``nodes.svg``."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def numeric_parameters(rows: Iterable[ResultRow]) -> list[str]:
    """Parameters whose every value is a number, in the order they first appear."""
    rows = list(rows)
    return [
        name
        for name in parameters(rows)
        if all(name in r.params and _number(r.params[name]) for r in rows)
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


def _series(cells: list[Cell], x: str) -> dict[str, list[Cell]]:
    """Cells grouped by the other parameters' values, each group sorted by ``x``."""
    series: dict[str, list[Cell]] = {}
    for cell in cells:
        label = ", ".join(f"{k}={v}" for k, v in cell.params.items() if k != x)
        series.setdefault(label, []).append(cell)
    return {label: sorted(group, key=lambda c: c.params[x]) for label, group in series.items()}


def plot(rows: Iterable[ResultRow], directory: str | Path, x: str | None = None) -> list[Path]:
    """Draw accuracy and nodes used against ``x`` into ``DIRECTORY/plots/`` (PNG and SVG).

    Returns the files written; none when there is no numeric parameter to plot against.
    """
    from matplotlib.figure import Figure

    rows = list(rows)
    chosen = pick_x(rows, x)
    if chosen is None:
        return []
    series = _series(summarize(rows), chosen)
    out = Path(directory) / PLOTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, draw, ylabel in (
        ("accuracy", _draw_accuracy, "accuracy (95% CI)"),
        ("nodes", _draw_nodes, "mean nodes per tree"),
    ):
        fig = Figure(figsize=(7, 4.5), layout="constrained")
        ax = fig.add_subplot()
        for label, cells in series.items():
            draw(ax, cells, chosen, label or None)
        ax.set_xlabel(chosen)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{rows[0].study}: {name} vs {chosen}")
        ax.grid(alpha=0.3)
        if len(series) > 1:
            ax.legend(fontsize="small")
        for suffix in ("png", "svg"):
            written.append(out / f"{name}.{suffix}")
            fig.savefig(written[-1], dpi=120)
    return written


def _draw_accuracy(ax: Any, cells: list[Cell], x: str, label: str | None) -> None:
    scored = [c for c in cells if c.n]
    xs = [c.params[x] for c in scored]
    (line,) = ax.plot(xs, [c.right / c.n for c in scored], marker="o", label=label)
    ax.fill_between(
        xs, [c.low for c in scored], [c.high for c in scored], alpha=0.2, color=line.get_color()
    )
    ax.set_ylim(-0.02, 1.02)


def _draw_nodes(ax: Any, cells: list[Cell], x: str, label: str | None) -> None:
    ax.plot([c.params[x] for c in cells], [c.nodes for c in cells], marker="o", label=label)
