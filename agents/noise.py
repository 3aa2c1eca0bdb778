"""The error law every simulated agent shares: limited capacity against per-hop slips.

Two forces pull against each other, which is what makes depth interesting:

* Limited capacity: a problem of ``k`` work units done alone fails each unit with
  probability ``p_error * (1 + (k - 1) / capacity)``. Big problems done alone err more.
* Delegation costs: a node that splits misreads each child's answer with probability
  ``p_handoff`` and slips with ``p_error`` on the one step it does itself to combine
  them. Every hop up the tree is a chance for a new error.

What a slip does to a value is the agent's business (shift a number, name the wrong
person, swap two items); whether it happens, and noting it on the node, is decided here.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from hch import Context

__all__ = ["Fallible", "Slips"]


class Fallible(BaseModel):
    """Base of agents that err by the shared law; subclasses add what a slip does.

    Attributes:
        p_error: Chance one unit of work fails when the problem is tiny; also the chance
            the combining step of a split fails.
        capacity: Units it can hold before its error rate climbs (larger is better).
        p_handoff: Chance it misreads a child's answer; None means ``p_error``.
        max_slip: A numeric slip shifts a value by 1..max_slip, up or down.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    p_error: float = Field(0.05, ge=0, le=1)
    capacity: float = Field(4.0, gt=0)
    p_handoff: float | None = Field(None, ge=0, le=1)
    max_slip: int = Field(3, ge=1)

    def solo_rate(self, units: int) -> float:
        """Chance each of ``units`` units of work fails when done alone."""
        return min(1.0, self.p_error * (1 + (units - 1) / self.capacity)) if units else 0.0

    @property
    def handoff_rate(self) -> float:
        return self.p_error if self.p_handoff is None else self.p_handoff

    @staticmethod
    def can_delegate(ctx: Context, children: int) -> bool:
        """Whether every limit lets this node ask ``children`` children (and at least one)."""
        left = ctx.children_left
        return left is None or left >= max(children, 1)

    def slips(self, ctx: Context) -> Slips:
        """A fresh record of this node's slips, drawing on the node's ``ctx.rng``."""
        return Slips(ctx, self.max_slip)


class Slips:
    """The slips of one node: decides each one from ``ctx.rng`` and notes them all."""

    def __init__(self, ctx: Context, max_slip: int) -> None:
        self.ctx = ctx
        self.max_slip = max_slip
        self.kinds: list[str] = []

    def happens(self, p: float, kind: str) -> bool:
        """Whether a slip of ``kind`` happens with probability ``p`` (and record it)."""
        if p <= 0 or self.ctx.rng.random() >= p:
            return False
        self.kinds.append(kind)
        return True

    def shift(self, value: int) -> int:
        """``value`` moved by a nonzero amount of at most ``max_slip``, up or down."""
        step = self.ctx.rng.randint(1, self.max_slip)
        return value + (step if self.ctx.rng.random() < 0.5 else -step)

    def number(self, value: int, p: float, kind: str) -> int:
        """``value``, shifted if a slip of ``kind`` happens with probability ``p``."""
        return self.shift(value) if self.happens(p, kind) else value

    def other(self, value: str, options: Sequence[str], p: float, kind: str) -> str:
        """``value``, or another of ``options`` if a slip of ``kind`` happens with ``p``."""
        if not self.happens(p, kind):
            return value
        return self.ctx.rng.choice([o for o in options if o != value])

    def note(self) -> None:
        """Note the slips on the node (``slips=[kind, ...]``), if there were any."""
        if self.kinds:
            self.ctx.note(slips=self.kinds)
