"""The words an LLM agent speaks to its model: replaceable prompt templates."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Prompts"]

_SYSTEM = """\
You are one node in a tree of assistants that answer questions together. You may split \
a question into simpler subquestions; each goes to another assistant like you, who sees \
only the subquestion's text, and you get their answers back. Then combine them.

Reply with exactly one JSON object and nothing else:
- to ask subquestions: {"action": "ask", "questions": ["<subquestion>", ...], "answer": ""}
- to give your final answer: {"action": "answer", "questions": [], "answer": "<answer>"}
Ask only when it helps and when "May ask" is yes; otherwise answer yourself."""

_QUESTION = """\
Question: {question}
Depth: {depth}
May ask: {may_ask}
Budget left: {budget}"""

_ANSWERS = """\
Answers to your subquestions:
{answers}
May ask: {may_ask}
Budget left: {budget}"""

_ANSWER_LINE = "Q{n}: {question}\nA{n}: {answer}"

_RETRY = """\
Your reply could not be used: {error}
Reply again with exactly one JSON object as described."""


class Prompts(BaseModel):
    """Templates (``str.format``) for every message an LLMAgent sends; replace any of them.

    Attributes:
        system: The system message.
        question: First user message; fields ``question``, ``depth``, ``may_ask``
            (yes/no) and ``budget`` (a number or "unlimited").
        answers: User message carrying children's answers; fields ``answers``,
            ``may_ask``, ``budget``.
        answer_line: One child's answer inside ``answers``; fields ``n`` (from 1),
            ``question``, ``answer``.
        retry: User message after a reply that could not be used; field ``error``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    system: str = _SYSTEM
    question: str = _QUESTION
    answers: str = _ANSWERS
    answer_line: str = _ANSWER_LINE
    retry: str = _RETRY
