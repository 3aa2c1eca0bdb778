"""The loop every human node runs: show the workspace, get an action, record it, do it.

Actions are memoised as in Patchwork: each is recorded as a ``ModelCall`` whose model is
``human:<name>``, whose request is exactly the view the person saw and whose response is
the action. Given a ``Cache``, a view seen before reuses the recorded action instead of
asking anyone, so ``Cache.from_trace(trace)`` re-runs a whole human tree unattended; and
``hch.replay`` serves a node its recorded actions as it serves model calls.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.human._actions import Choice
from agents.human._workspace import Workspace
from hch import Answer, Context, ModelCall, Question
from hch.cache import Cache, CachedCall

__all__ = ["Human"]


@dataclass(eq=False)
class Human:
    """A person at a node. Subclasses say where the person sits by implementing
    ``choose``; this class runs the node and memoises every action.

    A dataclass, so that a trace's header can rebuild it (its name and tools; never its
    cache or streams) and ``hch.replay`` can run a recorded human tree again.

    Attributes:
        name: Recorded as the node's agent; actions are recorded as model ``human:<name>``.
        cache: Where actions are memoised by view, a ``Cache`` or its file (None: always
            ask the person).
        tools: Tool names shown to the person (None: not shown; any name may be tried).
    """

    name: str = "human"
    cache: Cache | str | Path | None = field(default=None, repr=False)
    tools: list[str] | None = None

    def __post_init__(self) -> None:
        if self.cache is not None and not isinstance(self.cache, Cache):
            self.cache = Cache(self.cache)

    @property
    def memo(self) -> Cache | None:
        """The cache of memoised actions, opened."""
        return self.cache if isinstance(self.cache, Cache) else None

    @property
    def model(self) -> str:
        """The model name its actions are recorded and memoised under."""
        return f"human:{self.name}"

    async def choose(self, workspace: Workspace) -> Choice:
        """Ask the person for their next action at ``workspace``; it must be one that
        ``refusal`` lets through. Implemented by each place a person can sit."""
        raise NotImplementedError

    def replayed(self, workspace: Workspace, choice: Choice) -> None:
        """Told of each action taken from the cache instead of the person."""

    async def answer(self, question: Question, ctx: Context) -> Answer:
        workspace = Workspace(ctx, self.tools)
        while workspace.answer is None:
            view = workspace.view()
            recorded = ctx.replayed(self.model, view)
            if recorded is not None:  # ``hch.replay``: the recording's action, as it was
                for event in recorded.attempts:
                    ctx.record(event)
                choice = Choice.from_response(recorded.attempts[-1].response or {})
                self.replayed(workspace, choice)
            else:
                choice = await self._choice(ctx, workspace, view)
            await workspace.perform(choice.action)
        return workspace.answer

    async def _choice(self, ctx: Context, workspace: Workspace, view: dict[str, Any]) -> Choice:
        """The memoised action for ``view``, else the person's; recorded either way."""
        start = time.perf_counter()
        memo = self.memo
        found = await memo.get(self.model, view) if memo is not None else None
        if found is not None:
            choice = Choice.from_response(found.response)
            self.replayed(workspace, choice)
        else:
            choice = await self.choose(workspace)
        self._record(ctx, view, choice, start, cached=found is not None)
        if found is None and memo is not None:
            await memo.put(self.model, view, CachedCall(response=choice.response()))
        return choice

    def _record(
        self, ctx: Context, view: dict[str, Any], choice: Choice, start: float, *, cached: bool
    ) -> None:
        latency = round(time.perf_counter() - start, 6)
        call = ModelCall(
            model=self.model,
            request=view,
            response=choice.response(),
            latency=latency,
            cached=cached,
        )
        ctx.record(call)
