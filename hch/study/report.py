"""Study reports: accuracy per grid cell with a 95% Wilson interval, as a table.

How rows count: a row whose tree gave no root answer (root status failed, limited or
cancelled, or status "error" when the tree could not run at all) counts in ``n`` as
wrong, because the bureaucracy did not deliver; the table shows those counts in their
own columns (``failed``, ``errors``) so they are never hidden in the accuracy. A row
that answered but could not be checked (``correct`` is None with status ok) is left out
of ``n`` and counted as ``unscored``. A tree that ran but whose trace could not be
written has status "error" too (counted in ``errors``) and keeps its ``correct``.

Where rows carry them, the table adds the mean tokens per tree, the cell's total cost
and the mean seconds per tree (columns left out when they are zero everywhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict
from rich.table import Table

from hch.hashing import canonical_json
from hch.stats import wilson_interval
from hch.study.results import ResultRow
from hch.text import printable

__all__ = ["Cell", "error_rows", "parameters", "summarize", "table", "text"]


class Cell(BaseModel):
    """What the trees of one grid point gave.

    Attributes:
        params: The grid point.
        rows: All rows of this point.
        n: Rows that count toward accuracy (all but ``unscored``).
        right: Rows whose root answer was right.
        failed: Rows whose root gave no answer (failed, limited, cancelled); wrong.
        errors: Rows whose tree could not run (status "error"); wrong.
        unscored: Rows with an answer nobody could check; not in ``n``.
        low: Lower end of the 95% Wilson interval of ``accuracy``.
        high: Upper end of it.
        nodes: Mean nodes used per tree that ran (rows with status "error" have none).
        tokens: Mean model tokens (prompt and completion) per tree.
        cost: Total cost of the cell's model calls, in the prices' currency (USD).
        duration: Mean seconds per tree.
    """

    model_config = ConfigDict(frozen=True)

    params: dict[str, Any]
    rows: int
    n: int
    right: int
    failed: int
    errors: int
    unscored: int
    low: float
    high: float
    nodes: float
    tokens: float = 0.0
    cost: float = 0.0
    duration: float = 0.0

    @property
    def accuracy(self) -> float | None:
        """``right / n``; None when no row could be scored."""
        return self.right / self.n if self.n else None


def parameters(rows: Iterable[ResultRow]) -> list[str]:
    """Parameter names in the order they first appear."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row.params))
    return list(names)


def _order(value: Any) -> tuple[int, Any]:
    """Sort numbers by value, then everything else by its text; missing values last."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value)) if value is not None else (2, "")


def summarize(rows: Iterable[ResultRow]) -> list[Cell]:
    """One Cell per grid point, sorted by parameter values (numbers numerically)."""
    rows = list(rows)
    names = parameters(rows)
    groups: dict[str, list[ResultRow]] = {}
    for row in rows:
        groups.setdefault(canonical_json(row.params), []).append(row)
    cells = [_cell(group) for group in groups.values()]
    return sorted(cells, key=lambda c: [_order(c.params.get(name)) for name in names])


def _cell(rows: list[ResultRow]) -> Cell:
    unscored = sum(1 for r in rows if r.correct is None and r.status == "ok")
    right = sum(1 for r in rows if r.correct is True)
    n = len(rows) - unscored
    low, high = wilson_interval(right, n)
    ran = [r.nodes for r in rows if r.status != "error" or r.nodes]
    return Cell(
        params=rows[0].params,
        rows=len(rows),
        n=n,
        right=right,
        failed=sum(1 for r in rows if r.status not in ("ok", "error")),
        errors=sum(1 for r in rows if r.status == "error"),
        unscored=unscored,
        low=low,
        high=high,
        nodes=sum(ran) / len(ran) if ran else 0.0,
        tokens=sum(r.tokens for r in rows) / len(rows),
        cost=sum(r.cost for r in rows),
        duration=sum(r.duration for r in rows) / len(rows),
    )


def _grid(rows: Iterable[ResultRow]) -> tuple[list[str], list[list[str]]]:
    """Column headers and cell texts, shared by the rich table and the plain text."""
    rows = list(rows)
    names = parameters(rows)
    cells = summarize(rows)
    optional = [
        (header, show)
        for header, show, used in (
            ("unscored", lambda c: str(c.unscored), any(c.unscored for c in cells)),
            ("tokens", lambda c: f"{c.tokens:.0f}", any(c.tokens for c in cells)),
            ("cost", lambda c: f"{c.cost:.4f}", any(c.cost for c in cells)),
            ("seconds", lambda c: f"{c.duration:.2f}", any(c.duration for c in cells)),
        )
        if used
    ]
    headers = [*names, "n", "accuracy", "95% CI", "nodes", "failed", "errors"]
    headers += [header for header, _ in optional]
    lines = []
    for c in cells:
        acc = "-" if c.accuracy is None else f"{c.accuracy:.3f}"
        line = [str(c.params.get(name, "")) for name in names]
        line += [str(c.n), acc, f"{c.low:.3f}-{c.high:.3f}", f"{c.nodes:.1f}"]
        line += [str(c.failed), str(c.errors)] + [show(c) for _, show in optional]
        lines.append(line)
    return headers, lines


def table(rows: Iterable[ResultRow], title: str | None = None) -> Table:
    """The report as a rich Table: one row per grid point."""
    rows = list(rows)
    headers, lines = _grid(rows)
    n_params = len(parameters(rows))
    t = Table(title=title)
    for i, header in enumerate(headers):
        t.add_column(header, justify="left" if i < n_params else "right")
    for line in lines:
        t.add_row(*line)
    return t


def text(rows: Iterable[ResultRow]) -> str:
    """The same table as plain aligned text, for logs and pipes."""
    headers, lines = _grid(rows)
    widths = [max(len(x) for x in column) for column in zip(headers, *lines, strict=True)]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [headers, *lines]
    )


_LONGEST = 300
"""Characters of an error message the summary shows (results.jsonl keeps it whole)."""


def error_rows(rows: Iterable[ResultRow], most: int = 5) -> str | None:
    """The errors of rows with status "error", each once with how many rows had it, the
    first such row's grid point and trial, and its innermost frames (where experiment
    code broke); None when no row has one. At most ``most`` distinct errors are listed.
    """
    found: dict[str, list[ResultRow]] = {}
    for row in rows:
        if row.status == "error":
            found.setdefault(row.error or "(no message)", []).append(row)
    if not found:
        return None
    total = sum(len(group) for group in found.values())
    lines = [f"errors: {total} rows could not run or kept no trace"]
    for error, group in list(found.items())[:most]:
        first = group[0]
        point = ", ".join(f"{k}={v}" for k, v in first.params.items()) or "no parameters"
        said = printable(error if len(error) <= _LONGEST else error[:_LONGEST] + "…")
        lines.append(f"  {len(group)} x {said} (first: {printable(point)}, trial {first.trial})")
        lines += [f"      at {printable(frame)}" for frame in first.frames]
    if len(found) > most:
        lines.append(f"  ... and {len(found) - most} other errors (see results.jsonl)")
    return "\n".join(lines)
