"""Two trees compared node by node, by path: what changed, and how far up it travelled.

Typical use: a recorded tree against a counterfactual run of it (an intervention at one
node), or two runs of one question. A node present in both trees *changed* when its
answer or its status differs; a node only in the second tree was *added*, one only in
the first *removed*. Every change starts a *chain*: the change and the ancestors above
it that changed too, up to the first ancestor that did not (where the change was
masked) or up to the root.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from hch.errors import PointerError
from hch.flow import REVEALED, annotate, passed_down
from hch.model import (
    Answer,
    Content,
    Hold,
    Node,
    Path,
    PointerId,
    Status,
    Tree,
    Unlock,
    format_path,
)
from hch.pointers import reveal

__all__ = ["Chain", "NodeChange", "TreeDiff", "diff"]

ChangeKind = Literal["changed", "added", "removed"]

ASPECTS = ("answer", "pointers", "status", "held", "unlocked", "passed", "revealed")
"""What can change at a node present in both trees (see ``NodeChange.aspects``)."""


class NodeChange(BaseModel):
    """How one node differs between tree ``a`` and tree ``b``.

    Attributes:
        path: The node.
        kind: ``changed`` (in both trees), ``added`` (only in ``b``) or ``removed``
            (only in ``a``).
        answer_changed: In both trees, with different answers (text, data, memes or
            the pointers passed up with it).
        status_changed: In both trees, with different statuses.
        held_changed: In both trees, holding different content (``ctx.hold``).
        unlocked_changed: In both trees, unlocking different pointers.
        passed_changed: In both trees, passing different pointers down to its children.
        revealed_changed: In both trees, with answers that read differently once every
            pointer in them is unlocked (for equal answers: their content differs).
        answer_a: The node's answer in ``a`` (None where absent or unanswered).
        answer_b: The node's answer in ``b``.
        status_a: The node's status in ``a`` (None where absent).
        status_b: The node's status in ``b``.
        held_a: Where ``held_changed``: what it held in ``a``, by pointer.
        held_b: What it held in ``b``.
        unlocked_a: Where ``unlocked_changed``: the pointers it unlocked in ``a``.
        unlocked_b: The pointers it unlocked in ``b``.
        passed_a: Where ``passed_changed``: the pointers it passed to each child in
            ``a``, by the child's id.
        passed_b: The same in ``b``.
        revealed_a: Where ``revealed_changed``: its answer revealed in ``a``.
        revealed_b: Its answer revealed in ``b``.
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
    held_changed: bool = False
    unlocked_changed: bool = False
    passed_changed: bool = False
    revealed_changed: bool = False
    held_a: dict[PointerId, Content] = {}
    held_b: dict[PointerId, Content] = {}
    unlocked_a: list[PointerId] = []
    unlocked_b: list[PointerId] = []
    passed_a: dict[str, list[PointerId]] = {}
    passed_b: dict[str, list[PointerId]] = {}
    revealed_a: str | None = None
    revealed_b: str | None = None

    @property
    def aspects(self) -> list[str]:
        """What changed, in words: ``answer``, ``pointers`` (only the pointers of the
        answer), ``status``, ``held``, ``unlocked``, ``passed``, ``revealed``."""
        found = []
        if self.answer_changed:
            a, b = self.answer_a, self.answer_b
            same_words = (
                a is not None and b is not None and _without_pointers(a) == _without_pointers(b)
            )
            found.append("pointers" if same_words else "answer")
        flags = (
            ("status", self.status_changed),
            ("held", self.held_changed),
            ("unlocked", self.unlocked_changed),
            ("passed", self.passed_changed),
            ("revealed", self.revealed_changed),
        )
        return found + [name for name, flag in flags if flag]

    def describe(self) -> str:
        """One line: ``answer '3' -> '5'``, ``status ok -> failed``, ``added (answer '7')``,
        ``held root.0:1 '2 1' -> '1 2'``, ``revealed '6 5' -> '5 6'``."""
        if self.kind == "added":
            return f"added ({_outcome(self.answer_b, self.status_b)})"
        if self.kind == "removed":
            return f"removed (was {_outcome(self.answer_a, self.status_a)})"
        parts = []
        aspects = self.aspects
        if "answer" in aspects:
            parts.append(f"answer {_short(self.answer_a)} -> {_short(self.answer_b)}")
        if "pointers" in aspects:
            parts.append(
                f"same text, other pointers: {_short(self.answer_a)} -> {_short(self.answer_b)}"
            )
        if self.status_changed:
            parts.append(f"status {self.status_a} -> {self.status_b}")
        if self.held_changed:
            parts.append("held " + _held_change(self.held_a, self.held_b))
        if self.unlocked_changed:
            parts.append(f"unlocked {_ids(self.unlocked_a)} -> {_ids(self.unlocked_b)}")
        if self.passed_changed:
            parts.append(f"passed down {_passes(self.passed_a)} -> {_passes(self.passed_b)}")
        if self.revealed_changed:
            parts.append(f"revealed {_quote(self.revealed_a)} -> {_quote(self.revealed_b)}")
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
        same: How many nodes are in both trees alike (answer, status, pointers).
        root_changed: The root's answer, status, pointers or revealed answer differ, or
            only one tree has a root.
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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def root_revealed_changed(self) -> bool:
        """The root's answer reads differently once its pointers are unlocked: what the
        tree delivered differs, even where the root's own answer is the same."""
        root = self.get(())
        return root is not None and root.revealed_changed

    def aspects(self) -> dict[str, int]:
        """How many changed nodes differ in each aspect (``NodeChange.aspects``)."""
        counts = dict.fromkeys(ASPECTS, 0)
        for c in self.changes:
            for aspect in c.aspects:
                counts[aspect] += 1
        return {k: n for k, n in counts.items() if n}

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
        aspects = self.aspects()
        if aspects:
            lines.append("what changed: " + ", ".join(f"{k} {n}" for k, n in aspects.items()))
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
        change = _compare(path, in_a.get(path), in_b.get(path), a, b)
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


