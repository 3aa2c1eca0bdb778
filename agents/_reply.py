"""Reading a model's reply: the JSON schema it is asked for and a tolerant parser."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "REPLY_SCHEMA",
    "Reply",
    "ReplyError",
    "exact_reply_schema",
    "parse_reply",
    "reply_schema",
    "response_format",
]

REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": ["ask", "answer"]},
        "questions": {"type": "array", "items": {"type": "string"}},
        "answer": {"type": "string"},
    },
    "required": ["action", "questions", "answer"],
    "additionalProperties": False,
}
"""What a node's model replies: subquestions to ask, or its final answer."""


def reply_schema(
    may_ask: bool = True, max_questions: int | None = None, unlock: Sequence[str] = ()
) -> dict[str, Any]:
    """REPLY_SCHEMA narrowed to this turn: a node that may not ask can only answer, and
    no more questions than the limits allow (constrained decoding then cannot break them).
    ``unlock`` names the locked pointers (``$2``, ...): when there are any, the reply may
    instead unlock some of them.
    """
    if may_ask and max_questions is None and not unlock:
        return REPLY_SCHEMA
    questions: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    if not may_ask or max_questions is not None:
        questions["maxItems"] = max_questions if may_ask else 0
    actions = ["ask", "answer"] if may_ask else ["answer"]
    properties = {
        **REPLY_SCHEMA["properties"],
        "action": {"type": "string", "enum": actions + ["unlock"] * bool(unlock)},
        "questions": questions,
    }
    if not unlock:
        return {**REPLY_SCHEMA, "properties": properties}
    properties["unlock"] = {"type": "array", "items": {"type": "string", "enum": list(unlock)}}
    return {**REPLY_SCHEMA, "properties": properties, "required": [*properties]}


def exact_reply_schema(
    may_ask: bool = True, max_questions: int | None = None, unlock: Sequence[str] = ()
) -> dict[str, Any]:
    """Either a non-empty list of non-empty questions or a non-empty answer, nothing else
    (or, when ``unlock`` names locked pointers, a non-empty list of them to unlock).

    Grammar-constrained servers (llama.cpp) can enforce this; OpenAI's strict mode does
    not take ``anyOf`` at the root, so it gets ``reply_schema`` instead.
    """
    if unlock:  # every reply then has "unlock": empty unless it unlocks
        plain = exact_reply_schema(may_ask, max_questions)
        branches = [_with_empty_unlock(b) for b in plain.get("anyOf", [plain])]
        return {"anyOf": [*branches, _unlock_branch(unlock)]}
    answer = {
        "type": "object",
        "properties": {
            "action": {"const": "answer"},
            "questions": {"type": "array", "items": {"type": "string"}, "maxItems": 0},
            "answer": {"type": "string", "minLength": 1, "maxLength": 400},
        },
        "required": ["action", "questions", "answer"],
        "additionalProperties": False,
    }
    if not may_ask or max_questions == 0:
        return answer
    questions: dict[str, Any] = {
        "type": "array",
        "items": {"type": "string", "minLength": 1, "maxLength": 400},
        "minItems": 1,
    }
    if max_questions is not None:
        questions["maxItems"] = max_questions
    ask = {
        "type": "object",
        "properties": {
            "action": {"const": "ask"},
            "questions": questions,
            "answer": {"type": "string", "maxLength": 0},
        },
        "required": ["action", "questions", "answer"],
        "additionalProperties": False,
    }
    return {"anyOf": [ask, answer]}


def _with_empty_unlock(branch: dict[str, Any]) -> dict[str, Any]:
    unlock = {"type": "array", "items": {"type": "string"}, "maxItems": 0}
    return {
        **branch,
        "properties": {**branch["properties"], "unlock": unlock},
        "required": [*branch["required"], "unlock"],
    }


def _unlock_branch(unlock: Sequence[str]) -> dict[str, Any]:
    """The exact shape of a reply that unlocks some of the ``unlock`` pointers."""
    return {
        "type": "object",
        "properties": {
            "action": {"const": "unlock"},
            "questions": {"type": "array", "items": {"type": "string"}, "maxItems": 0},
            "answer": {"type": "string", "maxLength": 0},
            "unlock": {
                "type": "array",
                "items": {"enum": list(unlock)},
                "minItems": 1,
                "uniqueItems": True,
            },
        },
        "required": ["action", "questions", "answer", "unlock"],
        "additionalProperties": False,
    }


