"""Game-of-24 puzzles: make a target from numbers with + - * / and parentheses.

Puzzles are generated here (four numbers in ``1..max_number``, kept only if the
brute-force solver finds a solution), so no dataset or licence is involved. A
question's ``data`` is ``{"numbers": [...], "target": 24}``; a subquestion is the same
kind of puzzle over some of the numbers and any target ("make 3 from 8 and 5"), so every
node's answer is checked the same way: an expression that uses exactly the given
numbers, each once, and equals the target. Expressions are read by a small parser over
exact fractions, never by ``eval``.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from hch import Answer, Question, Sample

__all__ = ["Game24Task", "Parsed", "parse", "question_for", "read_question", "solve", "valid"]

_TOKEN = re.compile(r"\s*(\d+|[-+*/()])")
_ALIASES = str.maketrans({"×": "*", "x": "*", "÷": "/", "−": "-"})


class Parsed(BaseModel):
    """An expression read from text: its exact value and the numbers it used."""

    model_config = ConfigDict(frozen=True)

    value: Fraction
    numbers: tuple[int, ...]


def parse(text: str) -> Parsed:
    """Read ``text`` as an expression over integers with ``+ - * /`` and parentheses.

    A trailing ``= <target>`` is ignored. Raises ValueError for anything else,
    including division by zero.
    """
    body = text.translate(_ALIASES).split("=")[0].strip()
    tokens = _TOKEN.findall(body)
    if not tokens or "".join(tokens) != re.sub(r"\s+", "", body):
        raise ValueError(f"not an arithmetic expression: {text!r}")
    pos = 0
    used: list[int] = []

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"expression ends early: {text!r}")
        pos += 1
        return tokens[pos - 1]

    def atom() -> Fraction:
        tok = take()
        if tok == "(":
            inner = expression()
            if take() != ")":
                raise ValueError(f"missing ')' in {text!r}")
            return inner
        if not tok.isdigit():
            raise ValueError(f"unexpected {tok!r} in {text!r}")
        used.append(int(tok))
        return Fraction(int(tok))

    def term() -> Fraction:
        value = atom()
        while peek() in ("*", "/"):
            op, right = take(), atom()
            if op == "/" and right == 0:
                raise ValueError(f"division by zero in {text!r}")
            value = value * right if op == "*" else value / right
        return value

    def expression() -> Fraction:
        value = term()
        while peek() in ("+", "-"):
            op, right = take(), term()
            value = value + right if op == "+" else value - right
        return value

    value = expression()
    if pos != len(tokens):
        raise ValueError(f"trailing {tokens[pos]!r} in {text!r}")
    return Parsed(value=value, numbers=tuple(used))


def valid(text: str, numbers: Sequence[int], target: int = 24) -> bool:
    """Whether ``text`` uses exactly ``numbers`` (each once) and equals ``target``."""
    try:
        parsed = parse(text)
    except ValueError:
        return False
    return parsed.value == target and Counter(parsed.numbers) == Counter(numbers)


def solve(numbers: Sequence[int], target: int = 24) -> str | None:
    """One expression making ``target`` from ``numbers``, or None: exhaustive search."""
    return _search([(Fraction(n), str(n)) for n in numbers], Fraction(target))


def _search(items: list[tuple[Fraction, str]], target: Fraction) -> str | None:
    if len(items) == 1:
        return items[0][1] if items[0][0] == target else None
    for i in range(len(items)):
        for j in range(len(items)):
            if i == j:
                continue
            (a, x), (b, y) = items[i], items[j]
            rest = [item for k, item in enumerate(items) if k not in (i, j)]
            results = [(a - b, f"{x} - {y}")]
            if b:
                results.append((a / b, f"{x} / {y}"))
            if i < j:  # commutative operations once per pair
                results += [(a + b, f"{x} + {y}"), (a * b, f"{x} * {y}")]
            for value, text in results:
                found = _search([*rest, (value, f"({text})" if rest else text)], target)
                if found is not None:
                    return found
    return None


def question_for(numbers: Sequence[int], target: int = 24) -> Question:
    listed = " ".join(map(str, numbers))
    text = (
        f"Use each of the numbers {listed} exactly once, with + - * / and parentheses, "
        f"to make {target}. Answer with the expression only."
    )
    return Question(text=text, data={"numbers": list(numbers), "target": target})


def read_question(question: Question) -> tuple[list[int], int] | None:
    """``(numbers, target)`` from a puzzle question's data; None for any other question."""
    data = question.data
    if not isinstance(data, dict) or not {"numbers", "target"} <= data.keys():
        return None
    return data["numbers"], data["target"]


def _text(answer: Answer) -> str:
    return answer.data if isinstance(answer.data, str) else answer.text


class Game24Task(BaseModel):
    """Solvable puzzles of ``count`` numbers in ``1..max_number`` making ``target``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = "game24"

    count: int = Field(4, ge=1, le=6)
    max_number: int = Field(13, ge=1, le=99)
    target: int = 24

    def sample(self, seed: int) -> Sample:
        """Draw numbers until they can make the target; errs after 10,000 unsolvable draws."""
        rng = random.Random(seed)
        for _ in range(10_000):
            numbers = sorted(rng.randint(1, self.max_number) for _ in range(self.count))
            solution = solve(numbers, self.target)
            if solution is not None:
                return Sample(
                    question=question_for(numbers, self.target), truth=solution, task=self.name
                )
        raise ValueError(
            f"no solvable puzzle of {self.count} numbers in 1..{self.max_number} "
            f"making {self.target} in 10,000 draws (seed {seed})"
        )

    def check(self, sample: Sample, answer: Answer) -> bool:
        numbers, target = sample.question.data["numbers"], sample.question.data["target"]
        return valid(_text(answer), numbers, target)

    def check_node(self, question: Question, answer: Answer) -> bool | None:
        found = read_question(question)
        if found is None:
            return None
        return valid(_text(answer), *found)
