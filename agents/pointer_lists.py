"""A simulated agent for lists held behind pointers (``experiments.tasks.pointer_lists``).

The law, on top of the shared one (``agents.noise``):

* Reading costs. Every first unlock of a pointer uses ``Limits.unlock_cost`` of the
  budget (the engine charges it). A node that does a list of ``n`` numbers alone
  (reverse: ``n`` units, one per number moved; sum: ``n - 1`` additions) fails each unit
  with ``solo_rate(units)``: a failed unit shifts a number by 1..``max_slip``
  (``operation``). A reading parent that copies its children's content into one
  answer copies each of its ``k`` numbers with ``solo_rate(k)`` (``copy``).
* Delegating. A node whose part is inner (``$1 $2``) and that may ask one child per
  sub-part asks them, then combines: its one combining step slips with ``p_error``
  (reverse: two neighbouring blocks in the wrong order; sum: the total shifted,
  ``combine``), and a sum misreads each child's number with ``handoff_rate``
  (``handoff``). A leaf part, or a node that may not ask, does the work alone, and
  then it unlocks everything under its part.
* Strategy ``read``: ``forward`` unlocks only its own part (the top level) and answers a
  reverse with a note ``$1 $2`` of its children's answer pointers, unread; ``top``
  unlocks its part and also its children's answers, and copies them into new content
  (a reading parent); ``all`` unlocks everything and does the work alone, never asking.
* Pointer slips, each an independent draw: every pointer a node passes on without
  reading (to a child in a question, or up in its note) is, with ``p_wrong_pointer``, a
  sibling's pointer instead (``wrong_pointer``; only when there is a sibling); a node
  that would delegate unlocks everything and does the work alone instead with
  ``p_overread`` (``overread``).
* Memes. A node that does a list alone attaches ``meme`` to its answer with ``p_meme``
  (its tag in the content's ``memes``, its line after the numbers; noted
  ``meme_injected``). A node that sees a meme, in a child's answer or in content it
  unlocked, takes it out with ``p_filter`` per meme (noted ``meme_filtered``) and
  otherwise passes it on in its own answer. A forwarding node never sees the content it
  forwards, so a meme riding in it goes up untouched: a birth at depth ``d`` reaches the
  root with ``(1 - p_filter) ** r``, ``r`` the number of reading ancestors.

Every slip is noted on its node (``slips=[kind, ...]``, ``agents.noise.Slips``).

Closed forms for a tree deep enough to reach every leaf part (``accuracy`` and
``meme_capture`` compute them on a sample's parts): a reverse is right when no unit,
copy, combining step or pointer slips; a node's answer carries the meme with
``q = m`` when it works alone, and, when it delegates, ``q = 1 - prod(1 - q_child)``
if it forwards unread, ``(1 - p_filter)`` times that if it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from agents.memetic import LEDGER
from agents.noise import Fallible, Slips
from experiments.tasks.pointer_lists import PointerOp, ask, numbers, read_op
from hch import AgentError, Answer, Content, Context, Meme, PointerId, Question, expand

__all__ = ["PointerLists", "Strategy"]

Strategy = Literal["forward", "top", "all"]


class PointerLists(Fallible):
    """Reverses or sums lists held behind pointers, by the law in the module docstring.

    Attributes:
        read: ``forward``, ``top`` or ``all`` (what it unlocks; see the module docstring).
        p_wrong_pointer: Chance each pointer passed on unread is a sibling's instead.
        p_overread: Chance a node that would delegate reads everything and works alone.
        p_meme: Chance a node that works alone attaches ``meme`` to its answer.
        p_filter: Chance a node takes out a meme it sees.
        meme: The meme it attaches.
    """

    name: str = "pointer-lists"
    read: Strategy = "forward"
    p_wrong_pointer: float = Field(0.0, ge=0, le=1)
    p_overread: float = Field(0.0, ge=0, le=1)
    p_meme: float = Field(0.0, ge=0, le=1)
    p_filter: float = Field(0.5, ge=0, le=1)
    meme: Meme = LEDGER

    # -- the law in closed form ----------------------------------------------------------
    def accuracy(self, parts: Sequence[Content]) -> float:
        """Chance the root's reverse of a list held in ``parts`` (a sample's
        ``question.parts``) is right, in a tree deep enough for every part; numbers that
        a slip makes equal by chance are neglected."""

        def items(k: int) -> int:
            part = parts[k - 1]
            if part.pointers:
                return sum(items(_index(p)) for p in part.pointers)
            return len(numbers(part.text))

        def alone(n: int) -> float:
            return (1 - self.solo_rate(n)) ** n

        def right(k: int) -> float:
            part = parts[k - 1]
            if not part.pointers or self.read == "all":
                return alone(items(k))
            subs = [_index(p) for p in part.pointers]
            below = 1.0
            for sub in subs:
                below *= right(sub)
            kept = (1 - self.p_error) * (1 - self.p_wrong_pointer) ** len(subs)
            if self.read == "forward":
                kept *= (1 - self.p_wrong_pointer) ** len(subs)
            else:
                kept *= alone(sum(items(sub) for sub in subs))
            return (1 - self.p_overread) * below * kept + self.p_overread * alone(items(k))

        return right(1)

    def meme_capture(self, parts: Sequence[Content], op: PointerOp = "reverse") -> float:
        """Chance the root's answer carries the meme, in a tree deep enough for every
        part and without pointer slips (``p_wrong_pointer`` is taken as 0)."""
        blind = op == "reverse" and self.read == "forward"

        def q(k: int) -> float:
            part = parts[k - 1]
            if not part.pointers or self.read == "all":
                return self.p_meme
            none = 1.0
            for p in part.pointers:
                none *= 1 - q(_index(p))
            up = (1 - none) * (1 if blind else 1 - self.p_filter)
            return (1 - self.p_overread) * up + self.p_overread * self.p_meme

        return q(1)

    async def answer(self, question: Question, ctx: Context) -> Answer:
        op = read_op(question)
        if op is None or len(question.pointers) != 1:
            raise AgentError(
                f"pointer-lists reads only list questions with one pointer, "
                f"not {question.text!r:.80}"
            )
        (part,) = question.pointers
        slips = self.slips(ctx)
        top = ctx.unlock(part)
        subs = list(top.pointers)
        delegate = (
            subs
            and self.read != "all"
            and self.can_delegate(ctx, len(subs))
            and not slips.happens(self.p_overread, "overread")
        )
        if delegate:
            answer = await self._delegate(op, subs, ctx, slips)
        else:
            answer = self._alone(op, part, ctx, slips)
        slips.note()
        return answer

    # -- working alone -----------------------------------------------------------------
    def _alone(self, op: PointerOp, part: PointerId, ctx: Context, slips: Slips) -> Answer:
        text, memes = self._read_all(part, ctx)
        items = numbers(text)
        if op == "sum":
            rate = self.solo_rate(len(items) - 1)
            total = items[0] if items else 0
            for item in items[1:]:
                total = slips.number(total + item, rate, "operation")
            return self._up(op, total, memes, ctx, born=True)
        rate = self.solo_rate(len(items))
        done = [slips.number(item, rate, "operation") for item in reversed(items)]
        return self._up(op, done, memes, ctx, born=True)

    def _read_all(self, pointer: PointerId, ctx: Context) -> tuple[str, set[str]]:
        """Unlock everything under ``pointer``: its text expanded, the memes it carries."""
        seen: dict[PointerId, Content] = {}
        todo = [pointer]
        while todo:
            p = todo.pop()
            if p not in seen:
                seen[p] = ctx.unlock(p)
                todo.extend(seen[p].pointers)
        memes = {tag for content in seen.values() for tag in content.memes}
        text = expand(seen[pointer], seen)
        return self.meme.strip(text) if self.meme.in_text(text) else text, memes

    # -- delegating --------------------------------------------------------------------
    async def _delegate(
        self, op: PointerOp, subs: list[PointerId], ctx: Context, slips: Slips
    ) -> Answer:
        asked = [self._pass(subs, i, slips) for i in range(len(subs))]
        answers = await ctx.ask_all([ask(op, p) for p in asked])
        if op == "sum":
            memes: set[str] = set()
            values = []
            for a in answers:
                memes |= a.memes
                value = numbers(self.meme.strip(a.text)) if a.data is None else [a.data]
                if not value:
                    raise AgentError(f"a child's answer {a.text!r:.80} has no number")
                values.append(slips.number(value[-1], self.handoff_rate, "handoff"))
            total = slips.number(sum(values), self.p_error, "combine")
            return self._up(op, total, memes, ctx)
        found = []
        for a in answers:
            if len(a.pointers) != 1:
                raise AgentError(f"a child's answer {a.text!r:.80} holds no list")
            found.append(a.pointers[0])
        found.reverse()
        if len(found) > 1 and slips.happens(self.p_error, "combine"):
            i = ctx.rng.randrange(len(found) - 1)
            found[i], found[i + 1] = found[i + 1], found[i]
        if self.read == "forward":
            up = tuple(self._pass(found, i, slips) for i in range(len(found)))
            refs = " ".join(f"${i}" for i in range(1, len(up) + 1))
            return Answer(text="$1", pointers=(ctx.hold(refs, pointers=up),))
        blocks = [self._read_all(p, ctx) for p in found]
        items = [n for text, _ in blocks for n in numbers(text)]
        rate = self.solo_rate(len(items))
        copied = [slips.number(n, rate, "copy") for n in items]
        return self._up(op, copied, {t for _, tags in blocks for t in tags}, ctx)

    def _pass(self, pointers: list[PointerId], i: int, slips: Slips) -> PointerId:
        """The ``i``-th pointer, or a sibling's if a ``wrong_pointer`` slip happens."""
        if len(pointers) < 2 or not slips.happens(self.p_wrong_pointer, "wrong_pointer"):
            return pointers[i]
        return slips.ctx.rng.choice([p for j, p in enumerate(pointers) if j != i])

    # -- what goes up ------------------------------------------------------------------
    def _up(
        self,
        op: PointerOp,
        value: int | list[int],
        seen: set[str],
        ctx: Context,
        *,
        born: bool = False,
    ) -> Answer:
        """The answer: a sum in plain text, a list held behind a pointer; memes seen
        pass the filter or not, and a node that worked alone may add its own."""
        memes = {tag for tag in sorted(seen) if ctx.rng.random() >= self.p_filter}
        if seen - memes:
            ctx.note(meme_filtered=sorted(seen - memes))
        if born and ctx.rng.random() < self.p_meme:
            ctx.note(meme_injected=self.meme.tag)
            memes.add(self.meme.tag)
        text = str(value) if isinstance(value, int) else " ".join(map(str, value))
        if self.meme.tag in memes:
            text = f"{text}\n{self.meme.text}"
        if op == "sum":
            return Answer(text=text, data=value, memes=frozenset(memes))
        held = ctx.hold(text, data=value, memes=memes)
        return Answer(text="$1", pointers=(held,))


def _index(pointer: PointerId) -> int:
    """The part number of a task pointer ``task:k``."""
    return int(pointer.rpartition(":")[2])
