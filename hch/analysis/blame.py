"""Exact blame by counterfactual: which corrections of a tree's errors make it right.

    found = blame(tree, task)                 # why the root is wrong
    found.single_fixes                        # each, corrected alone, makes it right
    found.minimal_sets, found.culprits, found.pivotality

Definitions, for a *target* node that erred (the root unless another is named):

* A node **erred** when the task judges its answer wrong, or when it gave no answer to a
  question whose true answer the task knows.
* **Correcting** a node makes it give the task's true answer to the question it is asked
  (``Answer(text=str(truth), data=truth)``, which the task's ``check_node`` accepts),
  without asking anything: its subtree no longer matters. Every other node runs as
  recorded: the same agent, the same path-seeded ``ctx.rng``, the recorded model calls.
  So a node runs again only when its inputs change, and then does what it would have.
* The **candidates** are the nodes below the target that erred. Only errors are blamed:
  correcting a node that answered right changes nothing it was asked.
* A **fixing set** is a set of candidates, none below another (correcting an ancestor
  makes its descendants' corrections moot), whose correction makes the target right.
  The **minimal** fixing sets are those of the smallest size; the **single fixes** are
  the nodes that, corrected alone, make it right (the minimal sets of size 1).
* A minimal set S' **lies below** another S when they differ and each node of S' is in
  the subtree of a node of S: it corrects the same errors nearer where they were born.
  The **decisive** sets are the minimal sets nothing lies below, and the **culprits**
  are their nodes: where the errors that sank the target were born, not where they were
  merely passed on. When no fixing set exists and the target is wrong even with every
  child answering right (it erred on its own, ``own``), the target is the culprit.
* A candidate's **pivotality** is the share of the minimal fixing sets that contain it:
  1 when every smallest correction needs it, 0 when none does. (In Halpern and Pearl's
  terms, with Chockler's degree of responsibility, each node of a minimal set of size k
  is a cause with responsibility 1/k; pivotality says how many of the alternative
  smallest corrections need this cause.)

The search (``hch.analysis.corrections``) goes through sizes 1, 2, ... and stops at the
first size at which some set fixes the target: every fixing set of that size is found,
so the result is exact. It reuses every subtree no correction touches, and replays once
per distinct combination of children's answers, not once per set. Three bounds keep it
short on large trees, and each makes it say so (``exact=False``): ``beam`` (answers
kept per node and size), ``max_size`` (largest set tried) and ``max_replays``. An
inexact result's sets still fix the target (each was found by replay); what it may miss
is a smaller set, or other sets of the same size. ``searched`` is the size up to which
it is known that no smaller set exists.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from hch.agent import Agent, AgentFunction, Policy
from hch.analysis.corrections import Corrected, Corrections, OutOfReplays
from hch.errors import ConfigError
from hch.loop import run_sync
from hch.model import Path, Tree, format_path
from hch.replay import Replayer
from hch.tasks import NodeChecker, NodeTruth

__all__ = ["MAX_REPLAYS", "Blame", "Blamer", "blame"]

MAX_REPLAYS = 2_000
"""Replays one blame may make by default: enough for every tree of the simulated worlds
but those whose root erred on its own, where proving that nothing below fixes it can
take any number."""


class Blame(BaseModel):
    """Why one node (the root by default) is wrong, by counterfactual correction.

    Attributes:
        target: The node blamed for.
        candidates: The nodes below it that erred, in path order.
        size: The size of the smallest fixing set; None when none was found.
        minimal_sets: Every fixing set of that size (each in path order; sorted).
        decisive: The minimal sets no other lies below.
        culprits: The nodes of the decisive sets; the target itself when it erred on its
            own and no set fixes it; empty when neither is known.
        own: The target is wrong even when every child answers right.
        pivotality: Each candidate's share of the minimal sets that contain it.
        exact: Every set of up to ``size`` nodes was tried (or, with no fixing set, every
            set there is): nothing smaller and nothing else of that size fixes it.
        searched: No fixing set has fewer than ``searched + 1`` nodes (known for sure).
        replays: Replays this search made.
    """

    model_config = ConfigDict(frozen=True)

    target: Path
    candidates: list[Path]
    size: int | None
    minimal_sets: list[tuple[Path, ...]]
    decisive: list[tuple[Path, ...]]
    culprits: list[Path]
    own: bool
    pivotality: dict[Path, float]
    exact: bool
    searched: int
    replays: int

    @property
    def single_fixes(self) -> list[Path]:
        """The nodes each of which, corrected alone, makes the target right."""
        return [s[0] for s in self.minimal_sets] if self.size == 1 else []

    def most_pivotal(self, n: int = 5) -> list[tuple[Path, float]]:
        """Up to ``n`` candidates with the highest pivotality above 0, highest first."""
        ranked = sorted(
            ((p, v) for p, v in self.pivotality.items() if v > 0), key=lambda pv: (-pv[1], pv[0])
        )
        return ranked[:n]


class Blamer:
    """Counterfactual blame for the nodes of one tree.

    It keeps what its replays found, so blaming several nodes of one tree (each node's
    claimed blame, say) costs little more than blaming the deepest of them.

    Args:
        tree: The recorded tree.
        task: A task that knows and checks the true answer of any node (``NodeTruth``
            and ``NodeChecker``: the simulated worlds' tasks).
        agent: The agent or policy, when the trace cannot rebuild its own.
        live: Allow model calls the recording lacks (a node whose inputs changed asks
            its model anew); else such a call raises ``NotRecorded``.
        beam: Answers kept per node and set size (None: all).
        max_size: The largest set tried (None: as large as the candidates allow).
        max_replays: Replays one ``blame`` call may make (None: no bound). The default
            takes a few seconds on a 1,000-node simulated tree.

    Raises:
        ConfigError: the task cannot give and check every node's true answer.
    """

    def __init__(
        self,
        tree: Tree,
        task: Any,
        *,
        agent: Agent | Policy | AgentFunction | None = None,
        live: bool = False,
        beam: int | None = None,
        max_size: int | None = None,
        max_replays: int | None = MAX_REPLAYS,
    ) -> None:
        if not isinstance(task, NodeTruth) or not isinstance(task, NodeChecker):
            raise ConfigError(
                f"blame needs a task that knows and checks every node's true answer "
                f"(NodeTruth and NodeChecker); {type(task).__name__} does not"
            )
        replayer = Replayer(tree, agent=agent, live=live)
        self.corrections = Corrections(tree, task, replayer, beam=beam)
        self.max_size = max_size
        self.max_replays = max_replays

    @property
    def tree(self) -> Tree:
        return self.corrections.tree

    def erred(self, path: Path) -> bool:
        """Whether the node at ``path`` erred (wrong, or no answer to a known truth)."""
        return path in self.corrections.erred

    async def blame(self, target: Path = ()) -> Blame:
        """Blame for the error of the node at ``target``.

        Raises:
            ConfigError: no node at ``target``, or it did not err.
        """
        c = self.corrections
        if target not in self.tree:
            raise ConfigError(f"no node {format_path(target)} in the tree")
        if target not in c.erred:
            raise ConfigError(f"node {format_path(target)} did not err: nothing to blame")
        start = c.replays
        c.limit = None if self.max_replays is None else start + self.max_replays
        widest = sum(c.width(k) for k in c.children(target))
        largest = widest if self.max_size is None else min(widest, self.max_size)
        sets: list[tuple[Path, ...]] = []
        searched = 0
        own = stopped = False
        try:
            own = await self._own(target)
            for size in range(1, largest + 1):
                await c.fill(target, size)
                found = (await c.outcomes([target], size))[target]
                right = [e for e in found.values() if c.right(target, e.answer)]
                fixing = {w for e in right for w in c.sets(e)}
                sets = sorted(tuple(sorted(w)) for w in fixing)
                if not c.truncated:
                    searched = size
                if sets:
                    break
        except OutOfReplays:
            stopped = True
        finally:
            c.limit = None
        exact = not stopped and not c.truncated and (bool(sets) or searched == widest)
        return _result(target, c.below(target), sets, own, exact, searched, c.replays - start)

    async def _own(self, target: Path) -> bool:
        """Whether the target is wrong even when every child answers right."""
        c = self.corrections
        kids = self.tree[target].children
        if not kids:
            return True
        node = await c.evaluate(target, {k: Corrected(c.task) for k in kids if k in self.tree})
        return not c.right(target, None if node is None else node.answer)


def _result(
    target: Path,
    candidates: list[Path],
    sets: list[tuple[Path, ...]],
    own: bool,
    exact: bool,
    searched: int,
    replays: int,
) -> Blame:
    decisive = [s for s in sets if not any(_lies_below(other, s) for other in sets)]
    culprits = sorted({p for s in decisive for p in s}) if decisive else [target] if own else []
    share = {p: sum(p in s for s in sets) / len(sets) if sets else 0.0 for p in candidates}
    return Blame(
        target=target,
        candidates=candidates,
        size=len(sets[0]) if sets else None,
        minimal_sets=sets,
        decisive=decisive,
        culprits=culprits,
        own=own,
        pivotality=share,
        exact=exact,
        searched=searched,
        replays=replays,
    )


def _lies_below(lower: tuple[Path, ...], upper: tuple[Path, ...]) -> bool:
    """Whether ``lower`` differs from ``upper`` and each of its nodes is in the subtree
    of one of ``upper``'s."""
    return lower != upper and all(any(u[: len(v)] == v for v in upper) for u in lower)


def blame(
    tree: Tree,
    task: Any,
    target: Path = (),
    *,
    backend: str = "asyncio",
    **options: Any,
) -> Blame:
    """Blame for the error of ``target`` (the root by default): ``Blamer(tree, task,
    **options).blame(target)`` on a fresh event loop (``backend``: asyncio or trio)."""

    async def main() -> Blame:
        return await Blamer(tree, task, **options).blame(target)

    return run_sync(main, backend=backend)
