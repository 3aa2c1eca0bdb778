"""Blame over a study's kept traces: where the exact culprits of wrong roots sit, how many
corrections each root needed, and how the blame nodes claimed compares.

Blaming takes replays, so at most ``per_cell`` trees of each grid point are blamed (the
first in the study's order among those with a wrong root or a claim); the counts say
how many were. Only traces whose task can correct any node (``NodeTruth`` and
``NodeChecker``) count; the rest are tallied by reason, as in ``study_errors``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ConfigDict

from hch.analysis.blame import Blame, Blamer
from hch.analysis.claims import ClaimRates, Claims, blame_claims, check_claims, claim_rates
from hch.analysis.study import TaskFor, analyse_cells, cell_key, study_name
from hch.errors import HCHError
from hch.loop import run_sync
from hch.model import Tree
from hch.study import ResultRow
from hch.tasks import NodeChecker, NodeTruth

__all__ = ["CellBlame", "StudyBlame", "study_blame"]

PER_CELL = 20
"""Trees blamed per grid point by default."""
MAX_REPLAYS = 500
"""Replays per blamed node by default: a study has many trees to blame."""


class CellBlame(BaseModel):
    """Blame in the trees of one grid point.

    Attributes:
        params: The grid point.
        trees: Trees whose task can correct any node.
        wrong_roots: Those whose root erred.
        blamed: Wrong roots blamed (at most ``per_cell`` trees are).
        exact: Blames that are exact.
        own: Blamed roots that erred on their own (wrong even with every child right).
        culprit_depths: Node depth -> culprits found there, over the exact blames.
        sizes: Smallest fixing set size -> exact blames (0: no set fixes the root).
        claims: Claimed against counterfactual blame, over the blamed trees.
        failed: Trees that could not be replayed (with the first reason).
    """

    model_config = ConfigDict(frozen=True)

    params: dict[str, Any]
    trees: int
    wrong_roots: int
    blamed: int
    exact: int
    own: int
    culprit_depths: dict[int, int]
    sizes: dict[int, int]
    claims: ClaimRates
    failed: int = 0
    failure: str | None = None


class StudyBlame(BaseModel):
    """Blame over a study, one ``CellBlame`` per grid point with traces to blame.

    Attributes:
        study: The study's name.
        cells: In the order of the study's report.
        skipped: Why traces were left out -> count.
    """

    model_config = ConfigDict(frozen=True)

    study: str
    cells: list[CellBlame]
    skipped: dict[str, int]


@dataclass
class _TreeBlame:
    wrong: bool
    blame: Blame | None = None
    claims: Claims | None = None
    failure: str | None = None


def study_blame(
    rows: Iterable[ResultRow],
    directory: str | FilePath,
    task_for: TaskFor,
    *,
    per_cell: int | None = PER_CELL,
    max_replays: int | None = MAX_REPLAYS,
) -> StudyBlame:
    """Blame the wrong roots, and judge the claims, of a study's kept traces.

    Args:
        rows: The study's result rows (``hch.study.load(directory)``).
        directory: Where the rows' trace paths are relative to.
        task_for: The task for a header's task name, or None when unknown.
        per_cell: Trees blamed per grid point (None: all).
        max_replays: Replays each blamed node may take (see ``Blamer``).
    """
    rows = list(rows)
    taken: Counter[str] = Counter()

    def analyse(tree: Tree, task: Any, params: dict[str, Any]) -> _TreeBlame | str:
        if not isinstance(task, NodeTruth) or not isinstance(task, NodeChecker):
            return "task cannot correct its nodes"
        blamer = Blamer(tree, task, max_replays=max_replays)
        wrong = blamer.erred(())
        if not wrong and not blame_claims(tree):
            return _TreeBlame(wrong=False)
        cell = cell_key(params)
        if per_cell is not None and taken[cell] >= per_cell:
            return _TreeBlame(wrong=wrong)
        taken[cell] += 1
        try:
            return run_sync(_blamed, blamer, wrong)
        except HCHError as exc:  # a tree that cannot be replayed (its model calls, its agent)
            return _TreeBlame(wrong=wrong, failure=str(exc))

    cells, skipped = analyse_cells(rows, directory, task_for, analyse)
    return StudyBlame(
        study=study_name(rows, directory),
        cells=[_cell(params, found) for params, found in cells],
        skipped=skipped,
    )


async def _blamed(blamer: Blamer, wrong: bool) -> _TreeBlame:
    found = await blamer.blame(()) if wrong else None
    return _TreeBlame(wrong=wrong, blame=found, claims=await check_claims(blamer))


def _cell(params: dict[str, Any], trees: list[_TreeBlame]) -> CellBlame:
    blames = [t.blame for t in trees if t.blame is not None]
    exact = [b for b in blames if b.exact]
    failures = [t.failure for t in trees if t.failure is not None]
    return CellBlame(
        params=params,
        trees=len(trees),
        wrong_roots=sum(t.wrong for t in trees),
        blamed=len(blames),
        exact=len(exact),
        own=sum(b.own for b in blames),
        culprit_depths=dict(sorted(Counter(len(p) for b in exact for p in b.culprits).items())),
        sizes=dict(sorted(Counter(b.size or 0 for b in exact).items())),
        claims=claim_rates(t.claims for t in trees if t.claims is not None),
        failed=len(failures),
        failure=failures[0] if failures else None,
    )
