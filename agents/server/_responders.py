"""What the local server's model is: anything that turns a chat request into reply text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

__all__ = ["ChatRequest", "Responder", "TableModel", "Unanswerable", "question_of"]


class ChatRequest(BaseModel):
    """The part of a ``/v1/chat/completions`` body a responder reads."""

    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[dict[str, Any]]
    temperature: float | None = None
    seed: int | None = None


class Unanswerable(Exception):
    """Raised by a responder for a request it cannot answer at all (a simulated model
    asked what it does not simulate): the server replies 422 with the message, so the
    node fails saying so instead of taking an excuse for an answer."""


class Responder(Protocol):
    """Turns a request into the assistant's reply text (a plain function qualifies), or
    raises ``Unanswerable``."""

    def __call__(self, request: ChatRequest) -> str: ...


_QUESTION = re.compile(r"^Question: (.*)$", re.MULTILINE)


def question_of(request: ChatRequest) -> str | None:
    """The node's question, read from the first user message (LLMAgent's default prompt)."""
    for message in request.messages:
        if message.get("role") == "user":
            found = _QUESTION.search(str(message.get("content", "")))
            return found.group(1).strip() if found else None
    return None


class TableModel:
    """A scripted model: replies from a table keyed by the node's question text.

    ``replies`` values are sent as they are (raw reply text). A callable value gets the
    request and returns the text. Questions with no entry get ``default``.
    """

    def __init__(
        self,
        replies: Mapping[str, str | Callable[[ChatRequest], str]],
        default: str = '{"action": "answer", "questions": [], "answer": "unknown"}',
    ) -> None:
        self.replies = dict(replies)
        self.default = default

    def __call__(self, request: ChatRequest) -> str:
        reply = self.replies.get(question_of(request) or "", self.default)
        return reply(request) if callable(reply) else reply
