"""What an IDA run keeps of each epoch: one ``EpochRecord`` a line in ``DIR/epochs.jsonl``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from hch.jsonl import read_records
from hch.model import Spec
from hch.stats import wilson_interval

__all__ = ["EPOCHS_FILE", "EpochRecord", "Proportion", "read_epochs", "write_epochs"]

EPOCHS_FILE = "epochs.jsonl"
"""The epoch records of a run, beside one study directory per epoch (``epoch-001/``...)."""


class Proportion(BaseModel):
    """A proportion with its 95% Wilson interval, stored with the counts it comes from.

    Attributes:
        hits: Successes (right roots, captured roots).
        n: Trials counted.
        value: ``hits / n``; None when ``n`` is 0.
        low: Lower end of the 95% Wilson interval (0 when ``n`` is 0).
        high: Upper end of it (1 when ``n`` is 0).
    """

    model_config = ConfigDict(frozen=True)

    hits: int
    n: int
    value: float | None
    low: float
    high: float

    @classmethod
    def of(cls, hits: int, n: int) -> Proportion:
        """``hits`` out of ``n`` with its interval, which always holds the observed value."""
        low, high = wilson_interval(hits, n)
        value = hits / n if n else None
        if value is not None:  # the interval's arithmetic can land a hair inside 0 or 1
            low, high = min(low, value), max(high, value)
        return cls(hits=hits, n=n, value=value, low=low, high=high)

    def text(self, digits: int = 3) -> str:
        """``0.420 [0.350, 0.490]``, or ``-`` when there is nothing to count."""
        if self.value is None:
            return "-"
        d = digits
        return f"{self.value:.{d}f} [{self.low:.{d}f}, {self.high:.{d}f}]"


class EpochRecord(BaseModel):
    """What one epoch of IDA gave: how its amplified trees did, and whom it distilled.

    Attributes:
        epoch: 1, 2, ...: epoch ``k`` ran trees of the agents distilled before it.
        placement: How the epoch's agents were placed in its trees (``hch.ida.PLACEMENTS``).
        policy: The spec of the trees' agent or per-depth policy.
        agent: Name of the agent at the root (the newest one of the epoch).
        trees: Trees run.
        accuracy: Root answers that were right, of the trees that could be scored (a tree
            whose root gave no answer counts as wrong, as in study reports).
        capture: Roots whose answer carries a meme (root capture), of the trees measured.
        failed: Trees whose root gave no answer, or that could not run at all.
        nodes: Mean nodes per tree.
        distilled: The spec of the agent the distiller made from this epoch.
        fitted: The distiller's fitted parameters (e.g. ``p_error``, ``meme_rate``).
        directory: The epoch's study directory, relative to the run's directory.
    """

    model_config = ConfigDict(frozen=True)

    epoch: int
    placement: str
    policy: Spec
    agent: str
    trees: int
    accuracy: Proportion
    capture: Proportion
    failed: int
    nodes: float
    distilled: Spec
    fitted: dict[str, Any]
    directory: str

    @property
    def error(self) -> float | None:
        """``1 - accuracy``; None when no tree could be scored."""
        return None if self.accuracy.value is None else 1 - self.accuracy.value


def read_epochs(directory: str | Path) -> list[EpochRecord]:
    """The epoch records of an IDA run directory, in order; ``[]`` when it has none yet."""
    file = Path(directory) / EPOCHS_FILE
    if not file.exists():
        return []
    return read_records(
        file, EpochRecord.model_validate_json, what="epoch record", kind="IDA epoch file"
    )


def write_epochs(directory: str | Path, records: list[EpochRecord]) -> Path:
    """Replace ``DIR/epochs.jsonl`` with ``records`` at once (a kill leaves the old file)."""
    file = Path(directory) / EPOCHS_FILE
    tmp = file.with_suffix(".jsonl.tmp")
    tmp.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    os.replace(tmp, file)
    return file
