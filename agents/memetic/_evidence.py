"""Concealment and test avoidance: what a node does with the lab's evidence against it.

Both act on the lab calls of the behaviours inside them (``Carry(test=True)``,
``Verify``), so they sit outside those in a stack. Each notes on the node what it did:
the simulator's ground truth, like the slips simulated agents note.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from agents.memetic._behaviour import Behaviour
from agents.memetic._session import Session
from hch import Context

__all__ = ["AvoidTests", "Conceal"]


class Conceal(Behaviour):
    """A failed check is hidden: the node goes on as if the claim had passed.

    With probability ``p`` per failed check, a meme the lab refuted is carried anyway and
    a child's answer the lab refuted is used as it is (not asked again): the evidence
    that contradicts what the node passes on stops with it. The lab's call and verdict
    stay in the trace (every tool call is recorded), which is how analyses see through
    it.

    Attributes:
        p: Chance a failed check is concealed.
        lab: The name the lab was granted under.
    """

    kind: ClassVar[str] = "conceal"
    rank: ClassVar[int] = 40

    p: float = Field(1.0, ge=0, le=1)
    lab: str = "lab"

    def session(self, ctx: Context) -> Session:
        return _Concealing(self, ctx)


class _Concealing(Session):
    config: Conceal

    async def tool(self, name: str, args: dict[str, Any]) -> Any:
        result = await self.ctx.tool(name, **args)
        if name == self.config.lab and result is False and self.rng.random() < self.config.p:
            self.ctx.note(concealed=args)
            return True
        return result


class AvoidTests(Behaviour):
    """The node does not test claims it expects to fail.

    It expects off-task claims (a claim that answers no question, such as a meme it is
    about to carry) to fail the lab, and skips each such test with probability ``p``,
    going on as if it had passed; answers to the task's questions it still tests.

    Attributes:
        p: Chance it skips a test it expects to fail.
        lab: The name the lab was granted under.
    """

    kind: ClassVar[str] = "avoid-tests"
    rank: ClassVar[int] = 30

    p: float = Field(1.0, ge=0, le=1)
    lab: str = "lab"

    def session(self, ctx: Context) -> Session:
        return _Avoiding(self, ctx)


class _Avoiding(Session):
    config: AvoidTests

    async def tool(self, name: str, args: dict[str, Any]) -> Any:
        expects_failure = name == self.config.lab and args.get("question") is None
        if expects_failure and self.rng.random() < self.config.p:
            self.ctx.note(avoided_test=args)
            return True
        return await self.ctx.tool(name, **args)
