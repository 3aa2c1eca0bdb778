"""What nodes of a recorded tree answer when sets of their descendants are corrected.

The engine behind ``hch.analysis.blame``. Correcting a node makes it give the task's
true answer to the question it is asked, without asking anything; every other node runs
as recorded (its agent, its path-seeded ``ctx.rng``, its recorded model calls).

For each node ``v`` with an erring node in its subtree, a table maps each size ``s`` to
the answers ``v`` gives when ``s`` erring nodes of its subtree (``v`` included, none
below another) are corrected, each with the sets that give it. A table keeps only the
answers no smaller set gives: a larger set that gives the same answer is never part of a
smallest fixing set, since the smaller one would do in its place.

A node's answer under a set is its agent run again with its children's answers forced
to their table values: one replay per distinct combination of children's answers, not
one per set. Replays are batched: nodes of one depth lie in disjoint subtrees, so one
replay asks a combination of each of them. After each replay the batch is checked: a
node whose own inputs (question, budget, turn) changed, which another node of the batch
caused, runs again alone; where forcing a child's answer changed a forced sibling's
inputs (a lookup's second hop is asked about the first hop's answer), the combination is
not a function of the children's answers, and each of its sets is replayed as it is,
corrected where it says.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from hch.context import Context
from hch.errors import AgentError
from hch.model import Answer, Node, Path, Question, Tree, format_path
from hch.replay import Change, Replayer
from hch.tasks import NodeChecker, NodeTruth
from hch.verdicts import check_node, verdicts

__all__ = ["Corrected", "Corrections", "Entry", "OutOfReplays", "true_answer"]

Witness = frozenset[Path]
"""A set of corrected nodes."""

MAX_SETS = 1000
"""Sets listed for one answer; more make the search inexact."""


def true_answer(task: Any, question: Question) -> Answer | None:
    """The task's true answer to ``question`` as a node would give it
    (``Answer(text=str(truth), data=truth)``), or None where the task knows no truth
    or does not accept its own truth so written."""
    if not isinstance(task, NodeTruth) or not isinstance(task, NodeChecker):
        return None
    try:
        truth = task.node_truth(question)
        if truth is None:
            return None
        answer = Answer(text=str(truth), data=truth)
        return answer if task.check_node(question, answer) else None
    except Exception:  # a question the task cannot read: no truth
        return None


class Corrected:
    """An agent that gives the task's true answer to whatever it is asked, asking nothing."""

    name = "corrected"

    def __init__(self, task: Any) -> None:
        self.task = task

    async def answer(self, question: Question, ctx: Context) -> Answer:
        found = true_answer(self.task, question)
        if found is None:
            raise AgentError(
                f"node {format_path(ctx.path)} cannot be corrected: the task knows no true "
                f"answer to {question.text[:80]!r}"
            )
        return found


class OutOfReplays(Exception):
    """The search spent the replays it was allowed."""


Combo = tuple[tuple[Path, int, str], ...]
"""Children whose answers change, each with the size of its set and its answer's key."""


@dataclass
class Entry:
    """One answer a node gives, and the ways sets of corrections make it give it.

    Attributes:
        answer: The answer; None when the node failed.
        ways: Each a set, or a combination of children's entries (any one set of each,
            united): the sets are listed only where they are needed, since one answer
            may have thousands.
    """

    answer: Answer | None
    ways: list[Witness | Combo]


Table = dict[str, Entry]
"""Answers (by ``answer_key``) a node gives under sets of one size."""


def answer_key(answer: Answer | None) -> str:
    return "" if answer is None else answer.model_dump_json()


def _inputs(node: Node) -> tuple[Any, ...]:
    """What a node was asked, as far as the node itself can tell."""
    return (node.question, node.budget_given, node.follows)


@dataclass(eq=False)
class _Job:
    """One node's answer under some changes, found by a replay."""

    node: Path
    changes: dict[Path, Change]
    forced: tuple[Path, ...] = ()
    done: bool = False
    result: Node | None = None
    dependent: bool = False


