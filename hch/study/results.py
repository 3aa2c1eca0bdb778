"""Result rows: one per tree, appended to ``DIR/results.jsonl`` as each tree finishes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from hch.hashing import canonical_json
from hch.jsonl import read_records

__all__ = ["RESULTS_FILE", "ResultRow", "Results", "load", "read_rows", "row_key"]

RESULTS_FILE = "results.jsonl"


def row_key(params: dict[str, Any], trial: int, *, cell: str | None = None) -> str:
    """The identity of a row: its grid point and trial (what resume deduplicates on).

    It is ``canonical_json([params, trial])``; ``cell``, the caller's cached
    ``canonical_json(params)``, saves encoding the grid point again for every trial.
    """
    return f"[{canonical_json(params) if cell is None else cell},{int(trial)}]"


class ResultRow(BaseModel):
    """What one tree of a study gave.

    Attributes:
        params: The grid point (parameter name -> value).
        trial: Index of the tree within its grid point.
        seed: The tree's seed, derived from (study seed, params, trial).
        correct: Whether the root answer was right; None where unknown or no answer.
        score: A graded score in [0, 1] where the task gives one, else ``correct``.
        status: The root's status (ok/failed/cancelled/limited), or "error" if the
            tree could not be run at all.
        error: Why the tree gave no answer, could not run, or kept no trace.
        frames: For a tree that could not run (an exception in the experiment's code,
            its scoring or its measure): the innermost frames of the traceback,
            ``file:line in function``, innermost last.
        metrics: What the trial's ``measure`` made of the tree (empty without one).
    """

    model_config = ConfigDict(extra="allow")

    study: str
    params: dict[str, Any]
    trial: int
    seed: int
    correct: bool | None
    score: float | None = None
    status: str
    answer: str | None = None
    truth: Any = None
    nodes: int = 0
    depth: int = 0
    budget_used: int = 0
    tokens: int = 0
    cost: float = 0.0
    duration: float = 0.0
    error: str | None = None
    frames: list[str] = []
    trace: str | None = None
    metrics: dict[str, Any] = {}

    @property
    def key(self) -> str:
        return row_key(self.params, self.trial)


class Results(Sequence[ResultRow]):
    """The rows of a study directory, in the order they finished."""

    def __init__(self, rows: Sequence[ResultRow]) -> None:
        self.rows = rows

    def __getitem__(self, i: int) -> ResultRow:  # type: ignore[override]
        return self.rows[i]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ResultRow]:
        return iter(self.rows)

    def to_pandas(self) -> Any:
        """A DataFrame with one column per parameter (``params.*`` flattened)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("to_pandas needs pandas: pip install 'hch[pandas]'") from exc
        return pd.json_normalize([r.model_dump(mode="json") for r in self.rows])


def load(directory: str | Path) -> Results:
    """Read ``DIR/results.jsonl``; a half-written last line (a killed study) is dropped."""
    file = Path(directory) / RESULTS_FILE
    if not file.exists():
        raise FileNotFoundError(f"no study results at {file}")
    return Results(
        read_records(
            file, ResultRow.model_validate_json, what="result row", kind="study result file"
        )
    )


def read_rows(lines: str) -> list[ResultRow]:
    """Rows sent as JSON lines (``model_dump_json`` of each, joined by newlines): how a
    worker returns a chunk's rows, for less than pickling them costs either side."""
    return [ResultRow.model_validate_json(line) for line in lines.split("\n") if line]
