"""Two trees compared node by node, by path: what changed, and how far up it travelled.

Typical use: a recorded tree against a counterfactual run of it (an intervention at one
node), or two runs of one question. A node present in both trees *changed* when its
answer or its status differs; a node only in the second tree was *added*, one only in
the first *removed*. Every change starts a *chain*: the change and the ancestors above
it that changed too, up to the first ancestor that did not (where the change was
masked) or up to the root.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from hch.model import Answer, Node, Path, Status, Tree, format_path

__all__ = ["Chain", "NodeChange", "TreeDiff", "diff"]

ChangeKind = Literal["changed", "added", "removed"]


class NodeChange(BaseModel):
    """How one node differs between tree ``a`` and tree ``b``.

    Attributes:
        path: The node.
        kind: ``changed`` (in both trees), ``added`` (only in ``b``) or ``removed``
            (only in ``a``).
        answer_changed: In both trees, with different answers (text, data or memes).
        status_changed: In both trees, with different statuses.
        answer_a: The node's answer in ``a`` (None where absent or unanswered).
        answer_b: The node's answer in ``b``.
        status_a: The node's status in ``a`` (None where absent).
        status_b: The node's status in ``b``.
    """

    model_config = ConfigDict(frozen=True)

    path: Path
    kind: ChangeKind
    answer_changed: bool = False
    status_changed: bool = False
    answer_a: Answer | None = None
    answer_b: Answer | None = None
    status_a: Status | None = None
    status_b: Status | None = None

    def describe(self) -> str:
        """One line: ``answer '3' -> '5'``, ``status ok -> failed``, ``added (answer '7')``."""
        if self.kind == "added":
            return f"added ({_outcome(self.answer_b, self.status_b)})"
        if self.kind == "removed":
            return f"removed (was {_outcome(self.answer_a, self.status_a)})"
        parts = []
        if self.answer_changed:
            parts.append(f"answer {_short(self.answer_a)} -> {_short(self.answer_b)}")
        if self.status_changed:
            parts.append(f"status {self.status_a} -> {self.status_b}")
        return "; ".join(parts)


class Chain(BaseModel):
    """A change and the ancestors above it that changed with it.

    Attributes:
        source: Where the change starts: a changed node none of whose children
            changed (the intervened node of a counterfactual), or the top of an added
            or removed subtree.
        changed: ``source`` and each ancestor above it that changed too, lowest first.
        stops_at: The first ancestor above ``changed`` that is the same in both trees
            (the change was masked there); None when the chain reaches the root or an
            ancestor neither tree recorded.
    """

    model_config = ConfigDict(frozen=True)

    source: Path
    changed: list[Path]
    stops_at: Path | None = None

    @property
    def reaches_root(self) -> bool:
        return self.changed[-1] == ()

    def describe(self) -> str:
        """``root.1.0 -> root.1 -> root (reaches the root)``."""
        links = " -> ".join(format_path(p) for p in self.changed)
        if self.reaches_root:
            return f"{links} (reaches the root)"
        if self.stops_at is not None:
            return f"{links} (stops at {format_path(self.stops_at)}, unchanged)"
        return f"{links} (stops below an unrecorded node)"


class TreeDiff(BaseModel):
    """What differs between two trees, by path. ``str(d)`` is a readable summary.

    Attributes:
        changes: Every node that differs, in path order.
        same: How many nodes are in both trees with equal answer and status.
        root_changed: The root's answer or status differs, or only one tree has a root.
        chains: One per source of change, in path order of their sources.
    """

    model_config = ConfigDict(frozen=True)

    changes: list[NodeChange]
    same: int
    root_changed: bool
    chains: list[Chain]

    @property
    def identical(self) -> bool:
        """No node differs."""
        return not self.changes

    def get(self, path: Path) -> NodeChange | None:
        """The change at ``path``, or None where the node is the same (or in neither)."""
        return next((c for c in self.changes if c.path == tuple(path)), None)

    def paths(self, kind: ChangeKind) -> list[Path]:
        """The paths of every change of ``kind``, in path order."""
        return [c.path for c in self.changes if c.kind == kind]

    def text(self, limit: int = 40) -> str:
        """A readable report: counts, up to ``limit`` changed nodes, and the chains."""
        if self.identical:
            return f"the trees are the same ({self.same} nodes)"
        counts = {kind: len(self.paths(kind)) for kind in ("changed", "added", "removed")}
        head = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        lines = [f"{len(self.changes)} nodes differ ({head}; {self.same} the same)"]
        root = self.get(())
        if root is not None:
            lines.append(f"the root changed: {root.describe()}")
        else:
            lines.append("the root is the same")
        width = max(len(format_path(c.path)) for c in self.changes[:limit])
        lines += [f"  {format_path(c.path):<{width}}  {c.describe()}" for c in self.changes[:limit]]
        if len(self.changes) > limit:
            lines.append(f"  ... and {len(self.changes) - limit} more")
        lines.append("chains, from each change up:")
        lines += [f"  {chain.describe()}" for chain in self.chains[:limit]]
        if len(self.chains) > limit:
            lines.append(f"  ... and {len(self.chains) - limit} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def diff(a: Tree, b: Tree) -> TreeDiff:
    """Compare ``a`` and ``b`` node by node (aligned by path); see ``TreeDiff``."""
    changes: dict[Path, NodeChange] = {}
    same: set[Path] = set()
    in_a, in_b = {n.path: n for n in a}, {n.path: n for n in b}
    for path in sorted(in_a.keys() | in_b.keys()):
        change = _compare(path, in_a.get(path), in_b.get(path))
        if change is None:
            same.add(path)
        else:
            changes[path] = change
    return TreeDiff(
        changes=list(changes.values()),
        same=len(same),
        root_changed=() in changes,
        chains=_chains(changes, same),
    )


def _compare(path: Path, x: Node | None, y: Node | None) -> NodeChange | None:
    if x is None or y is None:
        node = x or y
        assert node is not None
        kind: ChangeKind = "removed" if y is None else "added"
        side = "a" if y is None else "b"
        return NodeChange.model_validate(
            {
                "path": path,
                "kind": kind,
                f"answer_{side}": node.answer,
                f"status_{side}": node.status,
            }
        )
    answer_changed = x.answer != y.answer
    status_changed = x.status != y.status
    if not (answer_changed or status_changed):
        return None
    return NodeChange(
        path=path,
        kind="changed",
        answer_changed=answer_changed,
        status_changed=status_changed,
        answer_a=x.answer,
        answer_b=y.answer,
        status_a=x.status,
        status_b=y.status,
    )


def _chains(changes: dict[Path, NodeChange], same: set[Path]) -> list[Chain]:
    """A chain from every source of change up to where the change stops.

    A changed node is a source unless a child of it changed (then it lies on that
    child's chain); the top of an added or removed subtree is one unless its parent
    changed (the parent's change explains it).
    """
    below = {path[:-1] for path, change in changes.items() if change.kind == "changed" and path}
    chains = []
    for path, change in changes.items():
        if change.kind == "changed":
            source = path not in below
        else:
            parent = changes.get(path[:-1]) if path else None
            source = parent is None or parent.kind not in ("changed", change.kind)
        if source:
            chains.append(_chain(path, changes, same))
    return chains


def _chain(source: Path, changes: dict[Path, NodeChange], same: set[Path]) -> Chain:
    changed = [source]
    for depth in range(len(source) - 1, -1, -1):
        ancestor = source[:depth]
        if ancestor not in changes:
            return Chain(
                source=source, changed=changed, stops_at=ancestor if ancestor in same else None
            )
        changed.append(ancestor)
    return Chain(source=source, changed=changed)


def _outcome(answer: Answer | None, status: Status | None) -> str:
    return f"answer {_short(answer)}" if answer is not None else f"status {status}"


def _short(answer: Answer | None, width: int = 40) -> str:
    """An answer's text, quoted with control characters escaped, cut to ``width``."""
    if answer is None:
        return "none"
    text = answer.text if len(answer.text) <= width else answer.text[: width - 1] + "…"
    return repr(text)
