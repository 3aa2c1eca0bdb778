"""LLMAgent against the local OpenAI-compatible server over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

import hch
from agents.llm import LLMAgent, Prompts, RetryPolicy
from agents.server import ChatRequest, Faults, ModelServer, SimulatedModel, TableModel
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Limits, ModelCall, ModelOutputError, Status, agent, run_tree
from hch.cache import Cache

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=4, initial=0.001, jitter=0.001, max_wait=0.02, total=10)
KEY = "sk-test-DO-NOT-LEAK-7f3a9"


def llm(server: ModelServer, **options: object) -> LLMAgent:
    return LLMAgent(model="sim", base_url=server.base_url, api_key=KEY, retry=FAST, **options)


def answer(text: str) -> str:
    return json.dumps({"action": "answer", "questions": [], "answer": text})


def ask(*questions: str) -> str:
    return json.dumps({"action": "ask", "questions": list(questions), "answer": ""})


def calls(node_events: list[object]) -> list[ModelCall]:
    return [e for e in node_events if isinstance(e, ModelCall)]


async def test_full_tree_decomposes_and_answers_right() -> None:
    task = ArithmeticTask(leaves=8)
    sample = task.sample(seed=3)
    with ModelServer(SimulatedModel()) as server:
        tree = await run_tree(
            sample.question, llm(server), limits=Limits(max_depth=3), truth=sample.truth
        )
    assert tree.root.status is Status.OK
    assert task.check(sample, tree.root.answer)  # type: ignore[arg-type]
    assert len(tree) > 1
    for node in tree:
        assert node.status is Status.OK
        assert task.check_node(node.question, node.answer) is True  # type: ignore[arg-type]
        assert calls(node.events), f"node {node.id} recorded no model call"
    inner = [n for n in tree if n.n_children]
    assert inner and all(len(calls(n.events)) == 2 for n in inner)
    assert server.requests == sum(len(calls(n.events)) for n in tree)


async def test_model_sees_depth_permission_budget_and_answers() -> None:
    with ModelServer(SimulatedModel()) as server:
        tree = await run_tree("(1 + 2) + (3 + 4)", llm(server), limits=Limits(budget=5))
    first, second = calls(tree.root.events)
    prompt = first.request["messages"][1]["content"]
    assert "Question: (1 + 2) + (3 + 4)" in prompt
    assert "Depth: 0" in prompt and "May ask: yes" in prompt and "Budget left: 4" in prompt
    followup = second.request["messages"][-1]["content"]
    assert "Q1: 1 + 2\nA1: 3" in followup and "Q2: 3 + 4\nA2: 7" in followup
    assert tree.root.answer is not None and tree.root.answer.text == "10"


async def test_unusable_reply_is_sent_back_with_the_problem() -> None:
    def model(request: ChatRequest) -> str:
        last = request.messages[-1]["content"]
        return "Sure! ```json\n" + answer("5") + "\n```" if "could not" in last else "hmm"

    with ModelServer(TableModel({"2 + 3": model})) as server:
        tree = await run_tree("2 + 3", llm(server))
    bad, good = calls(tree.root.events)
    assert bad.response is not None and bad.response["content"] == "hmm"
    assert "expected one JSON object" in good.request["messages"][-1]["content"]
    assert tree.root.answer is not None and tree.root.answer.text == "5"


async def test_replies_that_never_parse_fail_the_node_with_the_raw_text() -> None:
    raised: list[ModelOutputError] = []

    @agent
    async def parent(question, ctx):  # type: ignore[no-untyped-def]
        inner = LLMAgent(model="sim", base_url=server.base_url, api_key=KEY, retry=FAST)
        try:
            return await inner.answer(question, ctx)
        except ModelOutputError as exc:
            raised.append(exc)
            raise

    with ModelServer(TableModel({}, default="I will not use JSON")) as server:
        tree = await run_tree("what?", parent)
    assert tree.root.status is Status.FAILED
    assert tree.root.error is not None and tree.root.error.type == "ModelOutputError"
    assert "root" in tree.root.error.message and "I will not use JSON" in tree.root.error.message
    (exc,) = raised
    assert exc.raw == "I will not use JSON"
    assert len(calls(tree.root.events)) == 1 + LLMAgent(model="m").max_output_retries


async def test_asking_when_not_allowed_is_corrected_then_bounded() -> None:
    with ModelServer(TableModel({}, default=ask("1 + 1"))) as server:
        tree = await run_tree("x", llm(server, max_output_retries=1), limits=Limits(max_depth=0))
    assert tree.root.status is Status.FAILED
    assert len(tree) == 1
    retry = calls(tree.root.events)[-1].request["messages"][-1]["content"]
    assert "you may not ask now" in retry


async def test_a_failed_child_is_data_for_its_parent() -> None:
    table = {
        "root q": lambda r: answer("done") if "A2:" in r.messages[-1]["content"] else ask("a", "b"),
        "a": answer("1"),
        "b": "garbage",
    }
    with ModelServer(TableModel(table)) as server:
        tree = await run_tree("root q", llm(server, max_output_retries=0))
    assert tree.root.status is Status.OK
    assert tree[(1,)].status is Status.FAILED
    followup = calls(tree.root.events)[-1].request["messages"][-1]["content"]
    assert "A1: 1" in followup and "A2: (no answer" in followup


async def test_json_schema_is_requested_and_dropped_when_the_server_rejects_it() -> None:
    with ModelServer(SimulatedModel()) as server:
        tree = await run_tree("1 + 2", llm(server))
    (call,) = calls(tree.root.events)
    assert call.request["params"]["response_format"]["type"] == "json_schema"

    with ModelServer(SimulatedModel(), Faults(no_structured_output=True)) as server:
        tree = await run_tree("(1 + 2) + (3 + 4)", llm(server), limits=Limits(max_depth=1))
    assert tree.root.status is Status.OK
    assert tree.root.answer is not None and tree.root.answer.text == "10"
    rejected, *rest = calls(tree.root.events)
    assert rejected.error is not None and "400" in rejected.error.message
    assert rest and all("response_format" not in c.request["params"] for c in rest)
    assert any("structured_output" in n for n in tree.root.notes)


async def test_what_one_tree_learns_never_changes_another_trees_requests() -> None:
    with ModelServer(SimulatedModel(), Faults(no_structured_output=True)) as server:
        agent = llm(server)
        first = await run_tree("(1 + 2) + (3 + 4)", agent, limits=Limits(max_depth=1))
        second = await run_tree("(1 + 2) + (3 + 4)", agent, limits=Limits(max_depth=1))

    def requests(tree: hch.Tree) -> list[object]:
        return [c.request for n in tree for c in calls(n.events)]

    assert requests(first) == requests(second)
    for tree in (first, second):
        opening = calls(tree.root.events)[0]
        assert "response_format" in opening.request["params"]  # each tree asks afresh
    assert agent == llm(server)  # the configuration did not change


async def test_the_reply_schema_is_narrowed_to_what_the_limits_allow_each_turn() -> None:
    def schema(call: ModelCall) -> dict[str, object]:
        return call.request["params"]["response_format"]["json_schema"]["schema"]  # type: ignore[no-any-return]

    with ModelServer(SimulatedModel()) as server:
        limits = Limits(max_depth=1, budget=4, max_children=2)
        tree = await run_tree("(1 + 2) + (3 + 4)", llm(server), limits=limits)
    first, second = calls(tree.root.events)
    props = schema(first)["properties"]
    assert props["action"]["enum"] == ["ask", "answer"]  # type: ignore[index]
    assert props["questions"]["maxItems"] == 2  # type: ignore[index]
    props = schema(second)["properties"]  # fan-out spent: only an answer is possible
    assert props["action"]["enum"] == ["answer"]  # type: ignore[index]
    assert props["questions"]["maxItems"] == 0  # type: ignore[index]
    for leaf in tree.children(tree.root):
        (call,) = calls(leaf.events)
        assert schema(call)["properties"]["action"]["enum"] == ["answer"]  # type: ignore[index]
    assert tree.root.answer is not None and tree.root.answer.text == "10"


async def test_llama_cpp_style_schema_is_exact_and_narrowed_each_turn() -> None:
    def schema(call: ModelCall) -> dict[str, Any]:
        fmt = call.request["params"]["response_format"]
        assert fmt["type"] == "json_object"
        return fmt["schema"]  # type: ignore[no-any-return]

    with ModelServer(SimulatedModel()) as server:
        agent = llm(server, structured="json_object_schema")
        limits = Limits(max_depth=1, budget=4, max_children=2)
        tree = await run_tree("(1 + 2) + (3 + 4)", agent, limits=limits)
    first, second = calls(tree.root.events)
    ask, answer = schema(first)["anyOf"]
    assert ask["properties"]["questions"]["minItems"] == 1
    assert ask["properties"]["questions"]["maxItems"] == 2
    assert answer["properties"]["answer"]["minLength"] == 1
    assert schema(second) == answer  # fan-out spent: only a non-empty answer fits
    assert tree.root.answer is not None and tree.root.answer.text == "10"


async def test_usage_and_cost_are_recorded() -> None:
    with ModelServer(SimulatedModel()) as server:
        tree = await run_tree("1 + 2", llm(server, price=(1.0, 2.0)))
    (call,) = calls(tree.root.events)
    assert call.usage is not None and call.usage.prompt_tokens > 0
    expected = (call.usage.prompt_tokens * 1.0 + call.usage.completion_tokens * 2.0) / 1e6
    assert call.cost == pytest.approx(expected)
    assert call.latency > 0 and call.attempt == 1 and not call.cached


async def test_api_key_never_reaches_trace_cache_logs_or_repr(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    trace, db = tmp_path / "run.jsonl", tmp_path / "calls.sqlite"
    faults = Faults(require_key=KEY, fail_first=["429", "500"], retry_after=0.001)
    with ModelServer(SimulatedModel(), faults) as server:
        agent = llm(server, cache=Cache(db))
        tree = await run_tree("(1 + 2) + (3 + 4)", agent, trace=trace)
        assert tree.root.status is Status.OK
        assert server.statuses.get(401) is None  # the key was sent, and accepted
    assert any("retrying" in r.getMessage() for r in caplog.records)
    for text in (trace.read_text(), caplog.text, repr(agent), tree.header.agent):
        assert KEY not in text
    for file in tmp_path.iterdir():  # the SQLite file and its WAL
        assert KEY.encode() not in file.read_bytes()
    assert KEY not in hch.load(trace).model_dump_json()


async def test_a_wrong_key_fails_at_once_naming_the_status() -> None:
    with ModelServer(SimulatedModel(), Faults(require_key=KEY)) as server:
        bad = LLMAgent(model="sim", base_url=server.base_url, api_key="sk-wrong", retry=FAST)
        tree = await run_tree("1 + 2", bad)
        assert server.requests == 1
    assert tree.root.status is Status.FAILED
    assert tree.root.error is not None and tree.root.error.type == "ModelAPIError"
    assert "401" in tree.root.error.message and "API key" in tree.root.error.message
    assert "sk-wrong" not in tree.root.error.message


def test_prompts_are_replaceable() -> None:
    custom = Prompts(system="Answer tersely.")
    agent = LLMAgent(model="m", api_key="k", prompts=custom)
    assert agent.prompts.system == "Answer tersely."
    assert "Answer tersely." in repr(agent) and "'k'" not in repr(agent)
