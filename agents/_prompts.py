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

_POINTERS = """\
Pointers: $1, $2, ... stand for content you cannot see until you unlock it; each keeps \
its number in every message here. Unlocking uses budget, as a subquestion does. You \
need not read a pointer to pass it on: write it in a subquestion or in your answer \
(say, "What is the sum of $2 and $3?") and whoever reads that gets what it points to.
- to unlock pointers: {"action": "unlock", "questions": [], "answer": "", "unlock": ["$1", ...]}
In your other replies "unlock" is []. "Locked pointers" lists those you have not unlocked."""

_LOCKED = "Locked pointers: {locked}"

_UNLOCKED = """\
Unlocked:
{contents}
May ask: {may_ask}
Budget left: {budget}"""

_UNLOCKED_LINE = "{pointer}: {content}"


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
        pointers: What pointers are and how to unlock them: added to the system message
            (or to the first message that shows a pointer) only when the node has any.
        locked: Line ending every message (but ``retry``) once the node has pointers;
            field ``locked`` (``$1, $3`` or "none").
        unlocked: User message carrying unlocked content; fields ``contents``,
            ``may_ask``, ``budget``.
        unlocked_line: One pointer's content inside ``unlocked``; fields ``pointer``
            (``$2``) and ``content``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    system: str = _SYSTEM
    question: str = _QUESTION
    answers: str = _ANSWERS
    answer_line: str = _ANSWER_LINE
    retry: str = _RETRY
    pointers: str = _POINTERS
    locked: str = _LOCKED
    unlocked: str = _UNLOCKED
    unlocked_line: str = _UNLOCKED_LINE
