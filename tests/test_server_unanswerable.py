"""The simulated model never passes off an excuse as an answer: a question it does not
simulate fails the node, at once, saying why."""

from __future__ import annotations

import pytest

from agents.llm import LLMAgent
from agents.server import ModelServer, SimulatedModel
from hch import Limits, ModelCall, Status, run_tree

pytestmark = pytest.mark.anyio


async def test_a_question_the_simulated_model_cannot_read_fails_the_node() -> None:
    with ModelServer(SimulatedModel()) as server:
        agent = LLMAgent(model="sim", base_url=server.base_url, api_key="none")
        tree = await run_tree("What is the capital of France?", agent, limits=Limits(max_depth=1))
        assert server.statuses == {422: 1}  # refused once, not retried
    assert tree.root.status is Status.FAILED and tree.root.answer is None
    error = tree.root.error
    assert error is not None and "HTTP 422" in error.message
    assert "reads arithmetic expressions only" in error.message
    assert "What is the capital of France?" in error.message
    assert [e.attempt for e in tree.root.events if isinstance(e, ModelCall)] == [1]


async def test_the_readme_question_is_answered() -> None:
    with ModelServer(SimulatedModel()) as server:
        agent = LLMAgent(model="sim", base_url=server.base_url, api_key="none")
        tree = await run_tree("(3 + 4) * (5 - 2)", agent, limits=Limits(max_depth=2))
    assert tree.root.status is Status.OK
    assert tree.root.answer is not None and tree.root.answer.text == "21"
