"""A node as a person works on it: what they see (a canonical view) and what their
actions do to the tree.

The view is a plain JSON-able dict holding only what the run makes deterministic (the
question, the position, the limits left, and everything that happened at this node), so
that the same workspace seen again gives the same view: the key of memoised actions.
"""

from __future__ import annotations

import json
from typing import Any

from agents.human._actions import Action, Ask, FollowUp, Reply, UseTool, WriteNote, refusal
from hch import (
    Answer,
    Child,
    ChildFailed,
    Context,
    Exchange,
    LimitExceeded,
    ToolNotGranted,
    format_path,
)

__all__ = ["Workspace"]


class Workspace:
    """One node played by a person: its view, and the actions taken on it.

    Attributes:
        ctx: The node's context.
        tools: Tool names shown to the person (None: not known, any name may be tried).
        answer: Set once the person has answered.
    """

    def __init__(self, ctx: Context, tools: list[str] | None = None) -> None:
        self.ctx = ctx
        self.tools = tools
        self.answer: Answer | None = None
        self._log: list[dict[str, Any]] = []
        self._threads: dict[int, Child] = {}

    def view(self) -> dict[str, Any]:
        """Everything the person sees at this node, as canonical JSON-able data."""
        ctx = self.ctx
        view: dict[str, Any] = {
            "question": ctx.question.text,
            "path": format_path(ctx.path),
            "depth": ctx.depth,
            "budget": ctx.budget,
            "children_left": ctx.children_left,
            "history": [_exchange(e) for e in ctx.history],
            "log": [dict(e) for e in self._log],
        }
        if ctx.question.data is not None:
            view["data"] = ctx.question.data
        if self.tools is not None:
            view["tools"] = list(self.tools)
        return view

    async def perform(self, action: Action) -> None:
        """Do ``action`` at this node; what happens is added to the log (or, for a reply,
        to ``answer``). Limits the tree enforces become a refused entry, not an error."""
        reason = refusal(self.view(), action)
        if reason is not None:
            self._log.append(_refused(action, reason))
            return
        try:
            if isinstance(action, Reply):
                self.answer = Answer(text=action.text.strip())
            elif isinstance(action, WriteNote):
                self.ctx.note(text=action.text)
                self._log.append({"kind": "note", "text": action.text})
            elif isinstance(action, UseTool):
                await self._tool(action)
            elif isinstance(action, FollowUp):
                await self._follow_up(action)
            else:
                await self._ask(action)
        except (LimitExceeded, ToolNotGranted) as exc:
            self._log.append(_refused(action, str(exc)))

    async def _ask(self, action: Ask) -> None:
        questions = [q.strip() for q in action.questions]
        first = self._next_index()
        if len(questions) == 1:
            child = self.ctx.child()
            self._threads[first] = child
            answers: list[Answer | None] = [None]
            failure: list[str | None] = [None]
            try:
                answers = [await child.ask(questions[0])]
            except ChildFailed as exc:
                failure = [str(exc)]
        else:
            try:
                answers = list(await self.ctx.ask_all(questions))
                failure = [None] * len(questions)
            except ChildFailed as exc:
                answers = list(exc.answers or [None] * len(questions))
                failure = [None if a is not None else str(exc) for a in answers]
        self._log.append(
            {
                "kind": "ask",
                "asked": [
                    {
                        "child": first + i,
                        "question": q,
                        "answer": a.text if a is not None else None,
                        "failure": f,
                    }
                    for i, (q, a, f) in enumerate(zip(questions, answers, failure, strict=True))
                ],
            }
        )

    async def _follow_up(self, action: FollowUp) -> None:
        child = self._threads[action.child]
        index = self._next_index()
        question = action.question.strip()
        answer: Answer | None = None
        failure: str | None = None
        try:
            answer = await child.ask(question)
        except ChildFailed as exc:
            failure = str(exc)
        self._threads[index] = child
        self._log.append(
            {
                "kind": "follow_up",
                "child": index,
                "follows": action.child,
                "question": question,
                "answer": answer.text if answer is not None else None,
                "failure": failure,
            }
        )

    async def _tool(self, action: UseTool) -> None:
        entry: dict[str, Any] = {"kind": "tool", "name": action.name, "args": dict(action.args)}
        try:
            entry["result"] = _jsonable(await self.ctx.tool(action.name, **action.args))
        except (LimitExceeded, ToolNotGranted):
            raise
        except Exception as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"
        self._log.append(entry)

    def _next_index(self) -> int:
        """The sibling index the next child of this node gets (children are numbered in
        the order they are asked, as in their paths)."""
        return sum(
            len(e["asked"]) if e["kind"] == "ask" else 1
            for e in self._log
            if e["kind"] in ("ask", "follow_up")
        )


def _jsonable(value: Any) -> Any:
    """``value`` as JSON data (other objects by ``str``), so the view stays canonical."""
    return json.loads(json.dumps(value, default=str))


def _exchange(e: Exchange) -> dict[str, str]:
    return {"question": e.question.text, "answer": e.answer.text}


def _refused(action: Action, reason: str) -> dict[str, Any]:
    return {"kind": "refused", "action": action.model_dump(mode="json"), "reason": reason}
