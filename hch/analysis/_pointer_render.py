"""Pointers as text, tables and plots: one tree's trails, a study's figures per cell.

Every string from a trace (pointer ids, meme tags, parameter values) goes through
``hch.analysis.text.safe`` and reaches rich as plain ``Text`` (``Grid`` does both).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path as FilePath
from typing import Any

from hch.analysis._pointer_study import Mean, PointerCell, study_pointers
from hch.analysis._pointer_trace import PointerTrail, TreePointers
from hch.analysis.memes import Rate
from hch.analysis.tables import Grid
from hch.analysis.text import safe
from hch.figures import FigureWriter, Point, axes, band, check_x, series
from hch.model import Path, format_path
from hch.study.results import ResultRow

__all__ = [
    "plot_pointers",
    "pointer_grids",
    "pointer_study_text",
    "pointer_text",
    "pointer_trails",
    "show_pointers",
]


def _paths(paths: Sequence[Path]) -> str:
    return ", ".join(format_path(p) for p in paths) or "-"


def _share(hits: int, n: int) -> str:
    return f"{hits}/{n} ({hits / n:.0%})" if n else "0/0"


def pointer_trails(tp: TreePointers, limit: int | None = 30) -> Grid:
    """One line per pointer: maker, who passed it (questions, answers, notes), who
    unlocked it, whether it reached the root unread. Content at the root comes first;
    at most ``limit`` lines (None: all)."""
    trails = sorted(tp.trails, key=lambda t: not t.at_root)
    shown = trails if limit is None else trails[:limit]

    def root(t: PointerTrail) -> str:
        if not t.at_root:
            return "-"
        return "unread" if t.travelled_unread else ("made by root" if t.maker == () else "read")

    lines = [
        [
            t.pointer,
            "task" if t.maker is None else format_path(t.maker),
            str(t.chars),
            _paths(t.asked_with),
            _paths(t.answered_with),
            _paths(t.wrapped_by),
            _paths(t.unlocked_by),
            root(t),
        ]
        for t in shown
    ]
    more = len(trails) - len(shown)
    title = "pointers" + (f" (first {len(shown)} of {len(trails)})" if more else "")
    headers = ["pointer", "made by", "chars", "asked with", "answered with", "in a note of"]
    return Grid(title=title, headers=[*headers, "unlocked by", "at root"], lines=lines)


def pointer_text(tp: TreePointers, limit: int | None = 30) -> str:
    """One tree's pointers in words: what reached the root unread, unlocks and their
    budget, each meme birth and whether it rode up unread, then the trails."""
    root, unread = tp.at_root, tp.unread
    held = len(tp.trails)
    parts = sum(1 for t in tp.trails if t.maker is None)
    lines = [f"pointers: {held} piece(s) of content held ({parts} task part(s))"]
    if root:
        chars = sum(t.chars for t in root)
        lines.append(
            f"reached the root: {len(root)} piece(s), {chars} chars; travelled unread: "
            f"{_share(len(unread), len(root))} of pieces, "
            f"{_share(sum(t.chars for t in unread), chars)} of chars"
        )
    else:
        lines.append("reached the root: no content (its answer holds no pointer)")
    busiest = max(tp.unlocks.items(), key=lambda kv: kv[1], default=None)
    lines.append(
        f"unlocks: {tp.n_unlocks} by {len(tp.unlocks)} of {tp.answered} node(s), "
        f"{tp.unlock_cost} of {tp.budget_used} budget used"
        + (f"; most by {format_path(busiest[0])} ({busiest[1]})" if busiest else "")
    )
    for ride in tp.rides:
        end = "reached the root" if ride.captured else f"went up {ride.height} hop(s)"
        lines.append(
            f"meme {safe(ride.tag)} born at {format_path(ride.node)}: {end}, "
            f"{'unread on its way' if ride.route == 'unread' else 'read on its way'}"
        )
    if tp.trails:
        lines += ["", pointer_trails(tp, limit).text()]
    return "\n".join(lines)


def pointer_grids(cells: Sequence[PointerCell]) -> list[Grid]:
    """A study's pointer tables: content and unlocks per cell, then memes by route."""
    names = list(dict.fromkeys(k for c in cells for k in c.params))
    keys = [[str(c.params.get(n, "")) for n in names] for c in cells]

    def per_tree(value: float | None) -> str:  # a mean over trees or nodes
        return "-" if value is None else f"{value:.1f}"

    content = [
        [
            *key,
            str(c.counts.trees),
            c.accuracy.text(),
            per_tree(c.counts.units_per_tree),
            c.counts.unread_share.text(),
            c.counts.unread_char_share.text(),
            c.counts.unlocks.text(1),
            per_tree(c.counts.unlocks_per_node),
            c.counts.busiest.text(1),
            c.counts.unlock_share.text(),
        ]
        for key, c in zip(keys, cells, strict=True)
    ]
    headers = [*names, "trees", "accuracy (95% CI)", "content at root/tree"]
    headers += ["unread share of pieces", "unread share of chars", "unlocks/tree"]
    headers += ["unlocks/node", "most by one node"]
    grids = [
        Grid(
            title="pointers: content that reached the root, and what unlocking cost",
            headers=[*headers, "unlock share of budget"],
            lines=content,
            keys=len(names),
        )
    ]
    if any(c.counts.hops or c.counts.births or c.memes.trees for c in cells):
        memes = [
            [
                *key,
                c.memes.root_capture.text() if c.memes.trees else c.counts.root_capture.text(),
                c.counts.unread_capture.text(),
                c.counts.birth_capture("unread").text(),
                c.counts.birth_capture("read").text(),
                c.counts.transmission("unread").text(),
                c.counts.transmission("read").text(),
            ]
            for key, c in zip(keys, cells, strict=True)
        ]
        headers = [*names, "root capture", "captured via unread route"]
        headers += ["births->root, unread route", "births->root, read route"]
        grids.append(
            Grid(
                title="memes riding pointers: capture and per-hop transmission, read or unread",
                headers=[*headers, "hops carried, unread", "hops carried, read"],
                lines=memes,
                keys=len(names),
            )
        )
    return grids


