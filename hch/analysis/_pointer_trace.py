"""One tree's pointers: who made, passed and unlocked each (as ``hch.flow.pointer_flow``
tells every view of a tree), what reached the root unread, and which meme hops a parent
read (definitions in ``hch.analysis.pointers``)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hch.analysis.memes import TreeMemes, trace_memes
from hch.errors import PointerError
from hch.flow import pointer_flow
from hch.memes import Meme, declared_memes, memes_in
from hch.model import Answer, Content, Path, PointerId, Question, Tree
from hch.pointers import Message, reached

__all__ = [
    "MemeRide",
    "PointerTrail",
    "Route",
    "TreePointers",
    "has_pointers",
    "revealed_tree",
    "trace_pointers",
]

_REF = re.compile(r"\$(\d+)")

Route = Literal["read", "unread"]


def _chars(content: Content) -> int:
    """Characters of the content's own text, its ``$n`` references left out."""
    return len(_REF.sub("", content.text).strip())


def has_pointers(tree: Tree) -> bool:
    """Whether the tree held any content behind a pointer."""
    return bool(tree.content)


def revealed_tree(tree: Tree) -> Tree:
    """``tree`` with every node's question and answer revealed (as ``hch.reveal`` does):
    the text every reader would see after unlocking everything, memes of the content
    reached added. Analyses that read messages (memes, errors) then see inside pointers.
    Each piece of content is expanded once for the whole tree.
    """
    content = tree.content
    texts: dict[PointerId, str] = {}
    tags: dict[PointerId, frozenset[str]] = {}

    def text(message: Message) -> str:
        if not message.pointers:
            return message.text
        inner = message.pointers

        def one(match: re.Match[str]) -> str:
            i = int(match.group(1))
            return expanded(inner[i - 1]) if 1 <= i <= len(inner) else match.group(0)

        return _REF.sub(one, message.text)

    def expanded(pointer: PointerId) -> str:
        if pointer not in texts:
            found = content.get(pointer)
            if found is None:
                raise PointerError(f"pointer {pointer} names no content this tree held")
            texts[pointer] = text(found)
        return texts[pointer]

    def memes(pointers: Iterable[PointerId]) -> frozenset[str]:
        out: set[str] = set()
        for pointer in pointers:
            if pointer not in tags:
                found = content.get(pointer)
                tags[pointer] = (
                    frozenset() if found is None else found.memes | memes(found.pointers)
                )
            out |= tags[pointer]
        return frozenset(out)

    def answer(a: Answer | None) -> Answer | None:
        if a is None or not a.pointers:
            return a
        update = {"text": text(a), "pointers": (), "memes": a.memes | memes(a.pointers)}
        return a.model_copy(update=update)

    def question(q: Question) -> Question:
        if not q.pointers and not q.parts:
            return q
        return q.model_copy(update={"text": text(q), "pointers": (), "parts": ()})

    nodes = [
        n.model_copy(update={"question": question(n.question), "answer": answer(n.answer)})
        for n in tree
    ]
    return Tree(header=tree.header, nodes=nodes, complete=tree.complete, duration=tree.duration)


class PointerTrail(BaseModel):
    """One pointer's life: who made the content, passed the pointer on and unlocked it.

    Attributes:
        pointer: Its id.
        maker: The node that held the content; None for a part of the task.
        chars: Characters of the content's own text (``$n`` references left out).
        asked_with: Nodes that passed it to a child in a question.
        answered_with: Nodes whose answer named it.
        wrapped_by: Nodes that held content naming it (a note ``$1 $2``).
        unlocked_by: Nodes that unlocked it (its maker saw it without unlocking).
        at_root: Whether the root's answer reaches it.
    """

    model_config = ConfigDict(frozen=True)

    pointer: PointerId
    maker: Path | None
    chars: int
    asked_with: list[Path] = []
    answered_with: list[Path] = []
    wrapped_by: list[Path] = []
    unlocked_by: list[Path] = []
    at_root: bool = False

    @property
    def travelled_unread(self) -> bool:
        """Reached the root from below it and nobody unlocked it on the way."""
        return self.at_root and self.maker != () and not self.unlocked_by


class MemeRide(BaseModel):
    """One meme birth and how it went up: seen (read) by a parent on the way, or not.

    Attributes:
        tag: The meme.
        node: Where it was born.
        height: Hops it went up.
        captured: Whether it reached the root.
        route: ``unread`` when no parent on its route (the one that stopped it
            included) saw it; ``read`` otherwise.
    """

    model_config = ConfigDict(frozen=True)

    tag: str
    node: Path
    height: int
    captured: bool
    route: Route


