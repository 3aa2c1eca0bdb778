"""Who plays which node of a tree served to people: ``WebHuman`` where a person sits,
other agents elsewhere, every node shown live on the board."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import anyio

from agents.human._actions import Choice
from agents.human._human import Human
from agents.human._workspace import Workspace
from agents.human.web._board import Board
from hch import Agent, Answer, Context, LimitExceeded, Path, Policy, Question, format_path
from hch.agent import agent_name, as_policy, describe, to_answer

__all__ = ["Seats", "WebHuman"]


@dataclass(eq=False)
class WebHuman(Human):
    """A node played by whichever person takes its workspace from the board's queue.

    Attributes:
        board: Where the workspace waits for a person.
        tree: The id of this tree on the board.
        name: Actions are recorded as model ``human:<name>``; each says who took it.
        cache: Memoised actions (a resumed or replayed tree reuses them).
        tools: Tool names shown to the person.
    """

    name: str = "people"
    board: Board = field(default_factory=Board, repr=False, kw_only=True)
    tree: str = field(default="tree", kw_only=True)

    async def choose(self, workspace: Workspace) -> Choice:
        box = self.board.publish(self.tree, workspace.ctx.path, workspace.view())
        return await box.get()

    def replayed(self, workspace: Workspace, choice: Choice) -> None:
        self.board.replayed(self.tree, workspace.ctx.path, choice)

    async def answer(self, question: Question, ctx: Context) -> Answer:
        try:
            return await super().answer(question, ctx)
        finally:
            self.board.close(self.tree, ctx.path)


class _Shown:
    """An agent whose node the board shows as it starts and ends."""

    def __init__(self, agent: Agent, board: Board, tree: str, human: bool) -> None:
        self.agent = agent
        self.board = board
        self.tree = tree
        self.human = human
        self.name = agent_name(agent)

    async def answer(self, question: Question, ctx: Context) -> Answer:
        self.board.node_started(self.tree, ctx.path, question.text, self.name, self.human)
        status, text = "failed", None
        try:
            result = await self.agent.answer(question, ctx)
            answer = to_answer(result, f"agent {self.name} at {format_path(ctx.path)}")
            status, text = "ok", answer.text
            return answer
        except anyio.get_cancelled_exc_class():
            status = "cancelled"
            raise
        except LimitExceeded:
            status = "limited"
            raise
        finally:
            self.board.node_finished(self.tree, ctx.path, status, text)


class Seats:
    """A policy: a person (``human``) at the chosen depths and paths, ``others`` elsewhere.

    Args:
        human: The agent of the people's nodes (a ``WebHuman``).
        others: An agent or a policy for every other node.
        depths: Depths people play.
        paths: Single nodes people play.
        board: Shown every node as it starts and ends.
        tree: The id of this tree on the board.
    """

    def __init__(
        self,
        human: Agent,
        others: Agent | Policy,
        *,
        depths: Iterable[int] = (),
        paths: Iterable[Path] = (),
        board: Board,
        tree: str,
    ) -> None:
        self.human = human
        self.others = others
        self.depths = frozenset(depths)
        self.paths = frozenset(tuple(p) for p in paths)
        self.board = board
        self.tree = tree
        self._others = as_policy(others)

    def __call__(self, depth: int, path: Path) -> Agent:
        seated = depth in self.depths or path in self.paths
        agent = self.human if seated else self._others(depth, path)
        return _Shown(agent, self.board, self.tree, seated)

    def __repr__(self) -> str:
        paths = sorted(format_path(p) for p in self.paths)
        return (
            f"Seats(human={describe(self.human)}, depths={sorted(self.depths)}, "
            f"paths={paths}, others={describe(self.others)})"
        )
