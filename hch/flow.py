"""Who made, passed and unlocked each pointer of a recorded tree: what every view of a
tree (``hch show``, ``hch view``, ``hch diff``, ``hch export``) shows of its pointers.

A pointer is *made* by the task (the root question's parts, ``task:1``) or by a node
(``ctx.hold``, ``root.0:1``). It is *passed* down when a node asks a child with it (the
task passes the root question's pointers to the root) and up when a node answers with it
(the root's answer goes up to whoever asked the tree); a node that holds new content
naming pointers passes them *into* that content. A node *saw* a pointer's content
only if it made it or unlocked it: a pass by a node that did neither is *unread*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hch.errors import PointerError
from hch.model import Answer, Content, Hold, Node, Path, PointerId, Question, Tree, Unlock
from hch.pointers import REF, expand, maker

__all__ = [
    "Hop",
    "PointerFlow",
    "annotate",
    "passed_down",
    "pointer_flow",
    "revealed",
    "seen",
    "unread_by",
]


Way = Literal["down", "up", "into"]


class Hop(BaseModel):
    """One pass of a pointer from one place of the tree to another.

    Attributes:
        pointer: The pointer passed.
        by: Who passed it: a node, or None for the task (the root question's pointers).
        to: Who got it: a node, or None for whoever asked the tree (the root's answer).
        way: ``down`` (in a question to a child), ``up`` (in an answer to the parent) or
            ``into`` (inside content the node held, ``into``; ``to`` is the node itself).
        into: For ``into``: the pointer of the content that now names this one.
        read: Whoever passed it had seen the content (made or unlocked it); the task
            always has.
    """

    model_config = ConfigDict(frozen=True)

    pointer: PointerId
    by: Path | None
    to: Path | None
    way: Way
    read: bool
    into: PointerId | None = None


class PointerFlow(BaseModel):
    """The life of one pointer in a tree.

    Attributes:
        pointer: Its id (``task:2``, ``root.0:1``).
        maker: The node that made it, or None for the task's parts.
        content: What it holds (None where the trace lacks it: a run cut off mid-way).
        hops: Every pass of it, in the order they happened.
        unlocked: Each node that unlocked it, with what that cost of its budget.
    """

    model_config = ConfigDict(frozen=True)

    pointer: PointerId
    maker: Path | None
    content: Content | None
    hops: list[Hop] = []
    unlocked: list[tuple[Path, int]] = []

    @property
    def unread(self) -> list[Hop]:
        """The passes by nodes that never saw the content."""
        return [h for h in self.hops if not h.read]


def seen(node: Node) -> set[PointerId]:
    """The pointers whose content ``node`` saw: the ones it made or unlocked."""
    return {e.pointer for e in node.events if isinstance(e, Hold | Unlock)}


def passed_down(tree: Tree, node: Node) -> dict[Path, tuple[PointerId, ...]]:
    """The pointers ``node`` passed to each recorded child that got any."""
    return {c.path: c.question.pointers for c in tree.children(node) if c.question.pointers}


def pointer_flow(tree: Tree, *, unrecorded: bool = False) -> dict[PointerId, PointerFlow]:
    """Every pointer of ``tree`` (its content, and any named but not held) with who made,
    passed and unlocked it; the task's parts first, then in path order of their makers.

    Args:
        tree: Any recorded tree (complete or not).
        unrecorded: Keep the passes down by parents the trace lacks (a run cut off
            before they ended) too, as unread: what such a parent saw is not recorded.
            By default they are left out.
    """
    content = tree.content
    hops: dict[PointerId, list[tuple[float, Hop]]] = {}
    unlocked: dict[PointerId, list[tuple[Path, int]]] = {}
    sights: dict[Path, set[PointerId]] = {}

    def saw(by: Path | None, pointer: PointerId) -> bool:
        if by is None:  # the task
            return True
        if by not in tree:
            return False
        if by not in sights:
            sights[by] = seen(tree[by])
        return pointer in sights[by]

    def add(
        pointers: Iterable[PointerId],
        by: Path | None,
        to: Path | None,
        way: Way,
        at: float,
        into: PointerId | None = None,
    ) -> None:
        for p in pointers:
            hop = Hop(pointer=p, by=by, to=to, way=way, read=saw(by, p), into=into)
            hops.setdefault(p, []).append((at, hop))

    for node in tree:
        if not node.events and not node.question.pointers and not _answer_pointers(node):
            continue  # most nodes of most trees: nothing to do with pointers
        if not node.path:
            add(node.question.pointers, None, (), "down", node.start)
        elif unrecorded or node.path[:-1] in tree:
            add(node.question.pointers, node.path[:-1], node.path, "down", node.start)
        if node.answer is not None:
            add(node.answer.pointers, node.path, node.parent, "up", node.end)
        for e in node.events:
            if isinstance(e, Unlock):
                unlocked.setdefault(e.pointer, []).append((node.path, e.cost))
            elif isinstance(e, Hold):
                add(e.content.pointers, node.path, node.path, "into", node.end, e.pointer)
    pointers = list(content) + [p for p in {**hops, **unlocked} if p not in content]
    return {
        p: PointerFlow(
            pointer=p,
            maker=maker(p),
            content=content.get(p),
            hops=[hop for _, hop in sorted(hops.get(p, []), key=_hop_order)],
            unlocked=unlocked.get(p, []),
        )
        for p in pointers
    }


def _answer_pointers(node: Node) -> tuple[PointerId, ...]:
    return node.answer.pointers if node.answer is not None else ()


def unread_by(flow: dict[PointerId, PointerFlow]) -> dict[Path, tuple[PointerId, ...]]:
    """The pointers each node passed on (up, down or into content) without seeing them."""
    found: dict[Path, dict[PointerId, None]] = {}
    for f in flow.values():
        for hop in f.unread:
            if hop.by is not None:
                found.setdefault(hop.by, {})[f.pointer] = None
    return {path: tuple(ps) for path, ps in found.items()}


REVEALED = 1_000_000
"""Longest text ``revealed`` builds: a hand-made trace's content can name itself twice
and double at every level."""


def revealed(
    message: Question | Answer | Content, content: Mapping[PointerId, Content]
) -> str | None:
    """The message's text with every pointer expanded (what a reader who unlocks all of
    it reads); None where it has no pointers, names content the trace lacks, or would
    be longer than ``REVEALED``."""
    if not message.pointers:
        return None
    try:
        return expand(message, content, limit=REVEALED)
    except PointerError:
        return None


_WAY = {"down": 0, "into": 1, "up": 2}


def _hop_order(item: tuple[float, Hop]) -> tuple[float, int, int, Path]:
    """When it happened: a pass down as the child started, into content and up as the
    passer ended (a node holds before it answers); then by depth, the deeper first for
    passes up, so hand-made trees without timings still read in travel order."""
    at, hop = item
    depth = len(hop.by) if hop.by is not None else -1
    return (at, _WAY[hop.way], -depth if hop.way != "down" else depth, hop.by or ())


def annotate(message: Question | Answer | Content) -> str:
    """The message's text with each ``$i`` followed by the pointer it names
    (``$1→root.0:1``); pointers the text does not name are listed after it."""
    if not message.pointers:
        return message.text
    named: set[int] = set()

    def one(match: re.Match[str]) -> str:
        i = int(match.group(1))
        if not 1 <= i <= len(message.pointers):
            return match.group(0)
        named.add(i)
        return f"${i}→{message.pointers[i - 1]}"

    text = REF.sub(one, message.text)
    rest = [f"${i}→{p}" for i, p in enumerate(message.pointers, 1) if i not in named]
    return text + (" [" + " ".join(rest) + "]" if rest else "")
