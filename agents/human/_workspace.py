"""A node as a person works on it: what they see (a canonical view) and what their
actions do to the tree.

The view is a plain JSON-able dict holding only what the run makes deterministic (the
question, the position, the limits left, and everything that happened at this node), so
that the same workspace seen again gives the same view: the key of memoised actions.

Every pointer in front of the person (in the question, the earlier turns, the children's
answers, content they unlocked or held) is numbered ``$1``, ``$2``, ... once for the
whole node, in the order met (``hch.Workspace``); texts are shown in that numbering, and
what the person writes is read back in it. A view without pointers has no ``pointers``
entry, so it is the same as before pointers existed.
"""

from __future__ import annotations

import json
from typing import Any

from agents.human._actions import (
    Action,
    Ask,
    FollowUp,
    HoldContent,
    Reply,
    UnlockPointer,
    UseTool,
    WriteNote,
    refusal,
)
from hch import (
    Answer,
    BudgetExhausted,
    Child,
    ChildFailed,
    Content,
    Context,
    LimitExceeded,
    PointerError,
    Question,
    ToolNotGranted,
    format_path,
)
from hch import Workspace as Numbering

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
        self.numbering = Numbering()
        self._log: list[dict[str, Any]] = []
        self._threads: dict[int, Child] = {}
        self._opened: dict[int, dict[str, Any]] = {}  # $n -> its content, as shown
        show = self.numbering.show
        self._question = show(ctx.question)
        self._history = [
            {"question": show(e.question), "answer": show(e.answer)} for e in ctx.history
        ]
        for pointer in ctx.pointers:  # anything else held (there is nothing, today)
            self.numbering.number(pointer)

    def view(self) -> dict[str, Any]:
        """Everything the person sees at this node, as canonical JSON-able data."""
        ctx = self.ctx
        view: dict[str, Any] = {
            "question": self._question,
            "path": format_path(ctx.path),
            "depth": ctx.depth,
            "budget": ctx.budget,
            "children_left": ctx.children_left,
            "history": [dict(e) for e in self._history],
            "log": [dict(e) for e in self._log],
        }
        if ctx.question.data is not None:
            view["data"] = ctx.question.data
        if self.tools is not None:
            view["tools"] = list(self.tools)
        if self.numbering.pointers:
            view["pointers"] = [
                {"n": n, "locked": False, **self._opened[n]}
                if n in self._opened
                else {"n": n, "locked": True}
                for n in range(1, len(self.numbering.pointers) + 1)
            ]
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
                text, pointers = self.numbering.read(action.text.strip())
                self.answer = Answer(text=text, pointers=pointers)
            elif isinstance(action, UnlockPointer):
                self._unlock(action.pointer)
            elif isinstance(action, HoldContent):
                self._hold(action.text.strip())
            elif isinstance(action, WriteNote):
                self.ctx.note(text=action.text)
                self._log.append({"kind": "note", "text": action.text})
            elif isinstance(action, UseTool):
                await self._tool(action)
            elif isinstance(action, FollowUp):
                await self._follow_up(action)
            else:
                await self._ask(action)
        except (LimitExceeded, ToolNotGranted, PointerError) as exc:
            self._log.append(_refused(action, str(exc)))

    def _unlock(self, n: int) -> None:
        pointer = self.numbering.pointers[n - 1]
        before = self.ctx.budget
        try:
            content = self.ctx.unlock(pointer)
        except (BudgetExhausted, PointerError) as exc:  # said in the person's numbering
            raise type(exc)(str(exc).replace(pointer, f"${n}")) from None
        self._opened[n] = self._shown(content)
        entry: dict[str, Any] = {"kind": "unlock", "pointer": n}
        after = self.ctx.budget
        if before is not None and after is not None:
            entry["cost"] = before - after
        self._log.append(entry)

    def _hold(self, written: str) -> None:
        text, pointers = self.numbering.read(written)
        n = self.numbering.number(self.ctx.hold(text, pointers=pointers))
        self._opened[n] = self._shown(Content(text=text, pointers=pointers))
        self._log.append({"kind": "hold", "pointer": n, "text": self._opened[n]["text"]})

    def _shown(self, content: Content) -> dict[str, Any]:
        """Content as the person sees it: its pointers numbered here too."""
        shown: dict[str, Any] = {"text": self.numbering.show(content)}
        if content.data is not None:
            shown["data"] = _jsonable(content.data)
        return shown

    def _message(self, written: str) -> Question:
        text, pointers = self.numbering.read(written)
        return Question(text=text, pointers=pointers)

    def _said(self, answer: Answer | None) -> str | None:
        return None if answer is None else self.numbering.show(answer)

    async def _ask(self, action: Ask) -> None:
        questions = [self._message(q.strip()) for q in action.questions]
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
                        "question": self.numbering.show(q),
                        "answer": self._said(a),
                        "failure": f,
                    }
                    for i, (q, a, f) in enumerate(zip(questions, answers, failure, strict=True))
                ],
            }
        )

    async def _follow_up(self, action: FollowUp) -> None:
        child = self._threads[action.child]
        index = self._next_index()
        question = self._message(action.question.strip())
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
                "question": self.numbering.show(question),
                "answer": self._said(answer),
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


def _refused(action: Action, reason: str) -> dict[str, Any]:
    return {"kind": "refused", "action": action.model_dump(mode="json"), "reason": reason}
