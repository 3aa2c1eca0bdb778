"""Memes as text and tables: one tree's births and routes, a study's rates per cell.

Every string that comes from a trace (tags, canaries, parameter values) is shown with
its control characters escaped, and rich tables get plain ``Text`` (no markup).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path as FilePath
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hch.analysis._meme_plots import Theory, plot_memes
from hch.analysis._meme_study import MemeCell, MemeCounts, Rate, study_memes
from hch.analysis._meme_trace import Birth, TreeMemes
from hch.model import Path, format_path
from hch.study.results import ResultRow

__all__ = ["show_study", "study_tables", "study_text", "trace_table", "trace_text"]


def _safe(value: object) -> str:
    """``value`` as one printable line: control characters escaped, never interpreted."""
    text = str(value)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _route(route: Sequence[Path]) -> str:
    return " -> ".join(format_path(p) for p in route)


def _birth_line(b: Birth, how: str) -> str:
    end = (
        "reached the root"
        if b.captured
        else (f"stopped at {format_path(b.stopped)}" if b.stopped is not None else "trace ends")
    )
    return (
        f"  born at {format_path(b.node)} (depth {b.depth}, {how}): {_route(b.route)}"
        f"  [height {b.height} of {b.depth}; {end}]"
    )


def _pairs(pairs: dict[int, list[int]]) -> str:
    return "  ".join(f"{d}: {hit}/{n}" for d, (hit, n) in sorted(pairs.items())) or "-"


def trace_text(tm: TreeMemes) -> str:
    """Each meme of one tree: its births, each one's route toward the root, its hops."""
    lines = []
    if not tm.births:
        lines.append("memes: none in this tree")
    else:
        root = ", ".join(_safe(t) for t in sorted(tm.root)) or "no meme"
        lines.append(
            f"memes: {len(tm.births)} birth(s) of {len(tm.tags)} meme(s); the root carries {root}"
        )
    for tag in tm.tags:
        meme = tm.meme(tag)
        about = (
            f"persuasiveness {meme.persuasiveness:.2f}, canary {_safe(meme.canary)!r}"
            if meme is not None
            else "not declared"
        )
        lines.append(f"{_safe(tag)} ({about})")
        lines += [
            _birth_line(b, "injected" if b.injected else "appeared")
            for b in tm.births
            if b.tag == tag
        ]
        hops: dict[int, list[int]] = {}
        for hop in tm.hops:
            if hop.tag == tag:
                pair = hops.setdefault(hop.depth, [0, 0])
                pair[0] += hop.carried
                pair[1] += 1
        lines.append(f"  hops carried on, by depth of the parent: {_pairs(hops)}")
    counts = MemeCounts.of(tm)
    if tm.births:
        lines.append(f"memetic share of answers by depth: {_pairs(counts.nodes)}")
    if tm.lab_calls:
        lines.append(f"lab: {tm.lab_calls} call(s), {tm.lab_false} called a claim false")
    if tm.notes:
        lines.append("noted: " + ", ".join(f"{k} {v}" for k, v in tm.notes.items()))
    if tm.errors is not None:
        reached = sum(e.captured for e in tm.errors)
        lines.append(f"errors: {len(tm.errors)} birth(s), {reached} reached the root")
        lines += [_birth_line(e, "wrong") for e in tm.errors]
    return "\n".join(lines)


def trace_table(tm: TreeMemes) -> Table:
    """One row per birth: meme, birth node, depth, height, route, root captured."""
    table = Table(title="memes")
    for name in ("meme", "born at", "depth", "height", "route", "root"):
        table.add_column(name, justify="right" if name in ("depth", "height") else "left")
    for b in tm.births:
        table.add_row(
            Text(_safe(b.tag)),
            Text(format_path(b.node)),
            str(b.depth),
            str(b.height),
            Text(_route(b.route)),
            "captured" if b.captured else "-",
        )
    return table


