"""Game of 24: the solver against an independent brute force, the safe checker."""

from __future__ import annotations

import ast
import itertools
import operator
import random
from collections import Counter
from fractions import Fraction

import pytest

from experiments.tasks.game24 import Game24Task, parse, question_for, solve, valid
from hch import Answer, Question

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _evaluate(text: str) -> tuple[Fraction, list[int]]:
    """An independent reader of the solver's output: Python's own parser, exact fractions."""
    numbers: list[int] = []

    def walk(node: ast.expr) -> Fraction:
        if isinstance(node, ast.BinOp):
            return Fraction(_OPS[type(node.op)](walk(node.left), walk(node.right)))
        assert isinstance(node, ast.Constant) and isinstance(node.value, int)
        numbers.append(node.value)
        return Fraction(node.value)

    return walk(ast.parse(text, mode="eval").body), numbers


_SHAPES = [  # the five bracketings of four numbers a, b, c, d under operators f, g, h
    lambda f, g, h, a, b, c, d: f(g(h(a, b), c), d),
    lambda f, g, h, a, b, c, d: f(g(a, h(b, c)), d),
    lambda f, g, h, a, b, c, d: f(g(a, b), h(c, d)),
    lambda f, g, h, a, b, c, d: f(a, g(h(b, c), d)),
    lambda f, g, h, a, b, c, d: f(a, g(b, h(c, d))),
]


def _solvable(numbers: tuple[int, ...]) -> bool:
    """Brute force over orders, operators and bracketings."""
    for order in set(itertools.permutations(map(Fraction, numbers))):
        for ops in itertools.product(_OPS.values(), repeat=3):
            for shape in _SHAPES:
                try:
                    if shape(*ops, *order) == 24:
                        return True
                except ZeroDivisionError:
                    pass
    return False


KNOWN = [(3, 3, 8, 8), (1, 5, 5, 5), (4, 4, 10, 10), (1, 3, 4, 6), (1, 1, 1, 1), (1, 1, 1, 2)]


def test_solver_agrees_with_brute_force() -> None:
    rng = random.Random(0)
    combos = KNOWN + [tuple(sorted(rng.randint(1, 13) for _ in range(4))) for _ in range(40)]
    for combo in combos:
        found = solve(combo)
        assert (found is not None) == _solvable(combo), combo
        if found is not None:
            value, used = _evaluate(found)
            assert value == 24 and Counter(used) == Counter(combo)
            assert valid(found, combo)


def test_solver_takes_any_target_and_count() -> None:
    for numbers, target in [((8, 5), 3), ((2, 3, 4), 24), ((7,), 7), ((1, 2, 3, 4, 5), 120)]:
        found = solve(numbers, target)
        assert found is not None and _evaluate(found)[0] == target
    assert solve((7,), 8) is None


def test_samples_are_seeded_and_solvable() -> None:
    task = Game24Task()
    assert task.sample(5) == task.sample(5)
    samples = [task.sample(s) for s in range(25)]
    assert len({tuple(s.question.data["numbers"]) for s in samples}) > 20
    for sample in samples:
        numbers = sample.question.data["numbers"]
        assert len(numbers) == 4 and all(1 <= n <= 13 for n in numbers)
        assert task.check(sample, Answer(text=sample.truth))


def test_check_rejects_wrong_expressions() -> None:
    task = Game24Task()
    sample = task.sample(0).model_copy(update={"question": question_for([3, 3, 8, 8])})
    assert task.check(sample, Answer(text="8 / (3 - 8 / 3)"))
    assert task.check(sample, Answer(text="8 ÷ (3 − 8 ÷ 3) = 24"))
    for wrong in [
        "8 * 3",  # numbers missing
        "8 * 3 + 8 / 8 - 3 + 3",  # a number used twice
        "8 + 8 + 3 + 3",  # wrong value
        "8 / (3 - 8 / 3) + 0",  # an extra number
        "8 / (3 - 3) * 8",  # division by zero
        "__import__('os').system('true')",
        "8 / (3 - 8 / 3",
        "",
    ]:
        assert not task.check(sample, Answer(text=wrong)), wrong


def test_parser_respects_precedence() -> None:
    assert parse("2 + 3 * 4").value == 14
    assert parse("(2 + 3) * 4").value == 20
    assert parse("8 / 3 / 2").value == Fraction(4, 3)
    assert parse("10 - 4 - 3").value == 3
    assert parse("(1 + 2) * (3 + 4)").numbers == (1, 2, 3, 4)
    with pytest.raises(ValueError, match="trailing"):
        parse("1 2")


def test_subpuzzles_are_checkable() -> None:
    task = Game24Task()
    sub = question_for([8, 5], target=3)
    assert task.check_node(sub, Answer(text="8 - 5"))
    assert task.check_node(sub, Answer(text="5 - 8")) is False
    assert task.check_node(Question(text="make 3"), Answer(text="3")) is None


def test_unsolvable_settings_fail_clearly() -> None:
    with pytest.raises(ValueError, match="no solvable puzzle"):
        Game24Task(count=1, max_number=5).sample(0)
