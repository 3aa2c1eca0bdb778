"""Reports of IDA runs: a table of epochs, and accuracy and meme capture against epoch.

matplotlib is imported only when a plot is drawn, through its object API (no pyplot).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from hch.figures import FigureWriter, axes, band
from hch.ida._records import EpochRecord

__all__ = ["epochs_text", "plot_epochs"]

_FITTED = 4
"""Fitted parameters shown in the table (the first ones the distiller gave)."""


def _fitted(record: EpochRecord) -> str:
    items = list(record.fitted.items())[:_FITTED]
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in items)


def epochs_text(records: Sequence[EpochRecord], title: str | None = None) -> str:
    """One line per epoch: trees, accuracy and root capture with 95% intervals, nodes, fit."""
    head = ("epoch", "trees", "accuracy [95% CI]", "capture [95% CI]", "nodes", "distilled")
    body = [
        (
            str(r.epoch),
            str(r.trees),
            r.accuracy.text(),
            r.capture.text(),
            f"{r.nodes:.1f}",
            _fitted(r),
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in (head, *body)) for i in range(len(head))]
    lines = [title] if title else []
    for row in (head, *body):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def plot_epochs(
    runs: Mapping[str, Sequence[EpochRecord]],
    directory: str | Path,
    *,
    fixed_point: float | None = None,
) -> list[Path]:
    """Draw accuracy and root capture against epoch, one line per run, into
    ``DIRECTORY/plots/`` (``ida_accuracy`` and ``ida_capture``, PNG and SVG).

    Args:
        runs: Label -> that run's epoch records.
        directory: Where ``plots/`` goes.
        fixed_point: An accuracy to draw dashed on the accuracy plot (a closed form's).

    Returns:
        The files written.
    """
    writer = FigureWriter(directory, dpi=120)
    for name, pick, ylabel in (
        ("ida_accuracy", lambda r: r.accuracy, "accuracy of the amplified tree (95% CI)"),
        ("ida_capture", lambda r: r.capture, "meme root capture (95% CI)"),
    ):
        fig, ax = axes()
        for label, records in runs.items():
            rates = [pick(r) for r in records]
            points = [None if p.value is None else (p.value, p.low, p.high) for p in rates]
            band(ax, [r.epoch for r in records], points, alpha=0.18, label=label)
        if fixed_point is not None and name == "ida_accuracy":
            ax.axhline(fixed_point, linestyle="--", color="grey", label="fixed point")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
        writer.save(fig, name)
    return writer.written
