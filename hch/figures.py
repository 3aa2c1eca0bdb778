"""What every plot of hch shares: a writer that saves figures into ``DIR/plots/`` as PNG
and SVG, lines with 95% interval bands, one line per combination of the other
parameters, and the check that cells can be plotted against a parameter.

matplotlib is imported only when a figure is made, through its object API (no pyplot,
no global backend switch)::

    writer = FigureWriter(directory)
    fig, ax = axes()
    band(ax, [1, 2, 3], [(0.5, 0.4, 0.6), None, (0.7, 0.6, 0.8)], label="width=2")
    writer.save(fig, "accuracy")      # DIR/plots/accuracy.png and accuracy.svg
    writer.written                    # the files written so far
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from hch.errors import ConfigError

__all__ = [
    "PLOTS_DIR",
    "FigureWriter",
    "Gridded",
    "Point",
    "axes",
    "band",
    "check_x",
    "is_number",
    "series",
]

PLOTS_DIR = "plots"
"""Plots go to ``DIR/plots/``, each as ``NAME.png`` and ``NAME.svg``."""

Point = tuple[float, float, float]
"""A value with the low and high ends of its 95% interval."""


class Gridded(Protocol):
    """Anything summarising one grid point of a study (a cell)."""

    @property
    def params(self) -> Mapping[str, Any]: ...


G = TypeVar("G", bound=Gridded)


class FigureWriter:
    """Saves figures into ``DIRECTORY/plots/`` as PNG and SVG and keeps the list of files
    written, in order.

    Args:
        directory: Where ``plots/`` goes (made on the first save).
        dpi: Resolution of the PNG files.
    """

    def __init__(self, directory: str | Path, *, dpi: int = 120) -> None:
        self.folder = Path(directory) / PLOTS_DIR
        self.dpi = dpi
        self.written: list[Path] = []

    def save(self, figure: Any, name: str) -> list[Path]:
        """Write ``figure`` as ``NAME.png`` and ``NAME.svg``; returns the two files."""
        self.folder.mkdir(parents=True, exist_ok=True)
        files = [self.folder / f"{name}.{suffix}" for suffix in ("png", "svg")]
        for file in files:
            figure.savefig(file, dpi=self.dpi)
            self.written.append(file)
        return files


def axes(figsize: tuple[float, float] = (7, 4.5)) -> tuple[Any, Any]:
    """A new figure with one set of axes, laid out to fit its labels."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def band(
    ax: Any,
    xs: Sequence[Any],
    points: Sequence[Point | None],
    *,
    alpha: float = 0.18,
    **style: Any,
) -> Any:
    """A line through the points' values with their intervals shaded in its colour.

    Points that are None (nothing measured there) are left out. ``style`` goes to the
    line (``label``, ``color``, ``ls``, ...). Returns the line, or None when no point
    was drawn.
    """
    kept = [(x, p) for x, p in zip(xs, points, strict=True) if p is not None]
    if not kept:
        return None
    at = [x for x, _ in kept]
    (line,) = ax.plot(at, [p[0] for _, p in kept], marker="o", **style)
    ax.fill_between(
        at, [p[1] for _, p in kept], [p[2] for _, p in kept], alpha=alpha, color=line.get_color()
    )
    return line


def check_x(cells: Iterable[Gridded], x: str) -> None:
    """Raise ``ConfigError`` naming the known parameters unless ``x`` is one of every
    cell's parameters."""
    cells = list(cells)
    if any(x not in c.params for c in cells):
        known = ", ".join(dict.fromkeys(k for c in cells for k in c.params)) or "none"
        raise ConfigError(f"cannot plot against {x!r}: parameters are {known}")


def is_number(value: Any) -> bool:
    """Whether ``value`` can stand on a numeric axis (an int or float, not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _order(value: Any) -> tuple[int, Any]:
    """Numbers by value, anything else by its text."""
    return (0, value) if is_number(value) else (1, str(value))


def series(cells: Iterable[G], x: str, *, text: Callable[[Any], str] = str) -> dict[str, list[G]]:
    """Cells grouped into lines by the values of their other parameters, each line
    sorted by ``x`` (numbers by value); keys are labels like ``width=2, noise=0.1``
    (the empty string when ``x`` is the only parameter), values written by ``text``."""
    lines: dict[str, list[G]] = {}
    for cell in cells:
        label = ", ".join(f"{k}={text(v)}" for k, v in cell.params.items() if k != x)
        lines.setdefault(label, []).append(cell)
    return {k: sorted(v, key=lambda c: _order(c.params[x])) for k, v in lines.items()}