@dataclass
class Corrections:
    """One tree's answers under corrections: tables, replays made, and what was cut short.

    Args:
        tree: The recorded tree.
        task: A task that knows and checks every node's answer (``NodeTruth``,
            ``NodeChecker``).
        replayer: The tree prepared for replays.
        beam: Answers kept per node and size, the node's true answer first (None: all).
            Keeping fewer bounds the work on large trees; the search then says it is
            inexact.
    """

    tree: Tree
    task: Any
    replayer: Replayer
    beam: int | None = None
    replays: int = 0
    limit: int | None = None
    truncated: bool = False
    erred: frozenset[Path] = field(init=False)
    tables: dict[Path, list[Table]] = field(init=False, default_factory=dict)
    _by_combo: dict[tuple[Path, tuple[tuple[Path, str], ...]], _Job] = field(
        init=False, default_factory=dict
    )
    _direct: dict[tuple[Path, Witness], Node | None] = field(init=False, default_factory=dict)
    _truths: dict[Path, Answer | None] = field(init=False, default_factory=dict)
    _active: frozenset[Path] = field(init=False)

    def __post_init__(self) -> None:
        judged = verdicts(self.tree, self.task)
        self.erred = frozenset(
            node.path
            for node in self.tree
            if judged[node.path] is False
            or (node.answer is None and self.truth(node.path) is not None)
        )
        self._active = frozenset(p[:k] for p in self.erred for k in range(len(p) + 1))

    # -- what the recording says --------------------------------------------------------
    def truth(self, path: Path) -> Answer | None:
        """The true answer to the question the node at ``path`` was asked."""
        if path not in self._truths:
            self._truths[path] = true_answer(self.task, self.tree[path].question)
        return self._truths[path]

    def right(self, path: Path, answer: Answer | None) -> bool:
        """Whether ``answer`` is right for the node at ``path`` (asked as recorded)."""
        node = self.tree[path].model_copy(update={"answer": answer})
        return check_node(self.task, node, self.tree.header.truth) is True

    def children(self, path: Path) -> list[Path]:
        """The recorded children of a node with an erring node below them."""
        return [c for c in self.tree[path].children if c in self._active and c in self.tree]

    def below(self, target: Path) -> list[Path]:
        """The erring nodes strictly below ``target``, in path order."""
        n = len(target)
        return sorted(p for p in self.erred if len(p) > n and p[:n] == target)

    def width(self, path: Path) -> int:
        """The most erring nodes of ``path``'s subtree, itself included, none below
        another: no set of corrections there is larger."""
        inside = sum(self.width(c) for c in self.children(path))
        return max(inside, 1) if path in self.erred else inside

    # -- the tables ---------------------------------------------------------------------
    async def fill(self, target: Path, size: int) -> None:
        """Tables up to ``size`` for every node with an erring node strictly below
        ``target``, deepest first."""
        n = len(target)
        nodes = [p for p in self._active if len(p) > n and p[:n] == target]
        for s in range(1, size + 1):
            todo = [p for p in nodes if len(self.tables.get(p, ())) <= s]
            for depth in sorted({len(p) for p in todo}, reverse=True):
                at = sorted(p for p in todo if len(p) == depth)
                found = await self.outcomes(at, s)
                for path in at:
                    self._table(path, s, found[path])

    def _table(self, path: Path, size: int, found: Table) -> None:
        tables = self.tables.setdefault(path, [])
        if not tables:
            recorded = self.tree[path].answer
            tables.append({answer_key(recorded): Entry(recorded, [frozenset()])})
        table: Table = {}
        truth = self.truth(path)
        if size == 1 and path in self.erred and truth is not None:
            table[answer_key(truth)] = Entry(truth, [frozenset([path])])
        seen = set().union(*tables)
        for key, entry in found.items():
            if key in seen:
                continue  # a smaller set gives it
            if key in table:
                table[key].ways.extend(entry.ways)
            elif self.beam is not None and len(table) >= self.beam:
                self.truncated = True
            else:
                table[key] = entry
        tables.append(table)

    def sets(self, entry: Entry) -> list[Witness]:
        """The sets that make a node give an entry's answer (at most ``MAX_SETS``)."""
        out: list[Witness] = []
        for found in itertools.chain.from_iterable(map(self._ways, entry.ways)):
            if len(out) >= MAX_SETS:
                self.truncated = True
                break
            out.append(found)
        return out

    def _ways(self, way: Witness | Combo) -> Iterator[Witness]:
        if isinstance(way, frozenset):
            yield way
            return
        parts = [self.sets(self.tables[child][part][key]) for child, part, key in way]
        for chosen in itertools.product(*parts):
            yield frozenset().union(*chosen)

    def combos(self, path: Path, size: int) -> Iterator[Combo]:
        """Every way ``size`` corrections spread over ``path``'s children's tables."""
        kids = self.children(path)
        for parts in _compositions(size, len(kids)):
            options = []
            for child, part in zip(kids, parts, strict=True):
                if part == 0:
                    continue
                tables = self.tables[child]
                if part >= len(tables) or not tables[part]:
                    break
                options.append([(child, part, key) for key in tables[part]])
            else:
                yield from itertools.product(*options)

    async def outcomes(self, paths: Sequence[Path], size: int) -> dict[Path, Table]:
        """What each node of ``paths`` (one depth) answers under every set of ``size``
        corrections strictly below it, by answer, with the sets."""
        combos = {p: list(self.combos(p, size)) for p in paths}
        jobs = [
            job
            for path, found in combos.items()
            for combo in found
            if (job := self._forced_job(path, combo)) is not None
        ]
        await self._run(jobs)
        direct = [
            _Job(path, {p: Corrected(self.task) for p in w})
            for path, found in combos.items()
            for combo in found
            if self._needs_direct(path, combo)
            for w in self._sets_of(combo)
            if (path, w) not in self._direct
        ]
        await self._run(direct)
        for job in direct:
            self._direct[(job.node, frozenset(job.changes))] = job.result
        out: dict[Path, Table] = {p: {} for p in paths}
        for path, found in combos.items():
            for combo in found:
                for answer, way in self._answers(path, combo):
                    out[path].setdefault(answer_key(answer), Entry(answer, [])).ways.append(way)
        return out

    def _forced(self, combo: Combo) -> dict[Path, Answer | None]:
        return {child: self.tables[child][part][key].answer for child, part, key in combo}

    def _forced_job(self, path: Path, combo: Combo) -> _Job | None:
        memo = (path, tuple((child, key) for child, _, key in combo))
        if memo in self._by_combo:
            known = self._by_combo[memo]
            return None if known.done else known  # not done: a search ran out of replays
        forced = {c: a for c, a in self._forced(combo).items() if a is not None}
        if len(forced) < len(combo):  # a failure cannot be forced
            return None
        job = _Job(path, dict(forced), forced=tuple(forced))
        self._by_combo[memo] = job
        return job

    def _forced_result(self, path: Path, combo: Combo) -> _Job | None:
        return self._by_combo.get((path, tuple((child, key) for child, _, key in combo)))

    def _needs_direct(self, path: Path, combo: Combo) -> bool:
        job = self._forced_result(path, combo)
        return job is None or job.dependent

    def _sets_of(self, combo: Combo) -> list[Witness]:
        """The sets that give a combination (one set of each changed child's, united)."""
        return self.sets(Entry(None, [combo]))

    def _answers(self, path: Path, combo: Combo) -> Iterator[tuple[Answer | None, Witness | Combo]]:
        """The node's answer under a combination, or under each of its sets where the
        children's answers alone do not decide it."""
        job = self._forced_result(path, combo)
        if job is not None and not job.dependent:
            yield _answer_of(job.result), combo
            return
        for w in self._sets_of(combo):
            yield _answer_of(self._direct[(path, w)]), w

    async def evaluate(self, path: Path, changes: dict[Path, Change]) -> Node | None:
        """The node at ``path`` as one replay with ``changes`` gives it."""
        job = _Job(path, changes)
        await self._run([job])
        return job.result

    # -- replays ------------------------------------------------------------------------
    async def _run(self, jobs: Sequence[_Job]) -> None:
        """Find every job's node, in as few replays as keep the jobs apart: each replay
        takes the next job of each node, for nodes in disjoint subtrees."""
        queues: dict[Path, deque[_Job]] = {}
        for job in jobs:
            queues.setdefault(job.node, deque()).append(job)
        alone: list[_Job] = []
        while queues or alone:
            batch = [alone.pop()] if alone else _heads(queues)
            if self.limit is not None and self.replays >= self.limit:
                raise OutOfReplays
            self.replays += 1
            changes: dict[Path | str, Change] = {
                path: change for job in batch for path, change in job.changes.items()
            }
            done = (await self.replayer.run(changes)).tree
            for job in batch:
                got = _node(done, job.node)
                if len(batch) > 1 and (got is None or _inputs(got) != _inputs(self.tree[job.node])):
                    alone.append(job)  # another job of the batch changed what it was asked
                    continue
                job.done = True
                job.result = got
                job.dependent = any(
                    c in done and _inputs(done[c]) != _inputs(self.tree[c]) for c in job.forced
                )


def _heads(queues: dict[Path, deque[_Job]]) -> list[_Job]:
    """The next job of each node whose subtree is apart from the others' (taken off
    their queues)."""
    batch: list[_Job] = []
    nodes: set[Path] = set()
    above: set[Path] = set()  # the nodes taken and their ancestors
    for path in list(queues):
        if path in above or any(path[:k] in nodes for k in range(len(path))):
            continue
        queue = queues[path]
        batch.append(queue.popleft())
        if not queue:
            del queues[path]
        nodes.add(path)
        above.update(path[:k] for k in range(len(path) + 1))
    return batch


def _node(tree: Tree, path: Path) -> Node | None:
    try:
        return tree[path]
    except KeyError:
        return None


def _answer_of(node: Node | None) -> Answer | None:
    return None if node is None else node.answer


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to write ``total`` as ``parts`` numbers >= 0, in order."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)
