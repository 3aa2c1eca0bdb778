"""Pointers: content a tree holds, which a node sees only once it unlocks it.

In strong HCH (Patchwork, ALBA) a message may hold pointers to content the receiver
does not see: a part of the question, a child's answer, a note. A node can pass a
pointer on, to a child or up to its parent, without reading what it points to; this is
how a tree handles content too large for any one node.

Every message (``Question``, ``Answer``, ``Content``) carries its ``pointers``; ``$1`` in
its text stands for its first pointer, ``$2`` for its second. A node holds the pointers
of its question, its children's answers, the content it unlocked and the content it made
(``ctx.hold``); ``ctx.unlock(pointer)`` shows it the content for ``Limits.unlock_cost`` of
its budget. Pointers are named by who made the content (``task:1``, ``root.0:2``), so a
replay names them the same.

Agents that read text (language models, people) see the pointers of everything in front
of them numbered once for the whole node, ``$1``, ``$2``, ...: a ``Workspace`` shows
messages in that numbering and reads what they write back to pointers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from hch.errors import PointerError
from hch.model import Answer, Content, Path, PointerId, Question, format_path

__all__ = [
    "MAX_EXPANSION",
    "MAX_TEXT",
    "REF",
    "Message",
    "Workspace",
    "expand",
    "held_pointer",
    "holding",
    "maker",
    "reached",
    "reveal",
    "task_pointer",
]

Message = Question | Answer | Content
"""Anything that carries pointers."""

M = TypeVar("M", Question, Answer, Content)

REF = re.compile(r"\$(\d+)")
"""``$1``, ``$2``, ...: a pointer named by its number in a message or a workspace."""

MAX_TEXT = 10_000_000
"""Longest text ``expand`` makes (characters) before it gives up."""

MAX_EXPANSION = 64
"""How deep ``expand`` follows content inside content (pointers cannot form cycles, so
this bounds only pathological hand-made trees)."""


def task_pointer(k: int) -> PointerId:
    """The pointer to the root question's ``k``-th part (from 1)."""
    return f"task:{k}"


def held_pointer(path: Path, k: int) -> PointerId:
    """The pointer to the ``k``-th content (from 1) the node at ``path`` held."""
    return f"{format_path(path)}:{k}"


def maker(pointer: PointerId) -> Path | None:
    """The path of the node that made the content, or None for the task's parts."""
    who, _, _ = pointer.rpartition(":")
    steps = who.split(".")
    if steps[0] != "root" or not all(s.isdigit() for s in steps[1:]):
        return None  # the task's, or an id no node makes (a hand-edited trace)
    return tuple(int(i) for i in steps[1:])


def holding(
    text: str,
    parts: Sequence[Content | str],
    *,
    data: Any = None,
    pointers: Sequence[int] | None = None,
) -> Question:
    """A root question whose ``parts`` the tree holds, each behind a pointer.

    ``$1`` in ``text`` stands for the first part, unless ``pointers`` picks which parts
    (numbered from 1) the question points to: the others are then reached only through
    content that points to them (``Content(text="$1 $2", pointers=("task:2", "task:3"))``).
    """
    held = tuple(p if isinstance(p, Content) else Content(text=p) for p in parts)
    chosen = range(1, len(held) + 1) if pointers is None else pointers
    for k in chosen:
        if not 1 <= k <= len(held):
            raise ValueError(f"pointer to part {k}: the question has parts 1..{len(held)}")
    return Question(
        text=text, data=data, parts=held, pointers=tuple(task_pointer(k) for k in chosen)
    )