def response_format(
    mode: str, may_ask: bool = True, max_questions: int | None = None, unlock: Sequence[str] = ()
) -> dict[str, Any] | None:
    """The ``response_format`` request parameter for a structured-output mode and turn
    (``unlock``: the locked pointers the reply may unlock)."""
    if mode == "json_schema":
        schema = reply_schema(may_ask, max_questions, unlock)
        return {
            "type": "json_schema",
            "json_schema": {"name": "node_reply", "strict": True, "schema": schema},
        }
    if mode == "json_object":
        return {"type": "json_object"}
    if mode == "json_object_schema":
        schema = exact_reply_schema(may_ask, max_questions, unlock)
        return {"type": "json_object", "schema": schema}
    return None


class ReplyError(ValueError):
    """A reply that is not a usable decision; the message is shown to the model."""


class Reply(BaseModel):
    """A parsed decision: ``questions`` to ask, a final ``answer``, or pointers to
    ``unlock`` (``$2``, ...; exactly one of the three)."""

    model_config = ConfigDict(frozen=True)

    questions: list[str] = []
    answer: str | None = None
    data: Any = None
    unlock: list[str] = []


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_ASK_KEYS = ("questions", "subquestions", "ask", "question")
_ANSWER_KEYS = ("answer", "final_answer", "final")
_POINTER = re.compile(r"\$\d+")


def parse_reply(text: str, may_unlock: bool = False) -> Reply:
    """Read a decision from a reply: strict JSON, JSON in a code fence or in prose, or a
    lenient shape (``{"answer": 42}``, ``{"ask": "q"}``, ``{"subquestions": [...]}``).
    ``may_unlock``: the node has pointers, so ``{"unlock": ["$2"]}`` is a decision too.
    """
    obj = _find_json(text)
    if not isinstance(obj, dict):
        raise ReplyError(
            'expected one JSON object like {"action": "answer", "questions": [], '
            f'"answer": "..."}}, got {_excerpt(text)}'
        )
    return _unlocking(obj) if may_unlock and _unlocks(obj) else _decision(obj)


def _find_json(text: str) -> Any:
    """The first candidate that parses: the whole reply, a fenced block, a braced span.
    Each kind is looked for only when those before it failed (a clean reply never)."""
    fenced = (m.group(1).strip() for m in _FENCE.finditer(text))
    for candidate in chain([text.strip()], fenced, _braced(text)):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    return None


def _braced(text: str) -> Iterator[str]:
    """Every balanced ``{...}`` span, outermost first (strings are respected)."""
    depth, start, in_str, escaped = 0, -1, False, False
    for i, ch in enumerate(text):
        if in_str:
            escaped = not escaped and ch == "\\"
            in_str = escaped or ch != '"'
            continue
        if ch == '"' and depth:
            in_str = True
        elif ch == "{":
            start = i if depth == 0 else start
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                yield text[start : i + 1]


def _decision(obj: dict[str, Any]) -> Reply:
    action = str(obj.get("action", "")).strip().lower()
    questions = _questions(next((obj[k] for k in _ASK_KEYS if k in obj), None))
    answer_key = next((k for k in _ANSWER_KEYS if k in obj), None)
    raw_answer = obj[answer_key] if answer_key else None
    has_answer = raw_answer is not None and str(raw_answer).strip() != ""
    if action == "ask" or (action == "" and questions and not has_answer):
        if not questions:
            raise ReplyError('"action" is "ask" but "questions" holds no question')
        return Reply(questions=questions)
    if action in ("answer", "") and has_answer:
        data = raw_answer if isinstance(raw_answer, int | float | list | dict) else None
        text = raw_answer if isinstance(raw_answer, str) else json.dumps(raw_answer)
        return Reply(answer=text.strip(), data=data)
    if action not in ("", "answer"):
        raise ReplyError(f'"action" must be "ask" or "answer", got {action!r}')
    raise ReplyError('the reply has neither questions to ask nor a non-empty "answer"')


def _unlocks(obj: dict[str, Any]) -> bool:
    """Whether the reply means to unlock: says so, or names pointers and nothing else."""
    action = str(obj.get("action", "")).strip().lower()
    if action:
        return action == "unlock"
    asks = any(obj.get(k) for k in _ASK_KEYS)
    answers = any(obj.get(k) is not None and str(obj[k]).strip() for k in _ANSWER_KEYS)
    return bool(obj.get("unlock")) and not asks and not answers


def _unlocking(obj: dict[str, Any]) -> Reply:
    value = obj.get("unlock")
    items = value if isinstance(value, list) else [] if value is None else [value]
    names = []
    for item in items:
        name = str(item).strip()
        name = f"${name}" if name.isdigit() else name
        if not _POINTER.fullmatch(name):
            raise ReplyError(f'"unlock" holds {name!r}; name pointers as "$1", "$2", ...')
        names.append(name)
    if not names:
        raise ReplyError('"action" is "unlock" but "unlock" names no pointer')
    return Reply(unlock=list(dict.fromkeys(names)))


def _questions(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("question", item.get("text", ""))
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def _excerpt(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= n else text[:n] + "...")
