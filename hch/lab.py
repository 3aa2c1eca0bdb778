"""The lab: a channel that checks claims against the task's truth, at a cost, fallibly.

An experiment grants it as a tool (``run_tree(..., tools={"lab": Lab(task, ...)})``);
a node calls ``await ctx.tool("lab", claim=..., question=...)``. Every call is recorded
on the node as a ``ToolCall`` (claim, question and verdict), and a lab with a ``cost``
uses that much of the calling node's budget, as a child would.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from hch.memes import Meme
from hch.model import Answer, Question
from hch.seeding import derive_seed
from hch.tasks import NodeChecker

__all__ = ["Lab"]


class Lab:
    """Checks a claim against the truth; wrong with probability ``error_rate``.

    Two kinds of claim:

    * an answer: ``claim`` is an answer's text and ``question`` the question it answers;
      the verdict is the task's own check of that answer (``NodeChecker.check_node``);
    * a free-standing claim (no ``question``): false if it carries a declared meme (memes
      are off-task claims the task does not support), else unknown (None).

    A claim carrying a declared meme is false either way. A known verdict is flipped with
    probability ``error_rate``; the draw is seeded by (``seed``, claim, question), so the
    lab is consistently wrong about the same claims (asking again does not help), and
    runs are reproducible whatever the order of calls.

    Attributes:
        task: Judges answers to the task's questions (a task whose truth is known at
            every node, such as arithmetic); None judges free-standing claims only.
        memes: Memes the lab knows to be false.
        error_rate: Chance a known verdict is flipped.
        cost: Budget one call uses (the engine charges it to the calling node).
        seed: Seed of the error draws (e.g. the tree's seed).
    """

    def __init__(
        self,
        task: NodeChecker | None = None,
        *,
        memes: Iterable[Meme] = (),
        error_rate: float = 0.0,
        cost: int = 0,
        seed: int = 0,
    ) -> None:
        if not 0 <= error_rate <= 1:
            raise ValueError(f"error_rate must lie in [0, 1], got {error_rate}")
        if cost < 0:
            raise ValueError(f"cost must be >= 0, got {cost}")
        if task is not None and not isinstance(task, NodeChecker):
            raise TypeError(f"{task!r} cannot check subanswers (it has no check_node)")
        self.task = task
        self.memes = tuple(memes)
        self.error_rate = error_rate
        self.cost = cost
        self.seed = seed

    def truth(self, claim: str, question: str | None = None) -> bool | None:
        """The error-free verdict: True, False, or None when the lab cannot tell."""
        if any(m.in_text(claim) for m in self.memes):
            return False
        if question is None or self.task is None:
            return None
        return self.task.check_node(Question(text=question), Answer(text=claim))

    def __call__(self, claim: str, question: str | None = None) -> bool | None:
        verdict = self.truth(claim, question)
        if verdict is None or self.error_rate == 0:
            return verdict
        draw = random.Random(derive_seed(self.seed, "lab", claim, question)).random()
        return (not verdict) if draw < self.error_rate else verdict

    def __repr__(self) -> str:
        task = getattr(self.task, "name", None)
        return f"Lab(task={task}, error_rate={self.error_rate}, cost={self.cost})"