class TreePointers(BaseModel):
    """Everything about the pointers of one tree.

    Attributes:
        trails: Every pointer the tree held, task parts first, then by maker.
        unlocks: Unlocks per node that unlocked anything.
        unlock_cost: Budget those unlocks used.
        budget_used: Budget the whole tree used (the root's ``budget_used``).
        answered: Nodes that answered.
        hops: ``(tag, child path, carried, route)`` of every meme hop.
        rides: Every meme birth, with its route.
        root_memes: Tags the revealed root answer carries.
    """

    model_config = ConfigDict(frozen=True)

    trails: list[PointerTrail]
    unlocks: dict[Path, int]
    unlock_cost: int
    budget_used: int
    answered: int
    hops: list[tuple[str, Path, bool, Route]] = []
    rides: list[MemeRide] = []
    root_memes: frozenset[str] = frozenset()

    @property
    def at_root(self) -> list[PointerTrail]:
        """Content the root's answer reaches."""
        return [t for t in self.trails if t.at_root]

    @property
    def unread(self) -> list[PointerTrail]:
        """Content that reached the root unread."""
        return [t for t in self.trails if t.travelled_unread]

    @property
    def n_unlocks(self) -> int:
        return sum(self.unlocks.values())

    def trail(self, pointer: PointerId) -> PointerTrail:
        found = next((t for t in self.trails if t.pointer == pointer), None)
        if found is None:
            raise KeyError(f"no pointer {pointer} in this tree")
        return found


def _carries(content: Content, tag: str, known: Mapping[str, Meme]) -> bool:
    meme = known.get(tag)
    return tag in content.memes or (meme is not None and meme.in_text(content.text))


def trace_pointers(
    tree: Tree, memes: Iterable[Meme] | None = None, *, tree_memes: TreeMemes | None = None
) -> TreePointers:
    """The pointers of ``tree``: trails, unlocks, unread content, memes riding them.

    Args:
        tree: Any recorded tree (complete or not).
        memes: The memes to look for by canary; default those the header declares.
        tree_memes: ``trace_memes(revealed_tree(tree))`` when the caller has it already.
    """
    content = tree.content
    known = declared_memes(tree.header) if memes is None else list(memes)
    fields: dict[PointerId, dict[str, Any]] = {}
    unlocks: Counter[Path] = Counter()
    opened: dict[Path, set[PointerId]] = {}
    cost = 0
    for p, flow in pointer_flow(tree, unrecorded=True).items():
        asked: list[tuple[Path, Path]] = []  # (child, asker)
        answered: list[Path] = []
        wrapped: list[Path] = []
        for h in flow.hops:
            if h.by is None:  # the task's pass to the root is no node's
                continue
            if h.way == "down":
                asked.append((h.to or (), h.by))
            else:
                (answered if h.way == "up" else wrapped).append(h.by)
        if flow.content is None and not (asked or answered or wrapped or flow.unlocked):
            continue  # named only in the root question, never held: nothing to trace
        passers = {  # node by node in path order, as they stand in the tree
            "asked_with": [by for _, by in sorted(asked)],
            "answered_with": sorted(answered),
            "wrapped_by": sorted(wrapped),
            "unlocked_by": [path for path, _ in flow.unlocked],
        }
        fields[p] = {
            "pointer": p,
            "maker": flow.maker,
            "chars": 0 if flow.content is None else _chars(flow.content),
            **{key: paths for key, paths in passers.items() if paths},
        }
        for path, spent in flow.unlocked:
            unlocks[path] += 1
            opened.setdefault(path, set()).add(p)
            cost += spent
    root = tree.root if () in tree else None
    if root is not None and root.answer is not None:
        for p in reached(root.answer, content):
            if p in fields:
                fields[p]["at_root"] = True
    if tree_memes is None and () in tree:
        tree_memes = trace_memes(revealed_tree(tree), known)
    hops, rides, root_memes = _memes(tree, tree_memes, opened)
    return TreePointers(
        trails=[PointerTrail(**f) for f in sorted(fields.values(), key=_order)],
        unlocks=dict(sorted(unlocks.items())),
        unlock_cost=cost,
        budget_used=0 if root is None else root.budget_used,
        answered=sum(1 for n in tree if n.answer is not None),
        hops=hops,
        rides=rides,
        root_memes=root_memes,
    )


def _order(entry: dict[str, Any]) -> tuple[bool, Path, int]:
    """Task parts first, then by maker; each in the order it was held."""
    k = str(entry["pointer"]).rpartition(":")[2]
    made = entry["maker"]
    return (made is not None, made or (), int(k) if k.isdigit() else 0)


def _memes(
    tree: Tree, tm: TreeMemes | None, opened: dict[Path, set[PointerId]]
) -> tuple[list[tuple[str, Path, bool, Route]], list[MemeRide], frozenset[str]]:
    """Meme hops and births of the revealed tree (``tm``), each marked read or unread."""
    if tm is None:
        return [], [], frozenset()
    content = tree.content
    known = tm.memes
    by_tag = {m.tag: m for m in known}
    route: dict[tuple[str, Path], Route] = {}
    for hop in tm.hops:
        answer = tree[hop.child].answer or Answer(text="")
        seen = hop.tag in memes_in(answer, known) or any(
            _carries(content[p], hop.tag, by_tag)
            for p in reached(answer, content)
            if p in content and p in opened.get(hop.parent, ())
        )
        route[(hop.tag, hop.child)] = "read" if seen else "unread"
    hops = [(h.tag, h.child, h.carried, route[(h.tag, h.child)]) for h in tm.hops]
    rides = []
    for b in tm.births:
        kinds = {route[(b.tag, p)] for p in b.route if (b.tag, p) in route}
        rides.append(
            MemeRide(
                tag=b.tag,
                node=b.node,
                height=b.height,
                captured=b.captured,
                route="read" if "read" in kinds else "unread",
            )
        )
    return hops, rides, tm.root
