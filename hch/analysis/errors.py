"""Why a tree got it wrong: each node judged, each wrong node classed, each error followed up.

Definitions (a node's children are the nodes it asked):

* A node is **right** or **wrong** when the task can check its answer, else **unknown**
  (no answer, a question the task cannot read, or a task that checks only the root).
* A wrong node is **originating** when none of its checked children is wrong (a leaf
  counts: it has no children), and **propagating** when a child is wrong too. So every
  wrong node has exactly one of the two roles.
* A right node with a wrong child is **correcting**: it masked or fixed that error.
* An error is followed from each originating node up through wrong ancestors. It stops
  at the first right ancestor (*corrected* there), reaches the root (*root*), or meets an
  unknown or missing ancestor (*lost*: nothing says what became of it). The levels it
  travelled are the wrong ancestors it reached.

These are observations of answers, not causes: a propagating node may add a slip of its
own, and a correcting node may be right by luck. Exact blame needs counterfactuals.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from hch.graph import to_graph
from hch.model import Path, Tree
from hch.tasks import NodeChecker

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Checks",
    "DepthErrors",
    "ErrorTrail",
    "Fate",
    "Role",
    "TreeErrors",
    "Verdict",
    "tree_errors",
]


class Verdict(StrEnum):
    """Whether a node's answer is right, as far as the task can tell."""

    RIGHT = "right"
    WRONG = "wrong"
    UNKNOWN = "unknown"


class Role(StrEnum):
    """A node's part in the tree's errors."""

    ORIGINATING = "originating"
    """Wrong, and no checked child is wrong: the error was born here."""
    PROPAGATING = "propagating"
    """Wrong, and a child is wrong too: it passed an error on (maybe adding its own)."""
    CORRECTING = "correcting"
    """Right, though a child is wrong: it masked or fixed the error."""


class Fate(StrEnum):
    """What became of an error on its way up."""

    CORRECTED = "corrected"
    ROOT = "root"
    LOST = "lost"


class Checks(StrEnum):
    """What the task could judge in a tree."""

    NODES = "nodes"
    """Every node (the task is a ``NodeChecker``)."""
    ROOT = "root"
    """Only the root, against the truth in the trace header."""
    NONE = "none"
    """Nothing: no task, or no truth to check against."""


class ErrorTrail(BaseModel):
    """One error, from the node where it was born up to where it stopped.

    Attributes:
        path: The originating node first, then each wrong ancestor it reached in turn.
        fate: Corrected, reached the root, or lost (an unknown or missing ancestor).
        stop: The ancestor that stopped it (right, or unknown/missing); None at the root.
    """

    model_config = ConfigDict(frozen=True)

    path: tuple[Path, ...]
    fate: Fate
    stop: Path | None

    @property
    def origin(self) -> Path:
        return self.path[0]

    @property
    def levels(self) -> int:
        """Levels the error travelled up while still wrong (0: stopped at its parent)."""
        return len(self.path) - 1


class DepthErrors(BaseModel):
    """Node counts at one depth: verdicts and roles."""

    model_config = ConfigDict(frozen=True)

    depth: int
    nodes: int = 0
    right: int = 0
    wrong: int = 0
    originating: int = 0
    propagating: int = 0
    correcting: int = 0

    @property
    def checked(self) -> int:
        return self.right + self.wrong

    @property
    def unknown(self) -> int:
        return self.nodes - self.checked

    @property
    def accuracy(self) -> float | None:
        """Right among checked nodes; None when none was checked."""
        return self.right / self.checked if self.checked else None

    @property
    def origin_rate(self) -> float | None:
        """Errors born per checked node."""
        return self.originating / self.checked if self.checked else None

    @property
    def exposed(self) -> int:
        """Nodes with a wrong child: the ones that either propagated or corrected."""
        return self.propagating + self.correcting

    @property
    def propagation_rate(self) -> float | None:
        """Of the nodes with a wrong child, the share that was wrong too."""
        return self.propagating / self.exposed if self.exposed else None

    @property
    def correction_rate(self) -> float | None:
        """Of the nodes with a wrong child, the share that was right."""
        return self.correcting / self.exposed if self.exposed else None

    def __add__(self, other: DepthErrors) -> DepthErrors:
        """Counts of the same depth summed (over trees)."""
        if other.depth != self.depth:
            raise ValueError(f"cannot add depth {other.depth} counts to depth {self.depth}")
        counts = {
            name: getattr(self, name) + getattr(other, name)
            for name in DepthErrors.model_fields
            if name != "depth"
        }
        return DepthErrors(depth=self.depth, **counts)