def _compare(path: Path, x: Node | None, y: Node | None, a: Tree, b: Tree) -> NodeChange | None:
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
    held = _held(x), _held(y)
    unlocked = _unlocked(x), _unlocked(y)
    passed = _passed(a, x), _passed(b, y)
    read = _revealed(x.answer, a.content), _revealed(y.answer, b.content)
    flags = {
        "answer_changed": x.answer != y.answer,
        "status_changed": x.status != y.status,
        "held_changed": held[0] != held[1],
        "unlocked_changed": unlocked[0] != unlocked[1],
        "passed_changed": passed[0] != passed[1],
        "revealed_changed": read[0] != read[1],
    }
    if not any(flags.values()):
        return None
    details: dict[str, object] = {}
    for name, pair in (("held", held), ("unlocked", unlocked), ("passed", passed)):
        if flags[f"{name}_changed"]:
            details[f"{name}_a"], details[f"{name}_b"] = pair
    if flags["revealed_changed"]:
        details["revealed_a"], details["revealed_b"] = (
            r.text if r is not None else None for r in read
        )
    return NodeChange.model_validate(
        {
            "path": path,
            "kind": "changed",
            "answer_a": x.answer,
            "answer_b": y.answer,
            "status_a": x.status,
            "status_b": y.status,
            **flags,
            **details,
        }
    )


def _held(node: Node) -> dict[PointerId, Content]:
    return {e.pointer: e.content for e in node.events if isinstance(e, Hold)}


def _unlocked(node: Node) -> list[PointerId]:
    return [e.pointer for e in node.events if isinstance(e, Unlock)]


def _passed(tree: Tree, node: Node) -> dict[str, list[PointerId]]:
    return {format_path(p): list(ps) for p, ps in passed_down(tree, node).items()}


def _revealed(answer: Answer | None, content: Mapping[PointerId, Content]) -> Answer | None:
    """The answer as its asker reads it with every pointer unlocked; None where it has
    no pointers (its text says it all) or names content the trace lacks."""
    if answer is None or not answer.pointers:
        return None
    try:  # bounded: a hand-made trace's content can double at every level
        return reveal(answer, content, limit=REVEALED)
    except PointerError:
        return None


def _without_pointers(answer: Answer) -> Answer:
    return answer.model_copy(update={"pointers": ()})


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
    """An answer's text with its pointers (``'$1'→root.0:1``), quoted with control
    characters escaped, cut to ``width``."""
    if answer is None:
        return "none"
    return _quote(annotate(answer), width)


def _quote(text: str | None, width: int = 40) -> str:
    if text is None:
        return "none"
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _ids(pointers: list[PointerId]) -> str:
    return "[" + ", ".join(_quote(p, 24)[1:-1] for p in pointers) + "]"


def _passes(passed: dict[str, list[PointerId]]) -> str:
    return "{" + ", ".join(f"{child}: {_ids(ps)}" for child, ps in passed.items()) + "}"


def _held_change(a: dict[PointerId, Content], b: dict[PointerId, Content]) -> str:
    """``root.0:1 '2 1' -> '1 2'``, ``+root.0:2 'x'``, ``-root.0:3``: each pointer whose
    content differs."""
    out = []
    for p in sorted(a.keys() | b.keys()):
        x, y = a.get(p), b.get(p)
        name = _quote(p, 24)[1:-1]
        if x is None:
            out.append(f"+{name} {_quote(annotate(y))}" if y is not None else name)
        elif y is None:
            out.append(f"-{name}")
        elif x != y:
            out.append(f"{name} {_quote(annotate(x))} -> {_quote(annotate(y))}")
    return ", ".join(out)
