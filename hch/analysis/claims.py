"""Claimed against actual blame: whom the nodes of a tree say erred, and who did.

The convention an agent follows to state whom it blames is a note on its node::

    ctx.note(blame=[1])              # my second child (children count from 0)
    ctx.note(blame=["root.0.2"])     # a node by its path, as hch prints paths
    ctx.note(blame=[ctx.path])       # myself (a path as a list of ints works too)

The value is a list of items, or one item that is not a list (``blame=1``). Each item
names one node: an int is the node's own child of that index (in the order it asked),
a string is a path (``root``, ``root.0.2``), a list or tuple of ints is a path (so
``blame=[0, 1]`` names two children and ``blame=[[0, 1]]`` the node ``root.0.1``).
Several notes add up. An item naming no recorded node is counted as unreadable, never
guessed at.

A parent may also record what a child claimed when asked: ``blame={"failed": i,
"blamed": j}`` (what ``agents.memetic``'s ``Verify`` notes when a blame follow-up puts
the error of its part ``i`` on part ``j``) is read as the claim of the node's child ``i``
naming its child ``j``, the parts being the node's children in the order it asked them.

A claim is judged against the counterfactual blame of the node that made it
(``hch.analysis.blame``, with that node as the target), where that node erred and its
blame is exact. The claim **agrees** when every node it names is a culprit, **hits**
when at least one is, and **shifts** blame when the claiming node is its own culprit (it
erred on its own) but names only others. Claims by nodes that did not err, or whose
blame is not exact, are counted, not judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from hch.analysis.blame import Blamer
from hch.errors import ConfigError
from hch.loading import parse_path
from hch.loop import run_sync
from hch.model import Path, Tree
from hch.stats import wilson_interval

__all__ = [
    "BLAME_NOTE",
    "ClaimCheck",
    "ClaimRates",
    "Claims",
    "blame_claims",
    "check_claims",
    "claim_rates",
    "claimed_blame",
]

BLAME_NOTE = "blame"
"""The note field in which a node names whom it blames."""


def blame_claims(tree: Tree) -> dict[Path, tuple[list[Path], int]]:
    """Each claiming node's named nodes (readable, recorded ones, in order) and its
    count of unreadable items."""
    items: dict[Path, list[Any]] = {}
    for node in tree:
        for note in node.notes:
            if BLAME_NOTE in note:
                claimer, said = _claim(node.path, note[BLAME_NOTE])
                items.setdefault(claimer, []).extend(said)
    found: dict[Path, tuple[list[Path], int]] = {}
    for claimer, said in items.items():
        if not said:
            continue
        named: list[Path] = []
        unreadable = 0
        for item in said:
            path = _named(claimer, item)
            if path is None or path not in tree or claimer not in tree:
                unreadable += 1
            elif path not in named:
                named.append(path)
        found[claimer] = (named, unreadable)
    return found


def _claim(path: Path, value: Any) -> tuple[Path, list[Any]]:
    """Who claims, and the items naming whom, from one note's value at ``path``."""
    if isinstance(value, dict) and {"failed", "blamed"} <= value.keys():
        failed, blamed = value["failed"], value["blamed"]
        if _index(failed) and _index(blamed):  # a child's claim, as its parent recorded it
            return (*path, failed), [(*path, blamed)]
    return path, value if isinstance(value, list) else [value]


def _index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _named(claimer: Path, item: Any) -> Path | None:
    """The node one item of ``claimer``'s names, or None when it names none."""
    if _index(item):
        return (*claimer, item)
    if isinstance(item, str):
        try:
            return parse_path(item)
        except ConfigError:
            return None
    if isinstance(item, list | tuple) and all(_index(i) for i in item):
        return tuple(item)
    return None


class ClaimCheck(BaseModel):
    """One node's claim against its counterfactual blame.

    Attributes:
        path: The claiming node.
        claimed: The nodes it names.
        culprits: Its counterfactual culprits (``Blame.culprits``).
    """

    model_config = ConfigDict(frozen=True)

    path: Path
    claimed: list[Path]
    culprits: list[Path]

    @property
    def agrees(self) -> bool:
        """Every node it names is a culprit."""
        return bool(self.claimed) and all(p in self.culprits for p in self.claimed)

    @property
    def hits(self) -> bool:
        """Some node it names is a culprit."""
        return any(p in self.culprits for p in self.claimed)

    @property
    def shifts(self) -> bool:
        """It erred on its own (its own culprit) but names only others."""
        return self.path in self.culprits and self.path not in self.claimed


class Claims(BaseModel):
    """The claims of one tree, judged.

    Attributes:
        checks: One per judged claim, in path order.
        unjudged: Claims by nodes that did not err, or whose blame is not exact.
        unreadable: Items naming no recorded node.
    """

    model_config = ConfigDict(frozen=True)

    checks: list[ClaimCheck]
    unjudged: int = 0
    unreadable: int = 0


async def check_claims(blamer: Blamer) -> Claims:
    """Judge every claim of the blamer's tree against its counterfactual blame."""
    checks: list[ClaimCheck] = []
    unjudged = unreadable = 0
    for path, (named, bad) in sorted(blame_claims(blamer.tree).items()):
        unreadable += bad
        if not named:
            continue
        if not blamer.erred(path):
            unjudged += 1
            continue
        found = await blamer.blame(path)
        if not found.exact:
            unjudged += 1
            continue
        checks.append(ClaimCheck(path=path, claimed=named, culprits=found.culprits))
    return Claims(checks=checks, unjudged=unjudged, unreadable=unreadable)


def claimed_blame(tree: Tree, task: Any, *, backend: str = "asyncio", **options: Any) -> Claims:
    """``check_claims(Blamer(tree, task, **options))`` on a fresh event loop."""

    async def main() -> Claims:
        return await check_claims(Blamer(tree, task, **options))

    return run_sync(main, backend=backend)


class ClaimRates(BaseModel):
    """Judged claims over many trees, with 95% Wilson intervals.

    Attributes:
        claims: Judged claims.
        agree: Claims that agree with the counterfactual blame.
        hit: Claims naming at least one culprit.
        shift: Claims shifting blame from a node that erred on its own.
        unjudged: Claims that could not be judged.
    """

    model_config = ConfigDict(frozen=True)

    claims: int
    agree: int
    hit: int
    shift: int
    unjudged: int

    def rate(self, count: int) -> tuple[float | None, tuple[float, float]]:
        """``count`` as a share of the judged claims, with its interval."""
        share = count / self.claims if self.claims else None
        return share, wilson_interval(count, self.claims)


def claim_rates(judged: Iterable[Claims]) -> ClaimRates:
    """Agreement between claimed and counterfactual blame over trees (a study's, say)."""
    judged = list(judged)
    checks = [c for found in judged for c in found.checks]
    return ClaimRates(
        claims=len(checks),
        agree=sum(c.agrees for c in checks),
        hit=sum(c.hits for c in checks),
        shift=sum(c.shifts for c in checks),
        unjudged=sum(found.unjudged for found in judged),
    )
