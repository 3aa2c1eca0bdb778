"""The arithmetic world: generation, rendering/parsing, exact truth at every node."""

from __future__ import annotations

import ast
import operator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hch
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import (
    ArithmeticTask,
    count_ops,
    evaluate,
    is_expression,
    parse,
    read_int,
    render,
)
from hch import Answer, Limits, Question, Status

_AST_OPS: dict[type, Any] = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def python_value(text: str) -> int:
    """An independent evaluator: Python's own parser on the rendered text."""

    def walk(node: ast.AST) -> int:
        if isinstance(node, ast.BinOp):
            return int(_AST_OPS[type(node.op)](walk(node.left), walk(node.right)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        assert isinstance(node, ast.Constant)
        return int(node.value)

    return walk(ast.parse(text, mode="eval").body)


expressions = st.recursive(
    st.integers(-20, 20),
    lambda inner: st.tuples(st.sampled_from("+-*"), inner, inner).map(list),
    max_leaves=24,
)


@given(expressions)
def test_render_parse_roundtrip_and_truth(expr: Any) -> None:
    text = render(expr)
    assert parse(text) == expr
    assert evaluate(expr) == python_value(text)
    assert is_expression(expr)


@pytest.mark.parametrize("leaves", [1, 2, 7, 16, 64])
@pytest.mark.parametrize("shape", ["balanced", "random"])
def test_sample_has_the_asked_leaves_and_exact_truth(leaves: int, shape: str) -> None:
    task = ArithmeticTask(leaves=leaves, shape=shape, ops="+-*")
    sample = task.sample(seed=3)
    assert count_ops(sample.question.data) == leaves - 1
    assert sample.truth == python_value(sample.question.text)
    assert task.sample(seed=3) == sample
    assert task.sample(seed=4) != sample or leaves == 1


def test_balanced_shape_halves_at_every_operator() -> None:
    expr = ArithmeticTask(leaves=16).sample(seed=1).question.data

    def depth(e: Any) -> int:
        return 0 if isinstance(e, int) else 1 + max(depth(e[1]), depth(e[2]))

    assert depth(expr) == 4


def test_check_and_check_node() -> None:
    task = ArithmeticTask(leaves=8)
    sample = task.sample(seed=11)
    assert task.check(sample, Answer(text=str(sample.truth)))
    assert task.check(sample, Answer(text=f"The answer is {sample.truth}."))
    assert not task.check(sample, Answer(text=str(sample.truth + 1)))
    assert not task.check(sample, Answer(text="no idea"))
    sub = sample.question.data[1]
    assert task.check_node(Question(text=render(sub), data=sub), Answer(text=str(evaluate(sub))))
    assert task.check_node(Question(text="2 + 3"), Answer(text="5"))
    assert task.check_node(Question(text="2 + 3"), Answer(text="6")) is False
    assert task.check_node(Question(text="what is love"), Answer(text="5")) is None


def test_read_int_prefers_data() -> None:
    assert read_int(Answer(text="12", data=7)) == 7
    assert read_int(Answer(text="first 3, then 1,024")) == 1024
    assert read_int(Answer(text="none")) is None


@pytest.mark.parametrize("bad", ["", "1 +", "(1 + 2", "1 + 2)", "1 / 2", "one"])
def test_parse_rejects_non_expressions(bad: str) -> None:
    with pytest.raises(ValueError):
        parse(bad)


def test_task_rejects_unknown_ops() -> None:
    with pytest.raises(ValueError, match="ops"):
        ArithmeticTask(ops="+/")


def test_noisy_calculator_is_exact_without_noise_at_any_depth() -> None:
    task = ArithmeticTask(leaves=32, ops="+-*")
    for depth in range(7):
        sample = task.sample(seed=depth)
        tree = hch.run(
            sample.question, NoisyCalculator(p_error=0.0), limits=Limits(max_depth=depth)
        )
        assert tree.root.answer is not None
        assert tree.root.answer.data == sample.truth
        assert all(task.check_node(n.question, n.answer) for n in tree if n.answer)
        assert tree.depth == min(depth, 4)  # 2-leaf parts (one operation) are not split


def test_noisy_calculator_fails_clearly_on_a_foreign_question() -> None:
    tree = hch.run(Question(text="Who wrote Hamlet?", data={"dataset": "x"}), NoisyCalculator())
    assert tree.root.status is Status.FAILED
    assert tree.root.error is not None
    assert "arithmetic expressions" in tree.root.error.message
    assert "Hamlet" in tree.root.error.message


def test_simulated_agents_work_alone_rather_than_break_a_fanout_limit() -> None:
    from agents.noisy_lists import NoisyLists
    from experiments.tasks.lists import ListTask

    limits = Limits(max_depth=3, max_children=1)
    for task, agent in [
        (ArithmeticTask(leaves=8), NoisyCalculator(p_error=0.0)),
        (ListTask(length=8), NoisyLists(p_error=0.0)),
    ]:
        sample = task.sample(seed=5)
        tree = hch.run(sample.question, agent, limits=limits)
        assert tree.root.status is Status.OK, tree.root.error
        assert len(tree) == 1
        assert tree.root.answer is not None and task.check(sample, tree.root.answer)