def _mean(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _grids(cells: Sequence[MemeCell]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headers, lines) of each table a study's memes make."""
    names = list(dict.fromkeys(k for c in cells for k in c.params))
    keys = [[_safe(c.params.get(n, "")) for n in names] for c in cells]
    depths = sorted({d for c in cells for d in (*c.counts.nodes, *c.counts.hops)})
    grids = []

    def accuracy(c: MemeCell) -> str:
        r = c.report
        return Rate(hits=r.right, n=r.n).text()

    capture = [
        [
            *key,
            str(c.counts.trees),
            _mean(c.counts.n_births / c.counts.trees if c.counts.trees else None),
            c.counts.root_capture.text(),
            c.counts.birth_capture.text(),
            _mean(c.counts.mean_height),
            accuracy(c),
            f"{c.report.nodes:.1f}",
        ]
        for key, c in zip(keys, cells, strict=True)
    ]
    headers = [*names, "trees", "births/tree", "root capture (95% CI)", "born below -> root"]
    grids.append(("root capture", [*headers, "mean height", "accuracy", "nodes"], capture))
    transmission = [
        [*key, c.counts.transmission().text(), *(c.counts.transmission(d).text() for d in depths)]
        for key, c in zip(keys, cells, strict=True)
    ]
    grids.append(
        (
            "per-hop transmission, by depth of the deciding parent",
            [*names, "all", *(f"into {d}" for d in depths)],
            transmission,
        )
    )
    share = [
        [
            *key,
            *(_mean(c.counts.share(d).value) for d in depths),
            _mean(c.counts.selection_per_level()),
        ]
        for key, c in zip(keys, cells, strict=True)
    ]
    grids.append(
        (
            "memetic share of answers by depth; selection = growth per level up",
            [*names, *(f"depth {d}" for d in depths), "selection"],
            share,
        )
    )
    if any(c.counts.errors for c in cells):
        errors = [
            [
                *key,
                c.counts.error_reach.text(),
                _mean(c.counts.mean_error_height),
                str(c.counts.lab[1]),
                str(c.counts.lab[0]),
                ", ".join(f"{k} {v}" for k, v in c.counts.notes.items()) or "-",
            ]
            for key, c in zip(keys, cells, strict=True)
        ]
        headers = [*names, "errors below -> root", "mean error height", "lab calls"]
        headers.append("lab false")
        grids.append(("errors and evidence", [*headers, "noted"], errors))
    elif any(c.counts.lab[1] or c.counts.notes for c in cells):
        evidence = [
            [
                *key,
                str(c.counts.lab[1]),
                str(c.counts.lab[0]),
                ", ".join(f"{k} {v}" for k, v in c.counts.notes.items()) or "-",
            ]
            for key, c in zip(keys, cells, strict=True)
        ]
        grids.append(("evidence", [*names, "lab calls", "lab false", "noted"], evidence))
    return grids


def _align(headers: list[str], lines: list[list[str]]) -> str:
    widths = [max(len(x) for x in column) for column in zip(headers, *lines, strict=True)]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [headers, *lines]
    )


def study_text(cells: Iterable[MemeCell]) -> str:
    """A study's memes as plain aligned tables: capture, transmission, share, errors."""
    cells = list(cells)
    if not cells:
        return "no rows"
    return "\n\n".join(f"{title}\n{_align(h, lines)}" for title, h, lines in _grids(cells))


def study_tables(cells: Iterable[MemeCell]) -> list[Table]:
    """The same tables as ``study_text``, as rich Tables for a terminal."""
    tables = []
    for title, headers, lines in _grids(list(cells)):
        table = Table(title=title)
        for header in headers:
            table.add_column(header)
        for line in lines:
            table.add_row(*(Text(cell) for cell in line))
        tables.append(table)
    return tables


def show_study(
    rows: Iterable[ResultRow],
    directory: str | FilePath,
    *,
    x: str = "depth",
    theory: Theory | None = None,
    task: Any = None,
    plots: bool = True,
    title: str | None = None,
    cells: list[MemeCell] | None = None,
) -> list[FilePath]:
    """Print a study's meme tables (rich on a terminal, plain text otherwise) and write
    its meme plots into ``DIRECTORY/plots/``; returns the plots written. ``cells``: the
    study's ``study_memes``, when the caller has them already."""
    if cells is None:
        cells = study_memes(rows, directory, task=task)
    if sys.stdout.isatty():
        console = Console()
        for table in study_tables(cells):
            console.print(table)
    else:
        print(study_text(cells))
    if not plots or not cells:
        return []
    if any(x not in c.params for c in cells):
        print(f"no meme plots: the study has no parameter {x!r}")
        return []
    files = plot_memes(cells, directory, x=x, theory=theory, title=title)
    for file in files:
        print(f"plot: {file}")
    return files
