"""`hch report DIR`: the accuracy table of a study, its plots in DIR/plots/, and its
index page DIR/index.html (with a page per kept tree)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hch.study.results import ResultRow

__all__ = ["add_parser", "show"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="print a study's accuracy table; write its plots and index page",
        description="Accuracy with a 95% Wilson interval per grid point, mean nodes used, "
        "failures and errors (both counted as wrong); plots of accuracy and nodes against "
        "one parameter into DIR/plots/ (PNG and SVG); when kept traces have a task that "
        "checks every node, where errors were born, how they propagated and how far they "
        "travelled (as `hch analyze DIR`); and DIR/index.html, a page of the table, the "
        "plots and every kept tree (open it in a browser).",
    )
    p.add_argument("directory", metavar="DIR", help="a study directory (with results.jsonl)")
    p.add_argument(
        "--x", help="parameter on the plots' x axis (default: depth, else the first numeric one)"
    )
    p.add_argument("--no-plots", action="store_true", help="print the table only")
    p.add_argument("--no-index", action="store_true", help="do not write DIR/index.html")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hch.errors import ConfigError
    from hch.study.results import load

    if args.x is not None and args.no_plots:
        raise ConfigError("--x chooses the plots' x axis; it cannot be used with --no-plots")
    try:
        rows = load(args.directory)
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from None
    show(rows, args.directory, x=args.x, plots=not args.no_plots, index=not args.no_index)
    return 0


def show(
    rows: Sequence[ResultRow],
    directory: str | Path,
    *,
    x: str | None = None,
    plots: bool = True,
    index: bool = True,
) -> None:
    """Print the table of ``rows`` (a study in ``directory``), its error analysis, and
    write its plots and its index page there."""
    from hch.commands.analyze import show_study
    from hch.study.plots import pick_x, plot
    from hch.study.report import table, text

    if not rows:
        print(f"no rows yet in {directory}")
        return
    if plots:
        x = pick_x(rows, x)  # a bad --x is refused before anything is printed
    if sys.stdout.isatty():
        from rich.console import Console

        Console().print(table(rows, title=rows[0].study))
    else:
        print(text(rows))
    if plots:
        files = plot(rows, directory, x=x)
        if not files:
            print("no plots: no numeric parameter to plot against")
        for file in files:
            print(f"plot: {file}")
    show_study(rows, Path(directory), plots)
    if index:
        from hch.viewer.index import write_study_index

        print(f"index: {write_study_index(directory)} (open it in a browser)")