class TreeErrors(BaseModel):
    """One tree's errors: verdicts, roles, trails and counts by depth.

    Attributes:
        checks: What the task could judge (every node, the root only, nothing).
        verdicts: Every recorded node's verdict, by path.
        roles: The role of each node that has one (wrong nodes, correcting nodes).
        trails: One per originating node, ordered by path.
        depths: Counts at each depth from 0 to the deepest node.
    """

    model_config = ConfigDict(frozen=True)

    checks: Checks
    verdicts: dict[Path, Verdict]
    roles: dict[Path, Role]
    trails: list[ErrorTrail]
    depths: list[DepthErrors]

    @property
    def root(self) -> Verdict:
        return self.verdicts.get((), Verdict.UNKNOWN)

    def having(self, role: Role) -> list[Path]:
        """Paths of the nodes with ``role``, in path order."""
        return sorted(p for p, r in self.roles.items() if r is role)

    @property
    def root_trails(self) -> list[ErrorTrail]:
        """The trails that reached the root: where a wrong root's error came from."""
        return [t for t in self.trails if t.fate is Fate.ROOT]


def tree_errors(tree: Tree, task: Any = None) -> TreeErrors:
    """Judge every node of ``tree`` with ``task``, class the errors and follow each one up.

    A ``NodeChecker`` task judges every node; any other ``Task`` judges the root alone,
    against the truth in the trace header. Without a task nothing is judged.
    """
    g = to_graph(tree, task=task)
    if isinstance(task, NodeChecker):
        checks = Checks.NODES
    elif () in g and g.nodes[()]["correct"] is not None:
        checks = Checks.ROOT
    else:
        checks = Checks.NONE
    verdicts = {path: _verdict(data["correct"]) for path, data in g.nodes(data=True)}
    roles = {path: role for path in g if (role := _role(g, path, verdicts)) is not None}
    trails = [
        _trail(g, path, verdicts) for path in sorted(roles) if roles[path] is Role.ORIGINATING
    ]
    return TreeErrors(
        checks=checks,
        verdicts=verdicts,
        roles=roles,
        trails=trails,
        depths=_by_depth(verdicts, roles),
    )


def _verdict(correct: bool | None) -> Verdict:
    if correct is None:
        return Verdict.UNKNOWN
    return Verdict.RIGHT if correct else Verdict.WRONG


def _role(g: nx.DiGraph, path: Path, verdicts: dict[Path, Verdict]) -> Role | None:
    wrong_child = any(verdicts[c] is Verdict.WRONG for c in g.successors(path))
    verdict = verdicts[path]
    if verdict is Verdict.WRONG:
        return Role.PROPAGATING if wrong_child else Role.ORIGINATING
    if verdict is Verdict.RIGHT and wrong_child:
        return Role.CORRECTING
    return None


def _trail(g: nx.DiGraph, origin: Path, verdicts: dict[Path, Verdict]) -> ErrorTrail:
    path = [origin]
    while True:
        parents = list(g.predecessors(path[-1]))
        if not parents:  # the root, or a node whose parent the trace lacks
            reached_root = path[-1] == ()
            stop = None if reached_root else path[-1][:-1]
            return ErrorTrail(
                path=tuple(path), fate=Fate.ROOT if reached_root else Fate.LOST, stop=stop
            )
        parent = parents[0]
        verdict = verdicts[parent]
        if verdict is Verdict.WRONG:
            path.append(parent)
            continue
        fate = Fate.CORRECTED if verdict is Verdict.RIGHT else Fate.LOST
        return ErrorTrail(path=tuple(path), fate=fate, stop=parent)


def _by_depth(verdicts: dict[Path, Verdict], roles: dict[Path, Role]) -> list[DepthErrors]:
    deepest = max((len(p) for p in verdicts), default=-1)
    counts: list[dict[str, int]] = [{} for _ in range(deepest + 1)]
    for path, verdict in verdicts.items():
        row = counts[len(path)]
        row["nodes"] = row.get("nodes", 0) + 1
        if verdict is not Verdict.UNKNOWN:
            row[verdict.value] = row.get(verdict.value, 0) + 1
        if (role := roles.get(path)) is not None:
            row[role.value] = row.get(role.value, 0) + 1
    return [DepthErrors(depth=d, **row) for d, row in enumerate(counts)]
