"""A simulated model that plays the LLMAgent protocol on arithmetic questions.

It reads the default prompts: the ``Question:`` line of the first user message, the
latest ``May ask:`` line, and ``Qn:``/``An:`` lines of children's answers. It splits an
expression of two or more operations into its operands, combines the answers it gets,
and computes small expressions itself. Each reply slips (off by 1..3) with probability
``p_error``; all randomness is seeded by the request, so equal requests get equal replies.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.server._responders import ChatRequest, question_of
from experiments.tasks.arithmetic import (
    Expr,
    apply,
    count_ops,
    evaluate,
    parse,
    read_int,
    render,
)
from hch import Answer
from hch.seeding import derive_seed

__all__ = ["SimulatedModel"]

_MAY_ASK = re.compile(r"^May ask: (yes|no)", re.MULTILINE)
_PAIR = re.compile(r"^Q(\d+): (.*)\nA\1: (.*)$", re.MULTILINE)


class SimulatedModel(BaseModel):
    """Arithmetic by decomposition, with a known error rate and reply style.

    Attributes:
        p_error: Chance a reply's answer is off by a small amount.
        p_garbled: Chance a reply is prose with no JSON in it (exercises output retries).
        style: ``json`` (the bare object) or ``fenced`` (prose around a code fence).
        min_ops_to_split: Split only expressions of at least this many operations.
        seed: Mixed into every reply's random draws.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    p_error: float = Field(0.0, ge=0, le=1)
    p_garbled: float = Field(0.0, ge=0, le=1)
    style: str = Field("json", pattern="^(json|fenced)$")
    min_ops_to_split: int = Field(2, ge=1)
    seed: int = 0

    def __call__(self, request: ChatRequest) -> str:
        rng = random.Random(derive_seed(self.seed, request.messages))
        if rng.random() < self.p_garbled:
            return "Let me think about this step by step. The answer should be clear soon."
        reply = self._decide(request, rng)
        body = json.dumps(reply)
        return body if self.style == "json" else f"Here is my reply:\n```json\n{body}\n```\n"

    def _decide(self, request: ChatRequest, rng: random.Random) -> dict[str, Any]:
        text = question_of(request)
        try:
            expr = parse(text or "")
        except ValueError:
            return _answer(f"I cannot read the question {text!r}")
        users = [str(m.get("content", "")) for m in request.messages if m.get("role") == "user"]
        known = {q.strip(): a for _, q, a in _PAIR.findall("\n".join(users))}
        may = _MAY_ASK.findall(users[-1] if users else "") or _MAY_ASK.findall(users[0])
        may_ask = bool(may) and may[-1] == "yes"
        if isinstance(expr, list) and known:
            value = apply(expr[0], _value(expr[1], known), _value(expr[2], known))
        elif isinstance(expr, list) and may_ask and count_ops(expr) >= self.min_ops_to_split:
            parts = [render(p) for p in expr[1:] if not isinstance(p, int)]
            return {"action": "ask", "questions": parts, "answer": ""}
        else:
            value = evaluate(expr)
        if rng.random() < self.p_error:
            value += rng.choice((-1, 1)) * rng.randint(1, 3)
        return _answer(str(value))


def _value(part: Expr, known: dict[str, str]) -> int:
    if isinstance(part, int):
        return part
    found = read_int(Answer(text=known.get(render(part), "")))
    return evaluate(part) if found is None else found


def _answer(text: str) -> dict[str, Any]:
    return {"action": "answer", "questions": [], "answer": text}
