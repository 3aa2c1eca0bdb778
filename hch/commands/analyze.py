"""`hch analyze TRACE_OR_STUDY_DIR`: why a tree got it wrong, or a study's error tables.

For one trace: where the root's error was born, the path it travelled, which nodes
corrected other errors, and its counterfactual blame (the smallest sets of nodes whose
correction makes the root right, the culprits, the most pivotal nodes). For a study
directory: error origin, propagation and travel by node depth over its kept traces, as
tables and as plots in DIR/plots/, and where the exact culprits of wrong roots sit.

The output is a list of sections; a further analysis adds its own section function to
``TRACE_SECTIONS`` or ``STUDY_SECTIONS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hch.errors import ConfigError, HCHError

if TYPE_CHECKING:
    from hch.analysis import Blame, Grid, TreeErrors
    from hch.model import Tree
    from hch.study import ResultRow

__all__ = [
    "STUDY_SECTIONS",
    "TRACE_SECTIONS",
    "add_parser",
    "show_grid",
    "show_study",
    "show_study_blame",
    "show_study_errors",
    "task_for",
]

TraceSection = Callable[["Tree", Any], None]
"""Prints one section about a tree, given the tree and its task (or None)."""
StudySection = Callable[[Sequence["ResultRow"], Path, bool], bool]
"""Prints one section about a study (rows, directory, whether to write plots);
returns whether it had anything to show."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "analyze",
        help="explain where a tree's error came from, or a study's errors by depth",
        description="For a trace file: where the root's error was born, the path it "
        "travelled, which nodes corrected errors, and which corrections would have made the "
        "root right (counterfactual blame by replay). For a study directory: error origin, "
        "propagation and travel by node depth over its kept traces, with plots in "
        "DIR/plots/ (PNG and SVG), and where the culprits of wrong roots sit. Nodes are "
        "checked by the task named in each trace.",
    )
    p.add_argument("path", metavar="TRACE_OR_STUDY_DIR", help="a trace (.jsonl) or study dir")
    p.add_argument("--no-plots", action="store_true", help="for a study: print the tables only")
    p.add_argument(
        "--no-blame",
        action="store_true",
        help="for a study: skip counterfactual blame (it replays some trees of each grid point)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.is_dir():
        return _study(path, plots=not args.no_plots, blame=not args.no_blame)
    if not path.exists():
        raise ConfigError(f"{path}: no such trace file or study directory")
    _trace(path)
    return 0


@cache
def task_for(name: str | None) -> Any:
    """The registered task called ``name`` (see ``hch.verdicts.task_named``); None for
    no name. Raises ConfigError for a name that is not a registered task."""
    from hch.verdicts import task_named

    return None if name is None else task_named(name)


def _trace(file: Path) -> None:
    from hch.analysis import safe
    from hch.trace import load

    tree = load(file)
    if () not in tree:
        raise ConfigError(
            f"{file}: the run was cut off before its root answered; there is no root to explain"
        )
    task = task_for(tree.header.task)
    print(f"trace: {safe(str(file), None)}" + ("" if tree.complete else " (incomplete run)"))
    for section in TRACE_SECTIONS:
        section(tree, task)


def errors_section(tree: Tree, task: Any) -> None:
    """Where the root's error came from, which corrections would have made it right
    (counterfactual blame; its single fixes go to ``explain``), and the counts by depth."""
    from hch.analysis import Checks, depth_grid, explain, explain_blame, safe, tree_errors

    errors = tree_errors(tree, task)
    found = _root_blame(tree, task, errors)
    blamed = None if isinstance(found, str) else found
    fixes = blamed.single_fixes if blamed is not None and blamed.searched >= 1 else None
    for line in explain(tree, errors, task, fixes=fixes):
        print(line)
    if isinstance(found, str):
        print(f"no counterfactual blame: {safe(found, 300)}")
    elif blamed is not None:
        for line in explain_blame(blamed):
            print(line)
    if errors.checks is Checks.NODES:
        show_grid(depth_grid(errors.depths))


def _root_blame(tree: Tree, task: Any, errors: TreeErrors) -> Blame | str | None:
    """The blame of a wrong root, why it cannot be had, or None for a root not wrong."""
    from hch.analysis import Checks, Verdict, blame

    if errors.checks is not Checks.NODES or errors.root is not Verdict.WRONG:
        return None
    try:
        return blame(tree, task)
    except HCHError as exc:  # a trace that cannot be replayed: its agent, its model calls
        return str(exc)


def memes_section(tree: Tree, task: Any) -> None:
    """Each meme's birth, its path toward the root and whether it got there."""
    from hch.analysis.memes import trace_memes, trace_text
    from hch.analysis.pointers import has_pointers, revealed_tree
    from hch.tasks import NodeChecker

    read = revealed_tree(tree) if has_pointers(tree) else tree  # memes inside content too
    found = trace_memes(read, task=task if isinstance(task, NodeChecker) else None)
    if found.births or found.root:
        print()
        print(trace_text(found))


def pointers_section(tree: Tree, task: Any) -> None:
    """Who made, passed and unlocked each pointer; what reached the root unread."""
    from hch.analysis.pointers import has_pointers, pointer_text, trace_pointers

    if has_pointers(tree):
        print()
        print(pointer_text(trace_pointers(tree)))


TRACE_SECTIONS: list[TraceSection] = [errors_section, memes_section, pointers_section]
"""What ``hch analyze TRACE`` prints, in order."""


def _study(directory: Path, *, plots: bool, blame: bool) -> int:
    from hch.study import load

    try:
        rows = load(directory)
    except FileNotFoundError:
        raise ConfigError(
            f"{directory} is not a study directory (no results.jsonl); give a study "
            "directory or a trace file"
        ) from None
    if not show_study(rows, directory, plots):
        from hch.analysis import describe_skipped, study_errors

        kept = sum(1 for row in rows if row.trace)
        why = describe_skipped(study_errors(rows, directory, task_for).skipped)
        raise ConfigError(
            f"{directory}: none of its {kept} kept traces can be analysed "
            f"({why + '; ' if why else ''}they need a registered task that checks every node)"
        )
    if blame:
        show_study_blame(rows, directory)
    return 0


def show_study_error_rows(rows: Sequence[ResultRow], directory: Path, plots: bool) -> bool:
    """Print the errors of rows whose tree could not run (with where the code broke) or
    kept no trace; False if there are none."""
    from hch.study.report import error_rows

    said = error_rows(rows)
    if said is None:
        return False
    print(f"\n{said}")
    return True


def show_study_errors(rows: Sequence[ResultRow], directory: Path, plots: bool) -> bool:
    """Print a study's error tables and write its error plots; False if nothing to show."""
    from hch.analysis import describe_skipped, plot_errors, study_errors, study_grids

    errors = study_errors(rows, directory, task_for)
    if not errors.cells:
        return False
    print(f"\nerrors in {errors.trees} kept traces whose nodes the task checks:")
    for grid in study_grids(errors):
        show_grid(grid)
    skipped = describe_skipped(errors.skipped)
    if skipped:
        print(skipped)
    if plots:
        for file in plot_errors(errors, directory):
            print(f"plot: {file}")
    return True


def show_study_blame(rows: Sequence[ResultRow], directory: Path) -> bool:
    """Print where the exact culprits of a study's wrong roots sit; False if none could
    be blamed."""
    from hch.analysis import blame_grids, safe, study_blame
    from hch.analysis.study_blame import PER_CELL

    found = study_blame(rows, directory, task_for)
    if not found.cells:
        return False
    wrong = sum(c.wrong_roots for c in found.cells)
    blamed = sum(c.blamed for c in found.cells)
    print(
        f"\ncounterfactual blame of {blamed} of {wrong} wrong roots "
        f"(at most {PER_CELL} trees per grid point):"
    )
    for grid in blame_grids(found):
        show_grid(grid)
    failed = [c for c in found.cells if c.failure is not None]
    if failed:
        n = sum(c.failed for c in failed)
        print(f"{n} trees could not be replayed, e.g.: {safe(failed[0].failure, 300)}")
    return True


def show_study_memes(rows: Sequence[ResultRow], directory: Path, plots: bool) -> bool:
    """Print a study's meme tables and write its meme plots; False if it has no memes."""
    from hch.analysis.memes import show_study, study_memes

    cells = study_memes(rows, directory)
    if not any(c.counts.with_births for c in cells):
        return False
    print(f"\nmemes in {len(cells)} grid points:")
    show_study(rows, directory, plots=plots, cells=cells)
    return True


def show_study_pointers(rows: Sequence[ResultRow], directory: Path, plots: bool) -> bool:
    """Print a study's pointer tables and write its pointer plots; False without pointers."""
    from hch.analysis.pointers import show_pointers, study_pointers
    from hch.study.plots import pick_x

    cells = study_pointers(rows, directory)
    if not any(c.counts.with_pointers for c in cells):
        return False
    print(f"\npointers in {len(cells)} grid points:")
    show_pointers(rows, directory, x=pick_x(rows), plots=plots, cells=cells)
    return True


STUDY_SECTIONS: list[StudySection] = [
    show_study_error_rows,
    show_study_errors,
    show_study_memes,
    show_study_pointers,
]
"""What ``hch analyze DIR`` (and ``hch report DIR`` after its table) prints, in order."""


def show_study(rows: Sequence[ResultRow], directory: Path, plots: bool) -> bool:
    """Every study section in turn; whether any had something to show."""
    shown = [section(rows, directory, plots) for section in STUDY_SECTIONS]
    return any(shown)


def show_grid(grid: Grid) -> None:
    """A table after a blank line: rich on a terminal, plain aligned text otherwise."""
    print()
    if sys.stdout.isatty():
        from rich.console import Console

        Console().print(grid.table())
    else:
        print(grid.text())
