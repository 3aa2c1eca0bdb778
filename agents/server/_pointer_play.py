"""How the simulated model plays a node that holds pointers: sums behind pointers.

It reads LLMAgent's default prompts: the ``Locked pointers:`` line (present only once a
node has pointers), ``$n: content`` lines of unlocked content, ``Qn:``/``An:`` lines of
its helpers' answers, and the latest ``May ask:`` and ``Budget left:`` lines. Its
question is a sum: every number in it counts, and a pointer counts for the numbers
behind it (content may hold further pointers).

While pointers are locked it either unlocks them all or, when it may ask and at least
two are locked, forwards them unread to two helpers ("What is the sum of $2 and $3?"),
by a seeded draw; then it answers the sum of what it read and what its helpers said.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

__all__ = ["pointer_decision"]

_LOCKED = re.compile(r"^Locked pointers: (.*)$", re.MULTILINE)
_UNLOCKED = re.compile(r"^(\$\d+): (.*)$", re.MULTILINE)
_PAIR = re.compile(r"^Q(\d+): .*\nA\1: (.*)$", re.MULTILINE)
_MAY_ASK = re.compile(r"^May ask: (yes|no)$", re.MULTILINE)
_BUDGET = re.compile(r"^Budget left: (\d+|unlimited)$", re.MULTILINE)
_REF = re.compile(r"\$\d+")
_INT = re.compile(r"-?\d+")
_REFUSED = "cannot be unlocked"


def pointer_decision(
    question: str,
    users: list[str],
    rng: random.Random,
    p_unlock: float,
    settle: Callable[[int], int],
) -> dict[str, Any] | None:
    """The reply to a node that holds pointers, or None when the conversation shows no
    pointers. ``settle`` turns the sum it worked out into the one it answers (a slip).

    Replies have the keys of the reply schema of the turn: ``unlock`` too while some
    pointers are locked.
    """
    text = "\n".join(users)
    locked_lines = _LOCKED.findall(text)
    if not locked_lines:
        return None
    locked = {name for name in locked_lines[-1].split(", ") if _REF.fullmatch(name)}
    decided = _decide(question, users, text, locked, rng, p_unlock)
    if isinstance(decided, int):
        decided = {"action": "answer", "questions": [], "answer": str(settle(decided))}
    return {**decided, "unlock": decided.get("unlock", [])} if locked else decided


def _decide(
    question: str,
    users: list[str],
    text: str,
    locked: set[str],
    rng: random.Random,
    p_unlock: float,
) -> dict[str, Any] | int:
    """An ``ask`` or ``unlock`` reply, or the sum to answer."""
    unlocked = {
        name: content
        for name, content in _UNLOCKED.findall(text)
        if not content.startswith("(not unlocked")
    }
    total, pending = _read(question, unlocked, set())
    helpers = _PAIR.findall(text)
    if helpers:
        return total + sum(_first_int(answer) for _, answer in helpers)
    pending = [name for name in pending if name in locked]
    if not pending:
        return total
    may = _MAY_ASK.findall(text)
    may_ask = bool(may) and may[-1] == "yes"
    budget = _BUDGET.findall(text)
    left = None if not budget or budget[-1] == "unlimited" else int(budget[-1])
    refused = _REFUSED in users[-1]
    forward = may_ask and len(pending) >= 2 and rng.random() >= p_unlock
    if may_ask and (forward or refused or (left is not None and left < len(pending))):
        half = (len(pending) + 1) // 2 if left is None or left >= 2 else len(pending)
        groups = [g for g in (pending[:half], pending[half:]) if g]
        return {"action": "ask", "questions": [_sum_question(g) for g in groups], "answer": ""}
    if refused or left == 0:
        return total  # what it could read; the rest is lost
    chosen = pending if left is None else pending[:left]
    return {"action": "unlock", "questions": [], "answer": "", "unlock": chosen}


def _read(text: str, unlocked: dict[str, str], seen: set[str]) -> tuple[int, list[str]]:
    """The sum of the numbers ``text`` shows, and the pointers still to be read."""
    total = sum(int(n) for n in _INT.findall(_REF.sub(" ", text)))
    pending: list[str] = []
    for name in _REF.findall(text):
        if name in seen:
            continue
        seen.add(name)
        if name in unlocked:
            inner, more = _read(unlocked[name], unlocked, seen)
            total += inner
            pending.extend(more)
        else:
            pending.append(name)
    return total, pending


def _sum_question(names: list[str]) -> str:
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"What is the sum of {listed}?"


def _first_int(answer: str) -> int:
    found = _INT.search(_REF.sub(" ", answer))
    return int(found.group(0)) if found else 0
