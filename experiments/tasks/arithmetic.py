"""Arithmetic on random expression trees: the truth of every subexpression is known.

An expression is an ``int`` or a list ``[op, left, right]`` with ``op`` in ``+ - *``.
Questions carry the expression in ``Question.data`` and its rendering in ``text``, so a
simulated agent reads the structure and any node's answer can be checked exactly.
"""

from __future__ import annotations

import random
import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hch import Answer, Question, Sample

__all__ = [
    "ArithmeticTask",
    "Expr",
    "apply",
    "count_ops",
    "evaluate",
    "is_expression",
    "parse",
    "question_for",
    "read_int",
    "render",
]

Expr = int | list[Any]
"""``int`` or ``[op, left, right]``."""

_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


def apply(op: str, a: int, b: int) -> int:
    return int(_OPS[op](a, b))


def evaluate(expr: Expr) -> int:
    if isinstance(expr, int):
        return expr
    op, left, right = expr
    return apply(op, evaluate(left), evaluate(right))


def is_expression(obj: object) -> bool:
    """Whether ``obj`` is a well-formed expression (``int`` or ``[op, left, right]``)."""
    if isinstance(obj, int):
        return not isinstance(obj, bool)
    return (
        isinstance(obj, list)
        and len(obj) == 3
        and obj[0] in _OPS
        and is_expression(obj[1])
        and is_expression(obj[2])
    )


def count_ops(expr: Expr) -> int:
    """Operations needed to evaluate ``expr`` alone."""
    return 0 if isinstance(expr, int) else 1 + count_ops(expr[1]) + count_ops(expr[2])


def render(expr: Expr, top: bool = True) -> str:
    """Fully parenthesised text; the outermost pair is left off."""
    if isinstance(expr, int):
        return f"({expr})" if expr < 0 and not top else str(expr)
    op, left, right = expr
    body = f"{render(left, False)} {op} {render(right, False)}"
    return body if top else f"({body})"


_TOKEN = re.compile(r"\s*(-?\d+|[-+*()])")


def parse(text: str) -> Expr:
    """Inverse of ``render`` (also accepts redundant parentheses)."""
    tokens = _TOKEN.findall(text)
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", text):
        raise ValueError(f"not an arithmetic expression: {text!r}")
    pos = 0

    def operand() -> Expr:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"expression ends early: {text!r}")
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            inner = binary()
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError(f"missing ')' in {text!r}")
            pos += 1
            return inner
        if tok in _OPS or tok == ")":
            raise ValueError(f"unexpected {tok!r} in {text!r}")
        return int(tok)

    def binary() -> Expr:
        nonlocal pos
        left = operand()
        if pos < len(tokens) and tokens[pos] in _OPS:
            op = tokens[pos]
            pos += 1
            return [op, left, operand()]
        return left

    expr = binary()
    if pos != len(tokens):
        raise ValueError(f"trailing {tokens[pos]!r} in {text!r}")
    return expr


_INT = re.compile(r"-?\d+")


def read_int(answer: Answer) -> int | None:
    """The integer an answer gives: its ``data`` if an int, else the last integer in its text."""
    if isinstance(answer.data, int) and not isinstance(answer.data, bool):
        return answer.data
    found = _INT.findall(answer.text.replace(",", ""))
    return int(found[-1]) if found else None


def question_for(expr: Expr) -> Question:
    return Question(text=render(expr), data=expr)


class ArithmeticTask(BaseModel):
    """Random expressions of ``leaves`` numbers; exact truth at every node.

    ``shape="balanced"`` splits the leaves in half at every operator (so a tree of
    depth log2(leaves) can decompose fully); ``"random"`` splits anywhere.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = "arithmetic"
    suggested_agent: ClassVar[str] = "noisy-calculator"

    leaves: int = Field(16, ge=1, le=4096)
    ops: str = "+-"
    shape: Literal["balanced", "random"] = "balanced"
    max_value: int = Field(9, ge=1)

    @field_validator("ops")
    @classmethod
    def _known_ops(cls, ops: str) -> str:
        unknown = set(ops) - set(_OPS)
        if not ops or unknown:
            raise ValueError(f"ops must be drawn from '+-*', got {ops!r}")
        return ops

    def sample(self, seed: int) -> Sample:
        rng = random.Random(seed)
        expr = self._build(rng, self.leaves)
        return Sample(question=question_for(expr), truth=evaluate(expr), task=self.name)

    def _build(self, rng: random.Random, n: int) -> Expr:
        if n == 1:
            return rng.randint(1, self.max_value)
        k = n // 2 if self.shape == "balanced" else rng.randint(1, n - 1)
        return [rng.choice(self.ops), self._build(rng, k), self._build(rng, n - k)]

    def check(self, sample: Sample, answer: Answer) -> bool:
        return read_int(answer) == sample.truth

    def check_node(self, question: Question, answer: Answer) -> bool | None:
        truth = self.node_truth(question)
        return None if truth is None else read_int(answer) == truth

    def node_truth(self, question: Question) -> int | None:
        """The value of the expression a question carries (or spells out); None if none."""
        expr = question.data
        if expr is None:
            try:
                expr = parse(question.text)
            except ValueError:
                return None
        return evaluate(expr)