def expand(message: Message, content: Mapping[PointerId, Content], *, limit: int = MAX_TEXT) -> str:
    """The message's text with every ``$i`` replaced by what its pointer holds, all the
    way down: what a reader who unlocks everything would read.

    Each pointer is expanded once (content naming the same pointer twice at every level
    would otherwise double the work per level).

    Raises:
        PointerError: a pointer names no content, content is nested more than
            ``MAX_EXPANSION`` deep, or the text grows past ``limit`` characters.
    """
    done: dict[PointerId, str] = {}

    def text_of(msg: Message, depth: int) -> str:
        if not msg.pointers:
            return msg.text
        if depth >= MAX_EXPANSION:
            raise PointerError(f"content nested more than {MAX_EXPANSION} deep")

        def one(match: re.Match[str]) -> str:
            i = int(match.group(1))
            if not 1 <= i <= len(msg.pointers):
                return match.group(0)
            pointer = msg.pointers[i - 1]
            found = done.get(pointer)
            if found is None:
                held = content.get(pointer)
                if held is None:
                    raise PointerError(f"pointer {pointer} names no content this tree held")
                found = done[pointer] = text_of(held, depth + 1)
            return found

        text = REF.sub(one, msg.text)
        if len(text) > limit:
            raise PointerError(
                f"the expanded text passes {limit:,} characters: content that names the "
                f"same pointers many times over"
            )
        return text

    return text_of(message, 0)


def reached(message: Message, content: Mapping[PointerId, Content]) -> list[PointerId]:
    """Every pointer reachable from ``message`` (its own, then theirs), each once."""
    seen: dict[PointerId, None] = {}
    todo = list(message.pointers)
    while todo:
        pointer = todo.pop(0)
        if pointer in seen:
            continue
        seen[pointer] = None
        found = content.get(pointer)
        if found is not None:
            todo.extend(found.pointers)
    return list(seen)


def reveal(message: M, content: Mapping[PointerId, Content], *, limit: int = MAX_TEXT) -> M:
    """The message as its reader sees it after unlocking everything: pointers expanded
    into the text (``expand``, bounded by ``limit``), the memes of all the content it
    reaches added (answers), no pointers or parts left.

    Checks read a tree this way: the task that asked the root sees it all.
    """
    if not message.pointers:
        return (
            message
            if not isinstance(message, Question) or not message.parts
            else (message.model_copy(update={"parts": ()}))
        )
    update: dict[str, Any] = {"text": expand(message, content, limit=limit), "pointers": ()}
    if isinstance(message, Question):
        update["parts"] = ()
    else:
        memes = set(message.memes)
        for pointer in reached(message, content):
            found = content.get(pointer)
            if found is not None:
                memes.update(found.memes)
        update["memes"] = frozenset(memes)
    return message.model_copy(update=update)


class Workspace:
    """One node's pointers numbered ``$1``, ``$2``, ... in the order it met them.

    For agents that read text: ``show`` renders a message in the workspace's numbering
    (a message's own ``$1`` may be the workspace's ``$4``), and ``read`` turns what the
    agent writes, in the workspace's numbering, back into text and pointers of a message.
    """

    def __init__(self, pointers: Iterable[PointerId] = ()) -> None:
        self.pointers: list[PointerId] = []
        self._numbers: dict[PointerId, int] = {}
        for pointer in pointers:
            self.number(pointer)

    def number(self, pointer: PointerId) -> int:
        """The pointer's number here, given the next one if it is new."""
        found = self._numbers.get(pointer)
        if found is None:
            self.pointers.append(pointer)
            found = self._numbers[pointer] = len(self.pointers)
        return found

    def names(self) -> str:
        """The numbers in use, for messages: ``none``, ``$1`` or ``$1..$4``."""
        n = len(self.pointers)
        return {0: "none", 1: "$1"}.get(n, f"$1..${n}")

    def show(self, message: Message) -> str:
        """The message's text with its ``$i`` renumbered to this workspace."""
        if not message.pointers:
            return message.text
        numbers = [self.number(p) for p in message.pointers]

        def one(match: re.Match[str]) -> str:
            i = int(match.group(1))
            return f"${numbers[i - 1]}" if 1 <= i <= len(numbers) else match.group(0)

        return REF.sub(one, message.text)

    def read(self, text: str) -> tuple[str, tuple[PointerId, ...]]:
        """Text written in this workspace's numbering, as a message's text and pointers.

        Raises:
            PointerError: the text names ``$n`` past the pointers this workspace has.
        """
        mine: dict[PointerId, int] = {}

        def one(match: re.Match[str]) -> str:
            n = int(match.group(1))
            if not 1 <= n <= len(self.pointers):
                raise PointerError(f"${n} names no pointer here (pointers: {self.names()})")
            pointer = self.pointers[n - 1]
            return f"${mine.setdefault(pointer, len(mine) + 1)}"

        local = REF.sub(one, text)
        return local, tuple(mine)