def pointer_study_text(cells: Iterable[PointerCell]) -> str:
    """A study's pointer tables as plain aligned text."""
    cells = list(cells)
    if not cells:
        return "no rows"
    return "\n\n".join(grid.text() for grid in pointer_grids(cells))


def show_pointers(
    rows: Iterable[ResultRow],
    directory: str | FilePath,
    *,
    x: str | None = None,
    plots: bool = True,
    cells: list[PointerCell] | None = None,
    title: str | None = None,
) -> list[FilePath]:
    """Print a study's pointer tables (rich on a terminal, plain text otherwise) and,
    with ``x``, write its pointer plots into ``DIRECTORY/plots/``; returns the plots."""
    if cells is None:
        cells = study_pointers(rows, directory)
    if sys.stdout.isatty():
        from rich.console import Console

        console = Console()
        for grid in pointer_grids(cells):
            console.print(grid.table())
    else:
        print(pointer_study_text(cells))
    if not plots or not cells or x is None or any(x not in c.params for c in cells):
        return []
    files = plot_pointers(cells, directory, x=x, title=title)
    for file in files:
        print(f"plot: {file}")
    return files


def plot_pointers(
    cells: Iterable[PointerCell], directory: str | FilePath, *, x: str, title: str | None = None
) -> list[FilePath]:
    """Write a study's pointer plots into ``DIRECTORY/plots/`` (PNG and SVG), one line
    per combination of the other parameters, with 95% bands:

    * ``pointers_unread``: share of the content reaching the root that travelled
      unread, against ``x``;
    * ``pointers_unlocks``: unlocks per tree, against ``x``;
    * ``pointers_meme_routes``: share of meme births that reached the root, by route
      (solid: unread, dashed: read), against ``x``.
    """
    cells = list(cells)
    if not cells:
        return []
    check_x(cells, x)
    lines = series(cells, x, text=safe)
    writer = FigureWriter(directory, dpi=150)

    def draw(name: str, ylabel: str, what: str, each: Any, unit: bool = True) -> None:
        fig, ax = axes()
        ax.set_xlabel(x)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title}: {what}" if title else what)
        ax.grid(alpha=0.3)
        if unit:
            ax.set_ylim(-0.02, 1.02)
        for label, group in lines.items():
            each(ax, label, group)
        if ax.get_legend_handles_labels()[1]:
            ax.legend(fontsize="small")
        writer.save(fig, name)

    def mean(m: Mean) -> Point | None:
        if m.value is None:
            return None
        low, high = m.interval or (m.value, m.value)
        return m.value, low, high

    def rate(r: Rate) -> Point | None:
        return None if r.value is None else (r.value, *r.interval)

    def unread(ax: Any, label: str, group: list[PointerCell]) -> None:
        xs = [c.params[x] for c in group]
        band(ax, xs, [mean(c.counts.unread_share) for c in group], alpha=0.15, label=label or None)

    def unlocks(ax: Any, label: str, group: list[PointerCell]) -> None:
        xs = [c.params[x] for c in group]
        band(ax, xs, [mean(c.counts.unlocks) for c in group], alpha=0.15, label=label or None)

    def routes(ax: Any, label: str, group: list[PointerCell]) -> None:
        xs = [c.params[x] for c in group]
        unread = [rate(c.counts.birth_capture("unread")) for c in group]
        first = band(ax, xs, unread, alpha=0.15, label=label or None)
        style = {"label": label or None} if first is None else {"color": first.get_color()}
        read = [rate(c.counts.birth_capture("read")) for c in group]
        band(ax, xs, read, alpha=0.15, ls="--", **style)

    draw("pointers_unread", "unread share of content at the root (95% CI)", "unread", unread)
    draw("pointers_unlocks", "unlocks per tree (95% CI)", "unlocks", unlocks, unit=False)
    if any(c.counts.births for c in cells):
        draw(
            "pointers_meme_routes",
            "meme births reaching the root (95% CI)",
            "memes: unread (solid) vs read (dashed) routes",
            routes,
        )
    return writer.written
