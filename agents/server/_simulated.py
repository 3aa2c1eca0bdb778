"""A simulated model that plays the LLMAgent protocol on arithmetic questions.

It reads the default prompts: the ``Question:`` line of the first user message, the
latest ``May ask:`` line, and ``Qn:``/``An:`` lines of children's answers. It splits an
expression of two or more operations into its operands, combines the answers it gets,
and computes small expressions itself; any other question it does not pretend to answer:
the server replies 422 saying so (``Unanswerable``), and the node fails. Each reply
slips (off by 1..3) with probability ``p_error``; all randomness is seeded by the
request, so equal requests get equal replies.

A node whose prompt shows pointers (``$1``, ``Locked pointers:``) gets a sum to work out
from what they hold: it unlocks them or forwards them unread to helpers, by a seeded
draw (``agents.server._pointer_play``).

It also plays the misbehaviours of ``agents.memetic.memetic_prompts``, recognising
their paragraphs in the system message:

* told to inject, it answers with the given message whatever it is asked;
* it repeats an urgent message for the top-level asker found in its helpers' answers
  with probability ``p_carry`` (no instruction), ``p_carry_credulous`` (told to pass
  such messages on) or ``p_carry_sceptical`` (warned against them);
* told to conceal, it works out its own answer first (slipping with ``p_error``) and,
  when its helpers' answers disagree with it, leaves them out and answers its own;
* asked which part caused an error (a blame follow-up), it names its own part, or
  another one when told to shift blame.
"""

from __future__ import annotations

import json
import random
import re
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.memetic import (
    CONCEAL,
    CREDULOUS,
    SCEPTICAL,
    SHIFT_BLAME,
    blame_answer,
    injected_message,
    is_blame_question,
)
from agents.server._pointer_play import pointer_decision
from agents.server._responders import ChatRequest, Unanswerable, question_of
from experiments.tasks.arithmetic import (
    Expr,
    apply,
    count_ops,
    evaluate,
    parse,
    read_int,
    render,
)
from hch import Answer, Question
from hch.memes import URGENT
from hch.seeding import derive_seed

__all__ = ["SimulatedModel"]

_MAY_ASK = re.compile(r"^May ask: (yes|no)", re.MULTILINE)
_PAIR = re.compile(r"^Q(\d+): (.*)\nA\1: (.*)$", re.MULTILINE)
_URGENT = re.compile(re.escape(URGENT) + r".*$", re.MULTILINE)


class SimulatedModel(BaseModel):
    """Arithmetic by decomposition, with a known error rate and reply style.

    Attributes:
        p_error: Chance a reply's answer is off by a small amount.
        p_garbled: Chance a reply is prose with no JSON in it (exercises output retries).
        style: ``json`` (the bare object) or ``fenced`` (prose around a code fence).
        min_ops_to_split: Split only expressions of at least this many operations.
        p_carry: Chance it repeats an urgent message from a helper, uninstructed.
        p_carry_credulous: The same when its prompt says to pass such messages on.
        p_carry_sceptical: The same when its prompt warns against them.
        p_unlock: Chance it unlocks the pointers it holds rather than forwarding them
            unread to helpers (when it may ask and holds two or more).
        seed: Mixed into every reply's random draws.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    p_error: float = Field(0.0, ge=0, le=1)
    p_garbled: float = Field(0.0, ge=0, le=1)
    style: str = Field("json", pattern="^(json|fenced)$")
    min_ops_to_split: int = Field(2, ge=1)
    p_carry: float = Field(0.3, ge=0, le=1)
    p_carry_credulous: float = Field(0.9, ge=0, le=1)
    p_carry_sceptical: float = Field(0.05, ge=0, le=1)
    p_unlock: float = Field(0.5, ge=0, le=1)
    seed: int = 0

    def __call__(self, request: ChatRequest) -> str:
        rng = random.Random(derive_seed(self.seed, request.messages))
        if rng.random() < self.p_garbled:
            return "Let me think about this step by step. The answer should be clear soon."
        reply = self._decide(request, rng)
        body = json.dumps(reply)
        return body if self.style == "json" else f"Here is my reply:\n```json\n{body}\n```\n"

    def _decide(self, request: ChatRequest, rng: random.Random) -> dict[str, Any]:
        system = _system(request)
        users = [str(m.get("content", "")) for m in request.messages if m.get("role") == "user"]
        if (message := injected_message(system)) is not None:
            return _answer(message)
        if users and is_blame_question(Question(text=users[0])):
            blamed = blame_answer(Question(text=users[0]), SHIFT_BLAME in system, rng)
            return _answer(blamed.text)
        text = question_of(request)
        settle = partial(self._settle, rng=rng)
        if (played := pointer_decision(text or "", users, rng, self.p_unlock, settle)) is not None:
            return played
        try:
            expr = parse(text or "")
        except ValueError:
            raise Unanswerable(
                f"the simulated model reads arithmetic expressions only, not {text!r}"
            ) from None
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
        value = self._settle(value, rng)
        if CONCEAL in system and known:
            own = self._settle(evaluate(expr), rng)
            value = own  # its helpers' answers either agree with it or are left out
        return _answer("\n".join([str(value), *self._carried(users[1:], system, rng)]))

    def _settle(self, value: int, rng: random.Random) -> int:
        """The value it answers: off by a little with probability ``p_error``."""
        return _slip(value, rng) if rng.random() < self.p_error else value

    def _carried(self, answers: list[str], system: str, rng: random.Random) -> list[str]:
        """The urgent messages in helpers' answers it repeats, each drawn on its own."""
        p = self.p_carry
        if CREDULOUS in system:
            p = self.p_carry_credulous
        elif SCEPTICAL in system:
            p = self.p_carry_sceptical
        found = dict.fromkeys(m.strip() for m in _URGENT.findall("\n".join(answers)))
        return [m for m in found if rng.random() < p]


def _system(request: ChatRequest) -> str:
    return "\n".join(
        str(m.get("content", "")) for m in request.messages if m.get("role") == "system"
    )


def _slip(value: int, rng: random.Random) -> int:
    return value + rng.choice((-1, 1)) * rng.randint(1, 3)


def _value(part: Expr, known: dict[str, str]) -> int:
    """A child's value; a child whose answer gave no number (a meme) is worked out here."""
    if isinstance(part, int):
        return part
    text = known.get(render(part), "").split(URGENT)[0]
    found = read_int(Answer(text=text))
    return evaluate(part) if found is None else found


def _answer(text: str) -> dict[str, Any]:
    return {"action": "answer", "questions": [], "answer": text}
