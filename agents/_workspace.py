"""An LLM node's pointers as its model reads and writes them.

Everything put in front of the model (its question, its children's answers, content it
unlocked) is shown through one ``hch.Workspace``, so pointers read ``$1``, ``$2``, ...
numbered once for the whole node. What the model writes (subquestions, its answer) is
read back with the same numbering into messages carrying pointers: a pointer passes on
unread. The model may also unlock pointers; their content is shown in turn.

A node that never meets a pointer is told nothing about them, and ``$5`` in what it
writes is plain text: its requests are exactly those of an agent without pointers.
"""

from __future__ import annotations

from agents._prompts import Prompts
from agents._reply import Reply, ReplyError
from hch.context import Context
from hch.errors import BudgetExhausted, PointerError
from hch.model import Answer, Question
from hch.pointers import Message, Workspace

__all__ = ["PointerTurns"]


class PointerTurns:
    """One node's pointers across the turns of its conversation with the model."""

    def __init__(self, ctx: Context, prompts: Prompts) -> None:
        self._ctx = ctx
        self._prompts = prompts
        self._workspace = Workspace()
        self._told = False

    @property
    def active(self) -> bool:
        """Whether the model has been shown a pointer (then it may unlock, and ``$n``
        in what it writes names pointers)."""
        return bool(self._workspace.pointers)

    def show(self, message: Message) -> str:
        """The message's text in this node's numbering (new pointers get the next)."""
        return self._workspace.show(message)

    def locked(self) -> list[str]:
        """The names (``$2``) of the pointers shown that the node has not unlocked."""
        return [
            f"${n}"
            for n, pointer in enumerate(self._workspace.pointers, 1)
            if not self._ctx.unlocked(pointer)
        ]

    def system(self, text: str) -> str:
        """The system message, with the pointer instructions when there are pointers."""
        if not self.active:
            return text
        self._told = True
        return f"{text}\n\n{self._prompts.pointers}"

    def user(self, text: str) -> str:
        """A user message, ending with the locked pointers once there are pointers (and
        the instructions, the first time pointers appear after the system message)."""
        if not self.active:
            return text
        locked = self._prompts.locked.format(locked=", ".join(self.locked()) or "none")
        told, self._told = self._told, True
        return f"{text}\n{locked}" if told else f"{text}\n{locked}\n\n{self._prompts.pointers}"

    def question(self, text: str) -> Question | str:
        """A subquestion the model wrote, its ``$n`` read back to pointers.

        Raises:
            ReplyError: it names a ``$n`` this node does not have.
        """
        if not self.active:
            return text
        local, pointers = self._read(text)
        return Question(text=local, pointers=pointers)

    def answer(self, reply: Reply) -> Answer:
        """The model's final answer, its ``$n`` read back to pointers.

        Raises:
            ReplyError: it names a ``$n`` this node does not have.
        """
        text = reply.answer or ""
        if not self.active:
            return Answer(text=text, data=reply.data)
        local, pointers = self._read(text)
        return Answer(text=local, data=reply.data, pointers=pointers)

    def unlock(self, names: list[str]) -> str:
        """Unlock the pointers the model named; their contents as lines for it.

        An unlock the engine refuses (too little budget) after others succeeded is shown
        with the reason in place of the content.

        Raises:
            ReplyError: a name is not a locked pointer of this node, or the first
                unlock is refused.
        """
        pointers = self._workspace.pointers
        for name in names:
            n = int(name[1:])
            if not 1 <= n <= len(pointers):
                raise ReplyError(f"{name} names no pointer here ({self._known()})")
            if self._ctx.unlocked(pointers[n - 1]):
                raise ReplyError(f"{name} is unlocked already: its content is above")
        line = self._prompts.unlocked_line
        lines: list[str] = []
        for name in names:
            try:
                content = self._ctx.unlock(pointers[int(name[1:]) - 1])
            except (BudgetExhausted, PointerError) as exc:
                if not lines:
                    raise ReplyError(f"{name} cannot be unlocked: {exc}") from exc
                lines.append(line.format(pointer=name, content=f"(not unlocked: {exc})"))
                continue
            lines.append(line.format(pointer=name, content=self.show(content)))
        return "\n".join(lines)

    def _read(self, text: str) -> tuple[str, tuple[str, ...]]:
        try:
            return self._workspace.read(text)
        except PointerError as exc:
            raise ReplyError(f"{exc}; write only the pointers you were shown") from exc

    def _known(self) -> str:
        """The pointers there are, worded as ``Workspace.read`` words them."""
        return f"pointers: {self._workspace.names()}"
